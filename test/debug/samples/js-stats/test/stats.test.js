'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { mean, maxIndex } = require('../stats.js');

test('mean of nothing is 0', () => {
  assert.strictEqual(mean([]), 0);
});

test('mean of three', () => {
  assert.strictEqual(mean([1, 2, 3]), 2);
});

test('maxIndex of one element', () => {
  assert.strictEqual(maxIndex([7]), 0);
});

test('maxIndex finds the largest', () => {
  assert.strictEqual(maxIndex([1, 9, 3]), 1);
});
