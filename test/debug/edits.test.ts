import { describe, expect, it } from 'vitest';
import {
  applyEdits,
  applyEditsChecked,
  applySearchReplace,
  formatEdits,
  normalizePatchForVote,
  parseSearchReplaceBlocks,
  pickByVote,
} from '../../src/debug/edits.js';

const py = ['def clamp(x, lo, hi):', '    if x < lo:', '        return lo', '    if x > hi:', '        return lo', '    return x', ''].join('\n');

describe('applySearchReplace', () => {
  it('exact match', () => {
    const r = applySearchReplace(py, '    if x > hi:\n        return lo\n', '    if x > hi:\n        return hi\n');
    expect(r).toMatchObject({ ok: true, how: 'exact' });
    expect(r.ok && r.text).toBe(py.replace('        return lo\n    return x', '        return hi\n    return x'));
  });

  it('whitespace-insensitive match, REPLACE re-indented to the file', () => {
    // The model lost the indentation and used tabs in places.
    const r = applySearchReplace(py, 'if x > hi:\n\treturn lo', 'if x > hi:\n\treturn hi');
    expect(r).toMatchObject({ ok: true, how: 'whitespace' });
    expect(r.ok && r.text).toBe(py.replace('        return lo\n    return x', '        return hi\n    return x'));
  });

  it('whitespace-insensitive with a different base indentation keeps relative indentation', () => {
    const src = 'class A:\n    def f(self):\n        if a:\n            b()\n        return 1\n';
    const r = applySearchReplace(src, 'if a:\n    b()', 'if a and c:\n    b()\n    d()\n    if e:\n        f()');
    expect(r.ok && r.text).toBe('class A:\n    def f(self):\n        if a and c:\n            b()\n            d()\n            if e:\n                f()\n        return 1\n');
    const tabs = applySearchReplace('def g():\n\tif a:\n\t\treturn 1\n', 'if a:\n    return 1', 'if a:\n    log()\n    return 2');
    expect(tabs.ok && tabs.text).toBe('def g():\n\tif a:\n\t\tlog()\n\t\treturn 2\n');
  });

  it('ambiguous: refused with the number of matches', () => {
    const r = applySearchReplace(py, '        return lo\n', '        return hi\n');
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/matches 2 places/) });
    const w = applySearchReplace(py, 'return lo', 'return hi');
    expect(w.ok).toBe(false);
  });

  it('ambiguous only when whitespace is ignored: refused too', () => {
    const src = 'if a:\n  x = 1\nif a:\n    x = 1\n';
    const r = applySearchReplace(src, 'if a:\n x = 1', 'if a:\n x = 2');
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/matches 2 places when whitespace is ignored/) });
  });

  it('no match: refused', () => {
    expect(applySearchReplace(py, 'return y', 'return z')).toEqual({ ok: false, reason: expect.stringMatching(/not found/) });
  });

  it('empty SEARCH and no-op edits are refused', () => {
    expect(applySearchReplace(py, '  \n', 'x').ok).toBe(false);
    expect(applySearchReplace(py, '    return x', '    return x').ok).toBe(false);
  });

  it('keeps CRLF line endings', () => {
    const src = 'a = 1\r\nb = 2\r\n';
    const r = applySearchReplace(src, 'b = 2\n', 'b = 3\n');
    expect(r.ok && r.text).toBe('a = 1\r\nb = 3\r\n');
  });
});

describe('applyEdits', () => {
  it('applies edits in order and reports the failing one', () => {
    const ok = applyEdits({ 'src/m.py': py }, [{ file: 'src/m.py', search: '    if x > hi:\n        return lo', replace: '    if x > hi:\n        return hi' }]);
    expect(ok.ok && ok.files['src/m.py']).toContain('return hi');
    const bad = applyEdits({ 'src/m.py': py }, [{ file: 'src/other.py', search: 'a', replace: 'b' }]);
    expect(bad).toMatchObject({ ok: false, reason: 'src/other.py: no such file' });
  });

  it('applyEditsChecked refuses a result that does not parse', async () => {
    const broken = await applyEditsChecked({ 'src/m.py': py }, [{ file: 'src/m.py', search: '    return x', replace: '    return (x' }]);
    expect(broken).toMatchObject({ ok: false, reason: 'src/m.py: the edited file does not parse' });
    const fine = await applyEditsChecked({ 'src/m.py': py }, [{ file: 'src/m.py', search: '    if x > hi:\n        return lo', replace: '    if x > hi:\n        return hi' }]);
    expect(fine.ok).toBe(true);
  });
});

