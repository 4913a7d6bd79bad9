import { z } from 'zod';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Removes zod's ±2^53 integer bounds (noise in a prompt) and closes every object. */
function tidy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tidy);
  if (!isObject(node)) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema') continue;
    if ((key === 'minimum' || key === 'maximum') && typeof value === 'number' && Math.abs(value) >= Number.MAX_SAFE_INTEGER) continue;
    out[key] = tidy(value);
  }
  if (out.type === 'object' && isObject(out.properties) && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

/** True when OpenAI's strict mode accepts the schema: every object lists all its properties as required. */
function strictCompatible(node: unknown): boolean {
  if (Array.isArray(node)) return node.every(strictCompatible);
  if (!isObject(node)) return true;
  if (node.type === 'object' && isObject(node.properties)) {
    const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
    if (!Object.keys(node.properties).every((k) => required.has(k))) return false;
    if (node.additionalProperties !== false) return false;
  }
  return Object.values(node).every(strictCompatible);
}

/**
 * The JSON Schema the model is shown for a zod schema: what zod accepts as input (so defaulted
 * fields are optional), without `$schema`, objects closed. `strict` tells whether OpenAI's strict
 * structured outputs can be requested (all properties required; use `.nullable()` rather than
 * `.optional()` in agent schemas to keep it so).
 */
export function modelJsonSchema(schema: z.ZodType): { schema: Json; strict: boolean } {
  const converted = tidy(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })) as Json;
  return { schema: converted, strict: strictCompatible(converted) };
}

/**
 * JSON out of a model's text: the whole text, or a ```json fenced block, or the outermost {...}.
 * Undefined when none of these parses. Strict JSON only (no repair of truncated output).
 */
export function parseJsonLoosely(text: string): unknown {
  const attempts: string[] = [text.trim()];
  const fence = /```(?:json|JSON)?\s*\n([\s\S]*?)\n?```/.exec(text);
  if (fence?.[1]) attempts.push(fence[1].trim());
  const first = text.indexOf('{');
  const last = text.lastIndexOf('}');
  if (first >= 0 && last > first) attempts.push(text.slice(first, last + 1));
  for (const attempt of attempts) {
    if (!attempt) continue;
    try {
      return JSON.parse(attempt) as unknown;
    } catch {
      // next
    }
  }
  return undefined;
}
