import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReviewReportSchema } from '../../src/model/finding.js';
import { mail, mbox, series } from '../support/mail.js';

/** These tests run the BUILT CLI (`npm test` builds first; alone: `npx tsc -p .`). */
const root = join(import.meta.dirname, '../..');
const cli = join(root, 'dist/src/cli/index.js');

let dir: string;
beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run 'npx tsc -p .' (npm test builds first)`);
  dir = mkdtempSync(join(tmpdir(), 'rd-review-stream-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Child {
  write(text: string): void;
  end(): void;
  /** Resolves once stdout holds `text`. */
  waitFor(text: string): Promise<string>;
  done: Promise<{ status: number | null; stdout: string; stderr: string }>;
}

function start(args: string[]): Child {
  const child = spawn(process.execPath, [cli, 'review', ...args], {
    cwd: dir,
    env: { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', RUBBERDUCK_MODEL: '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; resolve: (s: string) => void }[] = [];
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString('utf8');
    for (const w of waiters.filter((w) => stdout.includes(w.text))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(stdout);
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const done = new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (status) => {
      clearTimeout(timer);
      for (const w of waiters) w.resolve(stdout);
      resolve({ status, stdout, stderr });
    }),
  );
  return {
    write: (text) => child.stdin.write(text),
    end: () => child.stdin.end(),
    waitFor: (text) => (stdout.includes(text) ? Promise.resolve(stdout) : new Promise((resolve) => waiters.push({ text, resolve }))),
    done,
  };
}

const first = series({ prefix: 'PATCH net-next', title: 'net: quack: rework rx', total: 2, id: 'q' });
const second = series({ prefix: 'PATCH net-next', title: 'net: honk: add stats', total: 2, id: 'h', minutes: 60 });
const broken = mail({ subject: '[PATCH net-next] net: moo: tidy up', messageId: 'm@x', minutes: 120, trailers: ['Fixes: commit abc ("moo")'] });

describe('rubberduck review streams a mailbox', () => {
  it("prints a series' findings before the rest of the mbox has arrived", async () => {
    const child = start(['-']);
    child.write(mbox(first));
    // The next series' first message shows that the first one is whole.
    child.write(mbox([second[0]!]));
    const early = await child.waitFor('net: quack: rework rx, part 2');
    expect(early).toContain('[PATCH net-next 1/2] net: quack: rework rx, part 1');
    expect(early).not.toContain('net: honk: add stats');
    child.write(mbox([...second.slice(1), broken]));
    child.end();
    const { status, stdout, stderr } = await child.done;
    expect(stderr).toBe('');
    expect(status).toBe(1);
    const order = ['rework rx, part 1', 'rework rx, part 2', 'add stats, part 1', 'add stats, part 2', 'net: moo: tidy up'].map((s) => stdout.indexOf(s));
    expect(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!))).toBe(true);
    expect(stdout.trimEnd().split('\n').at(-1)).toMatch(/^total: [1-9]\d* errors, \d+ warnings, \d+ infos, \d+ lines checked$/);
  });

  it('input that turns unusable half-way: what was reviewed is printed, then one line, exit 2', async () => {
    const config = join(dir, 'small.json');
    const head = mbox([...first, ...second]);
    writeFileSync(config, JSON.stringify({ limits: { maxInputBytes: Buffer.byteLength(head) + 200 } }));
    const child = start(['--config', config, '-']);
    child.write(head);
    child.write(mbox([broken, broken.replace('m@x', 'n@x')]));
    child.end();
    const { status, stdout, stderr } = await child.done;
    expect(status).toBe(2);
    expect(stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^rubberduck: -: input is over the limit of \d+ bytes$/)]);
    expect(stdout).toContain('net: quack: rework rx, part 2');
    expect(stdout).toContain('net: honk: add stats, part 2');
  });

  it('--format json: one report over every series, patch indices in input order', async () => {
    const child = start(['--format', 'json', '-']);
    child.write(mbox([...first, ...second, broken]));
    child.end();
    const { status, stdout } = await child.done;
    expect(status).toBe(1);
    const report = ReviewReportSchema.parse(JSON.parse(stdout));
    expect(report.patches.map((p) => p.subject)).toEqual([...first, ...second, broken].map((m) => /^Subject: (.*)$/m.exec(m)![1]));
    const fixes = report.findings.find((f) => f.rule === 'kernel/fixes-format')!;
    expect(report.patches[fixes.patch!]!.subject).toBe('[PATCH net-next] net: moo: tidy up');
  });

  it('--format email: replies from several series as one mboxrd', async () => {
    const child = start(['--format', 'email', '-']);
    child.write(mbox([...first, broken, broken.replace('m@x', 'n@x').replace('tidy up', 'tidy up more')]));
    child.end();
    const { stdout } = await child.done;
    const replies = stdout.split(/^From rubberduck .*$/m).filter((part) => part.trim());
    expect(replies.map((r) => /^Subject: (.*)$/m.exec(r)?.[1])).toEqual(['Re: [PATCH net-next] net: moo: tidy up', 'Re: [PATCH net-next] net: moo: tidy up more']);
  });
});
