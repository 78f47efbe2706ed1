import { describe, expect, it } from 'vitest';
import { grads, sigmoid, softmax, tensor, zeros } from '@minikeras/tensor';
import { expectClose, gradcheck, randomTensor } from '@minikeras/test-utils';
import {
  BinaryCrossentropy, BinaryFocalCrossentropy, CategoricalCrossentropy, CategoricalFocalCrossentropy,
  CategoricalGeneralizedCrossEntropy, KLDivergence, Poisson, SparseCategoricalCrossentropy, binaryFocalCrossentropy,
  categoricalCrossentropy, categoricalFocalCrossentropy, sparseCategoricalCrossentropy,
} from './index';

const rel = { rtol: 1e-5, atol: 1e-7 };
/**
 * Keras prints (and its tests assert) these to 3-5 digits, truncated rather than rounded (0.32397 shows as 0.3239),
 * so compare to one unit of the last digit; the float64 reference formulas carry the 1e-5 relative checks.
 */
const printed = (digits: number) => ({ rtol: 0, atol: 10 ** -digits });

// Reference formulas in float64, written from keras/src/losses/losses.py and the TensorFlow backend.
const EPS = 1e-7;
const HI = Math.fround(1 - EPS); // the float32 upper clip bound 1 - 1e-7
const clip = (p: number) => Math.min(Math.max(p, EPS), HI);
const bceProb = (z: number, p: number) => -(z * Math.log(clip(p)) + (1 - z) * Math.log(1 - clip(p)));
const bceLogit = (z: number, x: number) => Math.max(x, 0) - x * z + Math.log1p(Math.exp(-Math.abs(x)));
const meanOf = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const rowsOf = <T>(m: T[][], f: (row: T[], i: number) => number) => m.map(f);
const logSoftmaxRow = (x: number[]) => {
  const m = Math.max(...x);
  const lse = m + Math.log(x.reduce((s, v) => s + Math.exp(v - m), 0));
  return x.map((v) => v - lse);
};
const cceProbRow = (t: number[], p: number[]) => {
  const s = p.reduce((a, b) => a + b, 0);
  return -t.reduce((acc, ti, i) => acc + ti * Math.log(clip(p[i]! / s)), 0);
};
const cceLogitRow = (t: number[], x: number[]) => {
  const ls = logSoftmaxRow(x);
  return -t.reduce((acc, ti, i) => acc + ti * ls[i]!, 0);
};

