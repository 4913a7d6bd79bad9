import { describe, expect, it } from 'vitest';
import { parseJUnit } from '../../src/debug/results/junit.js';
import { parseJestJson } from '../../src/debug/results/jest.js';
import { parseNodeEvents } from '../../src/debug/results/node-events.js';
import { scanTestOutput } from '../../src/debug/results/text.js';
import { parseXml } from '../../src/debug/results/xml.js';
import { splitJsTestId } from '../../src/debug/results/common.js';

const PYTEST_XML = `<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite name="pytest" errors="0" failures="2" skipped="1" tests="5"><testcase classname="tests.test_m" name="test_ok" file="tests/test_m.py" line="2" time="0.001" /><testcase classname="tests.test_m" name="test_bad" file="tests/test_m.py" line="3" time="0.001"><failure message="assert 1 == 2&#10; +  where 1 = f(1)">&gt;   def test_bad(): assert f(1) == 2
E   assert 1 == 2

tests/test_m.py:4: AssertionError</failure></testcase><testcase classname="tests.test_m.TestC" name="test_p[1]" file="tests/test_m.py" line="5" time="0.001" /><testcase classname="tests.test_m" name="test_skip" file="tests/test_m.py" line="7" time="0.000"><skipped type="pytest.skip" message="unconditional skip">x</skipped></testcase><testcase classname="test_top" name="test_err" file="test_top.py" line="1"><error message="fixture 'x' not found">E  fixture 'x' not found</error></testcase></testsuite></testsuites>`;

describe('xml', () => {
  it('tolerates CDATA, comments, entities and truncation', () => {
    const doc = parseXml('<?xml version="1.0"?><!-- c --><a x=\'1 &amp; 2\'><b><![CDATA[<raw>]]></b><c/>tail &lt;');
    const a = doc.children[0]!;
    expect(a.attrs.x).toBe('1 & 2');
    expect(a.children[0]!.text).toBe('<raw>');
    expect(a.children[1]!.name).toBe('c');
    expect(a.text).toContain('tail <');
  });
});

describe('parseJUnit', () => {
  it('reads pytest xunit1 reports into node ids', () => {
    const tests = parseJUnit(PYTEST_XML, { runner: 'pytest' });
    expect(tests.map((t) => [t.id, t.status])).toEqual([
      ['tests/test_m.py::test_ok', 'passed'],
      ['tests/test_m.py::test_bad', 'failed'],
      ['tests/test_m.py::TestC::test_p[1]', 'passed'],
      ['tests/test_m.py::test_skip', 'skipped'],
      ['test_top.py::test_err', 'failed'],
    ]);
    expect(tests[1]!.message).toContain('assert 1 == 2');
    expect(tests[1]!.file).toBe('tests/test_m.py');
  });

  it('guesses node ids without the file attribute (xunit2)', () => {
    const xml = '<testsuites><testsuite><testcase classname="tests.test_m.TestC" name="test_x"/></testsuite></testsuites>';
    expect(parseJUnit(xml, { runner: 'pytest' })[0]!.id).toBe('tests/test_m.py::TestC::test_x');
  });

  it('reads vitest reports', () => {
    const xml = `<testsuites name="vitest tests"><testsuite name="test/a.test.ts"><testcase classname="test/a.test.ts" name="math &gt; adds" time="0.001"></testcase><testcase classname="test/a.test.ts" name="math &gt; subtracts"><failure message="expected 1 to be 2">AssertionError: expected 1 to be 2</failure></testcase><testcase classname="test/a.test.ts" name="todo one"><skipped/></testcase></testsuite></testsuites>`;
    const tests = parseJUnit(xml, { runner: 'vitest' });
    expect(tests.map((t) => [t.id, t.name, t.status])).toEqual([
      ['test/a.test.ts > math > adds', 'adds', 'passed'],
      ['test/a.test.ts > math > subtracts', 'subtracts', 'failed'],
      ['test/a.test.ts > todo one', 'todo one', 'skipped'],
    ]);
    expect(tests[1]!.file).toBe('test/a.test.ts');
  });

  it("reads node:test's junit reporter (nested suites)", () => {
    const xml = `<testsuites><testsuite name="suite"><testcase name="ok" classname="test"/><testcase name="bad" classname="test" failure="1 !== 2"><failure type="testCodeFailure" message="1 !== 2">boom</failure></testcase></testsuite><testcase name="top" classname="test"/></testsuites>`;
    const tests = parseJUnit(xml, { runner: 'node-test' });
    expect(tests.map((t) => [t.id, t.status])).toEqual([
      ['suite > ok', 'passed'],
      ['suite > bad', 'failed'],
      ['top', 'passed'],
    ]);
  });
});

