import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../util/paths.js';

/** The text of prompts/<name>.md as shipped (read at run time, so prompts can be edited without a build). */
export function promptTemplate(name: string): string {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`invalid prompt name: ${name}`);
  return readFileSync(join(packageRoot(), 'prompts', `${name}.md`), 'utf8');
}

/**
 * prompts/<name>.md with its `{{var}}` placeholders filled. A placeholder without a value is an
 * error (a prompt silently missing its evidence is worse than a crash in tests). Values are
 * inserted verbatim; a `{{…}}` inside a value is not expanded again.
 */
export function loadPrompt(name: string, vars: Record<string, string | number> = {}): string {
  const template = promptTemplate(name);
  const missing = new Set<string>();
  const text = template.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_all, key: string) => {
    const value = vars[key];
    if (value === undefined) {
      missing.add(key);
      return '';
    }
    return String(value);
  });
  if (missing.size) throw new Error(`prompts/${name}.md: no value for ${[...missing].map((m) => `{{${m}}}`).join(', ')}`);
  return text;
}

/** The placeholders a prompt template uses (for tests and docs). */
export function promptVariables(name: string): string[] {
  const found = new Set<string>();
  for (const m of promptTemplate(name).matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)) if (m[1]) found.add(m[1]);
  return [...found];
}
