import { describe, expect, it } from 'vitest';
import { cutShortReason, hasStopEarlyFlag, withoutStopEarly } from '../../src/debug/stop-early.js';

describe('withoutStopEarly', () => {
  it('drops pytest exit-first options, alone or in a cluster', () => {
    expect(withoutStopEarly('python3 -m pytest -q -x -p no:cacheprovider tests/test_kth.py', 'pytest')).toBe(
      'python3 -m pytest -q -p no:cacheprovider tests/test_kth.py',
    );
    expect(withoutStopEarly('pytest -xvs tests', 'pytest')).toBe('pytest -vs tests');
    expect(withoutStopEarly('pytest -qx', 'pytest')).toBe('pytest -q');
    expect(withoutStopEarly('pytest --maxfail=2 --exitfirst --sw tests', 'pytest')).toBe('pytest tests');
    expect(withoutStopEarly('pytest --maxfail 3 tests', 'pytest')).toBe('pytest tests');
  });

  it('leaves what is not a stop-early flag alone', () => {
    expect(withoutStopEarly('pytest -k "not slow" -x', 'pytest')).toBe('pytest -k "not slow"');
    expect(withoutStopEarly('pytest -k x tests', 'pytest')).toBe('pytest -k x tests');
    expect(withoutStopEarly('python3 -m pytest -q', 'pytest')).toBe('python3 -m pytest -q');
    expect(hasStopEarlyFlag('pytest -q tests', 'pytest')).toBe(false);
  });

  it('drops bail flags of jest, vitest, mocha and node --test', () => {
    expect(withoutStopEarly('jest --bail 2 --ci', 'jest')).toBe('jest --ci');
    expect(withoutStopEarly('jest -b', 'jest')).toBe('jest');
    expect(withoutStopEarly('vitest run --bail=1', 'vitest')).toBe('vitest run');
    expect(withoutStopEarly('mocha --bail test/', 'mocha')).toBe('mocha test/');
    expect(withoutStopEarly('mocha -b --recursive', 'mocha')).toBe('mocha --recursive');
    expect(withoutStopEarly('node --test --test-bail', 'node-test')).toBe('node --test');
  });
});

describe('cutShortReason', () => {
  it('reads pytest and TAP notes of a run that stopped early', () => {
    expect(cutShortReason('FAILED t.py::a\n!!!!!!!!! stopping after 1 failures !!!!!!!!!\n1 failed', 'pytest', 'pytest')).toContain('-x');
    expect(cutShortReason('not ok 1 - a\nBail out! stopping', 'unknown', 'sh run.sh')).toContain('bailed out');
    expect(cutShortReason('2 passed', 'pytest', 'pytest')).toBeNull();
  });

  it('takes an unknown runner with a stop-early flag as cut short', () => {
    expect(cutShortReason('', 'unknown', './run-tests pytest -x')).toContain('-x');
    expect(cutShortReason('', 'unknown', 'make test')).toBeNull();
  });
});
