import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Recent } from '../window.mts';

test('the oldest value is at 0', () => {
  const w = new Recent(2);
  w.push(1);
  w.push(2);
  w.push(3);
  assert.equal(w.at(0), 2);
});
