import type { ChangeSet } from '../../src/model/changeset.js';
import type { Finding, ReviewReport } from '../../src/model/finding.js';
import { buildReport } from '../../src/report/index.js';
import { changeset as makeChangeSet, patch as makePatch } from '../support/changeset.js';

/** Two patches: the first with an error in the message and a warning in the diff, the second clean. */
export function sample(): { changeset: ChangeSet; findings: Finding[]; report: ReviewReport } {
  const p0 = makePatch({
    input: 'fixtures/series.mbox',
    subject: '[PATCH net 1/2] net: foo: fix a leak',
    message: 'Free it.\n\nFixes: abc123 (net: foo: add it)\nSigned-off-by: A U Thor <author@example.com>',
    messageId: '<1@example.com>',
    files: [{ path: 'drivers/net/foo.c', added: ['\tint a;', '\tunsigned long flags;'] }],
  });
  const p1 = makePatch({ input: 'fixtures/series.mbox', index: 1, subject: '[PATCH net 2/2] net: foo: tidy `x` | y' });
  const changeset = makeChangeSet([p0, p1]);
  const diffLine = p0.files[0]!.hunks[0]!.lines[1]!;
  const findings: Finding[] = [
    {
      rule: 'kernel/fixes-format',
      severity: 'error',
      message: 'Fixes: tag not in the form Fixes: <12+ hex> ("subject")',
      source: 'rule',
      patch: 0,
      subject: p0.subject.raw,
      messageId: '<1@example.com>',
      location: { kind: 'message', line: 3, part: 'message', patchLine: p0.messageStartLine + 2 },
      evidence: 'Fixes: abc123 (net: foo: add it)',
    },
    {
      rule: 'netdev/reverse-xmas-tree',
      severity: 'warning',
      message: 'declaration longer than the one above it',
      source: 'rule',
      patch: 0,
      subject: p0.subject.raw,
      location: { kind: 'diff', file: 'drivers/net/foo.c', line: 11, side: 'new', patchLine: diffLine.patchLine },
      evidence: '\tunsigned long flags;',
    },
    {
      rule: 'series/missing-cover-letter',
      severity: 'info',
      message: 'no cover letter',
      source: 'rule',
      location: { kind: 'series' },
    },
  ];
  return { changeset, findings, report: buildReport({ changeset, findings, version: '9.9.9' }) };
}
