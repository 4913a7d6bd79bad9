/**
 * Progress lines on stderr: shown when stderr is a TTY, or always with `--progress`. Never on
 * stdout (that belongs to the report), and silent in pipes and tests by default.
 */
export interface Progress {
  readonly enabled: boolean;
  /** One step: `rubberduck: parse…`. */
  step(message: string): void;
  /** Done; clears a TTY status line. */
  done(): void;
}

export interface ProgressOptions {
  /** `--progress`: print even when stderr is not a terminal. */
  force?: boolean;
  stream?: NodeJS.WriteStream;
}

export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY);
  const enabled = Boolean(options.force) || tty;
  let drawn = false;
  return {
    enabled,
    step(message: string): void {
      if (!enabled) return;
      if (tty) {
        stream.write(`\r\x1b[2Krubberduck: ${message}`);
        drawn = true;
      } else stream.write(`rubberduck: ${message}\n`);
    },
    done(): void {
      if (enabled && tty && drawn) stream.write('\r\x1b[2K');
      drawn = false;
    },
  };
}

/** A progress that never prints (library callers, tests). */
export const silentProgress: Progress = { enabled: false, step() {}, done() {} };
