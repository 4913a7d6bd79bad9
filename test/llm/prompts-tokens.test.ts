import { describe, expect, it } from 'vitest';
import { loadPrompt, promptTemplate, promptVariables } from '../../src/llm/prompts.js';
import { countTokens, fitToTokens } from '../../src/llm/tokens.js';

describe('loadPrompt', () => {
  it('reads prompts/<name>.md and fills {{var}} placeholders', () => {
    expect(promptVariables('localizer')).toEqual(['tools', 'maxLocations']);
    const text = loadPrompt('localizer', { maxLocations: 5, tools: 'No tools.' });
    expect(text).toContain('**localizer**');
    expect(text).toContain('at most 5 locations');
    expect(text).not.toMatch(/\{\{/);
  });

  it('a missing variable is an error naming it', () => {
    expect(() => loadPrompt('repairer', { tools: 'x' })).toThrow(/prompts\/repairer\.md: no value for \{\{testFiles\}\}/);
    expect(() => loadPrompt('repairer', {})).toThrow(/no value for \{\{tools\}\}, \{\{testFiles\}\}/);
  });

  it('every debugger prompt loads and names its agent (the stub routes on it)', () => {
    for (const name of ['localizer', 'repairer', 'explainer']) {
      const vars = Object.fromEntries(promptVariables(name).map((v) => [v, 'x']));
      expect(loadPrompt(name, vars).toLowerCase()).toContain(name);
    }
  });

  it('values are not expanded again, and an unknown prompt is an error', () => {
    expect(loadPrompt('repairer', { testFiles: '{{maxLocations}}', tools: 'x' })).toContain('{{maxLocations}}');
    expect(() => promptTemplate('../package')).toThrow(/invalid prompt name/);
    expect(() => promptTemplate('nope')).toThrow();
  });
});

describe('tokens', () => {
  it('counts with the bundled o200k ranks', () => {
    expect(countTokens('')).toBe(0);
    expect(countTokens('hello world')).toBe(2);
  });

  it('fitToTokens keeps short texts and cuts long ones on line breaks', () => {
    expect(fitToTokens('short', 10)).toBe('short');
    const long = Array.from({ length: 2000 }, (_, i) => `line ${i} of a long test log`).join('\n');
    for (const mode of ['head', 'tail', 'both'] as const) {
      const cut = fitToTokens(long, 300, mode);
      expect(countTokens(cut)).toBeLessThanOrEqual(300);
      expect(cut).toContain('trimmed');
    }
    expect(fitToTokens(long, 300, 'head').startsWith('line 0 of')).toBe(true);
    expect(fitToTokens(long, 300, 'tail').endsWith('line 1999 of a long test log')).toBe(true);
    const both = fitToTokens(long, 300, 'both');
    expect(both.startsWith('line 0 of') && both.endsWith('line 1999 of a long test log')).toBe(true);
  });

  it('trims a multi-megabyte text quickly', () => {
    const huge = 'def f_%(x):\n'.repeat(300_000);
    const t0 = Date.now();
    const cut = fitToTokens(huge, 2000);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(countTokens(cut)).toBeLessThanOrEqual(2000);
  });
});
