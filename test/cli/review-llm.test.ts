import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ReviewReportSchema, type ReviewReport } from '../../src/model/finding.js';
import { gitIn } from '../support/git.js';
import { closedPort, json, malformed, startOpenAiStub, type OpenAiStub } from '../support/openai-stub.js';

/** These tests run the BUILT CLI (`npm test` builds first; alone: `npx tsc -p .`). */
const root = join(import.meta.dirname, '../..');
const cli = join(root, 'dist/src/cli/index.js');
const demo = join(root, 'fixtures/patches/cli/netdev-bad-fixes.eml');
const clean = join(root, 'fixtures/patches/cli/netdev-clean.eml');
const series = join(root, 'fixtures/patches/review-llm/series.mbox');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI without blocking this process (the stub server lives here). */
function rd(args: string[], env: Record<string, string> = {}, cwd = root): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd,
      env: { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', RUBBERDUCK_MODEL: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

const report = (r: Run): ReviewReport => ReviewReportSchema.parse(JSON.parse(r.stdout));

let dir: string;
let stub: OpenAiStub | undefined;
beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run 'npx tsc -p .' (npm test builds first)`);
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'rd-review-llm-')));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

const endpoint = (s: OpenAiStub) => ({ OPENAI_BASE_URL: s.url, OPENAI_API_KEY: 'sk-test', RUBBERDUCK_MODEL: 'stub-model' });

describe('rubberduck review with a model (built CLI against the stub)', () => {
  it('adds the LLM findings it can prove to the deterministic ones', async () => {
    stub = await startOpenAiStub({
      script: [
        json({
          findings: [
            { rule: 'netdev/fix-explains-why', severity: 'info', message: 'Say what the user sees.', evidence: 'Go through a single exit label on the error path.' },
            { rule: 'review/code-bug', severity: 'warning', message: 'Not in the patch.', evidence: 'spin_lock(&port->lock);' },
          ],
        }),
      ],
    });
    const r = await rd(['review', '--format', 'json', demo], endpoint(stub));
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('');
    expect(stub.requests).toHaveLength(1);
    expect(stub.requests[0]!.body.model).toBe('stub-model');
    expect(stub.requests[0]!.system).toContain('kernel/fixes-format');
    expect(stub.requests[0]!.system).toContain('netdev/fix-explains-why');
    const out = report(r);
    expect(out.findings.filter((f) => f.source === 'llm')).toEqual([
      expect.objectContaining({ rule: 'netdev/fix-explains-why', location: { kind: 'message', line: 6, part: 'message', patchLine: expect.any(Number) } }),
    ]);
    expect(out.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['kernel/fixes-format', 'netdev/reverse-xmas-tree']));
    expect(out.notes.some((n) => n.startsWith('dropped 1 LLM finding'))).toBe(true);
  });

  it('--offline makes no request even with the endpoint set', async () => {
    stub = await startOpenAiStub({ script: [json({ findings: [] })] });
    const r = await rd(['review', '--offline', '--format', 'json', demo], endpoint(stub));
    expect(r.status).toBe(1);
    expect(stub.requests).toHaveLength(0);
    expect(report(r).findings.every((f) => f.source === 'rule')).toBe(true);
  });

  it('malformed answers: the deterministic report, a note, exit as usual', async () => {
    stub = await startOpenAiStub({ script: [malformed()] });
    const withModel = await rd(['review', '--format', 'json', demo], endpoint(stub));
    const without = await rd(['review', '--format', 'json', demo]);
    expect(withModel.status).toBe(1);
    expect(stub.requests).toHaveLength(2);
    expect(report(withModel).findings).toEqual(report(without).findings);
    expect(report(withModel).notes.join('\n')).toMatch(/deterministic findings only/);
  });

  it('a dead endpoint (closed port): the deterministic report with a note, quickly', async () => {
    const port = await closedPort();
    const started = Date.now();
    const r = await rd(['review', '--format', 'json', demo, series], { OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`, OPENAI_API_KEY: 'sk-test' });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r.status).toBe(1);
    const out = report(r);
    expect(out.findings.every((f) => f.source === 'rule')).toBe(true);
    expect(out.findings.map((f) => f.rule)).toContain('kernel/fixes-format');
    expect(out.notes.filter((n) => /is down .*ECONNREFUSED/.test(n))).toHaveLength(1);
  });

  it('--max-llm-calls 1 on a two-patch series: one request', async () => {
    stub = await startOpenAiStub({ script: [json({ findings: [] })] });
    const r = await rd(['review', '--max-llm-calls', '1', '--format', 'json', series], endpoint(stub));
    expect(r.status).toBe(1);
    expect(stub.requests).toHaveLength(1);
    expect(report(r).notes.some((n) => /budget/i.test(n))).toBe(true);
  });
});