describe('BinaryCrossentropy', () => {
  it('matches the Keras docstring (logits)', () => {
    const bce = new BinaryCrossentropy({ fromLogits: true });
    const x = [-18.6, 0.51, 2.94, -12.8], z = [0, 1, 0, 0];
    const elements = x.map((xi, i) => bceLogit(z[i]!, xi));
    expectClose(bce.compute(z, x), meanOf(elements), rel);
    expectClose(bce.compute(z, x), 0.8654, printed(4));
    const t2 = [[0, 1], [0, 0]], x2 = [[-18.6, 0.51], [2.94, -12.8]];
    const rows = [meanOf(elements.slice(0, 2)), meanOf(elements.slice(2))];
    expectClose(bce.compute(t2, x2, [0.8, 0.2]), (rows[0]! * 0.8 + rows[1]! * 0.2) / 2, rel);
    expectClose(bce.compute(t2, x2, [0.8, 0.2]), 0.243, printed(3));
    expectClose(new BinaryCrossentropy({ fromLogits: true, reduction: 'sum' }).compute(t2, x2), 1.730, printed(3));
    expectClose(new BinaryCrossentropy({ fromLogits: true, reduction: 'none' }).compute(t2, x2), [0.235, 1.496], printed(3));
    expectClose(new BinaryCrossentropy({ fromLogits: true, reduction: 'none' }).compute(t2, x2), rows, rel);
  });
  it('matches Keras losses_test with probabilities (clipped to [1e-7, 1 - 1e-7])', () => {
    const eye = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
    const p = [[0.9, 0.1, 0.2], [0.3, 0.8, 0.1], [0.1, 0.2, 0.7]];
    const bce = new BinaryCrossentropy();
    expectClose(bce.compute(eye, p), meanOf(eye.flat().map((z, i) => bceProb(z, p.flat()[i]!))), rel);
    expectClose(bce.compute(eye, p), 0.20046903, { rtol: 1e-5, atol: 0 });
    expectClose(bce.compute(eye, eye), 0, { rtol: 0, atol: 1e-6 });
    // Saturated probabilities: each wrong 1 costs -log(1 - (1 - 1e-7)) in float32 = 15.94.
    const z = [[1, 0], [1, 0]], q = [[1, 1], [1, 0]];
    const rows = rowsOf(z, (r, i) => meanOf(r.map((zi, j) => bceProb(zi, q[i]![j]!))));
    expectClose(bce.compute(z, q), meanOf(rows), rel);
    expectClose(bce.compute(z, q), 3.98559, printed(5));
    expectClose(bce.compute(z, q, 2.3), 9.1668, printed(4));
    expectClose(bce.compute(z, q, [[1.2], [3.4]]), (rows[0]! * 1.2 + rows[1]! * 3.4) / 2, rel);
    expectClose(bce.compute(z, q, [[1.2], [3.4]]), 4.7827, printed(4));
    // A confident miss costs -log(1e-7) = 16.118, not Infinity.
    expectClose(bce.compute([[1]], [[0]]), -Math.log(1e-7), rel);
  });
  it('matches Keras losses_test with logits', () => {
    const z = [[1, 0, 1], [0, 1, 1]], x = [[10, -10, 10], [10, 10, -10]];
    const rows = rowsOf(z, (r, i) => meanOf(r.map((zi, j) => bceLogit(zi, x[i]![j]!))));
    const bce = new BinaryCrossentropy({ fromLogits: true });
    expectClose(bce.compute(z, x), meanOf(rows), rel);
    expectClose(bce.compute(z, x), 3.3333, printed(3));
    expectClose(bce.compute(z, x, 2.3), 7.666, printed(2));
    expectClose(bce.compute(z, x, [4, 3]), (rows[0]! * 4 + rows[1]! * 3) / 2, rel);
    expectClose(bce.compute(z, x, [4, 3]), 10.0, printed(3));
    expectClose(new BinaryCrossentropy({ fromLogits: true, reduction: 'none' }).compute(z, x), [0, 6.666], printed(3));
    expectClose(bce.compute([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[10, -10, -10], [-10, 10, -10], [-10, -10, 10]]), 0, { rtol: 0, atol: 1e-4 });
  });
  it('label smoothing squeezes labels towards 0.5 (Keras: about (10 + 5 s) / 3)', () => {
    const s = 0.1;
    const x = [10, -10, -10], z = [1, 0, 1].map((v) => v * (1 - s) + 0.5 * s);
    const bce = new BinaryCrossentropy({ fromLogits: true, labelSmoothing: s });
    expectClose(bce.compute([[1, 0, 1]], [x]), meanOf(z.map((zi, i) => bceLogit(zi, x[i]!))), rel);
    expectClose(bce.compute([[1, 0, 1]], [x]), (10 + 5 * s) / 3, { rtol: 1e-4, atol: 0 });
  });
  it('fromLogits equals the loss on sigmoid probabilities', () => {
    const x = randomTensor([4, 3], 11, -3, 3);
    const z = tensor([[1, 0, 1], [0, 0, 1], [1, 1, 0], [0.3, 0.7, 1]]);
    expectClose(new BinaryCrossentropy({ fromLogits: true }).compute(z, x), new BinaryCrossentropy().compute(z, sigmoid(x)), { rtol: 1e-5, atol: 1e-6 });
  });
  it('gradients match finite differences; at logit 0 the gradient is sigmoid(0) - z', () => {
    const z = tensor([[1, 0, 1], [0, 1, 0.5]]);
    gradcheck((p) => new BinaryCrossentropy().compute(z, p), [tensor([[0.7, 0.2, 0.4], [0.6, 0.35, 0.8]])]);
    gradcheck((x) => new BinaryCrossentropy({ fromLogits: true, labelSmoothing: 0.2 }).compute(z, x), [randomTensor([2, 3], 5, -3, 3)]);
    const [g] = grads((x) => new BinaryCrossentropy({ fromLogits: true, reduction: 'sum' }).compute([[1], [0]], x))(zeros([2, 1]));
    expectClose(g!, [0.5 - 1, 0.5 - 0], rel);
  });
  it('rejects mismatched shapes and bad options', () => {
    expect(() => new BinaryCrossentropy().compute([[0], [1], [2]], [[0.9, 0.05, 0.05], [0.5, 0.89, 0.6], [0.05, 0.01, 0.94]]))
      .toThrow('BinaryCrossentropy: yTrue shape [3,1] does not match yPred shape [3,3]');
    expect(() => new BinaryCrossentropy({ labelSmoothing: 1.5 })).toThrow('BinaryCrossentropy: labelSmoothing must be in [0, 1], got 1.5');
    expect(() => new BinaryCrossentropy({ reduction: 'abc' as 'sum' })).toThrow("BinaryCrossentropy: invalid reduction \"abc\"; expected one of 'sum_over_batch_size', 'sum', 'none', 'mean', 'mean_with_sample_weight'");
  });
});

