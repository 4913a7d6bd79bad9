import { afterEach, describe, expect, it } from 'vitest';
import { buildRepairerPrompt, repairWithModel, SAMPLE_TEMPERATURE, type RepairerInput } from '../../agents/repairer/llm.js';
import { applyEdits, formatEdits } from '../../src/debug/edits.js';
import { createLlmClient } from '../../src/llm/client.js';
import { ConfigSchema } from '../../src/config/schema.js';
import { agentIs, json, startOpenAiStub, status, type OpenAiStub } from '../support/openai-stub.js';

const source = ['def total(prices, discount):', '    s = 0', '    for p in prices:', '        s += p', '    if discount > 0:', '        s = s - discount + 1', '    return s', ''].join('\n');

const input: RepairerInput = {
  locations: [{ file: 'src/cart.py', line: 6, reason: 's becomes 41 instead of 40' }],
  windows: [{ file: 'src/cart.py', startLine: 1, code: source }],
  testOutput: 'FAILED tests/test_cart.py::test_discount - assert 41 == 40',
  traces: [{ test: 'tests/test_cart.py::test_discount', steps: [{ file: 'src/cart.py', line: 6, function: 'total', locals: { s: '41' } }], truncated: false }],
  previousAttempts: [{ edits: formatEdits([{ file: 'src/cart.py', search: '    if discount > 0:', replace: '    if discount >= 0:' }]), testOutput: 'FAILED test_discount - assert 41 == 40' }],
  samples: 3,
  testFiles: ['tests/test_cart.py'],
};

const fix = { file: 'src/cart.py', search: '        s = s - discount + 1', replace: '        s = s - discount' };

let stub: OpenAiStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

function client(url: string, budget = {}) {
  return createLlmClient({ env: { OPENAI_BASE_URL: url }, config: ConfigSchema.parse({}), budget, retryDelayMs: 5 })!;
}

describe('repairWithModel', () => {
  it('asks for several samples and rejects edits to test files', async () => {
    stub = await startOpenAiStub({
      script: [
        {
          when: agentIs('repairer'),
          script: [
            json({ reasoning: 'the +1 is spurious', edits: [fix] }),
            // Tampering with the test: the whole sample goes.
            json({ reasoning: 'make the test expect 41', edits: [{ file: 'tests/test_cart.py', search: 'assert total(', replace: 'assert 41 ==' }, fix] }),
            json({ reasoning: 'same', edits: [{ file: './src/cart.py', search: fix.search, replace: fix.replace }, { file: 'src/cart.py', search: '', replace: 'x' }] }),
          ],
        },
      ],
    });
    const rejected: string[] = [];
    const samples = await repairWithModel(client(stub.url), { ...input, onReject: (e, why) => rejected.push(`${e.file}: ${why}`) });
    expect(samples).toEqual([
      { reasoning: 'the +1 is spurious', edits: [fix] },
      { reasoning: 'same', edits: [fix] },
    ]);
    expect(rejected).toEqual(['tests/test_cart.py: edits a test file', 'src/cart.py: empty SEARCH block']);
    expect(stub.requests).toHaveLength(3);
    expect(stub.requests.map((r) => r.body.temperature)).toEqual([0.2, SAMPLE_TEMPERATURE, SAMPLE_TEMPERATURE]);

    // The edit applies to the file.
    const applied = applyEdits({ 'src/cart.py': source }, samples[0]!.edits);
    expect(applied.ok && applied.files['src/cart.py']).toContain('        s = s - discount\n    return s');
  });

  it('the request carries the code verbatim, the locations, the attempts and the test files', async () => {
    stub = await startOpenAiStub({ script: [json({ reasoning: 'r', edits: [fix] })] });
    await repairWithModel(client(stub.url), { ...input, samples: 1 });
    const req = stub.requests[0]!;
    expect(req.system).toContain('**repairer**');
    expect(req.system).toContain('  - tests/test_cart.py');
    expect(req.user).toContain(source.trimEnd());
    expect(req.user).toContain('src/cart.py:6  `s = s - discount + 1` — s becomes 41 instead of 40');
    expect(req.user).toContain('if discount >= 0:');
    expect(req.user).toContain('s=41');
    expect(req.body.response_format.json_schema.name).toBe('repair');
  });

  it('any edit to a file matching the test patterns is refused even when not listed', async () => {
    stub = await startOpenAiStub({ script: [json({ reasoning: 'r', edits: [{ file: 'src/cart.test.js', search: 'a', replace: 'b' }] })] });
    expect(await repairWithModel(client(stub.url), { ...input, samples: 1, testFiles: [] })).toEqual([]);
  });

  it('stops at the call budget and on a dead endpoint', async () => {
    stub = await startOpenAiStub({ script: [json({ reasoning: 'r', edits: [fix] })] });
    const llm = client(stub.url, { maxCalls: 2 });
    expect(await repairWithModel(llm, { ...input, samples: 5 })).toHaveLength(2);
    expect(stub.requests).toHaveLength(2);

    await stub.close();
    const dead = client(stub.url);
    stub = undefined;
    const t0 = Date.now();
    expect(await repairWithModel(dead, { ...input, samples: 5 })).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(dead.notes()).toHaveLength(1);
  });

  it('a sample lost to a server error does not stop the others', async () => {
    stub = await startOpenAiStub({ script: [status(400), json({ reasoning: 'r', edits: [fix] })] });
    expect(await repairWithModel(client(stub.url), { ...input, samples: 2 })).toHaveLength(1);
  });

  it('trims large windows to stay under the prompt limit', () => {
    const big = Array.from({ length: 3000 }, (_, i) => `    x_${i} = y_${i} + ${i}`).join('\n');
    const { user } = buildRepairerPrompt({ ...input, windows: [...input.windows, { file: 'src/big.py', startLine: 1, code: big }] });
    expect(user).toContain(source.trimEnd());
    expect(user).not.toContain('x_2999');
  });
});

describe('samplesToCandidates', () => {
  it('turns samples into whole-file candidates; refuses what does not apply, parse, or spans files', async () => {
    const { samplesToCandidates } = await import('../../agents/repairer/llm.js');
    const sources = { 'src/cart.py': source, 'src/other.py': 'x = 1\n' };
    const { candidates, rejected } = await samplesToCandidates(
      [
        { reasoning: 'The +1 is spurious. More words.', edits: [fix] },
        { reasoning: 'dup', edits: [{ ...fix, search: fix.search.trim() }] },
        { reasoning: 'broken', edits: [{ file: 'src/cart.py', search: '    return s', replace: '    return (s' }] },
        { reasoning: 'absent', edits: [{ file: 'src/cart.py', search: 'nothing like this', replace: 'x' }] },
        { reasoning: 'two files', edits: [fix, { file: 'src/other.py', search: 'x = 1', replace: 'x = 2' }] },
      ],
      sources,
      10,
    );
    expect(candidates).toEqual([
      // the duplicate sample is validated once and counts as a second vote
      { file: 'src/cart.py', operator: 'llm', description: 'model: The +1 is spurious.', line: 6, newSource: source.replace(' + 1', ''), priority: 10, votes: 2 },
    ]);
    expect(rejected.map((r) => r.sample)).toEqual([2, 3, 4]);
    expect(rejected[0]!.reason).toMatch(/does not parse/);
    expect(rejected[1]!.reason).toMatch(/not found/);
    expect(rejected[2]!.reason).toMatch(/2 files/);
  });
});
