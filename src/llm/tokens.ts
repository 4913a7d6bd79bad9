/**
 * Token counting and trimming with js-tiktoken's bundled o200k_base ranks (the GPT-4o family's
 * encoding; a fair estimate for local models too). Nothing is downloaded. The encoder is built
 * lazily on first use (about a second), and long texts take fast paths so that trimming a
 * multi-megabyte outline stays cheap.
 */
import { Tiktoken } from 'js-tiktoken/lite';
import o200k from 'js-tiktoken/ranks/o200k_base';

let encoder: Tiktoken | undefined;

function enc(): Tiktoken {
  encoder ??= new Tiktoken(o200k);
  return encoder;
}

/** Average characters per token is about 4 for code and prose; 8 leaves a wide margin. */
const CHARS_PER_TOKEN_MAX = 8;

/** Number of tokens of `text`. */
export function countTokens(text: string): number {
  if (!text) return 0;
  return enc().encode(text).length;
}

/** Quick upper bound: every token is at least one UTF-8 byte. */
function surelyFits(text: string, max: number): boolean {
  return text.length <= max && Buffer.byteLength(text, 'utf8') <= max;
}

export type TrimMode = 'head' | 'tail' | 'both';

function marker(dropped: string): string {
  return `[… ${dropped} trimmed …]`;
}

function keepHead(text: string, max: number): string {
  const window = text.slice(0, max * CHARS_PER_TOKEN_MAX);
  const tokens = enc().encode(window);
  if (window.length === text.length && tokens.length <= max) return text;
  let head = enc().decode(tokens.slice(0, Math.max(0, max)));
  // Cut at a line break when one is reasonably close, so no half lines are shown.
  const nl = head.lastIndexOf('\n');
  if (nl > head.length * 0.5) head = head.slice(0, nl + 1);
  return head;
}

function keepTail(text: string, max: number): string {
  const window = text.slice(Math.max(0, text.length - max * CHARS_PER_TOKEN_MAX));
  const tokens = enc().encode(window);
  if (window.length === text.length && tokens.length <= max) return text;
  let tail = enc().decode(tokens.slice(Math.max(0, tokens.length - max)));
  // The first token may be a fragment of a character or of a line: start at the next line.
  const nl = tail.indexOf('\n');
  if (nl >= 0 && nl < tail.length * 0.5) tail = tail.slice(nl + 1);
  return tail;
}

/**
 * `text` cut to at most `max` tokens (a marker line included). `head` keeps the beginning,
 * `tail` the end, `both` the head and the tail (test output: the failing test's name is often
 * at the top of a long dump, the assertion at the bottom). Cuts fall on line breaks when possible.
 */
export function fitToTokens(text: string, max: number, mode: TrimMode = 'head'): string {
  if (max <= 0) return '';
  if (surelyFits(text, max)) return text;
  if (text.length <= max * CHARS_PER_TOKEN_MAX * 2 && countTokens(text) <= max) return text;
  const mark = marker('lines');
  const room = max - countTokens(mark) - 2;
  if (room <= 0) return '';
  if (mode === 'head') return `${keepHead(text, room).replace(/\n?$/, '\n')}${mark}`;
  if (mode === 'tail') return `${mark}\n${keepTail(text, room)}`;
  const half = Math.floor(room / 2);
  return `${keepHead(text, half).replace(/\n?$/, '\n')}${mark}\n${keepTail(text, room - half)}`;
}

/** Upper bound of system + user prompt for one agent call (the schema and message framing come on top). */
export const MAX_PROMPT_TOKENS = 8000;
/** Kept free below MAX_PROMPT_TOKENS for headings and message framing. */
export const PROMPT_MARGIN = 300;
