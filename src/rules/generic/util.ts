/** Test code: test/ tests/ __tests__/ spec/ folders, *.test.* and *.spec.* files, fixtures. */
export function isTestPath(path: string): boolean {
  return /(?:^|\/)(?:tests?|__tests__|spec|specs|e2e|fixtures?|__mocks__|testdata)\//.test(path) || /\.(?:test|spec)\.[cm]?[jt]sx?$/.test(path) || /(?:^|\/)test_[^/]*\.py$|_test\.py$/.test(path);
}
