import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runReview } from '../../../src/graphs/review/run.js';
import { failsAt, renderJson } from '../../../src/report/index.js';
import { createLlmClient } from '../../../src/llm/client.js';
import { defaultConfig, type Config } from '../../../src/config/schema.js';
import { ReviewReportSchema } from '../../../src/model/finding.js';
import { json, malformed, startOpenAiStub, type OpenAiStub, type StubReply, type StubRequest, closedPort } from '../../support/openai-stub.js';

const root = join(import.meta.dirname, '../../..');
const demoPath = join(root, 'fixtures/patches/cli/netdev-bad-fixes.eml');
const seriesPath = join(root, 'fixtures/patches/review-llm/series.mbox');
const FILE = 'drivers/net/ethernet/marvell/mvpp2/mvpp2_main.c';
const SUBJECT = '[PATCH net] net: mvpp2: fix buffer leak in mvpp2_rx_refill()';

const config: Config = defaultConfig();

let stub: OpenAiStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

function llmFor(baseUrl: string, budget = {}) {
  const llm = createLlmClient({ env: { OPENAI_BASE_URL: baseUrl, OPENAI_API_KEY: 'sk-test' }, config, budget, retryDelayMs: 5 });
  if (!llm) throw new Error('expected a client');
  return llm;
}

async function reviewWith(script: StubReply[] | ((request: StubRequest, index: number) => StubReply), inputs = [demoPath], budget = {}) {
  stub = await startOpenAiStub({ script });
  const report = await runReview({ kind: 'sources', inputs }, { config, llm: llmFor(stub.url, budget) });
  // The JSON output is the report, and it validates.
  expect(ReviewReportSchema.parse(JSON.parse(renderJson(report)))).toEqual(report);
  return { report, exitCode: failsAt(report.findings, 'error') ? 1 : 0 };
}

async function offline(inputs = [demoPath]) {
  return runReview({ kind: 'sources', inputs }, { config, llm: null });
}


