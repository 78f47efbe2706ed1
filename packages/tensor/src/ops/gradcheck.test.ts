/**
 * Every differentiable op against central finite differences, table-driven (tinygrad's helper_test_op style):
 * one row per (op, input shapes), run through `gradcheck` from @minikeras/test-utils.
 *
 * Tolerance: gradcheck uses eps = 1e-2 in float32 on a random projection of the output (see test-utils), so
 * truncation error is O(eps^2) ~ 1e-4 and rounding ~ 1e-5; rtol 1e-2 / atol 1e-3 still fails any wrong formula.
 * Inputs are kept at least 2.5 * eps away from kinks (relu at 0, clip bounds, ties in max/maximum), where a
 * finite difference would straddle two branches.
 */
import { describe, it } from 'vitest';
import { gradcheck, randomTensor } from '@minikeras/test-utils';
import * as mk from '../index';
import type { Tensor } from '../index';

type Fn = (...xs: Tensor[]) => Tensor;
interface Case {
  name: string;
  shapes: number[][];
  fn: Fn;
  /** Input range [lo, hi) (default [-1, 1)). */
  range?: [number, number];
  /** Custom inputs instead of random ones. */
  inputs?: () => Tensor[];
  /** Snap values to a grid of `grid` plus per-input offsets, keeping them away from kinks and ties. */
  grid?: number;
  atol?: number;
  rtol?: number;
}

const BINARY_SHAPES: number[][][] = [
  [[2, 3], [2, 3]], // same shape
  [[2, 3], [3]], // bias-like trailing vector
  [[2, 1, 4], [3, 1]], // both sides broadcast: -> [2,3,4]
  [[], [2, 3]], // scalar on the left
  [[2, 3], []], // scalar on the right
  [[1], [3]], // size-1 dim
  [[3, 1], [1, 3]], // outer-product shape
];

const UNARY_SHAPES: number[][] = [[2, 3], [5], [], [1, 3, 1]];

/** Values snapped to k * grid + offset so no two inputs (or an input and a kink at 0) are within grid/4. */
function snapped(shape: number[], seed: number, grid: number, offset: number, range: [number, number]): Tensor {
  const t = randomTensor(shape, seed, range[0], range[1]);
  for (let i = 0; i < t.size; i++) t.values[i] = Math.round(t.values[i]! / grid) * grid + offset;
  return t;
}

const cases: Case[] = [];
const binary = (name: string, fn: Fn, extra: Partial<Case> = {}) => {
  for (const shapes of BINARY_SHAPES) cases.push({ name, shapes, fn, ...extra });
};
const unary = (name: string, fn: Fn, extra: Partial<Case> = {}) => {
  for (const shape of UNARY_SHAPES) cases.push({ name, shapes: [shape], fn, ...extra });
};

// Arithmetic with broadcasting.
binary('add', (a, b) => mk.add(a, b));
binary('sub', (a, b) => mk.sub(a, b));
binary('mul', (a, b) => mk.mul(a, b));
binary('div', (a, b) => mk.div(a, b), { range: [0.5, 2] });
binary('pow', (a, b) => mk.pow(a, b), { range: [0.5, 2] });
binary('maximum', (a, b) => mk.maximum(a, b), { grid: 0.1 });
binary('minimum', (a, b) => mk.minimum(a, b), { grid: 0.1 });
binary('squaredDifference', (a, b) => mk.squaredDifference(a, b));
binary('method chain a.mul(b).add(a)', (a, b) => a.mul(b).add(a));
// pow with a negative base and an integer exponent: d/dx x^3 = 3x^2 is defined for x < 0 too.
cases.push({ name: 'pow(x, 3) with x < 0', shapes: [[4]], fn: (a) => mk.pow(a, 3), range: [-2, -0.5] });
// where: the condition is a constant that broadcasts against both branches.
for (const shapes of [[[2, 3], [2, 3]], [[2, 3], [3]], [[], [2, 3]], [[2, 1], [1, 3]]]) {
  const cond = mk.tensor([[1, 0, 1], [0, 0, 1]]);
  cases.push({ name: 'where', shapes, fn: (a, b) => mk.where(cond, a, b) });
}

