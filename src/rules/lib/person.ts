import type { Patch, Person, Trailer } from '../../model/changeset.js';
import { parsePerson } from '../../parse/person.js';

/**
 * People in trailers and headers. The grammar is the parser's (src/parse/person.ts), so a rule
 * reads `Name <address>` exactly as the trailers were parsed.
 */

/**
 * The person of a trailer value, as the trailer parser reads it: a ` # comment` after the
 * address (stable's `# 6.1+`) is not part of the person.
 */
export function personOf(value: string): Person | undefined {
  const hash = value.indexOf(' #');
  return parsePerson(hash >= 0 ? value.slice(0, hash) : value);
}

export function trailerPerson(t: Trailer): Person | undefined {
  return t.person ?? personOf(t.value);
}

function normName(name: string): string {
  return name
    .replace(/\s+via B4 Relay$/i, '')
    .replace(/^"(.*)"$/, '$1')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** Same person: same address (case-insensitive), else same non-empty name. */
export function samePerson(a: Person, b: Person): boolean {
  if (a.email && b.email && a.email.toLowerCase() === b.email.toLowerCase()) return true;
  const na = normName(a.name);
  return na !== '' && na === normName(b.name);
}

export function isB4RelayAddress(email: string): boolean {
  return /^devnull\+.*@kernel\.org$/i.test(email);
}

/**
 * The patch author: the parser's `author` (in-body From, then X-Original-From, then header From);
 * a B4 Relay sender that slipped through is replaced by X-Original-From when present.
 */
export function patchAuthor(patch: Patch): Person | undefined {
  const a = patch.author ?? patch.from;
  if (a && isB4RelayAddress(a.email)) {
    const orig = patch.headers['x-original-from'];
    const p = orig ? personOf(orig) : undefined;
    if (p) return p;
    return { name: a.name.replace(/\s+via B4 Relay$/i, ''), email: a.email };
  }
  return a;
}

export function formatPerson(p: Person): string {
  return p.name ? `${p.name} <${p.email}>` : p.email;
}
