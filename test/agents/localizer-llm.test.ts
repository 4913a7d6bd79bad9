import { afterEach, describe, expect, it } from 'vitest';
import { buildLocalizerPrompt, localizeWithModel, type LocalizerInput } from '../../agents/localizer/llm.js';
import { createLlmClient } from '../../src/llm/client.js';
import { MAX_PROMPT_TOKENS } from '../../src/llm/tokens.js';
import { countTokens } from '../../src/llm/tokens.js';
import { agentIs, json, malformed, startOpenAiStub, type OpenAiStub } from '../support/openai-stub.js';

const code = ['def total(prices, discount):', '    s = 0', '    for p in prices:', '        s += p', '    if discount > 0:', '        s = s - discount + 1', '    return s'].join('\n');

const input: LocalizerInput = {
  failingTests: [{ id: 'tests/test_cart.py::test_discount', name: 'test_discount', status: 'failed', message: 'assert 41 == 40' }],
  testOutput: 'FAILED tests/test_cart.py::test_discount - assert 41 == 40\n1 failed, 3 passed',
  ranking: [
    { file: 'src/cart.py', line: 6, score: 0.894, failedCover: 1, passedCover: 0, functionName: 'total' },
    { file: 'src/cart.py', line: 5, score: 0.707, failedCover: 1, passedCover: 1, functionName: 'total' },
  ],
  outline: 'src/cart.py:\n  1-7 def total(prices, discount)',
  suspectCode: [{ file: 'src/cart.py', startLine: 1, code }],
  traces: [
    {
      test: 'tests/test_cart.py::test_discount',
      steps: [
        { file: 'src/cart.py', line: 5, function: 'total', locals: { s: '45', discount: '5' } },
        { file: 'src/cart.py', line: 6, function: 'total', locals: { s: '41', discount: '5' } },
      ],
      truncated: false,
      outcome: 'AssertionError: assert 41 == 40',
    },
  ],
};

let stub: OpenAiStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

function client(url: string) {
  return createLlmClient({ env: { OPENAI_BASE_URL: url }, retryDelayMs: 5 })!;
}

describe('localizeWithModel', () => {
  it('sends the ranking, the traced values and numbered code; returns the cleaned locations', async () => {
    stub = await startOpenAiStub({
      script: [
        {
          when: agentIs('localizer'),
          script: [
            json({
              reasoning: 's is 41 after line 6 while the test expects 40: the +1 is wrong.',
              locations: [
                { file: './src/cart.py', line: 6, reason: 's goes from 45 to 41 instead of 40' },
                { file: 'src/cart.py', line: 6, reason: 'duplicate' },
                { file: 'tests/test_cart.py', line: 3, reason: 'the test' },
                { file: 'src/cart.py', line: 5, reason: 'the branch' },
              ],
            }),
          ],
        },
      ],
    });
    const answer = await localizeWithModel(client(stub.url), input);
    expect(answer).toEqual({
      reasoning: 's is 41 after line 6 while the test expects 40: the +1 is wrong.',
      locations: [
        { file: 'src/cart.py', line: 6, reason: 's goes from 45 to 41 instead of 40' },
        { file: 'src/cart.py', line: 5, reason: 'the branch' },
      ],
    });
    const req = stub.requests[0]!;
    expect(req.system).toContain('**localizer**');
    expect(req.user).toContain('src/cart.py:6  score 0.894');
    expect(req.user).toContain('in total');
    // each trace step lists the values that changed
    expect(req.user).toContain('src/cart.py:5 total: s=45, discount=5\nsrc/cart.py:6 total: s=41\n');
    expect(req.user).toContain('AssertionError: assert 41 == 40');
    expect(req.user).toContain('6 |         s = s - discount + 1');
    expect(req.body.response_format.json_schema.name).toBe('localization');
  });

  it('stays under 8,000 tokens for a 50,000-line repository, trimming the outline first, then the code', async () => {
    // An outline of 2,500 files with 20 functions each, and large code windows.
    const outline: string[] = [];
    for (let f = 0; f < 2500; f++) {
      outline.push(`pkg/module_${f}.py:`);
      for (let i = 0; i < 20; i++) outline.push(`  ${i * 20 + 1}-${i * 20 + 19} def handler_${f}_${i}(request, session, options=None, *args, **kwargs)`);
    }
    const bigWindow = (n: number) => ({ file: `pkg/module_${n}.py`, startLine: 100, code: Array.from({ length: 400 }, (_, i) => `    value_${i} = compute(value_${i - 1}, factor=${i})  # step ${i}`).join('\n') });
    const huge: LocalizerInput = { ...input, outline: outline.join('\n'), suspectCode: [...input.suspectCode, bigWindow(1), bigWindow(2), bigWindow(3)] };
    expect(huge.outline.length).toBeGreaterThan(3_000_000);

    const t0 = Date.now();
    const { system, user } = buildLocalizerPrompt(huge);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(countTokens(system) + countTokens(user)).toBeLessThan(MAX_PROMPT_TOKENS);
    // The evidence survives the trimming; the outline went first.
    expect(user).toContain('src/cart.py:6  score 0.894');
    expect(user).toContain('src/cart.py:6 total: s=41');
    expect(user).toContain('6 |         s = s - discount + 1');
    expect(user).not.toContain('pkg/module_2000.py');

    stub = await startOpenAiStub({ script: [json({ reasoning: 'r', locations: [{ file: 'src/cart.py', line: 6, reason: 'x' }] })] });
    expect(await localizeWithModel(client(stub.url), huge)).not.toBeNull();
    const sent = stub.requests[0]!;
    expect(countTokens(sent.system) + countTokens(sent.user)).toBeLessThan(MAX_PROMPT_TOKENS);
  });

  it('a huge outline alone is trimmed, the code is kept whole', () => {
    const outline = Array.from({ length: 50_000 }, (_, i) => `  ${i}-${i + 3} def f_${i}(a, b)`).join('\n');
    const { system, user } = buildLocalizerPrompt({ ...input, outline: `pkg/all.py:\n${outline}` });
    expect(countTokens(system) + countTokens(user)).toBeLessThan(MAX_PROMPT_TOKENS);
    expect(user).toContain('7 |     return s');
    expect(user).toContain('def f_10(a, b)');
    expect(user).not.toContain('def f_49999(a, b)');
    expect(user).toContain('trimmed');
  });

  it('with flat coverage the failure’s starting points lead; without tools the prompt says so', () => {
    const { system, user } = buildLocalizerPrompt({ ...input, startingPoints: ['- stack frame src/cart.py:6', '- total (src/cart.py:1-7), named by the failing test'] });
    expect(user).toMatch(/## Coverage cannot tell the lines apart: start from the failure\n\n.*\n- stack frame src\/cart\.py:6\n- total \(src\/cart\.py:1-7\)/);
    expect(user.indexOf('start from the failure')).toBeLessThan(user.indexOf('## Ranking (stack frames'));
    expect(system).toContain('No tools are available for this request');
    expect(buildLocalizerPrompt(input).user).not.toContain('start from the failure');
  });

  it('keeps the whole outline when it fits', () => {
    const { user } = buildLocalizerPrompt(input);
    expect(user).toContain('1-7 def total(prices, discount)');
  });

  it('null when the model answers garbage twice', async () => {
    stub = await startOpenAiStub({ script: [malformed()] });
    const llm = client(stub.url);
    expect(await localizeWithModel(llm, input)).toBeNull();
    expect(stub.requests).toHaveLength(2);
    expect(llm.notes()[0]).toMatch(/^localizer: /);
  });
});
