import { describe, expect, it } from 'vitest';
import { authorSignoff } from '../../../src/rules/kernel/author-signoff.js';
import { bodyWrap } from '../../../src/rules/kernel/body-wrap.js';
import { coDevelopedBy } from '../../../src/rules/kernel/co-developed-by.js';
import { commitReference } from '../../../src/rules/kernel/commit-reference.js';
import { corruptedPatch } from '../../../src/rules/kernel/corrupted-patch.js';
import { dosLineEndings } from '../../../src/rules/kernel/dos-line-endings.js';
import { executableSource } from '../../../src/rules/kernel/executable-source.js';
import { analyseFixes, fixesFormat } from '../../../src/rules/kernel/fixes-format.js';
import { imperativeMood } from '../../../src/rules/kernel/imperative-mood.js';
import { indentWithSpaces } from '../../../src/rules/kernel/indent-with-spaces.js';
import { lineLength } from '../../../src/rules/kernel/line-length.js';
import { missingSignoff } from '../../../src/rules/kernel/missing-signoff.js';
import { subjectPatchTag } from '../../../src/rules/kernel/subject-patch-tag.js';
import { subjectSubsystem } from '../../../src/rules/kernel/subject-subsystem.js';
import { trailerSyntax } from '../../../src/rules/kernel/trailer-syntax.js';
import { trailingWhitespace } from '../../../src/rules/kernel/trailing-whitespace.js';
import { visualWidth } from '../../../src/rules/lib/width.js';
import type { Patch } from '../../../src/model/changeset.js';
import { addedFile, mail, parseMail, patch as buildPatch0, type PatchSpec } from '../../support/changeset.js';
import { run } from '../../support/rule-harness.js';

/** The hand-built patches here: Jane Doe's two-line fix to net, signed off by her, message on line 1, no diff. */
function buildPatch(over: PatchSpec = {}): Patch {
  const jane = { name: 'Jane Doe', email: 'jane.doe@example.com' };
  return buildPatch0({
    input: 'hand',
    subject: '[PATCH net] acme: fix the thing',
    message: 'Fix the thing properly.\nIt was broken.\n\nSigned-off-by: Jane Doe <jane.doe@example.com>',
    messageStartLine: 1,
    from: jane,
    author: jane,
    files: [],
    lineCount: 10,
    ...over,
  });
}

const FIX_SUBJECT = 'acme: add page pool support for rx';

describe('kernel/line-length', () => {
  it('counts a tab as up to 8 columns', () => {
    expect(visualWidth('\tx')).toBe(9);
    expect(visualWidth('ab\tx')).toBe(9);
    expect(visualWidth('\t\t\t')).toBe(24);
  });

  it('80 columns with tabs is fine, 81 is info, 101 is a warning', () => {
    const eighty = '\t\t\t' + 'a = ' + 'b'.repeat(51) + ';'; // 24 + 4 + 51 + 1 = 80
    expect(visualWidth(eighty)).toBe(80);
    const patch = buildPatch({ files: [addedFile('drivers/net/acme.c', [eighty, eighty + 'c', '\t' + 'a = ' + 'b'.repeat(95) + ';'])] });
    const findings = run(lineLength, patch);
    expect(findings.map((f) => f.severity)).toEqual(['info', 'warning']);
    expect(findings[0]?.location).toMatchObject({ kind: 'diff', file: 'drivers/net/acme.c', line: 11, patchLine: 21 });
    expect(findings[0]?.evidence).toBe(eighty + 'c');
  });

  it('measures tabs, not characters', () => {
    // Same text, tabs versus one space each: the tab version is long, the space version is not.
    const text = 'x = function_with_a_rather_long_name(first_argument, second_arg);';
    const patch = buildPatch({ files: [addedFile('a.c', ['\t\t' + text, '  ' + text])] });
    expect(run(lineLength, patch).map((f) => f.location.kind === 'diff' && f.location.line)).toEqual([10]);
  });

  it('exempts long user-visible strings but not long code', () => {
    const str = '\t\tnetdev_err(netdev, "rx ring %u: failed to allocate the page pool for the queue\\n", q);';
    const patch = buildPatch({ files: [addedFile('a.c', [str])] });
    expect(run(lineLength, patch)).toEqual([]);
  });
});

