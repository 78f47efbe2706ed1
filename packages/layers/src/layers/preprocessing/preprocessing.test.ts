// Preprocessing layers: Normalization's adapt against float64 statistics, Resizing and CenterCrop against
// tfjs-core's image ops with Keras 3's half-pixel centers, CategoryEncoding and Masking against their
// definitions, gradients, saved round trips (Normalization's mean/variance are saved as weights), errors.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Tensor, tensor } from '@minikeras/tensor';
import { expectClose, randomTensor } from '@minikeras/test-utils';
import { clearSession } from '../../engine/layer';
import { getMask } from '../../engine/mask';
import { checkLayerGradients, runLayerTest } from '../../testing/run-layer-test';
import { expectSavedRoundTrip } from '../../testing/layer-checks';
import { CategoryEncoding, CenterCrop, Masking, Normalization, Rescaling, Resizing } from './preprocessing';
import { GlobalAveragePooling1D } from '../pooling/pooling';
import { Sequential } from '../../models/sequential';
import { InputLayer } from '../core';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(() => clearSession());

const T = (t: Tensor) => tf.tensor(t.values as Float32Array, t.shape as number[]);

describe('Rescaling', () => {
  it('computes x * scale + offset, with gradients, a generic test and a saved round trip', () => {
    const x = randomTensor([2, 3, 3, 1], 1, 0, 255);
    expectClose(new Rescaling(1 / 127.5, { offset: -1 }).apply(x), Array.from(x.values, (v) => v / 127.5 - 1), { rtol: 1e-6, atol: 1e-6 });
    checkLayerGradients(new Rescaling(0.5, { offset: 2 }), randomTensor([2, 3], 2));
    runLayerTest(() => new Rescaling(2), { inputShape: [2, 3], expectedOutputShape: [2, 3], fromConfig: (c) => Rescaling.fromConfig(c) });
    expectSavedRoundTrip(new Rescaling(1 / 255), x);
  });
});

describe('Normalization', () => {
  /** Mean and population variance per kept index, in float64. */
  function moments(x: Tensor, key: (idx: number[]) => string): Map<string, { mean: number; variance: number }> {
    const groups = new Map<string, number[]>();
    for (let i = 0; i < x.size; i++) {
      const idx = x.shape.map((d, a) => Math.floor(i / x.shape.slice(a + 1).reduce((p, q) => p * q, 1)) % d);
      const k = key(idx);
      groups.set(k, [...(groups.get(k) ?? []), x.values[i]!]);
    }
    return new Map([...groups].map(([k, v]) => {
      const mean = v.reduce((p, q) => p + q, 0) / v.length;
      return [k, { mean, variance: v.reduce((p, q) => p + (q - mean) ** 2, 0) / v.length }];
    }));
  }

  it.each<[string, number | number[] | null, (idx: number[]) => string]>([
    ['axis -1 (per feature)', -1, (i) => `${i[2]}`],
    ['axis null (one mean)', null, () => ''],
    ['axis [1, 2]', [1, 2], (i) => `${i[1]},${i[2]}`],
  ])('adapt with %s computes the float64 statistics and normalizes with them', (_n, axis, key) => {
    const data = randomTensor([50, 3, 4], 3, -2, 6);
    const layer = new Normalization({ axis });
    layer.adapt(data);
    const m = moments(data, key);
    const x = randomTensor([2, 3, 4], 4, -2, 6);
    const expected = Array.from(x.values, (v, i) => {
      const idx = x.shape.map((d, a) => Math.floor(i / x.shape.slice(a + 1).reduce((p, q) => p * q, 1)) % d);
      const s = m.get(key(idx))!;
      return (v - s.mean) / Math.max(Math.sqrt(s.variance), 1e-7);
    });
    expectClose(layer.apply(x), expected, { rtol: 1e-4, atol: 1e-5 });
    // The statistics are non-trainable weights named as Keras names them, saved and loaded with the model.
    expect(layer.nonTrainableWeights.map((w) => w.name.split('/')[1])).toEqual(['mean', 'variance']);
    expect(layer.trainableWeights).toEqual([]);
    const back = expectSavedRoundTrip(layer, x, 1e-5) as Normalization;
    expectClose(back.getWeights()[0]!, layer.getWeights()[0]!, { rtol: 0, atol: 0 });
  });
  it('adapts on nested arrays, inverts, takes a fixed mean and variance, and has input gradients', () => {
    const layer = new Normalization();
    layer.adapt([[1, 10], [3, 30], [5, 20]]);
    expectClose(layer.getWeights()[0]!, [3, 20], { rtol: 1e-6 });
    expectClose(layer.getWeights()[1]!, [8 / 3, 200 / 3], { rtol: 1e-6 });
    const inv = new Normalization({ mean: [3, 20], variance: [4, 100], invert: true });
    expectClose(inv.apply(tensor([[1, -1]])), [3 + 2, 20 - 10], { rtol: 1e-6 });
    const fixed = new Normalization({ mean: 3, variance: 2 });
    expectClose(fixed.apply(tensor([[1], [2], [3]])), [-2 / Math.SQRT2, -1 / Math.SQRT2, 0], { rtol: 1e-6 });
    expect(fixed.weights).toEqual([]);
    expect(fixed.getConfig()).toMatchObject({ axis: -1, mean: [3], variance: [2], invert: false });
    expectSavedRoundTrip(new Normalization({ mean: [1, 2], variance: [3, 4] }), tensor([[1, 2], [3, 4]]));
    checkLayerGradients(layer, randomTensor([3, 2], 5));
  });
  it('rejects what it cannot compute', () => {
    expect(() => new Normalization({ mean: 1 })).toThrow(/give both mean and variance, or neither/);
    expect(() => new Normalization({ axis: 0 })).toThrow(/axis must be null, a non-zero integer/);
    expect(() => new Normalization({ mean: 1, variance: 1 }).adapt([[1]])).toThrow(/adapt cannot be used when mean and variance were given/);
    const l = new Normalization({ name: 'n' });
    l.adapt(randomTensor([4, 3], 1));
    expect(() => l.apply(randomTensor([2, 4], 1))).toThrow("Normalization 'n': expects inputs whose kept axes [1] have sizes [3], got shape [2,4]");
  });
});