describe('BinaryFocalCrossentropy', () => {
  const focal = (z: number, p: number, gamma: number, balance = false, alpha = 0.25, bce = bceProb(z, p)) => {
    const pT = z * p + (1 - z) * (1 - p);
    const w = balance ? z * alpha + (1 - z) * (1 - alpha) : 1;
    return w * (1 - pT) ** gamma * bce;
  };
  const focalLogit = (z: number, x: number, gamma: number, balance = false) => focal(z, 1 / (1 + Math.exp(-x)), gamma, balance, 0.25, bceLogit(z, x));
  it('matches Keras losses_test with probabilities', () => {
    const z = [[1, 0], [1, 0]], p = [[0.9, 0.8], [0.7, 0.2]];
    const rows = rowsOf(z, (r, i) => meanOf(r.map((zi, j) => focal(zi, p[i]![j]!, 2))));
    const loss = new BinaryFocalCrossentropy({ gamma: 2 });
    expectClose(loss.compute(z, p), meanOf(rows), rel);
    expectClose(loss.compute(z, p), 0.268, printed(3));
    expectClose(loss.compute(z, p, 1.23), 0.3296, printed(3));
    expectClose(loss.compute(z, p, [[1.2], [3.4]]), 0.34415, printed(3));
    expectClose(new BinaryFocalCrossentropy({ gamma: 2, reduction: 'none' }).compute(z, p), [0.515547, 0.020513], { rtol: 1e-5, atol: 1e-6 });
    expectClose(binaryFocalCrossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]], { gamma: 2 }), [0.330, 0.206], printed(3));
    expectClose(loss.compute(z, z), 0, { rtol: 0, atol: 1e-6 });
  });
  it('matches Keras losses_test with logits', () => {
    const z = [[1, 1, 0], [0, 1, 0]], x = [[1.5, -2.7, 2.9], [-3.8, 1.2, -4.5]];
    const rows = rowsOf(z, (r, i) => meanOf(r.map((zi, j) => focalLogit(zi, x[i]![j]!, 3))));
    const loss = new BinaryFocalCrossentropy({ gamma: 3, fromLogits: true });
    expectClose(loss.compute(z, x), meanOf(rows), rel);
    expectClose(loss.compute(z, x), 0.799, printed(3));
    expectClose(loss.compute(z, x, 3.21), 2.565, printed(3));
    expectClose(loss.compute(z, x, [[1.2], [3.4]]), 0.95977, printed(3));
  });
  it('matches the Keras docstring examples, with and without class balancing', () => {
    const z1 = [0, 1, 0, 0], x1 = [-18.6, 0.51, 2.94, -12.8];
    const z2 = [[0, 1], [0, 0]], x2 = [[-18.6, 0.51], [2.94, -12.8]];
    const make = (gamma: number, applyClassBalancing: boolean, reduction: 'sum_over_batch_size' | 'sum' | 'none' = 'sum_over_batch_size') =>
      new BinaryFocalCrossentropy({ gamma, applyClassBalancing, fromLogits: true, reduction });
    expectClose(make(2, false).compute(z1, x1), 0.691, printed(3));
    expectClose(make(2, false).compute(z1, x1), meanOf(z1.map((z, i) => focalLogit(z, x1[i]!, 2))), rel);
    expectClose(make(2, true).compute(z1, x1), 0.51, printed(2));
    expectClose(make(3, false).compute(z2, x2), 0.647, printed(3));
    expectClose(make(3, true).compute(z2, x2), 0.482, printed(3));
    expectClose(make(3, false).compute(z2, x2, [0.8, 0.2]), 0.133, printed(3));
    expectClose(make(3, true).compute(z2, x2, [0.8, 0.2]), 0.097, printed(3));
    expectClose(make(4, false, 'sum').compute(z2, x2), 1.222, printed(3));
    expectClose(make(4, true, 'sum').compute(z2, x2), 0.914, printed(3));
    expectClose(make(5, false, 'none').compute(z2, x2), [0.0017, 1.1561], printed(4));
    expectClose(make(5, true, 'none').compute(z2, x2), [0.0004, 0.8670], printed(4));
    const rows = rowsOf(z2, (r, i) => meanOf(r.map((z, j) => focalLogit(z, x2[i]![j]!, 5, true))));
    expectClose(make(5, true, 'none').compute(z2, x2), rows, rel);
  });
  it('gamma 0 without balancing is plain binary crossentropy', () => {
    const z = tensor([[1, 0, 1]]), p = tensor([[0.3, 0.6, 0.9]]);
    expectClose(new BinaryFocalCrossentropy({ gamma: 0 }).compute(z, p), new BinaryCrossentropy().compute(z, p), rel);
  });
  it('gradients match finite differences', () => {
    const z = tensor([[1, 0, 1], [0, 1, 0]]);
    gradcheck((p) => new BinaryFocalCrossentropy({ applyClassBalancing: true }).compute(z, p), [tensor([[0.7, 0.2, 0.4], [0.6, 0.35, 0.8]])]);
    gradcheck((x) => new BinaryFocalCrossentropy({ gamma: 3, fromLogits: true, labelSmoothing: 0.1 }).compute(z, x), [randomTensor([2, 3], 8, -3, 3)]);
  });
});