describe('parseJestJson', () => {
  it('reads assertion results with relative files', () => {
    const json = JSON.stringify({
      testResults: [
        {
          name: '/proj/src/a.test.js',
          status: 'failed',
          assertionResults: [
            { ancestorTitles: ['sum'], title: 'adds', status: 'passed', failureMessages: [] },
            { ancestorTitles: ['sum'], title: 'overflows', status: 'failed', failureMessages: ['\u001b[31mExpected 2\u001b[39m'] },
            { ancestorTitles: [], title: 'later', status: 'pending', failureMessages: [] },
          ],
        },
        { name: '/proj/src/b.test.js', status: 'failed', message: 'SyntaxError: Unexpected token', assertionResults: [] },
      ],
    });
    const tests = parseJestJson(json, '/proj');
    expect(tests.map((t) => [t.id, t.status])).toEqual([
      ['src/a.test.js > sum > adds', 'passed'],
      ['src/a.test.js > sum > overflows', 'failed'],
      ['src/a.test.js > later', 'skipped'],
      ['src/b.test.js > (file)', 'failed'],
    ]);
    expect(tests[1]!.message).toContain('Expected 2');
    expect(splitJsTestId(tests[1]!.id)).toEqual({ file: 'src/a.test.js', titles: ['sum', 'overflows'] });
  });
});

describe('parseNodeEvents', () => {
  it('rebuilds suite paths from completion order, per file', () => {
    const lines = [
      { ok: true, name: 'ok', file: '/p/test/a.test.js', nesting: 1 },
      { ok: true, name: 'ok', file: '/p/test/b.test.js', nesting: 1 },
      { ok: false, name: 'bad', file: '/p/test/a.test.js', nesting: 1, error: '1 !== 2' },
      { ok: false, name: 'suite', file: '/p/test/a.test.js', nesting: 0, suite: true, error: '1 subtest failed' },
      { ok: true, name: 'other', file: '/p/test/b.test.js', nesting: 0, suite: true },
      { ok: true, name: 'top', file: '/p/test/a.test.js', nesting: 0 },
      { ok: true, name: 'skipped', file: '/p/test/a.test.js', nesting: 0, skip: 'test name does not match pattern' },
      { ok: true, name: 'todo', file: '/p/test/a.test.js', nesting: 0, todo: true },
    ].map((l) => JSON.stringify(l)).join('\n');
    const { tests, filteredOut } = parseNodeEvents(lines + '\n{broken', '/p');
    expect(tests.map((t) => [t.id, t.status])).toEqual([
      ['test/a.test.js > suite > ok', 'passed'],
      ['test/a.test.js > suite > bad', 'failed'],
      ['test/b.test.js > other > ok', 'passed'],
      ['test/a.test.js > top', 'passed'],
      ['test/a.test.js > skipped', 'skipped'],
      ['test/a.test.js > todo', 'skipped'],
    ]);
    expect(tests[1]!.message).toBe('1 !== 2');
    expect([...filteredOut]).toEqual(['test/a.test.js > skipped']);
  });
});

describe('scanTestOutput', () => {
  it('reads TAP and spec lines', () => {
    const tap = 'TAP version 13\nok 1 - adds\nnot ok 2 - subtracts\nok 3 - later # SKIP\n';
    expect(scanTestOutput(tap, 'node-test').map((t) => [t.id, t.status])).toEqual([
      ['adds', 'passed'],
      ['subtracts', 'failed'],
      ['later', 'skipped'],
    ]);
    const spec = '✔ adds (0.5ms)\n✖ subtracts (1.2ms)\nℹ tests 2\n';
    expect(scanTestOutput(spec, 'node-test').map((t) => t.status)).toEqual(['passed', 'failed']);
  });

  it('reads pytest summary lines', () => {
    const out = 'FAILED tests/test_a.py::test_x - assert 1 == 2\ntests/test_a.py::test_y PASSED   [50%]\n';
    expect(scanTestOutput(out, 'pytest').map((t) => [t.id, t.status])).toEqual([
      ['tests/test_a.py::test_x', 'failed'],
      ['tests/test_a.py::test_y', 'passed'],
    ]);
  });
});

describe('scanTestOutput on what old runners print into a pipe (ANSI already stripped)', () => {
  it("reads jest's default reporter (✓ / ✕ / ○)", () => {
    const out = 'FAIL test/a.test.js\n  clamp\n    ✓ low (3 ms)\n    ✕ high (5 ms)\n    ○ skipped later\n';
    expect(scanTestOutput(out, 'jest').map((t) => [t.id, t.status])).toEqual([
      ['low', 'passed'],
      ['high', 'failed'],
      ['later', 'skipped'],
    ]);
  });

  it("reads mocha's spec reporter, numbered failures included, not the summary's repeat", () => {
    const out = '  clamp\n    ✓ low\n    1) high\n    ✓ mid (12ms)\n\n  2 passing (8ms)\n  1 failing\n\n  1) clamp high:\n     AssertionError: 9 == 5\n';
    expect(scanTestOutput(out, 'mocha').map((t) => [t.id, t.status])).toEqual([
      ['low', 'passed'],
      ['high', 'failed'],
      ['mid', 'passed'],
    ]);
  });

  it("reads vitest's default reporter, not its per-file lines", () => {
    const out = ' ❯ test/a.test.js (3 tests | 1 failed) 12ms\n   ✓ low 1ms\n   × high 3ms\n ✓ test/b.test.js (2 tests) 4ms\n';
    expect(scanTestOutput(out, 'vitest').map((t) => [t.id, t.status])).toEqual([
      ['low', 'passed'],
      ['high', 'failed'],
    ]);
  });
});