describe('aider text format', () => {
  it('formats and parses SEARCH/REPLACE blocks', () => {
    const edits = [{ file: 'src/m.py', search: '    if x > hi:\n        return lo', replace: '    if x > hi:\n        return hi' }];
    const text = formatEdits(edits);
    expect(text).toContain('<<<<<<< SEARCH');
    expect(parseSearchReplaceBlocks(`Here is the fix:\n\n${text}\n`)).toEqual(edits);
  });
});

describe('voting', () => {
  const a = '--- a/m.py\n+++ b/m.py\n@@ -4,2 +4,2 @@\n     if x > hi:\n-        return lo\n+        return hi\n';
  const aReformatted = '--- a/m.py\n+++ b/m.py\n@@ -5 +5 @@\n-        return lo\n+        return   hi   # the upper bound\n';
  const b = '--- a/m.py\n+++ b/m.py\n@@ -4,2 +4,2 @@\n-    if x > hi:\n-        return lo\n+    if x >= hi:\n+        return hi\n';

  it('normalizes away comments, whitespace, context and quote style', () => {
    expect(normalizePatchForVote(a, 'python')).toBe(normalizePatchForVote(aReformatted, 'python'));
    expect(normalizePatchForVote(a, 'python')).not.toBe(normalizePatchForVote(b, 'python'));
    expect(normalizePatchForVote("x = 'a'  // c", 'javascript')).toBe(normalizePatchForVote('x = "a"', 'javascript'));
    expect(normalizePatchForVote('s = "# not a comment"  # comment', 'python')).toBe('s = "# not a comment"');
  });

  it('picks the majority, then the smallest', () => {
    expect(pickByVote([b, aReformatted, a])).toBe(a);
    expect(pickByVote([{ patch: b, id: 1 }, { patch: a, id: 2 }])?.id).toBe(2);
    expect(pickByVote([b, b, a])).toBe(b);
    expect(pickByVote([])).toBeUndefined();
  });
});

describe('tree-sitter vote keys', () => {
  it('the same fix written differently gets the same key; a different fix does not', async () => {
    const { normalizeSourceForVote } = await import('../../src/debug/edits.js');
    const one = await normalizeSourceForVote("def f(x):\n    # clamp\n    return min(x, 'hi')\n", 'python');
    const two = await normalizeSourceForVote('def f(x):\n    return min( x, "hi" )  # upper\n', 'python');
    const other = await normalizeSourceForVote('def f(x):\n    return max(x, "hi")\n', 'python');
    expect(one).toBe(two);
    expect(one).not.toBe(other);
    expect(pickByVote([{ patch: 'long one', voteKey: one }, { patch: 'other', voteKey: other }, { patch: 'short', voteKey: two }])?.patch).toBe('short');
  });
});

describe('indentation the model dropped', () => {
  it('a SEARCH without the indentation and a REPLACE with it: the file keeps its indentation', () => {
    const r = applySearchReplace(py, 'if x > hi:\n        return lo', '    if x > hi:\n        return hi');
    expect(r.ok && r.text).toBe(py.replace('        return lo\n    return x', '        return hi\n    return x'));
    const one = applySearchReplace(py, 'return x', '    return int(x)');
    expect(one.ok && one.text).toContain('\n    return int(x)\n');
  });

  it('a SEARCH ending mid-line is a plain substring edit', () => {
    const r = applySearchReplace(py, 'if x > h', 'if x >= h');
    expect(r.ok && r.text).toContain('    if x >= hi:\n');
  });
});