describe('CategoricalCrossentropy', () => {
  const eye = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  const probs = [[0.9, 0.05, 0.05], [0.5, 0.89, 0.6], [0.05, 0.01, 0.94]];
  const logits = [[8, 1, 1], [0, 9, 1], [2, 3, 5]];
  const probRows = rowsOf(eye, (t, i) => cceProbRow(t, probs[i]!));
  const logitRows = rowsOf(eye, (t, i) => cceLogitRow(t, logits[i]!));
  it('matches Keras losses_test (probabilities renormalized, then clipped)', () => {
    const cce = new CategoricalCrossentropy();
    expectClose(cce.compute(eye, probs), meanOf(probRows), rel);
    expectClose(cce.compute(eye, probs), 0.3239, printed(4));
    expectClose(cce.compute(eye, probs, 2.3), 0.7449, printed(3)); // Keras asserts 3 decimals: 0.3239 * 2.3
    expectClose(cce.compute(eye, probs, [[1.2], [3.4], [5.6]]), (probRows[0]! * 1.2 + probRows[1]! * 3.4 + probRows[2]! * 5.6) / 3, rel);
    expectClose(cce.compute(eye, probs, [[1.2], [3.4], [5.6]]), 1.0696, printed(4));
    expectClose(cce.compute(eye, eye), 0, { rtol: 0, atol: 1e-6 });
    expectClose(cce.compute([[1, 0]], [[0, 1]]), -Math.log(1e-7), rel);
    expectClose(new SparseCategoricalCrossentropy().compute([0], [[0, 1]]), -Math.log(1e-7), rel);
  });
  it('matches Keras losses_test with logits', () => {
    const cce = new CategoricalCrossentropy({ fromLogits: true });
    expectClose(cce.compute(eye, logits), meanOf(logitRows), rel);
    expectClose(cce.compute(eye, logits), 0.0573, printed(4));
    expectClose(cce.compute(eye, logits, 2.3), 0.1317, printed(3)); // Keras asserts 3 decimals: 0.0573 * 2.3
    expectClose(cce.compute(eye, logits, [[1.2], [3.4], [5.6]]), 0.31829, printed(5));
    expectClose(new CategoricalCrossentropy({ fromLogits: true, reduction: 'none' }).compute(eye, logits), [0.001822, 0.000459, 0.169846], { rtol: 1e-3, atol: 0 });
    expectClose(new CategoricalCrossentropy({ fromLogits: true, reduction: 'none' }).compute(eye, logits), logitRows, rel);
  });
  it('matches the Keras docstring', () => {
    const t = [[0, 1, 0], [0, 0, 1]], p = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]];
    const rows = rowsOf(t, (r, i) => cceProbRow(r, p[i]!)); // -log(0.95), -log(0.1)
    expectClose(categoricalCrossentropy(t, p), rows, rel);
    expectClose(categoricalCrossentropy(t, p), [0.0513, 2.303], printed(3));
    expectClose(new CategoricalCrossentropy().compute(t, p), 1.177, printed(3));
    expectClose(new CategoricalCrossentropy().compute(t, p, [0.3, 0.7]), 0.814, printed(3));
    expectClose(new CategoricalCrossentropy().compute(t, p, [0.3, 0.7]), (rows[0]! * 0.3 + rows[1]! * 0.7) / 2, rel);
    expectClose(new CategoricalCrossentropy({ reduction: 'sum' }).compute(t, p), 2.354, printed(3));
  });
  it('label smoothing: y (1 - s) + s / numClasses (Keras: 400 s / 3 for logits ±100)', () => {
    const s = 0.1;
    const cce = new CategoricalCrossentropy({ fromLogits: true, labelSmoothing: s });
    const smoothed = [1, 0, 0].map((v) => v * (1 - s) + s / 3);
    expectClose(cce.compute([[1, 0, 0]], [[100, -100, -100]]), cceLogitRow(smoothed, [100, -100, -100]), rel);
    expectClose(cce.compute([[1, 0, 0]], [[100, -100, -100]]), (400 * s) / 3, rel);
  });
  it('fromLogits equals the loss on softmax probabilities; a class axis other than the last works', () => {
    const x = randomTensor([3, 4], 21, -2, 2);
    const t = tensor([[0, 0, 1, 0], [1, 0, 0, 0], [0.25, 0.25, 0.25, 0.25]]);
    expectClose(new CategoricalCrossentropy({ fromLogits: true }).compute(t, x), new CategoricalCrossentropy().compute(t, softmax(x)), { rtol: 1e-5, atol: 1e-6 });
    const tt = t.transpose(), xt = x.transpose();
    expectClose(new CategoricalCrossentropy({ fromLogits: true, axis: 0, reduction: 'none' }).compute(tt, xt),
      new CategoricalCrossentropy({ fromLogits: true, reduction: 'none' }).compute(t, x), rel);
  });
  it('gradients match finite differences', () => {
    const t = tensor([[0, 1, 0], [0.2, 0.3, 0.5]]);
    gradcheck((p) => new CategoricalCrossentropy().compute(t, p), [tensor([[0.2, 0.5, 0.3], [0.6, 0.3, 0.4]])]);
    gradcheck((x) => new CategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }).compute(t, x), [randomTensor([2, 3], 9, -2, 2)]);
  });
  it('rejects labels that do not fit, naming the shapes', () => {
    const cce = new CategoricalCrossentropy();
    expect(() => cce.compute(zeros([32, 5]), zeros([32, 10]))).toThrow('CategoricalCrossentropy: yTrue shape [32,5] does not match yPred shape [32,10]');
    expect(() => cce.compute([[0], [1], [2]], probs)).toThrow('CategoricalCrossentropy: yTrue shape [3,1] does not match yPred shape [3,3]; for integer class labels use SparseCategoricalCrossentropy');
  });
});

