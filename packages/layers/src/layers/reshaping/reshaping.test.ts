// Reshaping layers: index-formula references in float64 (tfjs lacks the 1-D and 3-D ones), bilinear
// UpSampling2D against tfjs-core's resizeBilinear with Keras 3's half-pixel centers, gradients, shapes,
// saved round trips, errors. tfjs-layers agreement: ../layer-set.tfjs.test.ts.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Tensor } from '@minikeras/tensor';
import { expectClose, randomTensor } from '@minikeras/test-utils';
import { clearSession } from '../../engine/layer';
import type { Layer } from '../../engine/layer';
import { checkLayerGradients, runLayerTest } from '../../testing/run-layer-test';
import { expectSavedRoundTrip } from '../../testing/layer-checks';
import { Cropping1D, Cropping2D, Cropping3D, Permute, RepeatVector, UpSampling1D, UpSampling2D, UpSampling3D, ZeroPadding1D, ZeroPadding2D, ZeroPadding3D } from './reshaping';
import '../../models/sequential';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(() => clearSession());

/** out[index] = x[source(index)] (or 0 where source returns null), all channels-last. */
function gatherReference(x: Tensor, outShape: number[], source: (idx: number[]) => number[] | null): number[] {
  const strides = x.shape.map((_, i) => x.shape.slice(i + 1).reduce((p, d) => p * d, 1));
  const n = outShape.reduce((p, d) => p * d, 1);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const idx = outShape.map((d, a) => Math.floor(i / outShape.slice(a + 1).reduce((p, q) => p * q, 1)) % d);
    const src = source(idx);
    out.push(src ? x.values[src.reduce((p, v, a) => p + v * strides[a]!, 0)]! : 0);
  }
  return out;
}

/** Source index of a zero-padded output: shift each spatial axis by its `before`, null outside. */
const padSource = (pads: [number, number][], shape: readonly number[]) => (idx: number[]) => {
  const src = idx.map((v, a) => (a === 0 || a > pads.length ? v : v - pads[a - 1]![0]));
  return src.every((v, a) => v >= 0 && v < shape[a]!) ? src : null;
};

describe.each<[string, () => Layer, number[], number[], (x: Tensor, out: number[]) => number[]]>([
  ['ZeroPadding1D 2', () => new ZeroPadding1D(2), [2, 3, 2], [2, 7, 2], (x, o) => gatherReference(x, o, padSource([[2, 2]], x.shape))],
  ['ZeroPadding1D [1, 3]', () => new ZeroPadding1D({ padding: [1, 3] }), [2, 3, 2], [2, 7, 2], (x, o) => gatherReference(x, o, padSource([[1, 3]], x.shape))],
  ['ZeroPadding2D [1, 2]', () => new ZeroPadding2D([1, 2]), [1, 2, 3, 2], [1, 4, 7, 2], (x, o) => gatherReference(x, o, padSource([[1, 1], [2, 2]], x.shape))],
  ['ZeroPadding3D [[1, 0], 2, [0, 1]]', () => new ZeroPadding3D([[1, 0], [2, 2], [0, 1]]), [1, 2, 2, 2, 1], [1, 3, 6, 3, 1], (x, o) => gatherReference(x, o, padSource([[1, 0], [2, 2], [0, 1]], x.shape))],
  ['Cropping1D default [1, 1]', () => new Cropping1D(), [2, 5, 2], [2, 3, 2], (x, o) => gatherReference(x, o, (i) => [i[0]!, i[1]! + 1, i[2]!])],
  ['Cropping1D [2, 0]', () => new Cropping1D([2, 0]), [2, 5, 2], [2, 3, 2], (x, o) => gatherReference(x, o, (i) => [i[0]!, i[1]! + 2, i[2]!])],
  ['Cropping2D 1', () => new Cropping2D(1), [1, 4, 5, 2], [1, 2, 3, 2], (x, o) => gatherReference(x, o, (i) => [i[0]!, i[1]! + 1, i[2]! + 1, i[3]!])],
  ['Cropping3D [[1, 0], [0, 1], [1, 1]]', () => new Cropping3D({ cropping: [[1, 0], [0, 1], [1, 1]] }), [1, 3, 3, 4, 2], [1, 2, 2, 2, 2], (x, o) => gatherReference(x, o, (i) => [i[0]!, i[1]! + 1, i[2]!, i[3]! + 1, i[4]!])],
  ['UpSampling1D 3', () => new UpSampling1D(3), [2, 3, 2], [2, 9, 2], (x, o) => gatherReference(x, o, (i) => [i[0]!, Math.floor(i[1]! / 3), i[2]!])],
  ['UpSampling2D [2, 3] nearest', () => new UpSampling2D([2, 3]), [1, 2, 2, 2], [1, 4, 6, 2], (x, o) => gatherReference(x, o, (i) => [i[0]!, Math.floor(i[1]! / 2), Math.floor(i[2]! / 3), i[3]!])],
  ['UpSampling3D [1, 2, 2]', () => new UpSampling3D([1, 2, 2]), [1, 2, 2, 2, 1], [1, 2, 4, 4, 1], (x, o) => gatherReference(x, o, (i) => [i[0]!, i[1]!, Math.floor(i[2]! / 2), Math.floor(i[3]! / 2), i[4]!])],
  ['Permute [3, 1, 2]', () => new Permute([3, 1, 2]), [2, 2, 3, 4], [2, 4, 2, 3], (x, o) => gatherReference(x, o, (i) => [i[0]!, i[2]!, i[3]!, i[1]!])],
  ['RepeatVector 3', () => new RepeatVector(3), [2, 4], [2, 3, 4], (x, o) => gatherReference(x, o, (i) => [i[0]!, i[2]!])],
])('%s', (_name, make, inShape, outShape, reference) => {
  const x = randomTensor(inShape, 4);
  it('computes the index-formula reference', () => {
    const layer = make();
    const y = layer.apply(x);
    expect(y.shape).toEqual(outShape);
    expect(layer.computeOutputShape([null, ...inShape.slice(1)])).toEqual([null, ...outShape.slice(1)]);
    expectClose(y, reference(x, outShape), { rtol: 0, atol: 0 });
  });
  it('has correct gradients, passes the generic layer test and a saved round trip', () => {
    checkLayerGradients(make(), x);
    const cls = make().constructor as unknown as { fromConfig(c: Record<string, unknown>): Layer };
    runLayerTest(make, { inputShape: inShape, expectedOutputShape: outShape, fromConfig: (c) => cls.fromConfig(c) });
    expectSavedRoundTrip(make(), x);
  });
});

