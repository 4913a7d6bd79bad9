/**
 * Temp folders of the debugger's own (runners' reports, coverage output, trace preloads). Each is
 * removed by its owner when done, and by the exit hooks when the process ends first (Ctrl-C,
 * SIGTERM): a finally block does not run then, and a long-lived bot must not leave one folder
 * per interrupted run behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onProcessExit } from './process.js';

export interface TempDir {
  path: string;
  /** Remove it now (idempotent). */
  remove(): void;
}

export function makeTempDir(prefix: string): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  const removeNow = () => rmSync(path, { recursive: true, force: true });
  const unregister = onProcessExit(removeNow);
  return {
    path,
    remove() {
      removeNow();
      unregister();
    },
  };
}