describe('SparseCategoricalCrossentropy', () => {
  const probs = [[0.9, 0.05, 0.05], [0.5, 0.89, 0.6], [0.05, 0.01, 0.94]];
  const logits = [[8, 1, 1], [0, 9, 1], [2, 3, 5]];
  const eye = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  const probRows = rowsOf(eye, (t, i) => cceProbRow(t, probs[i]!));
  it('matches Keras losses_test for labels [batch] and [batch, 1]', () => {
    const scce = new SparseCategoricalCrossentropy();
    expectClose(scce.compute([0, 1, 2], probs), meanOf(probRows), rel);
    expectClose(scce.compute([0, 1, 2], probs), 0.3239, printed(4));
    expectClose(scce.compute([[0], [1], [2]], probs, 2.3), 0.7449, printed(3)); // Keras asserts 3 decimals: 0.3239 * 2.3
    expectClose(scce.compute([[0], [1], [2]], probs, [[1.2], [3.4], [5.6]]), 1.0696, printed(4));
    const logitScce = new SparseCategoricalCrossentropy({ fromLogits: true });
    expectClose(logitScce.compute([0, 1, 2], logits), 0.0573, printed(4));
    expectClose(logitScce.compute([[0], [1], [2]], logits, 2.3), 0.1317, printed(3)); // Keras asserts 3 decimals: 0.0573 * 2.3
    expectClose(logitScce.compute([[0], [1], [2]], logits, [[1.2], [3.4], [5.6]]), 0.31829, printed(5));
    expectClose(new SparseCategoricalCrossentropy({ fromLogits: true, reduction: 'none' }).compute([[0], [1], [2]], logits),
      rowsOf(eye, (t, i) => cceLogitRow(t, logits[i]!)), rel);
    expectClose(scce.compute([[0], [1], [2]], eye), 0, { rtol: 0, atol: 1e-5 });
  });
  it('matches the Keras docstring and the categorical loss on one-hot labels', () => {
    const p = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]];
    expectClose(sparseCategoricalCrossentropy([1, 2], p), [0.0513, 2.303], printed(3));
    expectClose(sparseCategoricalCrossentropy([1, 2], p), categoricalCrossentropy([[0, 1, 0], [0, 0, 1]], p), rel);
    expectClose(new SparseCategoricalCrossentropy().compute([1, 2], p, [0.3, 0.7]), 0.814, printed(3));
    expectClose(new SparseCategoricalCrossentropy({ reduction: 'sum' }).compute([1, 2], p), 2.354, printed(3));
  });
  it('ignoreClass zeroes those entries and averages over the rest (Keras losses_test)', () => {
    const x = [[[0.854, 0.698, 0.598], [0.088, 0.86, 0.018]]];
    const loss = -logSoftmaxRow(x[0]![1]!)[2]!;
    const none = new SparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: -1, reduction: 'none' });
    expectClose(none.compute([[-1, 2]], x), [0, loss], rel);
    expectClose(none.compute([[-1, 2]], x), [0, 1.480129], { rtol: 1e-5, atol: 1e-6 });
    expectClose(none.compute([[[-1], [2]]], x), [0, loss], rel);
    // The mean runs over the one valid entry only (Keras masks, then rescales by total / valid).
    expectClose(new SparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: -1 }).compute([[-1, 2]], x), loss, rel);
    expectClose(new SparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: -1, reduction: 'sum' }).compute([[-1, 2]], x), loss, rel);
  });
  it('fromLogits equals the loss on softmax probabilities', () => {
    const x = randomTensor([5, 4], 31, -2, 2);
    const labels = [3, 0, 1, 1, 2];
    expectClose(new SparseCategoricalCrossentropy({ fromLogits: true }).compute(labels, x), new SparseCategoricalCrossentropy().compute(labels, softmax(x)), { rtol: 1e-5, atol: 1e-6 });
  });
  it('gradients match finite differences', () => {
    gradcheck((p) => new SparseCategoricalCrossentropy().compute([1, 0], p), [tensor([[0.2, 0.5, 0.3], [0.6, 0.3, 0.4]])]);
    gradcheck((x) => new SparseCategoricalCrossentropy({ fromLogits: true }).compute([[2], [0], [1]], x), [randomTensor([3, 3], 4, -2, 2)]);
    gradcheck((x) => new SparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: 255 }).compute([2, 255, 1], x), [randomTensor([3, 3], 6, -2, 2)]);
  });
  it('rejects labels that do not fit the number of classes', () => {
    const scce = new SparseCategoricalCrossentropy({ fromLogits: true });
    const x = zeros([5, 10]);
    expect(() => scce.compute([1, 2, 3, 10, 0], x)).toThrow('SparseCategoricalCrossentropy: label 10 at index 3 is out of range for 10 classes');
    expect(() => scce.compute([1, -1, 3, 4, 0], x)).toThrow('SparseCategoricalCrossentropy: label -1 at index 1 is out of range for 10 classes');
    expect(() => scce.compute([1, 2.5, 3, 4, 0], x)).toThrow('SparseCategoricalCrossentropy: label 2.5 at index 1 is not an integer class index');
    expect(() => scce.compute([1, 2, 3], x)).toThrow('SparseCategoricalCrossentropy: yTrue shape [3] does not fit yPred shape [5,10]; expected integer labels of shape [5] or [5,1]');
    expect(() => scce.compute(zeros([5, 10]), x)).toThrow('(it looks one-hot: use CategoricalCrossentropy for one-hot labels)');
    expect(() => sparseCategoricalCrossentropy([1], [[0.5, 0.5]], { axis: 0 })).toThrow('SparseCategoricalCrossentropy: only the last axis can be the class axis');
  });
});

