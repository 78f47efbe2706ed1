// Regularization layers: the identity at inference; in training, the noise has the statistics of Keras'
// formulas, each layer's randomness sits in its `noise` method (swapped for a fixed draw to check gradients
// by finite differences), seeds reproduce; ActivityRegularization adds Keras 3's penalty to the loss.
import { beforeEach, describe, expect, it } from 'vitest';
import { Tensor, mul, ones, setSeed, tensor } from '@minikeras/tensor';
import { expectClose, gradcheck, randomTensor } from '@minikeras/test-utils';
import { clearSession } from '../../engine/layer';
import type { Layer } from '../../engine/layer';
import { checkLayerGradients, runLayerTest } from '../../testing/run-layer-test';
import { expectSavedRoundTrip } from '../../testing/layer-checks';
import { ActivityRegularization, AlphaDropout, GaussianDropout, GaussianNoise, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D } from './regularization';
import { Dense } from '../dense';
import { Sequential } from '../../models/sequential';

beforeEach(() => clearSession());

const stats = (v: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < v.length; i++) m += v[i]!;
  m /= v.length;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i]! - m) ** 2;
  return { mean: m, std: Math.sqrt(s / v.length) };
};

/** Replaces a layer's `noise` with a fixed function, so repeated calls see the same draw. */
function fixNoise(layer: Layer, noise: (arg: Tensor | readonly number[]) => Tensor): Layer {
  (layer as unknown as { noise: typeof noise }).noise = noise;
  return layer;
}

describe.each<[string, () => Layer, number[]]>([
  ['SpatialDropout1D', () => new SpatialDropout1D(0.4), [2, 6, 3]],
  ['SpatialDropout2D', () => new SpatialDropout2D(0.4), [2, 3, 4, 3]],
  ['SpatialDropout3D', () => new SpatialDropout3D(0.4), [2, 2, 3, 2, 3]],
  ['GaussianNoise', () => new GaussianNoise(0.3), [4, 5]],
  ['GaussianDropout', () => new GaussianDropout(0.3), [4, 5]],
  ['AlphaDropout', () => new AlphaDropout(0.3), [4, 5]],
])('%s', (_name, make, shape) => {
  const x = randomTensor(shape, 8);
  it('is the identity at inference and random in training, reproducibly with a seed or setSeed', () => {
    const layer = make();
    expect(Array.from(layer.apply(x).values)).toEqual(Array.from(x.values));
    expect(Array.from(layer.apply(x, { training: true }).values)).not.toEqual(Array.from(x.values));
    setSeed(3);
    const a = make().apply(x, { training: true });
    setSeed(3);
    const b = make().apply(x, { training: true });
    expect(Array.from(a.values)).toEqual(Array.from(b.values));
    const Cls = layer.constructor as unknown as { fromConfig(c: Record<string, unknown>): Layer };
    const seeded = () => Cls.fromConfig({ ...layer.getConfig(), name: undefined, seed: 5 });
    const s1 = seeded(), s2 = seeded();
    const first = s1.apply(x, { training: true });
    expect(Array.from(first.values)).toEqual(Array.from(s2.apply(x, { training: true }).values));
    expect(Array.from(s1.apply(x, { training: true }).values)).not.toEqual(Array.from(first.values)); // a fresh draw per call
  });
  it('passes the generic layer test (inference) and a saved round trip', () => {
    const cls = make().constructor as unknown as { fromConfig(c: Record<string, unknown>): Layer };
    runLayerTest(make, { inputShape: shape, expectedOutputShape: shape, training: false, fromConfig: (c) => cls.fromConfig(c) });
    expectSavedRoundTrip(make(), x);
  });
});

describe('the noise of each layer', () => {
  it('SpatialDropout drops whole channels: one draw per (sample, channel), survivors scaled by 1 / (1 - rate)', () => {
    const y = new SpatialDropout2D(0.5, { seed: 1 }).apply(ones([4, 3, 3, 8]), { training: true });
    let dropped = 0;
    for (let b = 0; b < 4; b++) for (let c = 0; c < 8; c++) {
      const vals = new Set<number>();
      for (let p = 0; p < 9; p++) vals.add(y.values[(b * 9 + p) * 8 + c]!);
      expect(vals.size).toBe(1);
      const [v] = [...vals];
      expect([0, 2]).toContain(v);
      if (v === 0) dropped++;
    }
    expect(dropped).toBeGreaterThan(4);
    expect(dropped).toBeLessThan(28);
  });
  it('GaussianNoise adds N(0, stddev); GaussianDropout multiplies by N(1, sqrt(rate / (1 - rate)))', () => {
    const n = 40000;
    const noise = stats(new GaussianNoise(0.5, { seed: 2 }).apply(new Tensor(new Float32Array(n), [n, 1]), { training: true }).values);
    expect(Math.abs(noise.mean)).toBeLessThan(0.02);
    expect(Math.abs(noise.std - 0.5)).toBeLessThan(0.02);
    const mult = stats(new GaussianDropout(0.2, { seed: 2 }).apply(ones([n, 1]), { training: true }).values);
    expect(Math.abs(mult.mean - 1)).toBeLessThan(0.02);
    expect(Math.abs(mult.std - Math.sqrt(0.2 / 0.8))).toBeLessThan(0.02);
  });
  it("AlphaDropout sets dropped values to a * alpha' + b and keeps a standard normal input's mean 0 and variance 1", () => {
    const alphaP = -1.6732632423543772 * 1.0507009873554805, rate = 0.3;
    const a = ((1 - rate) * (1 + rate * alphaP ** 2)) ** -0.5, b = -a * alphaP * rate;
    const n = 40000;
    const x = tensor(Array.from({ length: n }, (_, i) => {
      const u1 = (i + 0.5) / n, u2 = ((i * 7919) % n + 0.5) / n;
      return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }), [n, 1]);
    const y = new AlphaDropout(rate, { seed: 4 }).apply(x, { training: true });
    let droppedCount = 0;
    for (let i = 0; i < n; i++) {
      const kept = a * x.values[i]! + b, dropped = a * alphaP + b;
      const v = y.values[i]!;
      if (Math.abs(v - dropped) < 1e-5 && Math.abs(v - kept) > 1e-5) droppedCount++;
      else expect(Math.abs(v - kept)).toBeLessThan(1e-5);
    }
    expect(Math.abs(droppedCount / n - rate)).toBeLessThan(0.02);
    const s = stats(y.values);
    expect(Math.abs(s.mean)).toBeLessThan(0.03);
    expect(Math.abs(s.std - 1)).toBeLessThan(0.03);
  });
});

