// 1-D and 3-D pooling and global pooling: float64 references (tfjs lacks GlobalPooling3D and masked
// averages), gradients, shapes, saved round trips, errors. tfjs-layers agreement: ../layer-set.tfjs.test.ts.
import { beforeEach, describe, expect, it } from 'vitest';
import { Tensor, tensor } from '@minikeras/tensor';
import { expectClose, randomTensor } from '@minikeras/test-utils';
import { clearSession } from '../../engine/layer';
import type { Layer } from '../../engine/layer';
import { checkLayerGradients, runLayerTest } from '../../testing/run-layer-test';
import { expectSavedRoundTrip } from '../../testing/layer-checks';
import { Embedding } from '../embedding';
import {
  AveragePooling1D, AveragePooling3D, GlobalAveragePooling1D, GlobalAveragePooling3D, GlobalMaxPooling1D, GlobalMaxPooling3D, MaxPooling1D, MaxPooling3D,
} from './pooling';
import { Sequential } from '../../models/sequential';

beforeEach(() => clearSession());

/** Float64 reduction of x [b, ...spatial, c] over the spatial axes, per (batch, channel). */
function globalReference(x: Tensor, reduce: (v: number[]) => number): number[] {
  const b = x.shape[0]!, c = x.shape.at(-1)!, n = x.size / (b * c);
  const out: number[] = [];
  for (let i = 0; i < b; i++) for (let k = 0; k < c; k++) out.push(reduce(Array.from({ length: n }, (_, j) => x.values[(i * n + j) * c + k]!)));
  return out;
}
const meanOf = (v: number[]) => v.reduce((p, q) => p + q, 0) / v.length;
const maxOf = (v: number[]) => Math.max(...v);

/** Windowed 1-D pooling in float64 with TensorFlow's 'same' rule (padding left out of averages). */
function pool1dReference(x: Tensor, size: number, stride: number, padding: 'valid' | 'same', reduce: (v: number[]) => number): number[] {
  const [b, l, c] = x.shape as [number, number, number];
  const out = padding === 'same' ? Math.ceil(l / stride) : Math.floor((l - size) / stride) + 1;
  const before = padding === 'same' ? Math.floor(Math.max((out - 1) * stride + size - l, 0) / 2) : 0;
  const res: number[] = [];
  for (let i = 0; i < b; i++) for (let t = 0; t < out; t++) for (let k = 0; k < c; k++) {
    const v: number[] = [];
    for (let j = 0; j < size; j++) { const p = t * stride - before + j; if (p >= 0 && p < l) v.push(x.values[(i * l + p) * c + k]!); }
    res.push(reduce(v));
  }
  return res;
}

describe.each<[string, () => Layer, number[], number[], ((x: Tensor) => number[])]>([
  ['MaxPooling1D same 3/2', () => new MaxPooling1D(3, { strides: 2, padding: 'same' }), [2, 8, 3], [2, 4, 3], (x) => pool1dReference(x, 3, 2, 'same', maxOf)],
  ['AveragePooling1D same 3/2', () => new AveragePooling1D({ poolSize: 3, strides: 2, padding: 'same' }), [2, 7, 2], [2, 4, 2], (x) => pool1dReference(x, 3, 2, 'same', meanOf)],
  ['AveragePooling1D valid', () => new AveragePooling1D(), [2, 7, 2], [2, 3, 2], (x) => pool1dReference(x, 2, 2, 'valid', meanOf)],
  ['MaxPooling3D', () => new MaxPooling3D([2, 2, 1]), [2, 4, 4, 2, 2], [2, 2, 2, 2, 2], () => []],
  ['AveragePooling3D same', () => new AveragePooling3D(2, { padding: 'same', strides: 1 }), [1, 3, 3, 2, 2], [1, 3, 3, 2, 2], () => []],
  ['GlobalAveragePooling1D', () => new GlobalAveragePooling1D(), [2, 5, 3], [2, 3], (x) => globalReference(x, meanOf)],
  ['GlobalMaxPooling1D keepdims', () => new GlobalMaxPooling1D({ keepdims: true }), [2, 5, 3], [2, 1, 3], (x) => globalReference(x, maxOf)],
  ['GlobalAveragePooling3D', () => new GlobalAveragePooling3D(), [2, 3, 2, 2, 3], [2, 3], (x) => globalReference(x, meanOf)],
  ['GlobalMaxPooling3D keepdims', () => new GlobalMaxPooling3D({ keepdims: true }), [2, 3, 2, 2, 3], [2, 1, 1, 1, 3], (x) => globalReference(x, maxOf)],
])('%s', (_name, make, inShape, outShape, reference) => {
  const x = randomTensor(inShape, 3);
  it('computes the float64 reference (3-D windows: see layer-set.tfjs.test.ts)', () => {
    const expected = reference(x);
    const y = make().apply(x);
    expect(y.shape).toEqual(outShape);
    if (expected.length > 0) expectClose(y, expected, { rtol: 1e-6, atol: 1e-7 });
  });
  it('has correct gradients, passes the generic layer test and a saved round trip', () => {
    checkLayerGradients(make(), x);
    runLayerTest(make, { inputShape: inShape, expectedOutputShape: outShape });
    expectSavedRoundTrip(make(), x);
  });
});

