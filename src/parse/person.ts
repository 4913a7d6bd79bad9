import type { Person } from '../model/changeset.js';

/**
 * `Name <addr>`, `"Last, First" <addr>`, `<addr>` or a bare `addr@host`; undefined when there is
 * no address at all (the trailer-syntax rule reports that).
 */
export function parsePerson(text: string): Person | undefined {
  const value = text.trim();
  const open = value.lastIndexOf('<');
  if (open >= 0) {
    const close = value.indexOf('>', open);
    if (close < 0) return undefined;
    const email = value.slice(open + 1, close).trim();
    if (!email.includes('@')) return undefined;
    let name = value.slice(0, open).trim();
    if (name.length >= 2 && name.startsWith('"') && name.endsWith('"')) name = name.slice(1, -1).replace(/\\(.)/g, '$1');
    return { name, email };
  }
  const bare = /^([^\s@<>]+@[^\s@<>]+)(?:\s+\((.*)\))?$/.exec(value);
  if (bare) return { name: bare[2]?.trim() ?? '', email: bare[1]! };
  return undefined;
}

/** Addresses compare case-insensitively (the local part rarely differs only by case in practice). */
export function sameAddress(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/**
 * The mailboxes of an address header (To, Cc), unfolded and trimmed: split at the commas that are
 * not inside a quoted display name (`"Doe, Jane" <jane@example.com>`).
 */
export function splitMailboxes(value: string): string[] {
  return value
    .replace(/\r?\n[ \t]+/g, ' ')
    .split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)
    .map((mailbox) => mailbox.replace(/\s+/g, ' ').trim())
    .filter((mailbox) => mailbox !== '');
}
