/**
 * Running a shell command the safe way: its own process group (so a timeout or Ctrl-C kills the
 * test runner AND everything it spawned), stdin closed, output kept as head + tail with ANSI
 * codes stripped, and never hanging on a grandchild that keeps the pipes open.
 */
import { spawn } from 'node:child_process';

export interface RunCommandOptions {
  cwd: string;
  /** Kill the whole process group after this many ms (0 or absent: no timeout). */
  timeoutMs?: number;
  /** Added to process.env (a value of undefined removes the variable). */
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  /** Bytes kept from the start and from the end of the combined output (default 4096 each). */
  headBytes?: number;
  tailBytes?: number;
}

export interface CommandResult {
  exitCode: number | null;
  /** Signal that ended the shell, if any. */
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  /** Head and tail of combined stdout+stderr, ANSI codes stripped. */
  output: string;
  durationMs: number;
}

// CSI sequences, OSC sequences (ended by BEL or ST), and lone two-character escapes.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Grace period between SIGTERM and SIGKILL of a process group. */
const KILL_GRACE_MS = 1000;
/** After the shell exits, how long we wait for grandchildren holding the pipes. */
const PIPE_GRACE_MS = 500;

/** Live process groups (by leader pid), killed by killAllOnExit's handlers. */
const liveGroups = new Set<number>();

function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGKILL every running group now (synchronous; safe in an 'exit' handler). */
export function killAllGroups(): void {
  for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
  liveGroups.clear();
}

/** Exit codes of the signals rubberduck cleans up after (128 + signal number). */
export const TERMINATION_SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
export type TerminationSignal = keyof typeof TERMINATION_SIGNALS;

const exitHooks = new Set<() => void>();
const signalHooks = new Set<(signal: TerminationSignal) => void>();
let handlersInstalled = false;

/**
 * The one place that listens for the end of the process. Modules register here instead of
 * installing their own handlers, which would race each other to process.exit: a signal runs the
 * signal hooks, then exits 128+n; every exit (signals included) kills the running test groups
 * first, then runs the exit hooks (workspace removal and the like). Hooks are synchronous.
 */
function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', runExitHooks);
  for (const signal of Object.keys(TERMINATION_SIGNALS) as TerminationSignal[]) process.on(signal, () => terminate(signal));
}

/** Runs on every exit, after the running test groups are killed. */
export function onProcessExit(cleanup: () => void): () => void {
  installHandlers();
  exitHooks.add(cleanup);
  // A long-lived process (the bot) runs many debug runs: each removes its hook when done.
  return () => {
    exitHooks.delete(cleanup);
  };
}

/** Runs on SIGINT/SIGTERM/SIGHUP before the exit (abort work, tell the user). */
export function onTerminationSignal(hook: (signal: TerminationSignal) => void): void {
  installHandlers();
  signalHooks.add(hook);
}

/** Make sure a Ctrl-C (or SIGTERM, or a normal exit) of rubberduck kills the groups of running tests. */
export function killAllOnExit(): void {
  installHandlers();
}

/** What the 'exit' listener does (exported for tests, which cannot really exit). */
export function runExitHooks(): void {
  killAllGroups();
  for (const hook of exitHooks) {
    try {
      hook();
    } catch {
      // best effort on the way out
    }
  }
}

/** What a termination signal does: the signal hooks, then exit with 128+n (which runs the exit hooks). */
export function terminate(signal: TerminationSignal): void {
  for (const hook of signalHooks) {
    try {
      hook(signal);
    } catch {
      // best effort on the way out
    }
  }
  process.exit(TERMINATION_SIGNALS[signal]);
}

/** Keeps the first `head` bytes and the last `tail` bytes of a stream of chunks. */
class HeadTail {
  private head: Buffer[] = [];
  private headLen = 0;
  private tail: Buffer[] = [];
  private tailLen = 0;
  private dropped = 0;
  constructor(
    private readonly headMax: number,
    private readonly tailMax: number,
  ) {}