describe('rubberduck review --fix OUT (built CLI)', () => {
  it('the demo fixture: OUT re-reviews with no errors, and the input is byte-identical', async () => {
    const before = readFileSync(demo);
    const out = join(dir, 'demo-fixed.mbox');
    const r = await rd(['review', '--format', 'json', '--fix', out, demo]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^rubberduck: .*demo-fixed\.mbox: 2 fixes applied\n$/);
    const first = report(r);
    expect(first.totals.errors).toBeGreaterThan(0);
    expect(readFileSync(demo).equals(before)).toBe(true);

    const again = await rd(['review', '--format', 'json', out]);
    const second = report(again);
    expect(second.totals.errors).toBe(0);
    expect(second.findings.length).toBeLessThan(first.findings.length);
    expect(again.status).toBe(0);
    const fixed = readFileSync(out, 'utf8');
    expect(fixed).toContain('\nFixes: 3f518509dedc ("mvpp2: Add support for the Marvell PPv2 network controller")\n');
    expect(fixed).toContain('\nSubject: [PATCH net] net: mvpp2: fix buffer leak in mvpp2_rx_refill()\n');
    // Nothing else changed: same message id, same sign-off.
    expect(second.patches[0]!.messageId).toBe(first.patches[0]!.messageId);
    expect(fixed).toContain('\nSigned-off-by: Jane Developer <jane@example.com>\n');
  });

  it('git am takes the fixed patch on top of the original file', async () => {
    const out = join(dir, 'demo-am.mbox');
    await rd(['review', '--fix', out, demo]);
    const repo = join(dir, 'am-repo');
    const FILE = 'drivers/net/ethernet/marvell/mvpp2/mvpp2_main.c';
    mkdirSync(join(repo, 'drivers/net/ethernet/marvell/mvpp2'), { recursive: true });
    gitIn(repo, ['init', '-q', '-b', 'main']);
    // The hunk's old side at line 100, filler above.
    const old = ['{', '\tphys_addr_t phys_addr;', '\tdma_addr_t dma_addr;', '\tvoid *buf;', '', '\tbuf = mvpp2_buf_alloc(port, bm_pool, page_pool,', '\t\t\t      &dma_addr, &phys_addr, GFP_ATOMIC);', '\tif (!buf)', '\t\treturn -ENOMEM;', '', '\tmvpp2_bm_pool_put(port, pool, dma_addr, phys_addr);', '', '\treturn 0;', '}'];
    const filler = Array.from({ length: 99 }, (_, i) => `/* line ${i + 1} */`);
    writeFileSync(join(repo, FILE), [...filler, ...old, ''].join('\n'));
    gitIn(repo, ['add', '-A']);
    gitIn(repo, ['commit', '-q', '-m', 'original']);
    gitIn(repo, ['am', '-q', out]);
    expect(gitIn(repo, ['log', '-1', '--format=%an <%ae>%n%s']).trim()).toBe('Jane Developer <jane@example.com>\nnet: mvpp2: fix buffer leak in mvpp2_rx_refill()');
    expect(gitIn(repo, ['log', '-1', '--format=%b'])).toContain('Fixes: 3f518509dedc ("mvpp2: Add support for the Marvell PPv2 network controller")');
    expect(readFileSync(join(repo, FILE), 'utf8').split('\n').slice(100, 104)).toEqual(['\tphys_addr_t phys_addr;', '\tdma_addr_t dma_addr;', '\tvoid *buf;', '\tint err;']);
  });

  it('refuses to write over an input (exit 2, one line), which stays byte-identical', async () => {
    const input = join(dir, 'in-place.eml');
    writeFileSync(input, readFileSync(demo));
    for (const out of [input, join(dir, '.', 'in-place.eml')]) {
      const r = await rd(['review', '--fix', out, input]);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toEqual([`rubberduck: ${out}: is an input; --fix writes the fixed patches to another file`]);
    }
    expect(readFileSync(input).equals(readFileSync(demo))).toBe(true);
  });

  it('a series: every patch is written, the fixable findings are gone', async () => {
    const out = join(dir, 'series-fixed.mbox');
    const first = report(await rd(['review', '--format', 'json', '--fix', out, series]));
    const second = report(await rd(['review', '--format', 'json', out]));
    expect(second.patches.map((p) => p.subject)).toEqual(first.patches.map((p) => p.subject));
    expect(first.findings.map((f) => f.rule)).toContain('kernel/trailing-whitespace');
    expect(second.findings.map((f) => f.rule)).not.toContain('kernel/trailing-whitespace');
    // ENOTSUPP has no mechanical fix: it stays.
    expect(second.findings.map((f) => f.rule)).toEqual(['netdev/enotsupp']);
  });

  it('with --repo, the Fixes tag gets the hash and subject from git', async () => {
    const repo = join(dir, 'repo');
    mkdirSync(repo);
    gitIn(repo, ['init', '-q', '-b', 'main']);
    writeFileSync(join(repo, 'README'), 'x\n');
    gitIn(repo, ['add', '-A']);
    gitIn(repo, ['commit', '-q', '-m', 'mvpp2: introduce the PPv2 driver']);
    const hash = gitIn(repo, ['rev-parse', 'HEAD']).trim();
    const input = join(dir, 'with-hash.eml');
    writeFileSync(input, readFileSync(demo, 'utf8').replace('Fixes: Commit 3f518509dedc', `Fixes: Commit ${hash.slice(0, 12)}`));
    const out = join(dir, 'with-hash-fixed.mbox');
    await rd(['review', '--repo', repo, '--fix', out, input]);
    expect(readFileSync(out, 'utf8')).toContain(`\nFixes: ${hash.slice(0, 12)} ("mvpp2: introduce the PPv2 driver")\n`);
  });

  it('an unwritable OUT: exit 2 with one line naming it', async () => {
    const blocked = join(dir, 'blocked');
    mkdirSync(blocked);
    chmodSync(blocked, 0o500);
    for (const out of [join(dir, 'no-such-dir', 'out.mbox'), blocked]) {
      const r = await rd(['review', '--fix', out, demo]);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^rubberduck: .*: cannot write the fixed patches \(E[A-Z]+\)$/);
      expect(lines[0]).toContain(out);
    }
    chmodSync(blocked, 0o700);
  });
});

describe('rubberduck review --format email (built CLI)', () => {
  it('a reply from config.reviewer threaded under the patch; a clean patch gets none', async () => {
    const configFile = join(dir, 'reviewer.json');
    writeFileSync(configFile, JSON.stringify({ reviewer: { name: 'Simon Reviewer', email: 'simon@example.org' } }));
    const r = await rd(['review', '--format', 'email', '--config', configFile, demo]);
    expect(r.status).toBe(1);
    const mail = await simpleParser(r.stdout);
    expect(mail.subject).toBe('Re: [PATCH net] net: mvpp2: fix buffer leak in mvpp2_rx_refill()');
    expect(mail.inReplyTo).toBe('<20250603081500.12345-1-jane@example.com>');
    expect((mail.from as AddressObject).value[0]).toEqual({ name: 'Simon Reviewer', address: 'simon@example.org' });
    const body = mail.text!.split('\n');
    expect(body[0]).toMatch(/^On .*, Jane Developer wrote:$/);
    expect(body[1]).toMatch(/^> /);

    const none = await rd(['review', '--format', 'email', '--config', configFile, clean]);
    expect(none.status).toBe(0);
    expect(none.stdout).toBe('');
  });
});