describe('gradients through a fixed draw (finite differences)', () => {
  const x = randomTensor([3, 4, 2], 9);
  const mask = tensor(Array.from({ length: 24 }, (_, i) => (i % 5 === 0 ? 0 : 1)), [3, 4, 2]);
  it.each<[string, () => Layer]>([
    ['SpatialDropout1D', () => fixNoise(new SpatialDropout1D(0.5), (t) => mul(t as Tensor, tensor([2, 0, 0, 2, 2, 2], [3, 1, 2])))],
    ['GaussianNoise', () => fixNoise(new GaussianNoise(0.5), () => randomTensor([3, 4, 2], 1))],
    ['GaussianDropout', () => fixNoise(new GaussianDropout(0.5), () => randomTensor([3, 4, 2], 2, 0.5, 1.5))],
    ['AlphaDropout', () => fixNoise(new AlphaDropout(0.2), () => mask)],
  ])('%s', (_name, make) => {
    checkLayerGradients(make(), x, { training: true });
  });
});

describe('ActivityRegularization', () => {
  it("adds l1 * sum|x| + l2 * sum x^2 of its input to the training loss (Keras 3: no batch division), with the penalty's gradient", () => {
    const layer = new ActivityRegularization({ l1: 0.01, l2: 0.02 });
    const x = randomTensor([3, 4], 10);
    expect(layer.apply(x)).toBe(x);
    expect(layer.regularizationLosses()).toEqual([]); // inference calls add nothing
    layer.apply(x, { training: true });
    const [penalty] = layer.regularizationLosses();
    const l1 = Array.from(x.values).reduce((p, v) => p + Math.abs(v), 0), l2 = Array.from(x.values).reduce((p, v) => p + v * v, 0);
    expectClose(penalty!, [0.01 * l1 + 0.02 * l2], { rtol: 1e-6 });
    expect(layer.regularizationLosses()).toEqual([]); // collected once
    gradcheck((t) => layer.penalty(t), [randomTensor([3, 4], 11)]);
  });
  it('counts in fit: the logged loss is the data loss plus the penalty', async () => {
    const model = new Sequential([new Dense(3, { inputShape: [2], kernelInitializer: 'ones', name: 'd' }), new ActivityRegularization({ l2: 0.5 })]);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = tensor([[1, 2], [0, -1]]), y = tensor([[0, 0, 0], [0, 0, 0]]);
    const h = model.predict(x).values;
    const mse = Array.from(h).reduce((p, v) => p + v * v, 0) / 6;
    const penalty = 0.5 * Array.from(h).reduce((p, v) => p + v * v, 0);
    const loss = await model.trainOnBatch(x, y) as number;
    expect(loss).toBeCloseTo(mse + penalty, 4);
  });
  it('has Keras defaults, a saved round trip and clear errors', () => {
    expect(new ActivityRegularization().getConfig()).toMatchObject({ name: 'activity_regularization', l1: 0, l2: 0 });
    expectSavedRoundTrip(new ActivityRegularization({ l1: 0.1 }), randomTensor([2, 3], 1));
    expect(() => new ActivityRegularization({ l1: -1 })).toThrow(/l1 must be a number >= 0, got -1/);
  });
});

describe('regularization arguments', () => {
  it('reject bad values, naming the layer', () => {
    expect(() => new SpatialDropout1D(1, { name: 's' })).toThrow("SpatialDropout1D 's': rate must be a number in [0, 1), got 1");
    expect(() => new GaussianNoise(-0.1)).toThrow(/stddev must be a number >= 0/);
    expect(() => new AlphaDropout(0.2, { noiseShape: [1, 3], name: 'a' }).apply(randomTensor([2, 4], 1), { training: true })).toThrow("AlphaDropout 'a': noiseShape [1,3] does not broadcast to the input shape [2,4]");
    expect(() => new SpatialDropout2D(0.2, { name: 'sd' }).apply(randomTensor([2, 4, 3], 1), { training: true })).toThrow("SpatialDropout2D 'sd' expects a 4-D input [batch, height, width, channels], got shape [2,4,3]");
  });
});
