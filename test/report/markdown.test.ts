import { describe, expect, it } from 'vitest';
import { codeSpan, renderMarkdown } from '../../src/report/markdown.js';
import { sample } from './sample.js';

describe('markdown reporter', () => {
  it('prints a summary table per patch and findings with code spans', () => {
    const { report } = sample();
    const out = renderMarkdown(report);
    expect(out).toContain('| # | Patch | Errors | Warnings | Infos |');
    expect(out).toContain('| 1 | [PATCH net 1/2] net: foo: fix a leak | 1 | 1 | 0 |');
    // Pipes are escaped inside the table.
    expect(out).toContain('| 2 | [PATCH net 2/2] net: foo: tidy `x` \\| y | 0 | 0 | 0 |');
    expect(out).toContain('| | _series_ | 0 | 0 | 1 |');
    expect(out).toContain('- **error** `kernel/fixes-format` at commit message line 3: ');
    expect(out).toContain('- **warning** `netdev/reverse-xmas-tree` at `drivers/net/foo.c:11`: declaration longer than the one above it\n  `\tunsigned long flags;`');
    expect(out).toContain('### Series');
    expect(out).toContain('**1 errors, 1 warnings, 1 infos** in 2 patches');
  });

  it('fences code spans that contain backticks', () => {
    expect(codeSpan('a `b` c')).toBe('``a `b` c``');
    expect(codeSpan('`x`')).toBe('`` `x` ``');
  });
});
