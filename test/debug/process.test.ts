import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand, stripAnsi } from '../../src/debug/process.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pid: number, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !alive(pid);
}

describe('runCommand', () => {
  it('returns the exit code and output', async () => {
    const r = await runCommand('echo hello; echo oops >&2; exit 3', { cwd: tmpdir(), timeoutMs: 10_000 });
    expect(r.exitCode).toBe(3);
    expect(r.timedOut).toBe(false);
    expect(r.output).toContain('hello');
    expect(r.output).toContain('oops');
  });

  it('kills the whole process group on timeout, grandchildren included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-proc-'));
    try {
      const pidFile = join(dir, 'pid');
      // The grandchild ignores SIGTERM: only the SIGKILL of the group gets rid of it.
      const cmd = `sh -c 'trap "" TERM; sleep 30' & echo $! > ${pidFile}; wait`;
      const started = Date.now();
      const r = await runCommand(cmd, { cwd: dir, timeoutMs: 500 });
      expect(r.timedOut).toBe(true);
      expect(Date.now() - started).toBeLessThan(5000);
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      expect(pid).toBeGreaterThan(0);
      expect(await waitGone(pid)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not hang when a background child keeps the pipes open', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-proc-'));
    try {
      const pidFile = join(dir, 'pid');
      const started = Date.now();
      const r = await runCommand(`sleep 30 & echo $! > ${pidFile}; echo done`, { cwd: dir, timeoutMs: 20_000 });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(r.timedOut).toBe(false);
      expect(r.exitCode).toBe(0);
      expect(r.output).toContain('done');
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      expect(await waitGone(pid)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the head and the tail of a long output', async () => {
    const cmd = `echo FIRST-LINE; i=0; while [ $i -lt 5000 ]; do echo "filler line $i"; i=$((i+1)); done; echo LAST-LINE`;
    const r = await runCommand(cmd, { cwd: tmpdir(), timeoutMs: 20_000, headBytes: 1024, tailBytes: 1024 });
    expect(r.output).toContain('FIRST-LINE');
    expect(r.output).toContain('LAST-LINE');
    expect(r.output).toMatch(/bytes omitted/);
    expect(r.output.length).toBeLessThan(3000);
  });

  it('strips ANSI colour codes', async () => {
    const r = await runCommand(`printf '\\033[31mred\\033[0m plain\\n'`, { cwd: tmpdir(), timeoutMs: 5000 });
    expect(r.output.trim()).toBe('red plain');
    expect(stripAnsi('\u001b[1;32m✔\u001b[39m ok')).toBe('✔ ok');
  });

  it('closes stdin so commands reading it do not wait', async () => {
    const r = await runCommand('cat; echo after', { cwd: tmpdir(), timeoutMs: 5000 });
    expect(r.timedOut).toBe(false);
    expect(r.output).toContain('after');
  });

  it('is cancelled by an AbortSignal', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const started = Date.now();
    const r = await runCommand('sleep 30', { cwd: tmpdir(), timeoutMs: 60_000, signal: ac.signal });
    expect(r.aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('passes env and cwd', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-proc-'));
    try {
      const r = await runCommand('echo "$RD_TEST_VAR"; pwd', { cwd: dir, timeoutMs: 5000, env: { RD_TEST_VAR: 'xyz' } });
      expect(r.output).toContain('xyz');
      expect(r.output).toContain(dir.split('/').pop()!);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
