import { afterEach, describe, expect, it } from 'vitest';
import { contradictsPatch, explainWithModel, touchedLines, type ExplainerInput } from '../../agents/explainer/llm.js';
import { createLlmClient } from '../../src/llm/client.js';
import { agentIs, json, schemaBreaking, startOpenAiStub, type OpenAiStub } from '../support/openai-stub.js';

const patch = [
  'diff --git a/src/cart.py b/src/cart.py',
  'index 1111111..2222222 100644',
  '--- a/src/cart.py',
  '+++ b/src/cart.py',
  '@@ -4,4 +4,4 @@ def total(prices, discount):',
  '         s += p',
  '     if discount > 0:',
  '-        s = s - discount + 1',
  '+        s = s - discount',
  '     return s',
  '',
].join('\n');

const input: ExplainerInput = {
  failingTests: [{ id: 'tests/test_cart.py::test_discount', name: 'test_discount', status: 'failed', message: 'assert 41 == 40' }],
  testOutput: 'FAILED tests/test_cart.py::test_discount - assert 41 == 40',
  suspects: [{ file: 'src/cart.py', line: 6, score: 0.894, why: 'executed only by the failing test' }],
  traces: [{ test: 'tests/test_cart.py::test_discount', steps: [{ file: 'src/cart.py', line: 6, function: 'total', locals: { s: '41' } }], truncated: false }],
  patch,
  testsBefore: { passed: 3, failed: 1 },
  testsAfter: { passed: 4, failed: 0 },
};

const answer = {
  whatFails: 'test_discount expects 40 but total() returns 41.',
  where: 'src/cart.py line 6, in total().',
  why: 'The discount branch adds 1 after subtracting the discount.',
  whatChanged: 'The spurious + 1 is removed.',
  whyItFixes: 'total() now subtracts exactly the discount; the other tests do not use discounts.',
  blamed: { file: 'src/cart.py', line: 6 },
};

let stub: OpenAiStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

const client = (url: string) => createLlmClient({ env: { OPENAI_BASE_URL: url }, retryDelayMs: 5 })!;

describe('explainWithModel', () => {
  it('returns the fields, the blamed line and Markdown; the request carries patch, trace and counts', async () => {
    stub = await startOpenAiStub({ script: [{ when: agentIs('explainer'), script: [json(answer)] }] });
    const e = await explainWithModel(client(stub.url), input);
    expect(e).toMatchObject({ ...answer });
    expect(e!.markdown).toContain('**Why.** The discount branch adds 1');
    expect(e!.markdown).toContain('before: 3 passed, 1 failed; after: 4 passed, 0 failed');
    const req = stub.requests[0]!;
    expect(req.user).toContain('-        s = s - discount + 1');
    expect(req.user).toContain('s=41');
    expect(req.user).toContain('after:  4 passed, 0 failed');
    expect(req.body.response_format.json_schema.strict).toBe(true);
    expect(contradictsPatch(e!.blamed, patch)).toBe(false);
  });

  it('blamed null → no blamed line', async () => {
    stub = await startOpenAiStub({ script: [json({ ...answer, blamed: null })] });
    const e = await explainWithModel(client(stub.url), input);
    expect(e).not.toBeNull();
    expect(e!.blamed).toBeUndefined();
  });

  it('null after two schema-breaking answers', async () => {
    stub = await startOpenAiStub({ script: [schemaBreaking()] });
    expect(await explainWithModel(client(stub.url), input)).toBeNull();
    expect(stub.requests).toHaveLength(2);
  });
});

describe('contradictsPatch', () => {
  it('reads the changed lines of a unified diff', () => {
    // Old side: the removed line 6, and the insertion point between old lines 6 and 7.
    expect(touchedLines(patch)).toEqual([{ oldPath: 'src/cart.py', newPath: 'src/cart.py', oldLines: [6, 6, 7], newLines: [6] }]);
  });

  it('a line the patch touches (or right next to it) is consistent', () => {
    expect(contradictsPatch({ file: 'src/cart.py', line: 6 }, patch)).toBe(false);
    expect(contradictsPatch({ file: 'a/src/cart.py', line: 5 }, patch)).toBe(false);
    expect(contradictsPatch(undefined, patch)).toBe(false);
    expect(contradictsPatch({ file: 'src/cart.py', line: 6 }, '')).toBe(false);
  });

  it('another line or another file contradicts the patch', () => {
    expect(contradictsPatch({ file: 'src/cart.py', line: 30 }, patch)).toBe(true);
    expect(contradictsPatch({ file: 'src/other.py', line: 6 }, patch)).toBe(true);
  });

  it('handles several files and pure insertions', () => {
    const two = `${patch}diff --git a/src/b.py b/src/b.py\n--- a/src/b.py\n+++ b/src/b.py\n@@ -10,2 +10,3 @@\n a = 1\n+b = 2\n c = 3\n`;
    expect(contradictsPatch({ file: 'src/b.py', line: 11 }, two)).toBe(false);
    expect(contradictsPatch({ file: 'src/b.py', line: 40 }, two)).toBe(true);
  });
});
