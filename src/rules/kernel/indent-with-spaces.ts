import { filePath } from '../../model/changeset.js';
import type { DiffLine } from '../../model/changeset.js';
import type { PatchRule, RuleFinding } from '../types.js';
import { diffLocation } from '../lib/location.js';
import { visualWidth } from '../lib/width.js';

const C_LIKE = /\.(?:c|h)$/;

/** What is wrong with one added line's whitespace, and the line re-indented with tabs. */
export function indentProblems(text: string): { problems: string[]; fixed: string } {
  const lead = /^[ \t]*/.exec(text)?.[0] ?? '';
  const problems: string[] = [];
  if (text.trim() === '') return { problems, fixed: text };
  if (/ {8}/.test(lead)) problems.push('indent with tabs, not spaces');
  if (/ \t/.test(text)) problems.push('space before tab');
  const width = visualWidth(lead);
  const fixed = '\t'.repeat(Math.floor(width / 8)) + ' '.repeat(width % 8) + text.slice(lead.length);
  return { problems, fixed };
}

export const indentWithSpaces: PatchRule = {
  id: 'kernel/indent-with-spaces',
  pack: 'kernel',
  scope: 'patch',
  severity: 'warning',
  doc: {
    what: 'An added C line is indented with eight or more spaces instead of tabs, or has a space before a tab.',
    why: 'Kernel code is indented with tabs; mixed indentation renders differently in every editor and fails checkpatch.',
    fix: 'Indent with tabs (alignment after the tabs may use up to seven spaces).',
  },
  check(patch): RuleFinding[] {
    const out: RuleFinding[] = [];
    for (const file of patch.files) {
      if (file.binary || !C_LIKE.test(filePath(file))) continue;
      for (const hunk of file.hunks) {
        // Consecutive offending added lines are reported once, with one fix for the run.
        let run: { line: DiffLine; problems: string[]; fixed: string }[] = [];
        const flush = (): void => {
          const first = run[0];
          const last = run[run.length - 1];
          if (!first || !last) return;
          const problems = [...new Set(run.flatMap((r) => r.problems))];
          const fixable = run.every((r) => !/ \t/.test(r.fixed)) && first.line.newLine !== undefined && last.line.newLine !== undefined;
          out.push({
            message: run.length > 1 ? `${problems.join('; ')} (${run.length} lines)` : problems.join('; '),
            location: diffLocation(file, first.line, hunk),
            evidence: first.line.text,
            ...(fixable && first.line.newLine !== undefined && last.line.newLine !== undefined
              ? {
                  fix: {
                    description: 'indent with tabs',
                    target: {
                      kind: 'diff' as const,
                      file: filePath(file),
                      startLine: first.line.newLine,
                      endLine: last.line.newLine,
                      lines: run.map((r) => r.fixed),
                    },
                  },
                }
              : {}),
          });
          run = [];
        };
        for (const line of hunk.lines) {
          if (line.kind !== 'add') {
            flush();
            continue;
          }
          const { problems, fixed } = indentProblems(line.text.replace(/\r$/, ''));
          if (problems.length === 0) flush();
          else run.push({ line, problems, fixed });
        }
        flush();
      }
    }
    return out;
  },
};
