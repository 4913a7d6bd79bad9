import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The package root (where package.json, prompts/ and fixtures/ live), found by walking up from
 * this module so it works both from src/ (vitest) and from dist/src/ (the built CLI).
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'prompts'))) return (cached = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error('rubberduck: cannot find the package root');
    dir = parent;
  }
}
