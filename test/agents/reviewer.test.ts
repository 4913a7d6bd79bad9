import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { locateEvidence, patchText, reviewWithModel } from '../../agents/reviewer/llm.js';
import { JUDGEMENT_RULES, ReviewerOutputSchema } from '../../agents/reviewer/schema.js';
import { createLlmClient } from '../../src/llm/client.js';
import type { Patch } from '../../src/model/changeset.js';
import { defaultConfig } from '../../src/config/schema.js';
import type { Finding } from '../../src/model/finding.js';
import { parsePatchEmail } from '../../src/parse/index.js';
import { json, malformed, schemaBreaking, startOpenAiStub, type OpenAiStub, type StubReply } from '../support/openai-stub.js';

const root = join(import.meta.dirname, '../..');
const demoPath = join(root, 'fixtures/patches/cli/netdev-bad-fixes.eml');
const FILE = 'drivers/net/ethernet/marvell/mvpp2/mvpp2_main.c';
const SUBJECT = '[PATCH net] net: mvpp2: fix buffer leak in mvpp2_rx_refill()';

async function demo(): Promise<Patch> {
  return parsePatchEmail(readFileSync(demoPath), { input: demoPath, index: 0 });
}

const fixesFinding: Finding = {
  rule: 'kernel/fixes-format',
  severity: 'error',
  message: 'malformed Fixes tag: extra word "commit"',
  source: 'rule',
  patch: 0,
  location: { kind: 'message', line: 8, part: 'message' },
  evidence: 'Fixes: Commit 3f518509dedc ("mvpp2: Add support for the Marvell PPv2 network controller")',
};

let stub: OpenAiStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

async function client(script: StubReply[]) {
  stub = await startOpenAiStub({ script });
  const llm = createLlmClient({ env: { OPENAI_BASE_URL: stub.url, OPENAI_API_KEY: 'sk-test' }, config: defaultConfig(), retryDelayMs: 5 });
  if (!llm) throw new Error('expected a client');
  return llm;
}

describe('locateEvidence', () => {
  it('finds an added line of the diff by its new-side number, with or without the + and with re-spaced tabs', async () => {
    const patch = await demo();
    const at = { kind: 'diff', file: FILE, line: 101, side: 'new' };
    expect(locateEvidence(patch, '\tint err;')).toMatchObject(at);
    expect(locateEvidence(patch, '+\tint err;')).toMatchObject(at);
    expect(locateEvidence(patch, '    int err;')).toMatchObject(at);
    expect(locateEvidence(patch, 'goto out;')).toMatchObject({ kind: 'diff', file: FILE, line: 110, side: 'new' });
  });

  it('a deleted line is anchored on the old side', async () => {
    const patch = await demo();
    expect(locateEvidence(patch, '-\t\treturn -ENOMEM;')).toMatchObject({ kind: 'diff', file: FILE, side: 'old', line: 108 });
  });

  it('finds a message line (1-based in the message), and the subject', async () => {
    const patch = await demo();
    expect(locateEvidence(patch, 'Go through a single exit label on the error path.')).toEqual({ kind: 'message', line: 6, part: 'message', patchLine: patch.messageStartLine + 5 });
    // A long enough fragment of a line is accepted; a quoted-reply marker is ignored.
    expect(locateEvidence(patch, '> pool is left one buffer short')).toMatchObject({ kind: 'message', line: 3 });
    expect(locateEvidence(patch, SUBJECT)).toEqual({ kind: 'subject' });
    expect(locateEvidence(patch, `Subject: ${SUBJECT}`)).toEqual({ kind: 'subject' });
  });

  it('undefined for a quote that is not in the patch, or is empty', async () => {
    const patch = await demo();
    expect(locateEvidence(patch, 'kfree(buf);')).toBeUndefined();
    expect(locateEvidence(patch, 'The pool is never refilled after a failed allocation.')).toBeUndefined();
    expect(locateEvidence(patch, '+   ')).toBeUndefined();
    // A word that happens to be in the subject is not a quoted line.
    expect(locateEvidence(patch, 'leak')).toBeUndefined();
    expect(locateEvidence(patch, 'net')).toBeUndefined();
    expect(locateEvidence(patch, 'net: mvpp2: fix buffer leak in mvpp2_rx_refill()')).toEqual({ kind: 'subject' });
    expect(locateEvidence({ ...patch, subject: { ...patch.subject, raw: '[PATCH net] net: fix it', summary: 'net: fix it' } }, 'net: fix it')).toEqual({ kind: 'subject' });
  });
});

describe('patchText', () => {
  it('is the subject line, then the body as format-patch writes it', async () => {
    const patch = await demo();
    const text = patchText(patch).split('\n');
    expect(text[0]).toBe(`Subject: ${SUBJECT}`);
    expect(text[1]).toBe('');
    expect(text[2]).toBe(patch.message.split('\n')[0]);
    expect(text).toContain('---');
    expect(text).toContain('+\tint err;');
    expect(text).toContain('-\t\treturn -ENOMEM;');
  });
});