describe('CategoricalFocalCrossentropy', () => {
  const cfceRow = (t: number[], p: number[], alpha = 0.25, gamma = 2) => {
    const s = p.reduce((a, b) => a + b, 0);
    return t.reduce((acc, ti, i) => {
      const o = clip(p[i]! / s);
      return acc + alpha * (1 - o) ** gamma * -ti * Math.log(o);
    }, 0);
  };
  const softmaxRow = (x: number[]) => logSoftmaxRow(x).map(Math.exp);
  it('matches the Keras docstrings', () => {
    expectClose(categoricalFocalCrossentropy([[0, 1, 0], [0, 0, 1]], [[0.05, 0.9, 0.05], [0.1, 0.85, 0.05]]), [2.63401289e-04, 6.75912094e-01], { rtol: 1e-5, atol: 0 });
    const t = [[0, 1, 0], [0, 0, 1]], p = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]];
    const rows = rowsOf(t, (r, i) => cfceRow(r, p[i]!));
    const loss = new CategoricalFocalCrossentropy();
    expectClose(loss.compute(t, p), meanOf(rows), rel);
    expectClose(loss.compute(t, p), 0.23315276, { rtol: 1e-5, atol: 0 });
    expectClose(loss.compute(t, p, [0.3, 0.7]), 0.1632, printed(4));
    expectClose(new CategoricalFocalCrossentropy({ reduction: 'sum' }).compute(t, p), 0.46631, printed(5));
    expectClose(new CategoricalFocalCrossentropy({ reduction: 'none' }).compute(t, p), [3.2058331e-05, 4.6627346e-01], { rtol: 1e-5, atol: 0 });
  });
  it('matches Keras losses_test', () => {
    const eye = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
    const probs = [[0.9, 0.05, 0.05], [0.5, 0.89, 0.6], [0.05, 0.01, 0.94]];
    const logits = [[8, 1, 1], [0, 9, 1], [2, 3, 5]];
    expectClose(new CategoricalFocalCrossentropy().compute(eye, probs), 0.02059, printed(5));
    expectClose(new CategoricalFocalCrossentropy().compute(eye, probs, 2.3), 0.047368, printed(5));
    expectClose(new CategoricalFocalCrossentropy().compute(eye, probs, [[1.2], [3.4], [5.6]]), 0.06987, printed(5));
    const fromLogits = new CategoricalFocalCrossentropy({ fromLogits: true });
    expectClose(fromLogits.compute(eye, logits), 0.000345, printed(6));
    expectClose(fromLogits.compute(eye, logits, 2.3), 0.000794, printed(6));
    expectClose(fromLogits.compute(eye, logits, [[1.2], [3.4], [5.6]]), 0.001933, printed(6));
    expectClose(new CategoricalFocalCrossentropy({ fromLogits: true, reduction: 'none' }).compute(eye, logits),
      rowsOf(eye, (t, i) => cfceRow(t, softmaxRow(logits[i]!))), { rtol: 1e-4, atol: 1e-12 });
    expectClose(new CategoricalFocalCrossentropy({ fromLogits: true, reduction: 'none' }).compute(eye, logits), [1.5096224e-09, 2.4136547e-11, 1.0360638e-03], { rtol: 2e-3, atol: 1e-12 });
    const smoothed = [1, 0, 0].map((v) => v * 0.9 + 0.1 / 3);
    expectClose(new CategoricalFocalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }).compute([[1, 0, 0]], [[4.9, -0.5, 2.05]]),
      cfceRow(smoothed, softmaxRow([4.9, -0.5, 2.05])), rel);
    expectClose(new CategoricalFocalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }).compute([[1, 0, 0]], [[4.9, -0.5, 2.05]]), 0.06685, printed(5));
  });
  it('accepts one alpha per class', () => {
    const t = [[0, 1, 0]], p = [[0.2, 0.5, 0.3]];
    // Only class 1 carries label mass: alpha[1] (1 - 0.5)^2 (-log 0.5)
    expectClose(new CategoricalFocalCrossentropy({ alpha: [1, 0.5, 2] }).compute(t, p), 0.5 * 0.25 * Math.LN2, rel);
    expect(() => new CategoricalFocalCrossentropy({ alpha: [1, 2] }).compute(t, p)).toThrow('CategoricalFocalCrossentropy: alpha has 2 entries, expected one per class (3)');
  });
  it('gradients match finite differences', () => {
    gradcheck((x) => new CategoricalFocalCrossentropy({ fromLogits: true }).compute([[0, 1, 0], [1, 0, 0]], x), [randomTensor([2, 3], 12, -2, 2)]);
  });
});

