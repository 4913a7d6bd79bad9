import type { Trailer } from '../model/changeset.js';
import { parsePerson } from './person.js';

/**
 * Trailer keys the kernel documents; compared after lower-casing and dropping everything but
 * letters, so `Signed-of-by`-style typos still differ while `signed-off-by` and `Signed off by`
 * are recognised (the trailer-syntax rule reports their spelling).
 */
const KNOWN_KEYS = [
  'Signed-off-by', 'Co-developed-by', 'Acked-by', 'Reviewed-by', 'Tested-by', 'Reported-by',
  'Suggested-by', 'Cc', 'Fixes', 'Link', 'Closes', 'Change-Id', 'Originally-by', 'Requested-by',
  'Debugged-by', 'Bisected-by', 'Analyzed-by', 'Helped-by', 'Based-on-patch-by', 'Message-ID',
];
const KNOWN_NORMALISED = new Set(KNOWN_KEYS.map(normaliseKey));

function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z]/g, '');
}

/** Lines that count anywhere in the message, for the placement rules. */
const ANYWHERE = new Set(['fixes', 'signedoffby']);

// A key is a token (letters, digits, dashes) or a few space-separated words resembling a known key.
const TRAILER_LINE = /^([A-Za-z][A-Za-z0-9-]*(?: [A-Za-z][A-Za-z0-9-]*){0,3}):([ \t]*)(.*)$/;

function isPersonKey(normalised: string): boolean {
  return normalised.endsWith('by') || normalised === 'cc';
}

/** An open quote, parenthesis or angle bracket means the value goes on (b4 unwraps these). */
function isOpen(value: string): boolean {
  let quotes = 0;
  let parens = 0;
  let angles = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22) quotes++;
    else if (c === 0x28) parens++;
    else if (c === 0x29) parens--;
    else if (c === 0x3c) angles++;
    else if (c === 0x3e) angles--;
  }
  return quotes % 2 === 1 || parens > 0 || angles > 0;
}

/** A person with an address, or a Fixes tag ending in its `("subject")`. */
function isComplete(normalised: string, value: string): boolean {
  if (normalised === 'fixes') return /\)\s*$/.test(value);
  return /<[^<>]+@[^<>]+>/.test(value) || /^\S+@\S+$/.test(value.trim());
}

/**
 * The trailers of a commit message: every `Key: value` line of the last paragraph (when that
 * paragraph holds at least one known key), plus `Fixes:` and `Signed-off-by:` lines anywhere, so
 * the placement rules can see a misplaced one. Line numbers are 1-based within `message`.
 */
export function parseTrailers(message: string): Trailer[] {
  const lines = message.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.endsWith('\r')) lines[i] = line.slice(0, -1);
  }
  let end = lines.length;
  while (end > 0 && lines[end - 1]!.trim() === '') end--;
  let blockStart = end;
  while (blockStart > 0 && lines[blockStart - 1]!.trim() !== '') blockStart--;

  let blockHasKnownKey = false;
  for (let i = blockStart; i < end; i++) {
    const match = TRAILER_LINE.exec(lines[i]!);
    if (match && KNOWN_NORMALISED.has(normaliseKey(match[1]!))) {
      blockHasKnownKey = true;
      break;
    }
  }

  const trailers: Trailer[] = [];
  for (let i = 0; i < end; i++) {
    const line = lines[i]!;
    const match = TRAILER_LINE.exec(line);
    if (!match) continue;
    const key = match[1]!;
    const normalised = normaliseKey(key);
    const inBlock = i >= blockStart;
    const known = KNOWN_NORMALISED.has(normalised);
    // Multi-word keys are only trailers when they are a known key misspelled with spaces.
    if (key.includes(' ') && !known) continue;
    if (!(inBlock && blockHasKnownKey) && !ANYWHERE.has(normalised)) continue;
    // A URL scheme is not a key (`https://…` on its own line).
    if (match[3]!.startsWith('//')) continue;

    const start = i;
    let value = match[3]!.trimEnd();
    let raw = line.trimEnd();
    let wrapped = false;
    if (normalised === 'fixes' || isPersonKey(normalised)) {
      while (i + 1 < end) {
        const next = lines[i + 1]!;
        if (next.trim() === '' || TRAILER_LINE.test(next)) break;
        const indented = next.charCodeAt(0) === 0x20 || next.charCodeAt(0) === 0x09;
        // An indented line only continues a value that is visibly unfinished.
        if (!isOpen(value) && !(indented && !isComplete(normalised, value))) break;
        value = `${value} ${next.trim()}`;
        raw = `${raw} ${next.trim()}`;
        wrapped = true;
        i++;
      }
    }

    const trailer: Trailer = {
      key,
      value,
      raw,
      line: start + 1,
      wrapped,
      separator: match[2]!,
    };
    let personText = value;
    const hash = value.indexOf(' #');
    if (hash >= 0) {
      trailer.comment = value.slice(hash + 2).trim();
      personText = value.slice(0, hash);
    }
    if (isPersonKey(normalised)) {
      const person = parsePerson(personText);
      if (person) trailer.person = person;
    }
    trailers.push(trailer);
  }
  return trailers;
}

