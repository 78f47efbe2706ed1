// Activation layers: gradients by finite differences, Keras' formulas in float64 for the options tfjs lacks
// (ReLU negativeSlope/threshold, ELU alpha, Softmax axes and mask), saved round trips, errors.
// Agreement with tfjs-layers for what tfjs has is in ../layer-set.tfjs.test.ts.
import { beforeEach, describe, expect, it } from 'vitest';
import { Tensor, tensor } from '@minikeras/tensor';
import { expectClose, randomTensor } from '@minikeras/test-utils';
import { clearSession } from '../../engine/layer';
import type { Layer } from '../../engine/layer';
import { checkLayerGradients, runLayerTest } from '../../testing/run-layer-test';
import { awayFrom, expectSavedRoundTrip } from '../../testing/layer-checks';
import { ELU, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU } from './activations';
import '../../models/sequential';

beforeEach(() => clearSession());

/** Keras 3's relu(x, negative_slope, max_value, threshold) in float64. */
function kerasRelu(x: number, negativeSlope: number, maxValue: number | null, threshold: number): number {
  let pos = threshold !== 0 ? (x > threshold ? x : 0) : Math.max(x, 0);
  if (maxValue !== null) pos = Math.min(Math.max(pos, 0), maxValue);
  return pos - negativeSlope * Math.max(threshold - x, 0);
}

const x3 = randomTensor([2, 3, 4], 1, -3, 3);

describe.each<[string, () => Layer, (v: number) => number, number[]]>([
  ['ReLU', () => new ReLU(), (v) => kerasRelu(v, 0, null, 0), [0]],
  ['ReLU maxValue 1', () => new ReLU({ maxValue: 1 }), (v) => kerasRelu(v, 0, 1, 0), [0, 1]],
  ['ReLU negativeSlope 0.2', () => new ReLU({ negativeSlope: 0.2 }), (v) => kerasRelu(v, 0.2, null, 0), [0]],
  ['ReLU threshold 0.5', () => new ReLU({ threshold: 0.5 }), (v) => kerasRelu(v, 0, null, 0.5), [0.5]],
  ['ReLU all options', () => new ReLU({ maxValue: 2, negativeSlope: 0.1, threshold: -0.5 }), (v) => kerasRelu(v, 0.1, 2, -0.5), [-0.5, 0, 2]],
  ['ReLU threshold 1.5 > maxValue 1', () => new ReLU({ maxValue: 1, threshold: 1.5, negativeSlope: 0.3 }), (v) => kerasRelu(v, 0.3, 1, 1.5), [1.5]],
  ['LeakyReLU', () => new LeakyReLU(), (v) => (v >= 0 ? v : 0.3 * v), [0]],
  ['LeakyReLU negativeSlope 0.05', () => new LeakyReLU({ negativeSlope: 0.05 }), (v) => (v >= 0 ? v : 0.05 * v), [0]],
  ['ELU', () => new ELU(), (v) => (v > 0 ? v : Math.expm1(v)), [0]],
  ['ELU alpha 0.5', () => new ELU({ alpha: 0.5 }), (v) => (v > 0 ? v : 0.5 * Math.expm1(v)), [0]],
  ['ThresholdedReLU', () => new ThresholdedReLU(), (v) => (v > 1 ? v : 0), [1]],
  ['ThresholdedReLU theta 0.25', () => new ThresholdedReLU({ theta: 0.25 }), (v) => (v > 0.25 ? v : 0), [0.25]],
])('%s', (_name, make, reference, kinks) => {
  it("computes Keras' formula (float64 reference)", () => {
    expectClose(make().apply(x3), Array.from(x3.values, reference), { rtol: 1e-6, atol: 1e-7 });
  });
  it('has correct gradients (finite differences, away from the kinks)', () => {
    checkLayerGradients(make(), awayFrom(randomTensor([2, 3, 4], 2, -3, 3), kinks), { eps: 1e-3 });
  });
  it('passes the generic layer test and a saved round trip', () => {
    runLayerTest(make, { inputShape: [2, 3, 4], expectedOutputShape: [2, 3, 4] });
    expectSavedRoundTrip(make(), x3);
  });
});

describe('PReLU', () => {
  it('learns one slope per value, or per shared axis, and matches relu(x) - alpha * relu(-x)', () => {
    const layer = new PReLU({ alphaInitializer: 'random_normal', sharedAxes: [1, 2] });
    const x = randomTensor([2, 3, 2, 4], 3, -2, 2);
    const y = layer.apply(x);
    expect(layer.alpha!.shape).toEqual([1, 1, 4]);
    const a = layer.alpha!.values;
    expectClose(y, Array.from(x.values, (v, i) => (v >= 0 ? v : a[i % 4]! * v)), { rtol: 1e-6, atol: 1e-7 });
    expect(new PReLU().computeOutputShape([null, 5, 3])).toEqual([null, 5, 3]);
  });
  it('has correct gradients for the input and alpha', () => {
    checkLayerGradients(new PReLU({ alphaInitializer: 'random_normal' }), awayFrom(randomTensor([2, 3, 2], 4), [0]));
    checkLayerGradients(new PReLU({ alphaInitializer: 'random_normal', sharedAxes: 1 }), awayFrom(randomTensor([3, 4, 2], 5), [0]));
  });
  it('passes the generic layer test and a saved round trip', () => {
    runLayerTest(() => new PReLU({ alphaInitializer: 'random_uniform', sharedAxes: [2] }), { inputShape: [2, 3, 4], expectedOutputShape: [2, 3, 4], expectedTrainableWeights: 1 });
    const layer = new PReLU({ alphaInitializer: 'random_normal' });
    expectSavedRoundTrip(layer, x3);
  });
  it('needs known non-shared axes', () => {
    const layer = new PReLU({ name: 'p' });
    expect(() => layer.ensureBuilt([null, null, 3])).toThrow("PReLU 'p': every non-shared axis of the input must be known");
    expect(() => new PReLU({ sharedAxes: [0] })).toThrow(/sharedAxes must be axes >= 1/);
  });
});