describe('kernel/fixes-format', () => {
  it('accepts the canonical form, 12 to 40 hex', () => {
    expect(analyseFixes(`Fixes: 7d1e3f9a2b4c ("${FIX_SUBJECT}")`, false).problems).toEqual([]);
    expect(analyseFixes(`Fixes: ${'7d1e3f9a2b4c'.repeat(3)}abcd ("${FIX_SUBJECT}")`, false).problems).toEqual([]);
  });

  it.each([
    [`Fixes: commit 7d1e3f9a2b4c ("${FIX_SUBJECT}")`, 'commit'],
    [`fixes: 7d1e3f9a2b4c ("${FIX_SUBJECT}")`, 'key'],
    [`Fixes: 7d1e3f9a ("${FIX_SUBJECT}")`, 'shorter'],
    [`Fixes: 7D1E3F9A2B4C ("${FIX_SUBJECT}")`, 'lower case'],
    [`Fixes: 7d1e3f9a2b4c (${FIX_SUBJECT})`, 'double quotes'],
    [`Fixes: 7d1e3f9a2b4c "${FIX_SUBJECT}"`, 'parentheses'],
    [`Fixes:  7d1e3f9a2b4c ("${FIX_SUBJECT}")`, 'one space'],
    ['Fixes: 7d1e3f9a2b4c', 'subject'],
  ])('flags %s', (tag, problem) => {
    const { problems } = analyseFixes(tag, false);
    expect(problems.join(' ')).toContain(problem);
  });

  it('flags a wrapped tag and offers the one-line canonical form', async () => {
    const patch = await parseMail(
      mail({
        message: `When dev_alloc_page() fails the driver maps a NULL page and hands a
bogus address to the NIC. Stop refilling when the allocation fails.

Fixes: 7d1e3f9a2b4c ("acme: add page pool support for rx with header
split")
Signed-off-by: Jane Doe <jane.doe@example.com>`,
      }),
    );
    const [f, ...rest] = run(fixesFormat, patch);
    expect(rest).toEqual([]);
    expect(f?.message).toContain('wrapped');
    expect(f?.evidence).toBe('Fixes: 7d1e3f9a2b4c ("acme: add page pool support for rx with header');
    expect(f?.location).toMatchObject({ kind: 'message', line: 4 });
    expect(f?.fix?.target).toEqual({
      kind: 'message',
      startLine: 4,
      endLine: 5,
      lines: ['Fixes: 7d1e3f9a2b4c ("acme: add page pool support for rx with header split")'],
    });
  });

  it('derives the canonical form from a sloppy tag with a long enough hash', async () => {
    const patch = await parseMail(
      mail({
        message: `When dev_alloc_page() fails the driver maps a NULL page and hands a
bogus address to the NIC. Stop refilling when the allocation fails.

Fixes: commit 7D1E3F9A2B4C (acme: add page pool support for rx)
Signed-off-by: Jane Doe <jane.doe@example.com>`,
      }),
    );
    const [f] = run(fixesFormat, patch);
    expect(f?.fix?.target).toMatchObject({ lines: ['Fixes: 7d1e3f9a2b4c ("acme: add page pool support for rx")'] });
  });
});

