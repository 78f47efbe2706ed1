/**
 * The fused ops against the op-by-op compositions they replace (values and gradients, within float32
 * rounding), plus finite-difference gradchecks of each fused gradient.
 */
import { describe, expect, it } from 'vitest';
import { expectClose, gradcheck, randomTensor } from '@minikeras/test-utils';
import {
  Tensor, add, clipByValue, div, grads, linear, log, matmul, mean, mul, neg, scalar, sigmoid,
  sigmoidBinaryCrossentropy, softmax, softmaxCategoricalCrossentropy, sub, sum, tensor,
} from '../index';

const EPS = 1e-7;

/** A copy whose ops are recorded, so the fused losses see the sigmoid/softmax node behind their input. */
function tracked(x: Tensor): Tensor {
  const t = x.clone();
  t.requiresGrad = true;
  return t;
}
/** gradcheck's finite differences call f on plain inputs; a tracked copy keeps them on the fused path too. */
const recorded = (a: Tensor): Tensor => (a.requiresGrad ? a : tracked(a));

// Keras' formulas written with the general ops (what probabilistic.ts computes without the fast path).
function bceComposed(t: Tensor, p: Tensor): Tensor {
  const c = clipByValue(p, EPS, 1 - EPS);
  return mean(neg(add(mul(t, log(c)), mul(sub(scalar(1), t), log(sub(scalar(1), c))))), -1);
}
function cceComposed(t: Tensor, p: Tensor): Tensor {
  const q = clipByValue(div(p, sum(p, -1, true)), EPS, 1 - EPS);
  return neg(sum(mul(t, log(q)), -1));
}

describe('linear', () => {
  it('equals matmul + bias, forward and backward', () => {
    const x = randomTensor([5, 4], 1), w = randomTensor([4, 3], 2), b = randomTensor([3], 3);
    const dy = randomTensor([5, 3], 4);
    expectClose(linear(x, w, b), add(matmul(x, w), b), { rtol: 1e-6 });
    const fused = grads((a: Tensor, k: Tensor, c: Tensor) => mul(linear(a, k, c), dy).sum())(x, w, b);
    const plain = grads((a: Tensor, k: Tensor, c: Tensor) => mul(add(matmul(a, k), c), dy).sum())(x, w, b);
    for (let i = 0; i < 3; i++) expectClose(fused[i]!, plain[i]!, { rtol: 1e-5, atol: 1e-6, label: `input ${i}` });
  });

  it('passes gradcheck with and without a bias', () => {
    gradcheck((a, k, c) => linear(a, k, c), [randomTensor([3, 4], 5), randomTensor([4, 2], 6), randomTensor([2], 7)]);
    gradcheck((a, k) => linear(a, k), [randomTensor([2, 3], 8), randomTensor([3, 5], 9)]);
  });

  it('rejects mismatched shapes with the op name', () => {
    expect(() => linear(randomTensor([2, 3], 1), randomTensor([4, 2], 2))).toThrow(/linear: expected an \[m, k\] input/);
    expect(() => linear(randomTensor([2, 3], 1), randomTensor([3, 2], 2), randomTensor([3], 3))).toThrow(/linear: expected a bias of shape \[2\]/);
  });
});

describe('sigmoidBinaryCrossentropy', () => {
  it('matches the composed loss and its gradient on the logits, including clipped entries', () => {
    // z = +-20 saturates sigmoid past 1 - 1e-7 (clip: zero gradient), the others are ordinary.
    const z = tensor([[0.3, -1.2, 20], [2.0, -20, 0.0]]);
    const t = tensor([[1, 0, 1], [0.25, 0, 1]]);
    const fused = grads((a: Tensor) => sigmoidBinaryCrossentropy(t, sigmoid(a), EPS)!.mul(tensor([0.7, -1.3])).sum())(z)[0]!;
    const plain = grads((a: Tensor) => bceComposed(t, sigmoid(a)).mul(tensor([0.7, -1.3])).sum())(z)[0]!;
    expectClose(fused, plain, { rtol: 1e-5, atol: 1e-7 });
    // Row 0, entry 0 by hand: (0.7 / 3) * (sigmoid(0.3) - 1) = 0.23333 * (0.574443 - 1) = -0.0992967.
    expectClose(fused.values[0]!, -0.0992967, { rtol: 1e-5 });
    expect(fused.values[2]).toBe(0);
    expectClose(sigmoidBinaryCrossentropy(t, sigmoid(tracked(z)), EPS)!, bceComposed(t, sigmoid(z)), { rtol: 1e-6 });
  });

  it('passes gradcheck', () => {
    const t = randomTensor([3, 2], 11, 0, 1);
    gradcheck((a) => sigmoidBinaryCrossentropy(t, sigmoid(recorded(a)), EPS)!, [randomTensor([3, 2], 12, -3, 3)]);
  });

  it('declines (returns null) when the probabilities did not come from a sigmoid', () => {
    const p = tensor([[0.2, 0.7]]);
    expect(sigmoidBinaryCrossentropy(tensor([[0, 1]]), p, EPS)).toBeNull();
  });
});

describe('softmaxCategoricalCrossentropy', () => {
  it('matches the composed loss and gradient for one-hot, soft and clipped rows', () => {
    // Row 2 has a logit 30 above the rest: its other probabilities fall below 1e-7 and are clipped.
    const z = tensor([[0.1, 1.5, -0.4, 0.2], [2.0, -1.0, 0.5, 0.0], [30, 0, 0.5, -1]]);
    const t = tensor([[0, 1, 0, 0], [0.1, 0.2, 0.3, 0.4], [0, 0, 1, 0]]);
    const dy = tensor([1.1, -0.6, 0.9]);
    const fused = grads((a: Tensor) => softmaxCategoricalCrossentropy(t, softmax(a), EPS)!.mul(dy).sum())(z)[0]!;
    const plain = grads((a: Tensor) => cceComposed(t, softmax(a)).mul(dy).sum())(z)[0]!;
    expectClose(fused, plain, { rtol: 1e-4, atol: 1e-6 });
    // One-hot row by hand: dz = 1.1 * (softmax(z0) - t); softmax(z0)[1] = e^1.5 / (e^.1 + e^1.5 + e^-.4 + e^.2)
    // = 4.481689 / 7.478583 = 0.599265, so dz[1] = 1.1 * (0.599265 - 1) = -0.440808.
    expectClose(fused.values[1]!, -0.440808, { rtol: 1e-4 });
    expectClose(softmaxCategoricalCrossentropy(t, softmax(tracked(z)), EPS)!, cceComposed(t, softmax(z)), { rtol: 1e-6 });
  });

  it('passes gradcheck', () => {
    const t = tensor([[0, 0, 1], [0.5, 0.5, 0]]);
    gradcheck((a) => softmaxCategoricalCrossentropy(t, softmax(recorded(a)), EPS)!, [randomTensor([2, 3], 13, -2, 2)]);
  });

  it('declines when the probabilities did not come from a softmax', () => {
    expect(softmaxCategoricalCrossentropy(tensor([[0, 1]]), tensor([[0.4, 0.6]]), EPS)).toBeNull();
  });
});