describe('Softmax', () => {
  /** Softmax of x over `axes` with Keras' mask rule, in float64. */
  function reference(x: Tensor, axes: number[], mask?: Tensor): number[] {
    const shape = x.shape;
    const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, d) => p * d, 1));
    const key = (i: number) => shape.map((d, a) => (axes.includes(a) ? 0 : Math.floor(i / strides[a]!) % d)).join();
    const m = (i: number) => (mask ? mask.values[i]! : 1);
    const logits = Array.from(x.values, (v, i) => v + (1 - m(i)) * -1e9);
    const maxes = new Map<string, number>(), sums = new Map<string, number>();
    logits.forEach((v, i) => maxes.set(key(i), Math.max(maxes.get(key(i)) ?? -Infinity, v)));
    logits.forEach((v, i) => sums.set(key(i), (sums.get(key(i)) ?? 0) + Math.exp(v - maxes.get(key(i))!)));
    return logits.map((v, i) => (Math.exp(v - maxes.get(key(i))!) / sums.get(key(i))!) * m(i));
  }
  const x = randomTensor([2, 3, 4], 6, -3, 3);

  it.each([[-1, [2]], [1, [1]], [[1, 2], [1, 2]]] as [number | number[], number[]][])('axis %j matches the float64 reference, with correct gradients', (axis, axes) => {
    expectClose(new Softmax({ axis }).apply(x), reference(x, axes), { rtol: 1e-5, atol: 1e-7 });
    checkLayerGradients(new Softmax({ axis }), x);
  });
  it("adds -1e9 where the mask is 0 and zeroes those outputs (Keras 3's rule)", () => {
    const mask = tensor(Array.from({ length: 24 }, (_, i) => (i % 4 === 3 || i % 7 === 0 ? 0 : 1)), [2, 3, 4]);
    const layer = new Softmax();
    const y = layer.apply(x, { mask });
    expectClose(y, reference(x, [2], mask), { rtol: 1e-5, atol: 1e-7 });
    expect(y.values[3]).toBe(0);
    checkLayerGradients(new Softmax(), x);
    // A broadcast [batch, 1, steps] mask, as attention passes.
    const m2 = tensor([1, 1, 0, 1, 0, 1, 1, 1], [2, 1, 4]);
    const full = tensor(Array.from({ length: 24 }, (_, i) => m2.values[Math.floor(i / 12) * 4 + (i % 4)]!), [2, 3, 4]);
    expectClose(new Softmax().apply(x, { mask: m2 }), reference(x, [2], full), { rtol: 1e-5, atol: 1e-7 });
  });
  it('passes the generic layer test and a saved round trip', () => {
    runLayerTest(() => new Softmax({ axis: 1 }), { inputShape: [2, 3, 4], expectedOutputShape: [2, 3, 4] });
    expectSavedRoundTrip(new Softmax({ axis: [1, 2] }), x);
  });
});

describe('activation layer arguments', () => {
  it('follow Keras 3 defaults and names, and accept tfjs spellings', () => {
    expect(new ReLU().getConfig()).toMatchObject({ name: 're_lu', maxValue: null, negativeSlope: 0, threshold: 0 });
    expect(new LeakyReLU().negativeSlope).toBe(0.3);
    expect(new LeakyReLU({ alpha: 0.1 }).negativeSlope).toBe(0.1); // tfjs / Keras 2 config key
    expect(new LeakyReLU({ negativeSlope: 0.2 }).getConfig()).toMatchObject({ negativeSlope: 0.2, alpha: 0.2 });
    expect(new PReLU().getConfig()).toMatchObject({ alphaInitializer: 'zeros', sharedAxes: null });
    expect(new Softmax().getConfig()).toMatchObject({ axis: -1 });
    expect(new ThresholdedReLU().getConfig()).toMatchObject({ theta: 1 });
    expect(new ELU().getConfig()).toMatchObject({ alpha: 1 });
  });
  it('reject bad values with errors naming the layer and option', () => {
    expect(() => new ReLU({ maxValue: -1 })).toThrow(/ReLU 're_lu': maxValue must be null or a number >= 0, got -1/);
    expect(() => new ReLU({ negativeSlope: -0.1 })).toThrow(/negativeSlope must be a number >= 0/);
    // @ts-expect-error: a misspelled option
    expect(() => new ReLU({ max_value: 6 })).toThrow(/unknown option 'max_value'/);
    expect(() => new LeakyReLU({ alpha: 0.1, negativeSlope: 0.2 })).toThrow(/alpha \(0.1\) is the old name of negativeSlope/);
    expect(() => new Softmax({ axis: 1.5 })).toThrow(/axis must be an integer/);
    expect(() => new Softmax({ name: 's', axis: 3 }).apply(x3)).toThrow("Softmax 's': axis 3 is out of range for an input of rank 3");
    // @ts-expect-error: constraints are not supported
    expect(() => new PReLU({ alphaConstraint: 'non_neg' })).toThrow(/option 'alphaConstraint' = "non_neg" is not supported by minikeras/);
  });
});