// Elementwise math.
unary('neg', (x) => mk.neg(x));
unary('square', (x) => mk.square(x));
unary('sqrt', (x) => mk.sqrt(x), { range: [0.5, 2] });
unary('exp', (x) => mk.exp(x));
unary('log', (x) => mk.log(x), { range: [0.5, 2] });
unary('abs', (x) => mk.abs(x), { grid: 0.1 });
unary('clipByValue', (x) => mk.clipByValue(x, -0.45, 0.35), { grid: 0.1 });
unary('cast float32 -> float32', (x) => mk.cast(x, 'float32'));
// Activations, with kinks (0 for relu-likes, 6 for relu6, +-3 for hardSigmoid) avoided by the grid offset.
unary('relu', (x) => mk.relu(x), { grid: 0.1 });
unary('relu6', (x) => mk.relu6(x), { grid: 0.5, range: [-2, 8] });
unary('leakyRelu', (x) => mk.leakyRelu(x, 0.1), { grid: 0.1 });
unary('elu', (x) => mk.elu(x, 0.7), { grid: 0.1 });
unary('selu', (x) => mk.selu(x), { grid: 0.1 });
unary('gelu (erf)', (x) => mk.gelu(x), { range: [-3, 3] });
unary('gelu (tanh approximation)', (x) => mk.gelu(x, true), { range: [-3, 3] });
unary('sigmoid', (x) => mk.sigmoid(x), { range: [-4, 4] });
unary('hardSigmoid', (x) => mk.hardSigmoid(x), { grid: 0.5, range: [-5, 5] });
unary('tanh', (x) => mk.tanh(x), { range: [-2, 2] });
unary('softplus', (x) => mk.softplus(x), { range: [-4, 4] });
unary('softsign', (x) => mk.softsign(x), { grid: 0.1, range: [-3, 3] });
unary('swish', (x) => mk.swish(x), { range: [-4, 4] });
unary('silu', (x) => mk.silu(x), { range: [-4, 4] });
unary('log1p', (x) => mk.log1p(x), { range: [-0.5, 2] });
unary('expm1', (x) => mk.expm1(x));
unary('sin', (x) => mk.sin(x));
unary('cos', (x) => mk.cos(x));
unary('cosh', (x) => mk.cosh(x));
unary('logCosh', (x) => mk.logCosh(x), { range: [-3, 3] });
unary('erf', (x) => mk.erf(x), { range: [-2, 2] });
unary('reciprocal', (x) => mk.reciprocal(x), { range: [0.5, 2] });

// Softmax family, on several axes (the non-last axis goes through transposes).
for (const [shape, axis] of [[[2, 3], -1], [[2, 3], 0], [[2, 3, 4], 1], [[5], 0], [[1, 4], -1], [[3, 1], -1]] as [number[], number][]) {
  cases.push({ name: `softmax axis ${axis}`, shapes: [shape], fn: (x) => mk.softmax(x, axis), range: [-2, 2] });
  cases.push({ name: `logSoftmax axis ${axis}`, shapes: [shape], fn: (x) => mk.logSoftmax(x, axis), range: [-2, 2] });
}
for (const [shape, axis, keep] of [[[2, 3], undefined, false], [[2, 3], -1, false], [[2, 3, 4], [0, 2], true], [[4], 0, true]] as [number[], number | number[] | undefined, boolean][]) {
  cases.push({ name: `logSumExp axis ${JSON.stringify(axis)} keepDims ${keep}`, shapes: [shape], fn: (x) => mk.logSumExp(x, axis, keep), range: [-2, 2] });
}