describe('Resizing and CenterCrop', () => {
  const img = randomTensor([2, 5, 8, 2], 6, 0, 1);
  it.each<[string, Resizing, (x: tf.Tensor4D) => tf.Tensor]>([
    ['bilinear 3x4', new Resizing(3, 4), (x) => tf.image.resizeBilinear(x, [3, 4], false, true)],
    ['bilinear upscale 7x9', new Resizing(7, 9), (x) => tf.image.resizeBilinear(x, [7, 9], false, true)],
    ['nearest 4x3', new Resizing(4, 3, { interpolation: 'nearest' }), (x) => tf.image.resizeNearestNeighbor(x, [4, 3], false, true)],
    // Keras 3: the central 5x5 box of the 5x8 image (left = trunc(3 / 2) = 1), then resized.
    ['cropToAspectRatio 3x3', new Resizing(3, 3, { cropToAspectRatio: true }), (x) => tf.image.resizeBilinear(tf.slice(x, [0, 0, 1, 0], [2, 5, 5, 2]) as tf.Tensor4D, [3, 3], false, true)],
  ])("Resizing %s matches tfjs-core's resize with half-pixel centers (Keras 3)", (_n, layer, ref) => {
    const expected = ref(T(img) as tf.Tensor4D);
    const y = layer.apply(img);
    expect(y.shape).toEqual(expected.shape);
    expectClose(y, expected.dataSync(), { rtol: 0, atol: 1e-6 });
    expect(layer.computeOutputShape([null, 5, 8, 2])).toEqual([null, ...expected.shape.slice(1)]);
  });
  it('Resizing has input gradients and a saved round trip', () => {
    checkLayerGradients(new Resizing(3, 5), randomTensor([1, 4, 4, 2], 7));
    expectSavedRoundTrip(new Resizing(3, 4, { interpolation: 'nearest' }), img);
  });
  it('CenterCrop crops the center (start rounded down) and resizes a smaller input as smart_resize', () => {
    const cropped = new CenterCrop(2, 5).apply(img);
    expectClose(cropped, tf.slice(T(img), [0, 1, 1, 0], [2, 2, 5, 2]).dataSync(), { rtol: 0, atol: 0 });
    // Target 6x6 is taller than the 5x8 input: crop the central 5x5 box, then resize bilinearly.
    const up = new CenterCrop(6, 6).apply(img);
    expectClose(up, tf.image.resizeBilinear(tf.slice(T(img), [0, 0, 1, 0], [2, 5, 5, 2]) as tf.Tensor4D, [6, 6], false, true).dataSync(), { rtol: 0, atol: 1e-6 });
    checkLayerGradients(new CenterCrop(2, 3), randomTensor([1, 4, 4, 1], 8));
    runLayerTest(() => new CenterCrop(3, 3), { inputShape: [2, 5, 4, 1], expectedOutputShape: [2, 3, 3, 1], fromConfig: (c) => CenterCrop.fromConfig(c) });
    expectSavedRoundTrip(new CenterCrop(3, 3), img);
  });
  it('reject what minikeras cannot compute', () => {
    // @ts-expect-error: bicubic is not supported
    expect(() => new Resizing(2, 2, { interpolation: 'bicubic', name: 'r' })).toThrow("Resizing 'r': interpolation must be 'bilinear' or 'nearest' (minikeras has no \"bicubic\")");
    // @ts-expect-error: padToAspectRatio is not supported
    expect(() => new Resizing(2, 2, { padToAspectRatio: true })).toThrow(/padToAspectRatio is not supported/);
    expect(() => new CenterCrop(0, 2)).toThrow(/height must be a positive integer, got 0/);
    expect(() => new CenterCrop(2, 2, { name: 'cc' }).apply(randomTensor([4, 4], 1))).toThrow("CenterCrop 'cc' expects images [batch, height, width, channels] (or one [height, width, channels]), got shape [4, 4]");
  });
});