describe('kernel/author-signoff', () => {
  const b4 = {
    from: 'Jane Doe via B4 Relay <devnull+jane.doe.example.com@kernel.org>',
    headers: 'X-Original-From: Jane Doe <jane.doe@example.com>\nReply-To: jane.doe@example.com',
  };

  it('takes the B4 Relay author from X-Original-From', async () => {
    expect(run(authorSignoff, await parseMail(mail(b4)))).toEqual([]);
    const wrong = await parseMail(mail({ ...b4, message: 'Fix it.\nReally.\n\nSigned-off-by: John Smith <john.smith@example.org>' }));
    expect(run(authorSignoff, wrong)).toHaveLength(1);
  });

  it('copes with a relay sender the parser left as the author', () => {
    const relay = { name: 'Jane Doe via B4 Relay', email: 'devnull+jane.doe.example.com@kernel.org' };
    const patch = buildPatch({ from: relay, author: relay, headers: { 'x-original-from': 'Jane Doe <jane.doe@example.com>' } });
    expect(run(authorSignoff, patch)).toEqual([]);
  });

  it('prefers the in-body From and matches by name when the address differs', async () => {
    const inBody = await parseMail(mail({ from: 'Jane Doe <jane@kernel.org>', inBodyFrom: 'Jane Doe <jane.doe@example.com>' }));
    expect(run(authorSignoff, inBody)).toEqual([]);
    const byName = buildPatch({ author: { name: 'Jane  Doe', email: 'jane@corp.example' } });
    expect(run(authorSignoff, byName)).toEqual([]);
    const other = buildPatch({ author: { name: 'John Smith', email: 'john.smith@example.org' } });
    const [f] = run(authorSignoff, other);
    expect(f?.evidence).toBe('Signed-off-by: Jane Doe <jane.doe@example.com>');
    expect(f?.location).toMatchObject({ kind: 'message', line: 4 });
  });

  it('leaves a patch with no sign-off at all to kernel/missing-signoff', () => {
    const patch = buildPatch({ message: 'Fix it.\nReally.', trailers: [] });
    expect(run(authorSignoff, patch)).toEqual([]);
    expect(run(missingSignoff, patch)).toHaveLength(1);
  });
});

describe('kernel/co-developed-by', () => {
  const body = 'Fix the refill path when the page allocation fails.\nThe NIC got a bogus address.\n\n';
  const check = async (trailers: string) => run(coDevelopedBy, await parseMail(mail({ message: body + trailers })));

  it('accepts the documented order', async () => {
    expect(
      await check(`Co-developed-by: John Smith <john.smith@example.org>
Signed-off-by: John Smith <john.smith@example.org>
Co-developed-by: Alex Roe <alex.roe@example.net>
Signed-off-by: Alex Roe <alex.roe@example.net>
Signed-off-by: Jane Doe <jane.doe@example.com>`),
    ).toEqual([]);
  });

  it('flags a sign-off that is not right after, or of someone else', async () => {
    expect(
      await check(`Co-developed-by: John Smith <john.smith@example.org>
Reviewed-by: Alex Roe <alex.roe@example.net>
Signed-off-by: John Smith <john.smith@example.org>
Signed-off-by: Jane Doe <jane.doe@example.com>`),
    ).toHaveLength(1);
    expect(
      await check(`Co-developed-by: John Smith <john.smith@example.org>
Signed-off-by: Jane Doe <jane.doe@example.com>`),
    ).toHaveLength(1);
  });

  it('flags a Co-developed-by naming the author', async () => {
    const [f] = await check(`Co-developed-by: Jane Doe <jane.doe@example.com>
Signed-off-by: Jane Doe <jane.doe@example.com>`);
    expect(f?.message).toContain('author');
  });
});

describe('kernel/trailer-syntax', () => {
  const body = 'Fix the refill path when the page allocation fails.\nThe NIC got a bogus address.\n\n';
  const check = async (trailers: string) => run(trailerSyntax, await parseMail(mail({ message: body + trailers })));

  it('flags a misspelt key, a missing colon and a duplicate, with fixes', async () => {
    const findings = await check(`Reviewed-by John Smith <john.smith@example.org>
Acked-by: Alex Roe <alex.roe@example.net>
Acked-by: Alex Roe <alex.roe@example.net>
Signed-of-by: Jane Doe <jane.doe@example.com>`);
    expect(findings.map((f) => f.location.kind === 'message' && f.location.line)).toEqual([4, 6, 7]);
    expect(findings[0]?.fix?.target).toMatchObject({ lines: ['Reviewed-by: John Smith <john.smith@example.org>'] });
    expect(findings[1]?.message).toContain('duplicate');
    expect(findings[2]?.fix?.target).toMatchObject({ lines: ['Signed-off-by: Jane Doe <jane.doe@example.com>'] });
  });

  it('flags an unreadable address but accepts stable Cc comments and bare addresses', async () => {
    expect(await check('Reported-by: Alex Roe alex.roe@example.net\nSigned-off-by: Jane Doe <jane.doe@example.com>')).toHaveLength(1);
    expect(
      await check(`Reported-by: syzbot+0123456789abcdef0123@syzkaller.appspotmail.com
Cc: stable@vger.kernel.org # 6.1+
Signed-off-by: Jane Doe <jane.doe@example.com>`),
    ).toEqual([]);
  });
});