// Reductions: all axes, one axis, negative axis, non-contiguous axes, keepDims, size-1 axes.
const REDUCE_ARGS: [number[], number | number[] | undefined, boolean][] = [
  [[2, 3, 4], undefined, false],
  [[2, 3, 4], 1, false],
  [[2, 3, 4], -1, true],
  [[2, 3, 4], [0, 2], false],
  [[2, 3, 4], [0, 1], true],
  [[1, 3, 1], 0, false],
  [[5], 0, false],
];
for (const [shape, axis, keep] of REDUCE_ARGS) {
  const tag = `axis ${JSON.stringify(axis)} keepDims ${keep} on [${shape}]`;
  cases.push({ name: `sum ${tag}`, shapes: [shape], fn: (x) => mk.sum(x, axis, keep) });
  cases.push({ name: `mean ${tag}`, shapes: [shape], fn: (x) => mk.mean(x, axis, keep) });
  // Distinct values on a 0.05 grid (a permutation of a grid) so there is one max and one min per slice.
  const distinct = () => {
    const n = shape.reduce((p, d) => p * d, 1);
    const perm = new mk.Random(n).shuffle(Float32Array.from({ length: n }, (_, i) => i));
    return [mk.tensor(Float32Array.from(perm, (v) => (v - n / 2) * 0.05), shape)];
  };
  cases.push({ name: `max ${tag}`, shapes: [shape], fn: (x) => mk.max(x, axis, keep), inputs: distinct });
  cases.push({ name: `min ${tag}`, shapes: [shape], fn: (x) => mk.min(x, axis, keep), inputs: distinct });
  cases.push({ name: `prod ${tag}`, shapes: [shape], fn: (x) => mk.prod(x, axis, keep), range: [0.5, 1.5] });
}
// prod with a zero entry: the gradient of the zero is the product of the others (not 0/0).
cases.push({ name: 'prod with a zero', shapes: [[2, 3]], fn: (x) => mk.prod(x, 1), inputs: () => [mk.tensor([[0, 2, 3], [1, -2, 0.5]])] });

// matmul: the four transpose combinations, batched, broadcast batch, vector-like shapes.
const MATMUL: [number[], number[], boolean, boolean][] = [
  [[3, 4], [4, 5], false, false],
  [[4, 3], [4, 5], true, false],
  [[3, 4], [5, 4], false, true],
  [[4, 3], [5, 4], true, true],
  [[1, 1], [1, 1], false, false],
  [[1, 4], [4, 1], false, false],
  [[2, 3, 4], [2, 4, 5], false, false],
  [[2, 4, 3], [2, 5, 4], true, true],
  [[3, 4], [2, 4, 5], false, false],
  [[2, 3, 4], [4, 5], false, false],
  [[2, 1, 3, 4], [3, 4, 2], false, false],
  [[2, 1, 4, 3], [1, 3, 2, 4], true, true],
];
for (const [sa, sb, ta, tb] of MATMUL) {
  cases.push({ name: `matmul [${sa}]${ta ? 'T' : ''} x [${sb}]${tb ? 'T' : ''}`, shapes: [sa, sb], fn: (a, b) => mk.matmul(a, b, ta, tb) });
}
cases.push({ name: 'dot (vector . vector)', shapes: [[4], [4]], fn: (a, b) => mk.dot(a, b) });
cases.push({ name: 'dot (matrix . vector)', shapes: [[3, 4], [4]], fn: (a, b) => mk.dot(a, b) });