describe('CategoryEncoding', () => {
  const ids = tensor([[0, 3, 3, 1], [2, 2, 2, 2]]);
  it('encodes multi_hot, count and one_hot as Keras 3', () => {
    expectClose(new CategoryEncoding({ numTokens: 4 }).apply(ids), [1, 1, 0, 1, 0, 0, 1, 0]);
    expectClose(new CategoryEncoding({ numTokens: 5, outputMode: 'count' }).apply(ids), [1, 1, 0, 2, 0, 0, 0, 4, 0, 0]);
    const oh = new CategoryEncoding({ numTokens: 3, outputMode: 'one_hot' });
    expectClose(oh.apply(tensor([[2], [0]])), [0, 0, 1, 1, 0, 0]);
    expect(oh.apply(tensor([1, 2])).shape).toEqual([2, 3]);
    expect(oh.computeOutputShape([null, 4])).toEqual([null, 4, 3]);
    expect(new CategoryEncoding({ numTokens: 6 }).computeOutputShape([null, 4])).toEqual([null, 6]);
    expectSavedRoundTrip(new CategoryEncoding({ numTokens: 4, outputMode: 'count' }), ids);
  });
  it('rejects ids out of range and unknown modes', () => {
    expect(() => new CategoryEncoding({ numTokens: 3, name: 'ce' }).apply(tensor([[3]]))).toThrow("CategoryEncoding 'ce': inputs must be integers in [0, 3), got 3");
    // @ts-expect-error: tf_idf needs a vocabulary
    expect(() => new CategoryEncoding({ numTokens: 3, outputMode: 'tf_idf' })).toThrow(/outputMode must be 'one_hot', 'multi_hot' or 'count'/);
    // @ts-expect-error: sparse outputs are not supported
    expect(() => new CategoryEncoding({ numTokens: 3, sparse: true })).toThrow(/sparse outputs are not supported/);
  });
});

describe('Masking', () => {
  const x = tensor([[[1, 2], [0, 0], [3, 0]], [[0, 0], [0, 0], [5, 5]]]);
  it('zeroes steps whose features all equal maskValue and passes a [batch, steps] mask on', () => {
    const layer = new Masking();
    const y = layer.apply(x);
    expectClose(y, x.values);
    expectClose(getMask(y)!, [1, 0, 1, 0, 0, 1]);
    const y2 = new Masking({ maskValue: 5 }).apply(x);
    expectClose(y2, [1, 2, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0]);
    checkLayerGradients(new Masking(), randomTensor([2, 3, 2], 9));
    runLayerTest(() => new Masking({ maskValue: 0.5 }), { inputShape: [2, 3, 2], expectedOutputShape: [2, 3, 2] });
  });
  it('masks what mask-aware layers see in a model: GlobalAveragePooling1D averages the kept steps', () => {
    const model = new Sequential([new InputLayer({ shape: [3, 2] }), new Masking(), new GlobalAveragePooling1D()]);
    expectClose(model.predict(x), [2, 1, 5, 5], { rtol: 1e-6 });
    expectSavedRoundTrip(new Masking({ maskValue: 1 }), x);
  });
});