describe('KLDivergence, Poisson, CategoricalGeneralizedCrossEntropy', () => {
  const kldPred = [[0.4, 0.9, 0.12], [0.36, 0.3, 0.4]];
  const kldTrue = [[0.5, 0.8, 0.12], [0.7, 0.43, 0.8]];
  const kldRows = rowsOf(kldTrue, (r, i) => r.reduce((s, t, j) => s + t * Math.log(t / kldPred[i]![j]!), 0));
  it('KLDivergence matches Keras losses_test', () => {
    const k = new KLDivergence();
    expectClose(k.compute(kldTrue, kldPred), meanOf(kldRows), rel);
    expectClose(k.compute(kldTrue, kldPred, 2.3), 2.3 * meanOf(kldRows), rel);
    expectClose(k.compute(kldTrue, kldPred, [[1.2], [3.4]]), (kldRows[0]! * 1.2 + kldRows[1]! * 3.4) / 2, rel);
    // Per-timestep: each [2,3,1] entry is its own distribution, t log(t / p), weighted over 6 entries.
    const w = [3, 6, 5, 0, 4, 2];
    const entries = kldTrue.flat().map((t, i) => t * Math.log(t / kldPred.flat()[i]!));
    expectClose(k.compute(tensor(kldTrue.flat(), [2, 3, 1]), tensor(kldPred.flat(), [2, 3, 1]), tensor(w, [2, 3])),
      entries.reduce((s, e, i) => s + e * w[i]!, 0) / 6, rel);
    expectClose(k.compute(kldTrue, kldPred, 0), 0, rel);
    gradcheck((p) => k.compute(kldTrue, p), [tensor(kldPred)]);
  });
  it('Poisson matches Keras losses_test', () => {
    const p = [[1, 9, 2], [5, 2, 6]], t = [[4, 8, 12], [8, 1, 3]];
    const elements = p.flat().map((pi, i) => pi - t.flat()[i]! * Math.log(pi + 1e-7));
    const poisson = new Poisson();
    expectClose(poisson.compute(t, p), meanOf(elements), rel);
    expectClose(poisson.compute(t, p, 2.3), 2.3 * meanOf(elements), rel);
    expectClose(poisson.compute(t, p, [[1.2], [3.4]]), (elements.slice(0, 3).reduce((a, b) => a + b) * 1.2 + elements.slice(3).reduce((a, b) => a + b) * 3.4) / 6, rel);
    gradcheck((q) => poisson.compute(t, q), [tensor(p)], { rtol: 2e-2 });
  });
  it('CategoricalGeneralizedCrossEntropy is (1 - p_true^q) / q', () => {
    const p = [[0.7, 0.3], [0.2, 0.8], [0.6, 0.4], [0.4, 0.6]];
    const labels = [0, 1, 0, 1];
    const q = 0.1;
    const expected = meanOf(labels.map((y, i) => (1 - p[i]![y]! ** q) / q));
    expectClose(new CategoricalGeneralizedCrossEntropy({ q }).compute(labels, p), expected, rel);
    expectClose(new CategoricalGeneralizedCrossEntropy({ q }).compute(labels.map((y) => [y]), p), expected, rel);
    expect(() => new CategoricalGeneralizedCrossEntropy({ q: 1 })).toThrow('CategoricalGeneralizedCrossEntropy: q must be in (0, 1), got 1');
    gradcheck((x) => new CategoricalGeneralizedCrossEntropy().compute(labels, x), [tensor(p)]);
  });
});