describe('reviewWithModel over the real ChatOpenAI', () => {
  it('sends the judgement rules, the deterministic findings and the patch; keeps findings whose quote is in the patch', async () => {
    const llm = await client([
      json({
        findings: [
          { rule: 'netdev/fix-explains-why', severity: 'info', message: 'Say how the leak shows to users.', evidence: 'Go through a single exit label on the error path.' },
          { rule: 'review/code-bug', severity: 'warning', message: 'err is only set on one path.', evidence: '+\tint err;' },
          { rule: 'review/code-bug', severity: 'warning', message: 'kfree is missing.', evidence: 'kfree(buf);' },
        ],
        rejected: [],
      }),
    ]);
    const patch = await demo();
    const result = await reviewWithModel(llm, { patch, patchIndex: 3, findings: [fixesFinding] });

    const request = stub!.requests[0]!;
    expect(stub!.requests).toHaveLength(1);
    expect(request.system).toContain('- kernel/fixes-format [error] malformed Fixes tag: extra word "commit"');
    expect(request.system).toContain(`netdev/fix-explains-why (info): ${JUDGEMENT_RULES['netdev/fix-explains-why'].text}`);
    for (const id of Object.keys(JUDGEMENT_RULES)) expect(request.system).toContain(id);
    expect(request.system).not.toContain('{{');
    expect(request.user.split('\n')[0]).toBe(`Subject: ${SUBJECT}`);
    expect(request.user).toContain('+\tint err;');
    expect(request.body.response_format.json_schema.name).toBe('review');
    expect(request.headers.authorization).toBe('Bearer sk-test');

    expect(result.findings).toEqual([
      {
        rule: 'netdev/fix-explains-why',
        severity: 'info',
        message: 'Say how the leak shows to users.',
        source: 'llm',
        patch: 3,
        subject: SUBJECT,
        messageId: '20250603081500.12345-1-jane@example.com',
        location: { kind: 'message', line: 6, part: 'message', patchLine: patch.messageStartLine + 5 },
        evidence: 'Go through a single exit label on the error path.',
      },
      expect.objectContaining({ rule: 'review/code-bug', source: 'llm', location: expect.objectContaining({ kind: 'diff', file: FILE, line: 101, side: 'new' }) }),
    ]);
    expect(result.notes).toEqual([`dropped 1 LLM finding(s) whose quoted evidence is not in "${SUBJECT}"`]);
  });

  it.each(['jsonSchema', 'functionCalling', 'jsonMode'] as const)('works with structured output by %s', async (method) => {
    stub = await startOpenAiStub({ script: [json({ findings: [{ rule: 'netdev/cleanup-only', severity: 'info', message: 'm', evidence: '\tint err;' }] })] });
    const llm = createLlmClient({ env: { OPENAI_BASE_URL: stub.url, OPENAI_API_KEY: 'sk-test' }, config: { ...defaultConfig().llm, structuredOutput: method }, retryDelayMs: 5 })!;
    const result = await reviewWithModel(llm, { patch: await demo(), patchIndex: 0, findings: [] });
    expect(result.findings.map((f) => [f.rule, f.location])).toEqual([['netdev/cleanup-only', expect.objectContaining({ kind: 'diff', file: FILE, line: 101 })]]);
    expect(stub.requests[0]!.mode).toBe(method === 'jsonSchema' ? 'json_schema' : method === 'functionCalling' ? 'tool' : 'json_object');
  });

  it('says "(none)" when there are no deterministic findings; an empty answer is fine', async () => {
    const llm = await client([json({ findings: [] })]);
    const result = await reviewWithModel(llm, { patch: await demo(), patchIndex: 0, findings: [] });
    expect(result).toEqual({ findings: [], notes: [] });
    expect(stub!.requests[0]!.system).toMatch(/Findings of the deterministic checker:\n\(none\)/);
  });

  it('malformed output twice: no findings and a note', async () => {
    const llm = await client([malformed()]);
    const result = await reviewWithModel(llm, { patch: await demo(), patchIndex: 0, findings: [fixesFinding] });
    expect(stub!.requests).toHaveLength(2);
    expect(result.findings).toEqual([]);
    expect(result.notes).toEqual([`LLM review of "${SUBJECT}" gave no usable answer; deterministic findings only`]);
    expect(llm.notes().join('\n')).toMatch(/^reviewer: .*not valid JSON twice/);
  });

  it('a rule id outside the judgement rules breaks the schema: retried, then the good answer is used', async () => {
    const llm = await client([
      json({ findings: [{ rule: 'netdev/reverse-xmas-tree', severity: 'warning', message: 'order', evidence: '\tint err;' }] }),
      json({ findings: [{ rule: 'kernel/imperative-mood', severity: 'info', message: 'fine', evidence: SUBJECT }] }),
    ]);
    const result = await reviewWithModel(llm, { patch: await demo(), patchIndex: 0, findings: [] });
    expect(stub!.requests).toHaveLength(2);
    expect(result.findings.map((f) => [f.rule, f.location.kind])).toEqual([['kernel/imperative-mood', 'subject']]);
    expect(ReviewerOutputSchema.safeParse({ findings: [{ rule: 'netdev/reverse-xmas-tree', severity: 'warning', message: 'x', evidence: 'y' }] }).success).toBe(false);
  });

  it('schema-breaking twice: no findings and a note', async () => {
    const llm = await client([schemaBreaking()]);
    const result = await reviewWithModel(llm, { patch: await demo(), patchIndex: 0, findings: [] });
    expect(result.findings).toEqual([]);
    expect(result.notes[0]).toMatch(/no usable answer/);
    expect(llm.notes()[0]).toMatch(/did not match the review schema/);
  });
});