// Shape and data movement.
cases.push({ name: 'transpose default', shapes: [[2, 3]], fn: (x) => mk.transpose(x) });
cases.push({ name: 'transpose perm', shapes: [[2, 3, 4]], fn: (x) => mk.transpose(x, [2, 0, 1]) });
cases.push({ name: 'reshape', shapes: [[2, 3, 2]], fn: (x) => mk.reshape(x, [3, -1]).mul(mk.range(0, 12).reshape([3, 4])) });
cases.push({ name: 'flatten', shapes: [[2, 3]], fn: (x) => mk.flatten(x).mul(mk.range(1, 7)) });
cases.push({ name: 'expandDims', shapes: [[2, 3]], fn: (x) => mk.expandDims(x, 1).mul(mk.tensor([[[1, 2, 3]], [[4, 5, 6]]])) });
cases.push({ name: 'squeeze', shapes: [[1, 3, 1]], fn: (x) => mk.squeeze(x).mul(mk.tensor([1, 2, 3])) });
cases.push({ name: 'squeeze axis', shapes: [[1, 3, 1]], fn: (x) => mk.squeeze(x, [2]).mul(mk.tensor([[1, 2, 3]])) });
cases.push({ name: 'concat axis 0', shapes: [[2, 3], [1, 3], [3, 3]], fn: (a, b, c) => mk.concat([a, b, c], 0) });
cases.push({ name: 'concat axis 1', shapes: [[2, 3], [2, 1], [2, 2]], fn: (a, b, c) => mk.concat([a, b, c], 1) });
cases.push({ name: 'concat axis -1 rank 3', shapes: [[2, 2, 3], [2, 2, 1]], fn: (a, b) => mk.concat([a, b], -1) });
cases.push({ name: 'concat the same tensor twice', shapes: [[2, 2]], fn: (a) => mk.concat([a, a], 0) });
cases.push({ name: 'stack axis 0', shapes: [[2, 3], [2, 3]], fn: (a, b) => mk.stack([a, b]) });
cases.push({ name: 'stack axis 2', shapes: [[2, 3], [2, 3]], fn: (a, b) => mk.stack([a, b], 2) });
cases.push({ name: 'unstack', shapes: [[3, 2]], fn: (x) => { const [a, b, c] = mk.unstack(x); return a!.add(b!.mul(2)).sub(c!.mul(c!)); } });
cases.push({ name: 'unstack axis 1', shapes: [[2, 3]], fn: (x) => mk.unstack(x, 1)[2]!.mul(mk.tensor([3, -1])) });
cases.push({ name: 'slice', shapes: [[3, 4]], fn: (x) => mk.slice(x, [1, 1], [2, 2]) });
cases.push({ name: 'slice -1 size', shapes: [[3, 4, 2]], fn: (x) => mk.slice(x, [0, 2, 1], [-1, -1, 1]) });
cases.push({ name: 'split equal', shapes: [[4, 3]], fn: (x) => { const [a, b] = mk.split(x, 2, 0); return a!.mul(b!); } });
cases.push({ name: 'split sizes', shapes: [[2, 6]], fn: (x) => { const [a, , c] = mk.split(x, [2, -1, 1], 1); return mk.concat([a!, c!.square()], 1); } });
cases.push({ name: 'gather axis 0 with repeats', shapes: [[4, 3]], fn: (x) => mk.gather(x, mk.tensor([2, 0, 2, 3], [4], 'int32')) });
cases.push({ name: 'gather axis 1, 2-d indices', shapes: [[2, 4]], fn: (x) => mk.gather(x, [[1, 1], [3, 0]], 1) });
cases.push({ name: 'pad', shapes: [[2, 3]], fn: (x) => mk.pad(x, [[1, 0], [2, 1]], 0.5) });
cases.push({ name: 'tile', shapes: [[2, 3]], fn: (x) => mk.tile(x, [2, 3]) });
cases.push({ name: 'tile size-1 axis', shapes: [[1, 3]], fn: (x) => mk.tile(x, [3, 1]) });
cases.push({ name: 'broadcastTo', shapes: [[3, 1]], fn: (x) => mk.broadcastTo(x, [2, 3, 4]) });
cases.push({ name: 'broadcastTo from scalar', shapes: [[]], fn: (x) => mk.broadcastTo(x, [2, 2]) });