describe('UpSampling2D bilinear', () => {
  it.each([[[2, 2]], [[3, 2]], [[1, 4]]] as [[number, number]][])("size %j matches tfjs-core's resizeBilinear with half-pixel centers (Keras 3), with correct gradients", (size) => {
    const x = randomTensor([2, 3, 4, 2], 6);
    const layer = new UpSampling2D(size, { interpolation: 'bilinear' });
    const y = layer.apply(x);
    const expected = tf.image.resizeBilinear(tf.tensor4d(x.values as Float32Array, x.shape as [number, number, number, number]), [3 * size[0], 4 * size[1]], false, true);
    expect(y.shape).toEqual(expected.shape);
    expectClose(y, expected.dataSync(), { rtol: 0, atol: 1e-6 });
    checkLayerGradients(layer, x);
    expectSavedRoundTrip(new UpSampling2D(size, { interpolation: 'bilinear' }), x);
  });
});

describe('reshaping arguments', () => {
  it('follow Keras defaults and config forms', () => {
    expect(new ZeroPadding2D().getConfig()).toMatchObject({ name: 'zero_padding2d', padding: [[1, 1], [1, 1]] });
    expect(new ZeroPadding1D().getConfig()).toMatchObject({ padding: [1, 1] });
    expect(new Cropping2D().getConfig()).toMatchObject({ cropping: [[0, 0], [0, 0]] });
    expect(new Cropping3D().getConfig()).toMatchObject({ cropping: [[1, 1], [1, 1], [1, 1]] });
    expect(new UpSampling1D().getConfig()).toMatchObject({ size: 2 });
    expect(new UpSampling2D().getConfig()).toMatchObject({ size: [2, 2], interpolation: 'nearest', dataFormat: 'channels_last' });
    expect(new RepeatVector(2).name).toBe('repeat_vector');
    expect(new ZeroPadding1D([[2, 1]]).padding).toEqual([[2, 1]]); // tfjs' nested 1-D form
  });
  it('reject bad values and inputs, naming the layer', () => {
    expect(() => new ZeroPadding2D([1, 2, 3])).toThrow(/padding must be a non-negative integer, a list of 2 of them, or 2 \[before, after\] pairs, got \[1,2,3\]/);
    expect(() => new Cropping1D({ name: 'c', cropping: [2, 2] }).apply(randomTensor([1, 4, 1], 1))).toThrow("Cropping1D 'c': cropping 2 + 2 from the steps axis of an input of shape [1, 4, 1] leaves nothing");
    // @ts-expect-error: bicubic is not supported
    expect(() => new UpSampling2D(2, { interpolation: 'bicubic' })).toThrow(/interpolation must be 'nearest' or 'bilinear'/);
    expect(() => new Permute([1, 3])).toThrow(/dims must be a permutation of 1..n/);
    expect(() => new Permute([2, 1], { name: 'p' }).apply(randomTensor([2, 2, 2, 2], 1))).toThrow("Permute 'p': dims [2,1] permute 2 axes, but the input of shape [2, 2, 2, 2] has 3 (plus the batch)");
    expect(() => new RepeatVector(0)).toThrow(/n must be a positive integer, got 0/);
    expect(() => new UpSampling3D(2, { name: 'u' }).apply(randomTensor([1, 2, 2, 2], 1))).toThrow("UpSampling3D 'u' expects a 5-D input [batch, depth, height, width, channels], got shape [1, 2, 2, 2]");
  });
});
