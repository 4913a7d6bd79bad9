import type { Patch } from '../../model/changeset.js';
import type { Config } from '../../config/schema.js';
import { isFixesTree } from './util.js';

/**
 * Whether a patch reads as a bug fix, from the words maintainers react to ("this is a fix: it
 * needs a Fixes: tag and should go to net"). A small vocabulary we keep, not a classifier: the
 * LLM reviewer's review/fix-classification makes the judgement call on top.
 */

/** Bug words: what a fix says it repairs. */
const BUG =
  /\b(?:null[- ]pointer(?: dereference| deref)?|null[- ]ptr[- ]deref|use[- ]after[- ]free|uaf|double[- ]free|(?:memory |refcount |resource |skb |page |dma )?leak(?:s|ed|ing)?|race(?: condition)?s?|racy|deadlocks?|dead[- ]lock|(?:integer |buffer |stack |counter )?(?:overflow|underflow)s?|out[- ]of[- ]bounds?|oob (?:read|write|access)|crash(?:es|ed|ing)?|kernel panic|panics?|oops(?:es)?|hangs?|lockups?|soft lockup|error handling path|error path|(?:kasan|kmsan|ubsan|syzbot|lockdep)\b)\b/i;

/** `fix`, `fixes`, `fixed`, `fixing` as a verb or noun; `Revert "…"`. */
const FIX_WORD = /\b(?:fix(?:es|ed|ing)?|revert(?:s|ed|ing)?|reapply)\b/i;

/** What a "fix" that is not a bug fix fixes: comments, spelling, style, docs. */
const COSMETIC =
  /\bfix(?:es|ed|ing)?(?: up| a| the| some| minor| small| several| two| multiple| wrong| broken)*\s+(?:typos?|spelling|misspellings?|grammar|wording|comments?|kernel-?doc|docs?|documentation|whitespaces?|white space|indentation|indent|alignment|formatting|coding style|style|checkpatch|sparse|cocci(?:nelle)?|smatch)\b/i;

/** A sentence that looks back at an earlier fix rather than making one. */
const PAST_FIX = /\b(?:commit\s+[0-9a-f]{7,}|previously|earlier|was fixed|were fixed|has been fixed|have been fixed|already fixed|fixed (?:in|by) (?:commit|the|an?)\b)/i;

export interface FixSignal {
  /** Where the signal was read. */
  where: 'subject' | 'body' | 'trailers';
  /** The words that made it read as a fix. */
  words: string;
}

/** The summary without its `subsys: ` prefixes. */
function summaryText(patch: Patch): string {
  return patch.subject.summary.replace(/^(?:[^\s:]+(?:(?:,\s?| \/ )[^\s:]+)*: )+/, '');
}

function signalIn(text: string): string | undefined {
  const cosmetic = COSMETIC.exec(text);
  const stripped = cosmetic ? text.replace(COSMETIC, ' ') : text;
  const bug = BUG.exec(stripped);
  if (bug) return bug[0];
  const fix = FIX_WORD.exec(stripped);
  return fix?.[0];
}

/** Sentences of the description (trailers, quoted logs and diffs excluded by the caller's text). */
function sentences(text: string): string[] {
  return text
    .replace(/\n(?!\n)/g, ' ')
    .split(/(?<=[.!?])\s+|\n{2,}/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * The first thing that makes the patch read as a fix: the subject, then (when `body` is allowed)
 * the description, then a `Reported-by:`/`Closes:` trailer. Undefined for anything else.
 */
export function fixSignal(patch: Patch, opts: { body: boolean }): FixSignal | undefined {
  const subject = signalIn(summaryText(patch));
  if (subject) return { where: 'subject', words: subject };
  if (opts.body) {
    const prose = patch.message
      .split('\n')
      // Trailers and indented (quoted) lines are not the author's prose; a pasted splat still counts below.
      .filter((line) => !/^[A-Za-z-]+:\s/.test(line) && !/^\s/.test(line))
      .join('\n');
    for (const sentence of sentences(prose)) {
      if (PAST_FIX.test(sentence)) continue;
      const words = signalIn(sentence);
      if (words) return { where: 'body', words };
    }
    if (/^\s*(?:BUG|WARNING|Oops|Unable to handle kernel|general protection fault|KASAN|UBSAN)\b.*$/m.test(patch.message)) {
      return { where: 'body', words: 'a kernel splat' };
    }
  }
  const trailer = patch.trailers.find((t) => /^(?:reported-by|closes)$/i.test(t.key.trim()));
  if (trailer) return { where: 'trailers', words: `${trailer.key.trim()}:` };
  return undefined;
}

/**
 * The fixes tree a fix belongs in: the tree tag's fixes counterpart (`net-next` → `net`,
 * `iwl-next` → `iwl-net`, `bpf-next` → `bpf`), `iwl-net` for intel-wired-lan postings, else
 * `net` — when that tree is configured; the tree as written when it already is a fixes tree.
 */
export function fixesTreeFor(patch: Patch, tree: string | undefined, config: Config): string {
  const trees = new Set(config.netdev.trees.map((t) => t.toLowerCase()));
  if (tree !== undefined && isFixesTree(tree)) return tree;
  const candidates: string[] = [];
  if (tree !== undefined) {
    const lower = tree.toLowerCase();
    candidates.push(lower.replace(/-next$/, '-net'), lower.replace(/-next$/, ''));
  }
  if (patch.subject.listTags.some((t) => /^intel-wired-lan$/i.test(t))) candidates.push('iwl-net');
  candidates.push('net');
  return candidates.find((t) => trees.has(t) && isFixesTree(t)) ?? 'net';
}
