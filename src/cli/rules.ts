import { allRules } from '../rules/registry.js';
import { parseCommandArgs } from './args.js';
import { UsageError } from '../model/errors.js';

export const RULES_USAGE = `usage: rubberduck rules [--format text|json]

List every review rule: id, pack, default severity and what it flags.`;

export interface RuleListing {
  id: string;
  pack: string;
  scope: 'patch' | 'series';
  severity: string;
  doc: { what: string; why: string; fix: string };
}

export function listRules(): RuleListing[] {
  return allRules.map((rule) => ({ id: rule.id, pack: rule.pack, scope: rule.scope, severity: rule.severity, doc: { ...rule.doc } }));
}

export function renderRulesText(rules: readonly RuleListing[]): string {
  const width = Math.max(0, ...rules.map((r) => r.id.length));
  const lines: string[] = [];
  let pack = '';
  for (const rule of rules) {
    if (rule.pack !== pack) {
      if (pack) lines.push('');
      pack = rule.pack;
      lines.push(`${pack}:`);
    }
    lines.push(`  ${rule.id.padEnd(width)}  ${rule.severity.padEnd(7)}  ${rule.doc.what}`);
  }
  lines.push('', `${rules.length} rules`);
  return `${lines.join('\n')}\n`;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs('rules', {
    args: argv,
    allowPositionals: false,
    strict: true,
    options: { format: { type: 'string', default: 'text' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    process.stdout.write(`${RULES_USAGE}\n`);
    return 0;
  }
  const rules = listRules();
  if (values.format === 'json') process.stdout.write(`${JSON.stringify(rules, null, 2)}\n`);
  else if (values.format === 'text') process.stdout.write(renderRulesText(rules));
  else throw new UsageError('unknown format (use text or json)', `--format ${values.format}`);
  return 0;
}