describe('LLM reviewer in the review graph (real ChatOpenAI against the stub)', () => {
  it('sends the deterministic findings and the judgement rules; anchors the findings it can prove, drops the rest with a note', async () => {
    const { report, exitCode } = await reviewWith([
      json({
        findings: [
          {
            rule: 'netdev/fix-explains-why',
            severity: 'info',
            message: 'The message says the port stops receiving but not how the accounting goes wrong.',
            evidence: 'Go through a single exit label on the error path.',
          },
          { rule: 'review/code-bug', severity: 'warning', message: 'The label only returns err.', evidence: '+\treturn err;' },
          { rule: 'review/code-bug', severity: 'warning', message: 'Invented.', evidence: '\tkfree(buf);' },
        ],
        rejected: [],
      }),
    ]);
    expect(stub!.requests).toHaveLength(1);
    const request = stub!.requests[0]!;
    expect(request.system).toContain('kernel/fixes-format [error]');
    expect(request.system).toContain('netdev/reverse-xmas-tree [warning]');
    expect(request.system).toContain('netdev/fix-explains-why');
    expect(request.system).toContain('does not state both the user-visible symptom');
    expect(request.user).toContain(`Subject: ${SUBJECT}`);

    const llm = report.findings.filter((f) => f.source === 'llm');
    expect(llm).toHaveLength(2);
    expect(llm.find((f) => f.rule === 'netdev/fix-explains-why')).toMatchObject({ patch: 0, location: { kind: 'message', line: 6, part: 'message' } });
    expect(llm.find((f) => f.rule === 'review/code-bug')).toMatchObject({ location: { kind: 'diff', file: FILE, line: 118, side: 'new' } });
    expect(report.notes).toContain(`dropped 1 LLM finding(s) whose quoted evidence is not in "${SUBJECT}"`);
    // The deterministic findings are all still there, unchanged.
    const deterministic = (await offline()).findings;
    expect(report.findings.filter((f) => f.source === 'rule')).toEqual(deterministic);
    expect(report.totals.warnings).toBe(deterministic.filter((f) => f.severity === 'warning').length + 1);
    expect(exitCode).toBe(1);
  });

  it('malformed output twice: deterministic findings only, and a note', async () => {
    const { report } = await reviewWith([malformed()]);
    expect(stub!.requests).toHaveLength(2);
    expect(report.findings).toEqual((await offline()).findings);
    expect(report.notes.join('\n')).toContain(`LLM review of "${SUBJECT}" gave no usable answer; deterministic findings only`);
    expect(report.notes.join('\n')).toMatch(/reviewer: the model's answer was not valid JSON twice/);
  });

  it('a dead endpoint (closed port): deterministic findings, a note, no hang', async () => {
    const port = await closedPort();
    const started = Date.now();
    const report = await runReview({ kind: 'sources', inputs: [demoPath, seriesPath] }, { config, llm: llmFor(`http://127.0.0.1:${port}/v1`) });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(report.findings).toEqual((await offline([demoPath, seriesPath])).findings);
    const notes = report.notes.join('\n');
    expect(notes).toMatch(/model endpoint http:\/\/127\.0\.0\.1:\d+\/v1 is down \(connection failed \(ECONNREFUSED\)\); continuing offline/);
    // Said once, not once per patch.
    expect(report.notes.filter((n) => n.includes('is down'))).toHaveLength(1);
    expect(failsAt(report.findings, 'error')).toBe(true);
  });

  it('never overrides a deterministic finding at the same rule and place', async () => {
    const patched = { ...config };
    stub = await startOpenAiStub({
      script: [json({ findings: [{ rule: 'kernel/imperative-mood', severity: 'warning', message: 'from the model', evidence: 'Fixed a leak in foo_rx()' }] })],
    });
    const text = readFileSync(demoPath, 'utf8').replace(/^Subject: .*$/m, 'Subject: [PATCH net] net: mvpp2: Fixed a leak in foo_rx()');
    const deterministic = (await runReview({ kind: 'sources', inputs: ['-'], stdin: text }, { config: patched })).findings;
    const mood = deterministic.filter((f) => f.rule === 'kernel/imperative-mood');
    expect(mood).toHaveLength(1);
    expect(mood[0]!.location).toEqual({ kind: 'subject' });

    const report = await runReview({ kind: 'sources', inputs: ['-'], stdin: text }, { config: patched, llm: llmFor(stub.url) });
    expect(stub.requests).toHaveLength(1);
    const merged = report.findings.filter((f) => f.rule === 'kernel/imperative-mood');
    expect(merged).toEqual(mood);
    expect(merged[0]!.source).toBe('rule');
    // It was found in the patch (no note about dropped evidence): the merge kept the rule's.
    expect(report.notes.filter((n) => n.startsWith('dropped'))).toEqual([]);
    expect(report.findings).toEqual(deterministic);
  });

  it('the same holds for a message line: the heuristic finding stays, the LLM adds only what is elsewhere', async () => {
    const body = 'This patch makes the error path go through a single exit label.';
    const text = readFileSync(demoPath, 'utf8').replace('Go through a single exit label on the error path.', body);
    const deterministic = (await runReview({ kind: 'sources', inputs: ['-'], stdin: text }, { config })).findings;
    const mood = deterministic.find((f) => f.rule === 'kernel/imperative-mood');
    expect(mood?.location).toMatchObject({ kind: 'message', line: 6 });
    stub = await startOpenAiStub({
      script: [
        json({
          findings: [
            { rule: 'kernel/imperative-mood', severity: 'warning', message: 'model says: this patch', evidence: body },
            { rule: 'kernel/imperative-mood', severity: 'info', message: 'model says: first line', evidence: 'and skips the common exit path, so the error is never accounted and the' },
          ],
        }),
      ],
    });
    const report = await runReview({ kind: 'sources', inputs: ['-'], stdin: text }, { config, llm: llmFor(stub.url) });
    const merged = report.findings.filter((f) => f.rule === 'kernel/imperative-mood');
    // Sorted by place: the LLM's finding on line 2, then the rule's on line 6 (the LLM's copy is gone).
    expect(merged).toEqual([expect.objectContaining({ source: 'llm', message: 'model says: first line', location: expect.objectContaining({ kind: 'message', line: 2 }) }), mood]);
  });

  it('a cover letter is not sent to the model; each patch with a diff is', async () => {
    const seen: string[] = [];
    await reviewWith((request) => {
      seen.push(request.user.split('\n')[0]!);
      return json({ findings: [] });
    }, [seriesPath]);
    expect(seen.sort()).toEqual([
      'Subject: [PATCH net-next 1/2] net: foo: add foo_refill_one()',
      'Subject: [PATCH net-next 2/2] net: foo: use foo_refill_one() in the rx poll loop',
    ]);
    expect(stub!.requests.some((r) => r.user.includes('0/2') || r.user.includes('tidy the rx path'))).toBe(false);
    // Each patch is shown only its own deterministic findings.
    const second = stub!.requests.find((r) => r.user.includes('2/2'))!;
    expect(second.system).toContain('netdev/enotsupp');
    expect(second.system).not.toContain('kernel/trailing-whitespace');
  });

  it('--max-llm-calls: the budget stops the reviewer, the rest is deterministic, with a note', async () => {
    const { report } = await reviewWith([json({ findings: [] })], [seriesPath], { maxCalls: 1 });
    expect(stub!.requests).toHaveLength(1);
    expect(report.findings).toEqual((await offline([seriesPath])).findings);
    expect(report.notes.some((n) => /budget/i.test(n))).toBe(true);
  });

  it('offline (llm: null): no request at all', async () => {
    stub = await startOpenAiStub({ script: [json({ findings: [] })] });
    await runReview({ kind: 'sources', inputs: [demoPath] }, { config, llm: null });
    expect(stub.requests).toHaveLength(0);
  });
});
