import type { Subject } from '../model/changeset.js';
import { ConfigSchema } from '../config/schema.js';

const DEFAULT_TREES: readonly string[] = ConfigSchema.parse({}).netdev.trees;

const REPLY_PREFIX = /^(?:re|fwd?|aw|sv|antw)\s*:\s*/i;
const PATCH_WORD = /^(?:patch|rfc|rft|resend)(?:[-_]?v?\d+)?$/i;
const VERSION = /^v(\d+)$/i;
const COUNTER = /^(\d+)\/(\d+)$/;
/** Words that only make sense in a patch prefix, never in a list tag. */
const PREFIX_WORDS = new Set(['git', 'pull', 'net', 'next']);

const treeSets = new WeakMap<readonly string[], ReadonlySet<string>>();

function knownTreeSet(trees: readonly string[]): ReadonlySet<string> {
  let set = treeSets.get(trees);
  if (!set) {
    set = new Set(trees.map((tree) => tree.toLowerCase()));
    treeSets.set(trees, set);
  }
  return set;
}

/** `*-net`, `*-next`, `-next`, `next`: sub-tree naming that netdev and linux-next use. */
function looksLikeTree(token: string, known: ReadonlySet<string>): boolean {
  const lower = token.toLowerCase();
  return known.has(lower) || lower === 'next' || lower.endsWith('-net') || lower.endsWith('-next');
}

function isPrefixToken(token: string, known: ReadonlySet<string>): boolean {
  return (
    PATCH_WORD.test(token) ||
    VERSION.test(token) ||
    COUNTER.test(token) ||
    PREFIX_WORDS.has(token.toLowerCase()) ||
    looksLikeTree(token, known)
  );
}

/**
 * Parses a patch subject as permissively as b4 does: list tags such as `[Intel-wired-lan]` are
 * skipped, any bracket whose tokens look like a patch prefix (PATCH/RFC/RESEND, vN, k/N, a tree
 * name) is the prefix, and further brackets right after it (`[PATCH][next]`) extend it.
 */
export function parseSubject(raw: string, knownTrees: readonly string[] = DEFAULT_TREES): Subject {
  const known = knownTreeSet(knownTrees);
  // Header unfolding may leave line breaks behind; a subject is one line.
  let rest = raw.replace(/\r?\n[ \t]*/g, ' ').trim();
  const listTags: string[] = [];
  const prefixes: string[] = [];
  let isReply = false;
  let hasPrefix = false;

  for (;;) {
    const reply = REPLY_PREFIX.exec(rest);
    if (reply) {
      isReply = true;
      rest = rest.slice(reply[0].length);
      continue;
    }
    if (rest.charCodeAt(0) !== 0x5b /* [ */) break;
    const close = rest.indexOf(']');
    if (close < 0) break;
    const inside = rest.slice(1, close).trim();
    const tokens = inside.split(/[\s,]+/).filter((token) => token.length > 0);
    const prefixLike = tokens.length > 0 && tokens.some((token) => isPrefixToken(token, known));
    if (prefixLike || (hasPrefix && tokens.length > 0)) {
      hasPrefix = true;
      prefixes.push(...tokens);
    } else if (!hasPrefix) {
      listTags.push(inside);
    } else {
      break;
    }
    rest = rest.slice(close + 1).trimStart();
  }

  let hasPatchTag = false;
  let rfc = false;
  let resend = false;
  let version: number | undefined;
  let counter: number | undefined;
  let total: number | undefined;
  let tree: string | undefined;
  let treeGuess: string | undefined;
  for (const token of prefixes) {
    const lower = token.toLowerCase();
    const word = /^(patch|rfc|rft|resend)(?:[-_]?v?(\d+))?$/i.exec(token);
    if (word) {
      const kind = word[1]!.toLowerCase();
      if (kind === 'patch' || kind === 'rfc' || kind === 'rft') hasPatchTag = true;
      if (kind === 'rfc') rfc = true;
      if (kind === 'resend') resend = true;
      if (word[2] !== undefined && version === undefined) version = Number(word[2]);
      continue;
    }
    const v = VERSION.exec(token);
    if (v) {
      version ??= Number(v[1]);
      continue;
    }
    const count = COUNTER.exec(token);
    if (count) {
      counter ??= Number(count[1]);
      total ??= Number(count[2]);
      continue;
    }
    if (tree === undefined && known.has(lower)) tree = token;
    else if (treeGuess === undefined && looksLikeTree(token, known)) treeGuess = token;
  }

  const subject: Subject = {
    raw,
    listTags,
    prefixes,
    hasPatchTag,
    hasPrefix,
    rfc,
    resend,
    version: version !== undefined && version > 0 ? version : 1,
    summary: rest.trim(),
    isReply,
  };
  if (counter !== undefined) subject.counter = counter;
  if (total !== undefined) subject.total = total;
  const chosen = tree ?? treeGuess;
  if (chosen !== undefined) subject.tree = chosen;
  return subject;
}

/** The version was written in the subject (`v2`, `PATCHv2`), not defaulted. */
export function hasExplicitVersion(subject: Subject): boolean {
  return subject.prefixes.some((token) => VERSION.test(token) || /^(?:patch|rfc|rft|resend)[-_]?v?\d+$/i.test(token));
}