  push(chunk: Buffer): void {
    if (this.headLen < this.headMax) {
      const take = Math.min(this.headMax - this.headLen, chunk.length);
      this.head.push(chunk.subarray(0, take));
      this.headLen += take;
      chunk = chunk.subarray(take);
      if (chunk.length === 0) return;
    }
    this.tail.push(chunk);
    this.tailLen += chunk.length;
    while (this.tailLen > this.tailMax && this.tail.length > 0) {
      const first = this.tail[0]!;
      const excess = this.tailLen - this.tailMax;
      if (first.length <= excess) {
        this.tail.shift();
        this.tailLen -= first.length;
        this.dropped += first.length;
      } else {
        this.tail[0] = first.subarray(excess);
        this.tailLen -= excess;
        this.dropped += excess;
      }
    }
  }

  text(): string {
    const head = Buffer.concat(this.head).toString('utf8');
    const tail = Buffer.concat(this.tail).toString('utf8');
    if (this.dropped === 0) return stripAnsi(head + tail);
    return `${stripAnsi(head)}\n… [${this.dropped} bytes omitted] …\n${stripAnsi(tail)}`;
  }
}

/**
 * Run `cmd` through `/bin/sh -c` in its own process group. Resolves (never rejects for a
 * failing command) once the shell has exited and its pipes are drained or abandoned.
 */
export function runCommand(cmd: string, opts: RunCommandOptions): Promise<CommandResult> {
  const started = Date.now();
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const buf = new HeadTail(opts.headBytes ?? 4096, opts.tailBytes ?? 4096);

  return new Promise<CommandResult>((resolve) => {
    if (opts.signal?.aborted) {
      resolve({ exitCode: null, signal: null, timedOut: false, aborted: true, output: '', durationMs: 0 });
      return;
    }
    const child = spawn('/bin/sh', ['-c', cmd], {
      cwd: opts.cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pid = child.pid;
    let timedOut = false;
    let aborted = false;
    let exitCode: number | null = null;
    let exitSignal: NodeJS.Signals | null = null;
    let exited = false;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    let openStreams = 2;

    if (pid !== undefined) liveGroups.add(pid);

    const onData = (chunk: Buffer) => buf.push(chunk);
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);

    const finish = () => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      opts.signal?.removeEventListener('abort', onAbort);
      if (pid !== undefined) {
        // Leftover grandchildren (daemons, watchers) die with the run.
        if (groupAlive(pid)) killGroup(pid, 'SIGKILL');
        liveGroups.delete(pid);
      }
      child.stdout!.destroy();
      child.stderr!.destroy();
      resolve({
        exitCode,
        signal: exitSignal,
        timedOut,
        aborted,
        output: buf.text(),
        durationMs: Date.now() - started,
      });
    };

    const terminate = () => {
      if (pid === undefined) return;
      killGroup(pid, 'SIGTERM');
      const t = setTimeout(() => {
        killGroup(pid, 'SIGKILL');
        // If the pipes are still held open (should not happen after SIGKILL), stop waiting.
        timers.push(setTimeout(finish, PIPE_GRACE_MS));
      }, KILL_GRACE_MS);
      timers.push(t);
    };

    function onAbort() {
      if (exited && settled) return;
      aborted = true;
      terminate();
    }

    if (opts.timeoutMs && opts.timeoutMs > 0) {
      timers.push(
        setTimeout(() => {
          timedOut = true;
          terminate();
        }, opts.timeoutMs),
      );
    }
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const streamClosed = () => {
      openStreams--;
      if (openStreams === 0 && exited) finish();
    };
    child.stdout!.on('close', streamClosed);
    child.stderr!.on('close', streamClosed);

    child.on('error', (err) => {
      buf.push(Buffer.from(`rubberduck: could not start command: ${err.message}\n`));
      exited = true;
      finish();
    });

    child.on('exit', (code, sig) => {
      exited = true;
      exitCode = code;
      exitSignal = sig;
      if (openStreams === 0) {
        finish();
        return;
      }
      // A grandchild may still hold stdout/stderr: give it a moment, then kill the group.
      timers.push(setTimeout(finish, PIPE_GRACE_MS));
    });
  });
}
