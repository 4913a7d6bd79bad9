/**
 * A fingerprint of a user's project folder, to prove that a run left it byte for byte as it was:
 * every entry without following links (files by content hash, links by target, folders by mode),
 * and, through the dependency links (node_modules entries, a virtualenv), every file's size and
 * mtime and every folder's mtime — a cache or a `__pycache__` written through a link changes them.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';

function walkLinked(abs: string, rel: string, out: Map<string, string>, depth: number): void {
  if (depth > 40) return;
  let st;
  try {
    st = statSync(abs);
  } catch {
    out.set(rel, 'dangling');
    return;
  }
  if (st.isDirectory()) {
    out.set(rel, `d ${st.mtimeMs}`);
    for (const e of readdirSync(abs).sort()) walkLinked(join(abs, e), `${rel}/${e}`, out, depth + 1);
  } else {
    out.set(rel, `f ${st.size} ${st.mtimeMs}`);
  }
}

export function treeFingerprint(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (abs: string, rel: string) => {
    for (const e of readdirSync(abs).sort()) {
      const a = join(abs, e);
      const r = rel ? `${rel}/${e}` : e;
      const st = lstatSync(a);
      if (st.isSymbolicLink()) {
        out.set(r, `l ${readlinkSync(a)}`);
        walkLinked(a, `${r}@`, out, 0);
      } else if (st.isDirectory()) {
        out.set(r, `d ${st.mode}`);
        walk(a, r);
      } else {
        out.set(r, `f ${st.mode} ${createHash('sha256').update(readFileSync(a)).digest('hex')}`);
      }
    }
  };
  walk(root, '');
  return out;
}

/** What differs between two fingerprints (added, removed, changed paths), for a readable failure. */
export function treeChanges(before: Map<string, string>, after: Map<string, string>): string[] {
  const changes: string[] = [];
  for (const [k, v] of after) if (!before.has(k)) changes.push(`+ ${k}`);
  else if (before.get(k) !== v) changes.push(`~ ${k}`);
  for (const k of before.keys()) if (!after.has(k)) changes.push(`- ${k}`);
  return changes;
}
