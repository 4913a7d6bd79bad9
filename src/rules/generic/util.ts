import type { DiffLine, FilePatch } from '../../model/changeset.js';
import { filePath } from '../../model/changeset.js';
import type { RuleFinding } from '../types.js';

export function lineFinding(file: FilePatch, line: DiffLine, message: string, evidence: string = line.text): RuleFinding {
  return {
    message,
    location: { kind: 'diff', file: filePath(file), line: line.newLine ?? 1, side: 'new', patchLine: line.patchLine },
    evidence,
  };
}

/** Test code: test/ tests/ __tests__/ spec/ folders, *.test.* and *.spec.* files, fixtures. */
export function isTestPath(path: string): boolean {
  return /(?:^|\/)(?:tests?|__tests__|spec|specs|e2e|fixtures?|__mocks__|testdata)\//.test(path) || /\.(?:test|spec)\.[cm]?[jt]sx?$/.test(path) || /(?:^|\/)test_[^/]*\.py$|_test\.py$/.test(path);
}