// Convolutions of Keras' layer set: strides, 'same' padding, dilation, groups and odd sizes, gradients of both
// the input and the filter.
type P2 = [number, number];
type P3 = [number, number, number];
const CONVS: [string, number[], number[], Fn][] = [
  ['conv1d valid', [2, 7, 3], [3, 3, 2], (x, w) => mk.conv1d(x, w)],
  ['conv1d same stride 2', [2, 7, 3], [3, 3, 2], (x, w) => mk.conv1d(x, w, 2, 'same')],
  ['conv1d causal dilation 2', [2, 7, 2], [3, 2, 2], (x, w) => mk.conv1d(x, w, 1, 'causal', 2)],
  ['conv1d groups 3 same stride 2', [2, 7, 6], [3, 2, 3], (x, w) => mk.conv1d(x, w, 2, 'same', 1, 3)],
  ['conv2d groups 2 same stride 2', [1, 5, 6, 4], [3, 2, 2, 6], (x, w) => mk.conv2d(x, w, 2, 'same', 1, 2)],
  ['conv2d groups 2 dilation 2', [1, 6, 5, 4], [2, 2, 2, 4], (x, w) => mk.conv2d(x, w, 1, 'valid', 2, 2)],
  ['conv3d same strides [1,2,1]', [1, 4, 5, 3, 2], [2, 3, 2, 2, 3], (x, w) => mk.conv3d(x, w, [1, 2, 1] as P3, 'same')],
  ['conv3d valid dilation [2,1,1]', [1, 5, 3, 3, 2], [2, 2, 2, 2, 2], (x, w) => mk.conv3d(x, w, 1, 'valid', [2, 1, 1] as P3)],
  ['conv3d groups 2 same', [1, 3, 3, 3, 4], [2, 2, 2, 2, 4], (x, w) => mk.conv3d(x, w, 1, 'same', 1, 2)],
  ['conv2dTranspose same stride 2', [1, 3, 4, 2], [3, 3, 3, 2], (x, w) => mk.conv2dTranspose(x, w, 2, 'same')],
  ['conv2dTranspose valid outputPadding [1, 0]', [1, 3, 3, 2], [3, 2, 2, 2], (x, w) => mk.conv2dTranspose(x, w, 2, 'valid', [1, 0] as P2)],
  ['conv2dTranspose same dilation 2', [1, 3, 4, 2], [2, 3, 2, 2], (x, w) => mk.conv2dTranspose(x, w, 1, 'same', null, 2)],
  ['conv2dTranspose valid stride 3 > kernel 2', [1, 2, 3, 1], [2, 2, 2, 1], (x, w) => mk.conv2dTranspose(x, w, 3, 'valid')],
  ['conv1dTranspose same stride 2 outputPadding 1', [2, 4, 2], [3, 3, 2], (x, w) => mk.conv1dTranspose(x, w, 2, 'same', 1)],
  ['conv3dTranspose same stride 2', [1, 2, 2, 3, 2], [2, 3, 2, 2, 2], (x, w) => mk.conv3dTranspose(x, w, 2, 'same')],
  ['depthwiseConv2d multiplier 2 same stride 2', [1, 5, 6, 3], [3, 3, 3, 2], (x, w) => mk.depthwiseConv2d(x, w, 2, 'same')],
  ['depthwiseConv2d dilation 2 valid', [2, 5, 5, 2], [2, 2, 2, 1], (x, w) => mk.depthwiseConv2d(x, w, 1, 'valid', 2)],
  ['depthwiseConv1d multiplier 3 same', [2, 6, 2], [3, 2, 3], (x, w) => mk.depthwiseConv1d(x, w, 1, 'same')],
];
for (const [name, xs, ws, fn] of CONVS) cases.push({ name, shapes: [xs, ws], fn });
cases.push({ name: 'separableConv2d same stride 2', shapes: [[1, 5, 5, 2], [3, 3, 2, 2], [1, 1, 4, 3]], fn: (x, d, p) => mk.separableConv2d(x, d, p, 2, 'same') });
cases.push({ name: 'separableConv1d valid', shapes: [[2, 6, 2], [3, 2, 1], [1, 2, 3]], fn: (x, d, p) => mk.separableConv1d(x, d, p) });

// Pooling over distinct values (one maximum per window), 1-D and 3-D, 'same' with odd sizes.
const distinctInput = (shape: number[], seed: number) => () => {
  const n = shape.reduce((p, d) => p * d, 1);
  const perm = new mk.Random(seed).shuffle(Float32Array.from({ length: n }, (_, i) => i));
  return [mk.tensor(Float32Array.from(perm, (v) => (v - n / 2) * 0.05), shape)];
};
cases.push({ name: 'maxPool1d same stride 2', shapes: [[2, 7, 2]], fn: (x) => mk.maxPool1d(x, 3, 2, 'same'), inputs: distinctInput([2, 7, 2], 1) });
cases.push({ name: 'avgPool1d same stride 2', shapes: [[2, 7, 2]], fn: (x) => mk.avgPool1d(x, 3, 2, 'same') });
cases.push({ name: 'maxPool3d same stride 2', shapes: [[1, 3, 5, 4, 2]], fn: (x) => mk.maxPool3d(x, 2, 2, 'same'), inputs: distinctInput([1, 3, 5, 4, 2], 2) });
cases.push({ name: 'avgPool3d same stride [1,2,2]', shapes: [[1, 3, 5, 4, 2]], fn: (x) => mk.avgPool3d(x, [2, 3, 2] as P3, [1, 2, 2] as P3, 'same') });
cases.push({ name: 'maxPool3d valid overlapping windows', shapes: [[1, 3, 4, 3, 1]], fn: (x) => mk.maxPool3d(x, 2, 1), inputs: distinctInput([1, 3, 4, 3, 1], 3) });

