'use strict';

function mean(xs) {
  if (xs.length === 0) return 0;
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

function maxIndex(xs) {
  let best = 0;
  for (let i = 1; i < xs.length; i++) {
    if (xs[i] < xs[best]) {
      best = i;
    }
  }
  return best;
}

module.exports = { mean, maxIndex };