describe('message rules', () => {
  it('body-wrap exempts URLs, indented logs and output introduced by a colon', async () => {
    const long = 'x'.repeat(40) + ' ' + 'y'.repeat(40);
    const patch = await parseMail(
      mail({
        message: `The link fails:

ld: drivers/net/ethernet/acme/acme_main.o: in function 'acme_probe': undefined reference to 'foo'

    [   12.345678] acme 0000:03:00.0: a very long line of kernel log output that goes on and on
See https://lore.kernel.org/netdev/20250301120000.1234-1-reporter@example.net/T/#u for details.
${long}

Signed-off-by: Jane Doe <jane.doe@example.com>`,
      }),
    );
    const findings = run(bodyWrap, patch);
    expect(findings.map((f) => f.evidence)).toEqual([long]);
  });

  it('commit-reference accepts a title wrapped onto the next line', async () => {
    const patch = await parseMail(
      mail({
        message: `Commit 7d1e3f9a2b4c ("acme: add page pool support
for rx") dropped the check. The commit added a regression.

Signed-off-by: Jane Doe <jane.doe@example.com>`,
      }),
    );
    expect(run(commitReference, patch)).toEqual([]);
  });

  it('imperative-mood leaves future and past "we" alone', async () => {
    const patch = await parseMail(
      mail({
        message: `This will change once we add multi-queue support; previously we added
the check in the wrong place. Move it. We add no new state.

Signed-off-by: Jane Doe <jane.doe@example.com>`,
      }),
    );
    const findings = run(imperativeMood, patch);
    expect(findings.map((f) => f.message)).toEqual(['"We add": describe the change in the imperative mood']);
  });

  it('subject rules accept the iwl house style and nested or listed prefixes', async () => {
    for (const subject of [
      '[Intel-wired-lan] [iwl-next v1 1/1] ice: fix the thing',
      '[PATCH net-next v2 3/5] net: dsa: mv88e6xxx: fix the thing',
      '[PATCH bpf] bpf, sockmap: fix the thing',
      '[PATCH] PM / OPP: fix the thing',
      '[PATCH net] Revert "ice: fix the thing"',
    ]) {
      const patch = await parseMail(mail({ subject }));
      expect(run(subjectPatchTag, patch), subject).toEqual([]);
      expect(run(subjectSubsystem, patch), subject).toEqual([]);
    }
  });
});