// Resizing and repeating.
cases.push({ name: 'resizeBilinear up (half-pixel)', shapes: [[1, 3, 4, 2]], fn: (x) => mk.resizeBilinear(x, [7, 6]) });
cases.push({ name: 'resizeBilinear down (half-pixel)', shapes: [[2, 6, 5, 1]], fn: (x) => mk.resizeBilinear(x, [4, 3]) });
cases.push({ name: 'resizeBilinear alignCorners', shapes: [[1, 3, 3, 2]], fn: (x) => mk.resizeBilinear(x, [5, 4], { alignCorners: true, halfPixelCenters: false }) });
cases.push({ name: 'resizeNearestNeighbor up', shapes: [[1, 3, 2, 2]], fn: (x) => mk.resizeNearestNeighbor(x, [5, 5]) });
cases.push({ name: 'repeat axis 1 (UpSampling1D)', shapes: [[2, 3, 2]], fn: (x) => mk.repeat(x, 3, 1) });

// relu with Keras' options; the grid keeps inputs away from the kinks at 0, the threshold and maxValue.
for (const opts of [{ maxValue: 6 }, { negativeSlope: 0.2, maxValue: 0.6 }, { threshold: 0.5 }, { negativeSlope: 0.3, threshold: -0.5, maxValue: 1.5 }]) {
  cases.push({ name: `relu ${JSON.stringify(opts)}`, shapes: [[4, 5]], fn: (x) => mk.relu(x, opts), grid: 0.1, range: [-2, 8] });
}

// Dropout with a fixed seed: the same mask on every evaluation, so it is a fixed linear map.
cases.push({ name: 'dropout (seeded)', shapes: [[4, 5]], fn: (x) => mk.dropout(x, 0.4, undefined, 11) });
cases.push({ name: 'dropout with noiseShape (seeded)', shapes: [[4, 5]], fn: (x) => mk.dropout(x, 0.5, [1, 5], 3) });

// Composites: a small MLP and a cross-entropy, exercising accumulation through shared subexpressions.
cases.push({
  name: 'MLP + softmax cross-entropy',
  shapes: [[4, 3], [3, 5], [5]],
  fn: (x, w, b) => {
    const logits = mk.matmul(mk.tanh(x), w).add(b);
    const labels = mk.oneHot(mk.tensor([0, 4, 2, 1], [4], 'int32'), 5);
    return mk.neg(mk.mean(mk.sum(mk.mul(labels, mk.logSoftmax(logits)), -1)));
  },
});
cases.push({ name: 'x * x + x / (1 + x^2)', shapes: [[3]], fn: (x) => x.mul(x).add(x.div(mk.add(1, x.square()))) });

function inputsFor(c: Case, index: number): Tensor[] {
  if (c.inputs) return c.inputs();
  const range = c.range ?? [-1, 1];
  return c.shapes.map((shape, k) => {
    const seed = 1000 * index + k + 1;
    // Different offsets per input keep ties (maximum, minimum) at least grid/4 apart.
    return c.grid ? snapped(shape, seed, c.grid, c.grid * (k === 0 ? 0.25 : 0.5) + 1e-3, range) : randomTensor(shape, seed, range[0], range[1]);
  });
}

describe('gradients match central finite differences', () => {
  cases.forEach((c, index) => {
    it(`${c.name} on ${c.shapes.map((s) => `[${s}]`).join(', ')}`, () => {
      gradcheck(c.fn, inputsFor(c, index), { atol: c.atol, rtol: c.rtol });
    });
  });
});
