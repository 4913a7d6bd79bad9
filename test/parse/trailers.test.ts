import { describe, expect, it } from 'vitest';
import { parseTrailers } from '../../src/parse/index.js';

describe('parseTrailers', () => {
  it('parses the trailer block with persons and line numbers', () => {
    const message = [
      'The driver leaks a reference.',
      '',
      'Drop it on the error path.',
      '',
      'Fixes: 0123456789ab ("net: duckphy: add driver")',
      'Reviewed-by: Rene Vale <rene.vale@example.org>',
      'Cc: stable@vger.kernel.org # 6.1+',
      'Signed-off-by: "Quill, Ada" <ada.quill@example.org>',
    ].join('\n');
    const trailers = parseTrailers(message);
    expect(trailers.map((t) => t.key)).toEqual(['Fixes', 'Reviewed-by', 'Cc', 'Signed-off-by']);
    expect(trailers[0]).toMatchObject({ line: 5, value: '0123456789ab ("net: duckphy: add driver")', separator: ' ', wrapped: false });
    expect(trailers[1]!.person).toEqual({ name: 'Rene Vale', email: 'rene.vale@example.org' });
    expect(trailers[2]).toMatchObject({ comment: '6.1+', person: { name: '', email: 'stable@vger.kernel.org' } });
    expect(trailers[3]!.person).toEqual({ name: 'Quill, Ada', email: 'ada.quill@example.org' });
  });

  it('unwraps a Fixes tag split over two lines (open quote / parenthesis)', () => {
    const message = [
      'Body text here.',
      '',
      'Fixes: 8ac7132704f3 ("ice: Fix interface being down after reset with',
      'link-down-on-close flag on")',
      'Signed-off-by: A B <a@b.c>',
    ].join('\n');
    const [fixes, sob] = parseTrailers(message);
    expect(fixes).toMatchObject({
      key: 'Fixes',
      wrapped: true,
      line: 3,
      value: '8ac7132704f3 ("ice: Fix interface being down after reset with link-down-on-close flag on")',
      raw: 'Fixes: 8ac7132704f3 ("ice: Fix interface being down after reset with link-down-on-close flag on")',
    });
    expect(sob).toMatchObject({ key: 'Signed-off-by', line: 5, wrapped: false });
  });

  it('unwraps an indented sign-off continuation', () => {
    const message = ['Text.', '', 'Signed-off-by: Maximilian Alexander Longname-Doublebarrel', '  <max@example.com>'].join('\n');
    const [sob] = parseTrailers(message);
    expect(sob).toMatchObject({ wrapped: true, line: 3, person: { name: 'Maximilian Alexander Longname-Doublebarrel', email: 'max@example.com' } });
  });

  it('does not join an indented note to a complete sign-off', () => {
    const trailers = parseTrailers('Text.\n\nSigned-off-by: A B <a@b.c>\n    [trimmed the log]\nSigned-off-by: C D <c@d.e>');
    expect(trailers.map((t) => [t.key, t.wrapped, t.line])).toEqual([
      ['Signed-off-by', false, 3],
      ['Signed-off-by', false, 5],
    ]);
  });

  it('joins an indented continuation of a Fixes subject', () => {
    const [fixes] = parseTrailers('Text.\n\nFixes: 0123456789ab\n  ("net: x: y")');
    expect(fixes).toMatchObject({ wrapped: true, value: '0123456789ab ("net: x: y")' });
  });

  it('keeps key case and separator as written', () => {
    const trailers = parseTrailers('Text.\n\nsigned-off-by:  A B <a@b.c>\nFixes:0123456789ab ("x")');
    expect(trailers[0]).toMatchObject({ key: 'signed-off-by', separator: '  ', value: 'A B <a@b.c>' });
    expect(trailers[1]).toMatchObject({ key: 'Fixes', separator: '' });
  });

  it('finds Fixes and Signed-off-by outside the last block, nothing else', () => {
    const message = [
      'Something broke.',
      'Fixes: 0123456789ab ("x: y")',
      'Link: https://example.com/not-in-block',
      '',
      'More prose.',
      '',
      'Signed-off-by: A B <a@b.c>',
    ].join('\n');
    const trailers = parseTrailers(message);
    expect(trailers.map((t) => `${t.key}@${t.line}`)).toEqual(['Fixes@2', 'Signed-off-by@7']);
  });

  it('does not take prose in a last paragraph without trailers', () => {
    expect(parseTrailers('Intro.\n\nNote: this is prose, not a trailer.')).toEqual([]);
  });

  it('reports misspelled known keys in the block (for trailer-syntax)', () => {
    const trailers = parseTrailers('Text.\n\nSigned off by: A B <a@b.c>\nReviewed-By: C D <c@d.e>');
    expect(trailers.map((t) => t.key)).toEqual(['Signed off by', 'Reviewed-By']);
  });

  it('leaves an unparseable person undefined', () => {
    const [sob] = parseTrailers('Text.\n\nSigned-off-by: just a name');
    expect(sob!.person).toBeUndefined();
  });
});