describe('diff rules', () => {
  it('dos-line-endings flags CRLF added lines and offers the LF line', () => {
    const patch = buildPatch({ files: [addedFile('a.c', ['\treturn 0;'], { crlf: true })] });
    const [f] = run(dosLineEndings, patch);
    expect(f?.location).toMatchObject({ kind: 'diff', file: 'a.c', line: 10 });
    expect(f?.fix?.target).toEqual({ kind: 'diff', file: 'a.c', startLine: 10, endLine: 10, lines: ['\treturn 0;'] });
    expect(run(dosLineEndings, buildPatch({ files: [addedFile('a.c', ['\treturn 0;'])] }))).toEqual([]);
  });

  it('trailing-whitespace offers the stripped line', () => {
    const [f] = run(trailingWhitespace, buildPatch({ files: [addedFile('a.c', ['\treturn 0; \t'])] }));
    expect(f?.fix?.target).toMatchObject({ lines: ['\treturn 0;'] });
  });

  it('indent-with-spaces reports a run once and re-indents it with tabs', () => {
    const patch = buildPatch({ files: [addedFile('a.c', ['        if (x)', '                return 0;', '\t\t  aligned;', 'x \ty;'])] });
    const findings = run(indentWithSpaces, patch);
    expect(findings).toHaveLength(2);
    expect(findings[0]?.fix?.target).toMatchObject({ startLine: 10, endLine: 11, lines: ['\tif (x)', '\t\treturn 0;'] });
    expect(findings[1]?.message).toContain('space before tab');
    expect(run(indentWithSpaces, buildPatch({ files: [addedFile('t.py', ['        return 0'])] }))).toEqual([]);
  });

  it('executable-source flags a mode change to 100755 on a .c file only', () => {
    const changed = addedFile('drivers/net/acme.c', ['x;'], { oldMode: '100644', newMode: '100755' });
    expect(run(executableSource, buildPatch({ files: [changed] }))[0]?.evidence).toBe('new mode 100755');
    const script = addedFile('tools/x.sh', ['x'], { oldMode: '100644', newMode: '100755' });
    expect(run(executableSource, buildPatch({ files: [script] }))).toEqual([]);
  });

  it('corrupted-patch reports parse problems once and a patch email without a diff', async () => {
    const noDiff = buildPatch({ parseProblems: [] });
    expect(run(corruptedPatch, noDiff).map((f) => f.message)).toEqual(['patch email contains no unified diff']);
    const file = addedFile('a.c', ['x;']);
    const hunk = file.hunks[0]!;
    hunk.corrupt = 'line 25 is not a diff line';
    const damaged = buildPatch({ files: [file], parseProblems: [{ line: 25, message: 'line 25 is not a diff line' }, { line: 20, message: 'odd line' }] });
    const findings = run(corruptedPatch, damaged);
    expect(findings.map((f) => f.message)).toEqual(['corrupted hunk: line 25 is not a diff line', 'odd line']);
    expect(findings[1]?.location).toMatchObject({ kind: 'diff', file: 'a.c', line: 10, patchLine: 20 });
    const cover = await parseMail(mail({ subject: '[PATCH net 0/2] acme: fixes', diff: '' }));
    expect(run(corruptedPatch, cover)).toEqual([]);
  });
});

describe('non-core rules', () => {
  it('stable-address rewrites the Cc and keeps the version note', async () => {
    const { stableAddress } = await import('../../../src/rules/kernel/stable-address.js');
    const patch = await parseMail(
      mail({ message: 'Fix the refill path when the allocation fails.\nThe NIC got a bogus address.\n\nCc: Stable <stable@vger.kernel.org> # 6.1\nSigned-off-by: Jane Doe <jane.doe@example.com>' }),
    );
    const [f] = run(stableAddress, patch);
    expect(f?.fix?.target).toEqual({ kind: 'message', startLine: 4, endLine: 4, lines: ['Cc: stable@vger.kernel.org # 6.1'] });
  });

  it('fixes-placement finds a tag below the --- line', async () => {
    const { fixesPlacement } = await import('../../../src/rules/kernel/fixes-placement.js');
    const patch = await parseMail(mail({ notes: 'Fixes: 7d1e3f9a2b4c ("acme: add page pool support for rx")\n' }));
    const [f, ...rest] = run(fixesPlacement, patch);
    expect(rest).toEqual([]);
    expect(f?.location).toMatchObject({ kind: 'message', part: 'notes', line: 1 });
  });

  it('subject-names-tool is not fooled by the mm/sparse subsystem', async () => {
    const { subjectNamesTool } = await import('../../../src/rules/kernel/subject-names-tool.js');
    expect(run(subjectNamesTool, await parseMail(mail({ subject: '[PATCH] mm/sparse: fix a leak' })))).toEqual([]);
    expect(run(subjectNamesTool, await parseMail(mail({ subject: '[PATCH] ice: fix sparse warnings' })))).toHaveLength(1);
  });
});