describe('GlobalAveragePooling1D with a mask', () => {
  it('averages only the unmasked steps (Keras), with correct gradients, and passes no mask on', () => {
    const x = randomTensor([2, 4, 3], 5);
    const mask = tensor([1, 1, 0, 0, 1, 0, 1, 1], [2, 4]);
    const layer = new GlobalAveragePooling1D();
    const y = layer.apply(x, { mask });
    const expected: number[] = [];
    for (let b = 0; b < 2; b++) for (let c = 0; c < 3; c++) {
      const kept = [0, 1, 2, 3].filter((t) => mask.values[b * 4 + t] === 1);
      expected.push(kept.reduce((p, t) => p + x.values[(b * 4 + t) * 3 + c]!, 0) / kept.length);
    }
    expectClose(y, expected, { rtol: 1e-6, atol: 1e-7 });
    expect(layer.computeMask()).toBeNull();
  });
  it('follows an Embedding with maskZero in a model: padding ids do not count', () => {
    const model = new Sequential([new Embedding(5, 2, { maskZero: true, inputShape: [4] }), new GlobalAveragePooling1D()]);
    const emb = model.layers[0]!.getWeights()[0]!.values;
    const y = model.predict(tensor([[3, 1, 0, 0]]));
    expectClose(y, [(emb[6]! + emb[2]!) / 2, (emb[7]! + emb[3]!) / 2], { rtol: 1e-6, atol: 1e-7 });
  });
});

describe('pooling arguments', () => {
  it('follow Keras defaults and names', () => {
    expect(new MaxPooling1D().getConfig()).toMatchObject({ name: 'max_pooling1d', poolSize: [2], strides: [2], padding: 'valid', dataFormat: 'channels_last' });
    expect(new AveragePooling3D(3).getConfig()).toMatchObject({ poolSize: [3, 3, 3], strides: [3, 3, 3] });
    expect(new GlobalAveragePooling1D().getConfig()).toMatchObject({ name: 'global_average_pooling1d', keepdims: false });
    expect(new MaxPooling1D({ poolSize: [3], strides: [1] }).poolSize).toEqual([3]); // tfjs' one-element lists
  });
  it('reject bad values and inputs, naming the layer', () => {
    expect(() => new MaxPooling3D([2, 2])).toThrow(/poolSize must be a positive integer or a list of 3 positive integers, got \[2,2\]/);
    // @ts-expect-error: 'causal' is not a pooling padding
    expect(() => new AveragePooling1D({ padding: 'causal' })).toThrow(/padding must be 'valid' or 'same'/);
    expect(() => new MaxPooling1D(2, { name: 'm' }).apply(randomTensor([2, 4, 4, 1], 1))).toThrow("MaxPooling1D 'm' expects a 3-D input [batch, steps, channels], got shape [2, 4, 4, 1]");
    expect(() => new GlobalMaxPooling3D({ name: 'g' }).apply(randomTensor([2, 4, 4], 1))).toThrow("GlobalMaxPooling3D 'g' expects a 5-D input [batch, depth, height, width, channels], got shape [2,4,4]");
    expect(() => new MaxPooling1D(5, { name: 'w' }).apply(randomTensor([1, 3, 1], 1))).toThrow(/'w': the input of shape \[1, 3, 1\] is too small for a window of 5/);
  });
});