describe('more message edge cases', () => {
  it('commit-reference accepts git revert boilerplate and flags a hash without a title', async () => {
    const ok = await parseMail(
      mail({
        subject: '[PATCH net] Revert "acme: add page pool support for rx"',
        message: 'This reverts commit 7d1e3f9a2b4c5d6e7f8091a2b3c4d5e6f7081920.\n\nThe conversion breaks rx under memory pressure.\n\nSigned-off-by: Jane Doe <jane.doe@example.com>',
      }),
    );
    expect(run(commitReference, ok)).toEqual([]);
    const bad = await parseMail(mail({ message: 'Since commit 7d1e3f9a2b4c the refill path maps NULL pages.\nStop that.\n\nSigned-off-by: Jane Doe <jane.doe@example.com>' }));
    expect(run(commitReference, bad)[0]?.message).toContain('("subject")');
  });

  it('imperative-mood reads the verb after a "PM / OPP:" style prefix', async () => {
    const patch = await parseMail(mail({ subject: '[PATCH] PM / OPP: Fixed the regulator copy' }));
    expect(run(imperativeMood, patch)).toHaveLength(1);
  });
});

describe('trailer keys', () => {
  it('guesses misspelt keys but leaves custom ones alone', async () => {
    const { intendedKey } = await import('../../../src/rules/kernel/trailer-syntax.js');
    expect(intendedKey('Signed-of-by')).toBe('Signed-off-by');
    expect(intendedKey('Sigend-off-by')).toBe('Signed-off-by');
    expect(intendedKey('reviewed-BY')).toBe('Reviewed-by');
    expect(intendedKey('Tested-on')).toBeUndefined();
    expect(intendedKey('Acked-for-net-by')).toBeUndefined();
  });
});

describe('kernel/imperative-mood on subjects seen in real traffic', () => {
  it.each([
    ['opp-microvolt is not optional if regulators', 'statement'],
    ["The 'const' qualifier has been dropped from the ops", 'statement'],
    ['Minor flow director cleanups', 'noun phrase'],
    ['Adding support for the E830 timer', 'gerund'],
    ['Fixed the regulator copy', 'past'],
    ['Adds a reset handler', 'third-person'],
  ])('%s → %s', async (summary, kind) => {
    const { summaryProblem } = await import('../../../src/rules/kernel/imperative-mood.js');
    expect(summaryProblem(summary)?.kind).toBe(kind);
  });

  it.each(['Shut down VSI with "link-down-on-close" enabled', 'fold ice_ptp_read_time into ice_ptp_gettimex64', "Don't create copy of regulators", 'Properly handle the reset', 'Multi-CPU ground work (v3)', 'remove unused fields from struct ixgbevf_adapter'])(
    'leaves "%s" alone',
    async (summary) => {
      const { summaryProblem } = await import('../../../src/rules/kernel/imperative-mood.js');
      expect(summaryProblem(summary)).toBeUndefined();
    },
  );

  it('gives one finding per patch: the subject (warning) naming the body forms too', async () => {
    const patch = await parseMail(mail({ subject: '[PATCH net] acme: Fixed the rx refill', message: 'This patch adds a check.\nWe now stop.\n\nSigned-off-by: Jane Doe <jane.doe@example.com>' }));
    const findings = run(imperativeMood, patch);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', location: { kind: 'subject' } });
    expect(findings[0]!.message).toContain('"This patch adds", "We now stop"');
  });
});

describe('kernel/imperative-mood in the body', () => {
  it('leaves a gerund that is the subject of a sentence spanning lines alone', async () => {
    const message = 'Disabling netdev with the private flag "link-down-on-close" enabled\ncan cause a NULL pointer dereference. Shut down the VSI anyway.\n\nSigned-off-by: Jane Doe <jane.doe@example.com>';
    expect(run(imperativeMood, await parseMail(mail({ message })))).toEqual([]);
    const changelog = 'Disabled the VSI before the reset.\n\nSigned-off-by: Jane Doe <jane.doe@example.com>';
    expect(run(imperativeMood, await parseMail(mail({ message: changelog })))[0]?.message).toBe('"Disabled": describe the change in the imperative mood');
  });
});
