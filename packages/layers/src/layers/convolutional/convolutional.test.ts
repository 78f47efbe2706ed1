// Convolution layers against tfjs-core 4.22 ops for the options tfjs-layers lacks (groups, causal padding,
// dilated depthwise/separable, 1-D depthwise/separable/transposed, output padding, dilated transposed
// convolutions, computed as the vector-Jacobian product of tf.conv*), plus gradients, shapes, saved round
// trips and errors. Plain tfjs-layers agreement is in ../layer-set.tfjs.test.ts.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tf.grad needs the gradient registrations (tfjs-layers normally brings them).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { Tensor, noGrad } from '@minikeras/tensor';
import { randomTensor } from '@minikeras/test-utils';
import { clearSession } from '../../engine/layer';
import type { Layer } from '../../engine/layer';
import { checkLayerGradients, runLayerTest } from '../../testing/run-layer-test';
import { expectSavedRoundTrip } from '../../testing/layer-checks';
import { Conv2D } from '../conv2d';
import { Conv1D, Conv3D } from './base-conv';
import { Conv1DTranspose, Conv2DTranspose, Conv3DTranspose } from './conv-transpose';
import { DepthwiseConv1D, DepthwiseConv2D, SeparableConv1D, SeparableConv2D } from './depthwise';
import '../../models/sequential';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(() => clearSession());

const T = (t: Tensor) => tf.tensor(t.values as Float32Array, t.shape as number[]);
type W = tf.Tensor[];
type Ref = (x: tf.Tensor, w: W) => tf.Tensor;

/** Adds the bias (last weight) when the layer has one. */
const withBias = (y: tf.Tensor, w: W, n: number) => (w.length > n ? tf.add(y, w[n]!) : y);

/** Grouped convolution: each group of input channels convolved with its slice of the filters, concatenated. */
function grouped(x: tf.Tensor, k: tf.Tensor, groups: number, conv: (x: tf.Tensor, k: tf.Tensor) => tf.Tensor): tf.Tensor {
  const inPer = k.shape.at(-2)!, outPer = k.shape.at(-1)! / groups;
  const r = x.rank;
  const parts = Array.from({ length: groups }, (_, g) => {
    const xs = tf.slice(x, [...Array(r - 1).fill(0), g * inPer], [...x.shape.slice(0, -1), inPer]);
    const ks = tf.slice(k, [...Array(k.rank - 1).fill(0), g * outPer], [...k.shape.slice(0, -1), outPer]);
    return conv(xs, ks);
  });
  return tf.concat(parts, -1);
}

/** A transposed convolution as the vector-Jacobian product of the forward convolution (its definition). */
function transposeRef(x: tf.Tensor, outShape: number[], forward: (y: tf.Tensor) => tf.Tensor): tf.Tensor {
  return tf.grad((y: tf.Tensor) => tf.sum(tf.mul(forward(y), x)))(tf.zeros(outShape));
}

/** A 4-D kernel [kh, kw, a, b] dilated by inserting zeros (tfjs' conv2d gradient has no dilation). */
function dilate(w: tf.Tensor, dh: number, dw: number): tf.Tensor4D {
  const [kh, kw, a, b] = w.shape as [number, number, number, number];
  const out = tf.buffer([dh * (kh - 1) + 1, dw * (kw - 1) + 1, a, b]);
  const v = w.arraySync() as number[][][][];
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let p = 0; p < a; p++) for (let q = 0; q < b; q++) out.set(v[i]![j]![p]![q]!, i * dh, j * dw, p, q);
  return out.toTensor() as tf.Tensor4D;
}

/** 1-D tensors as height-1 images for tfjs' 2-D ops. */
const to2d = (t: tf.Tensor) => tf.expandDims(t, 1) as tf.Tensor4D;
const from2d = (t: tf.Tensor) => tf.squeeze(t, [1]);

interface Case { make: () => Layer; shape: number[]; ref: Ref }

const rn = 'random_normal' as const;
const CASES: Record<string, Case> = {
  'Conv1D causal dilation 2': {
    make: () => new Conv1D(3, 3, { padding: 'causal', dilationRate: 2, biasInitializer: rn }), shape: [2, 9, 2],
    ref: (x, w) => withBias(tf.conv1d(tf.pad(x, [[0, 0], [4, 0], [0, 0]]) as tf.Tensor3D, w[0] as tf.Tensor3D, 1, 'valid', 'NWC', 2), w, 1),
  },
  'Conv1D causal stride 2': {
    make: () => new Conv1D(2, 2, { padding: 'causal', strides: 2, biasInitializer: rn }), shape: [2, 7, 3],
    ref: (x, w) => withBias(tf.conv1d(tf.pad(x, [[0, 0], [1, 0], [0, 0]]) as tf.Tensor3D, w[0] as tf.Tensor3D, 2, 'valid'), w, 1),
  },
  'Conv1D groups 2 same': {
    make: () => new Conv1D(4, 3, { groups: 2, padding: 'same', biasInitializer: rn }), shape: [2, 6, 4],
    ref: (x, w) => withBias(grouped(x, w[0]!, 2, (a, k) => tf.conv1d(a as tf.Tensor3D, k as tf.Tensor3D, 1, 'same')), w, 1),
  },
  'Conv2D groups 3 stride 2': {
    make: () => new Conv2D(6, 3, { groups: 3, strides: 2, padding: 'same', activation: 'relu', biasInitializer: rn }), shape: [2, 7, 6, 3],
    ref: (x, w) => tf.relu(withBias(grouped(x, w[0]!, 3, (a, k) => tf.conv2d(a as tf.Tensor4D, k as tf.Tensor4D, 2, 'same')), w, 1)),
  },
  'Conv2D groups 2 dilation 2': {
    make: () => new Conv2D(4, [2, 3], { groups: 2, dilationRate: 2, biasInitializer: rn }), shape: [1, 7, 8, 4],
    ref: (x, w) => withBias(grouped(x, w[0]!, 2, (a, k) => tf.conv2d(a as tf.Tensor4D, k as tf.Tensor4D, 1, 'valid', 'NHWC', 2)), w, 1),
  },
  'Conv3D groups 2': {
    make: () => new Conv3D(4, 2, { groups: 2, biasInitializer: rn }), shape: [2, 3, 4, 3, 2],
    ref: (x, w) => withBias(grouped(x, w[0]!, 2, (a, k) => tf.conv3d(a as tf.Tensor5D, k as tf.Tensor5D, 1, 'valid')), w, 1),
  },
  'Conv1DTranspose valid stride 2': {
    make: () => new Conv1DTranspose(3, 3, { strides: 2, biasInitializer: rn }), shape: [2, 4, 2],
    ref: (x, w) => withBias(from2d(transposeRef(to2d(x), [2, 1, 9, 3], (y) => tf.conv2d(y as tf.Tensor4D, tf.expandDims(w[0]!, 0) as tf.Tensor4D, 2, 'valid'))), w, 1),
  },
  'Conv1DTranspose same outputPadding 1': {
    make: () => new Conv1DTranspose(2, 3, { strides: 2, padding: 'same', outputPadding: 1, biasInitializer: rn }), shape: [2, 4, 3],
    // Keras 3: (4 - 1) * 2 + 3 - 2 * 1 + 1 = 8 = 4 * 2.
    ref: (x, w) => withBias(from2d(transposeRef(to2d(x), [2, 1, 8, 2], (y) => tf.conv2d(y as tf.Tensor4D, tf.expandDims(w[0]!, 0) as tf.Tensor4D, 2, 'same'))), w, 1),
  },
  'Conv1DTranspose dilation 2': {
    make: () => new Conv1DTranspose(2, 3, { dilationRate: 2, biasInitializer: rn }), shape: [1, 5, 2],
    ref: (x, w) => withBias(from2d(transposeRef(to2d(x), [1, 1, 9, 2], (y) => tf.conv2d(y as tf.Tensor4D, dilate(tf.expandDims(w[0]!, 0), 1, 2), 1, 'valid'))), w, 1),
  },
  'Conv2DTranspose valid outputPadding [1, 2]': {
    make: () => new Conv2DTranspose(2, 3, { strides: 3, outputPadding: [1, 2], biasInitializer: rn }), shape: [2, 3, 2, 2],
    // (3 - 1) * 3 + 3 + 1 = 10, (2 - 1) * 3 + 3 + 2 = 8
    ref: (x, w) => withBias(transposeRef(x, [2, 10, 8, 2], (y) => tf.conv2d(y as tf.Tensor4D, w[0] as tf.Tensor4D, 3, 'valid')), w, 1),
  },
  'Conv2DTranspose same dilation 2': {
    make: () => new Conv2DTranspose(3, 3, { padding: 'same', dilationRate: 2, activation: 'tanh', biasInitializer: rn }), shape: [2, 4, 3, 2],
    ref: (x, w) => tf.tanh(withBias(transposeRef(x, [2, 4, 3, 3], (y) => tf.conv2d(y as tf.Tensor4D, dilate(w[0]!, 2, 2), 1, 'same')), w, 1)),
  },
  'Conv3DTranspose valid stride [2, 1, 2] outputPadding [1, 0, 0]': {
    make: () => new Conv3DTranspose(2, 2, { strides: [2, 1, 2], outputPadding: [1, 0, 0], biasInitializer: rn }), shape: [1, 2, 3, 2, 2],
    ref: (x, w) => withBias(transposeRef(x, [1, 5, 4, 4, 2], (y) => tf.conv3d(y as tf.Tensor5D, w[0] as tf.Tensor5D, [2, 1, 2], 'valid')), w, 1),
  },
  'DepthwiseConv2D valid dilation 2 multiplier 2': {
    make: () => new DepthwiseConv2D([3, 2], { dilationRate: 2, depthMultiplier: 2, biasInitializer: rn }), shape: [2, 7, 6, 2],
    ref: (x, w) => withBias(tf.depthwiseConv2d(x as tf.Tensor4D, w[0] as tf.Tensor4D, 1, 'valid', 'NHWC', 2), w, 1),
  },
  'DepthwiseConv2D same stride 2 dilation-free, relu6': {
    make: () => new DepthwiseConv2D(3, { strides: 2, padding: 'same', activation: 'relu6', biasInitializer: rn }), shape: [2, 6, 5, 3],
    ref: (x, w) => tf.relu6(withBias(tf.depthwiseConv2d(x as tf.Tensor4D, w[0] as tf.Tensor4D, 2, 'same'), w, 1)),
  },
  'DepthwiseConv1D same multiplier 3': {
    make: () => new DepthwiseConv1D(3, { padding: 'same', depthMultiplier: 3, biasInitializer: rn }), shape: [2, 7, 2],
    ref: (x, w) => withBias(from2d(tf.depthwiseConv2d(to2d(x), tf.expandDims(w[0]!, 0) as tf.Tensor4D, 1, 'same')), w, 1),
  },
  'DepthwiseConv1D valid stride 2': {
    make: () => new DepthwiseConv1D(2, { strides: 2, biasInitializer: rn }), shape: [2, 7, 3],
    ref: (x, w) => withBias(from2d(tf.depthwiseConv2d(to2d(x), tf.expandDims(w[0]!, 0) as tf.Tensor4D, [1, 2], 'valid')), w, 1),
  },
  'SeparableConv2D multiplier 2 dilation 2': {
    make: () => new SeparableConv2D(4, 3, { depthMultiplier: 2, dilationRate: 2, padding: 'same', biasInitializer: rn }), shape: [2, 6, 6, 3],
    ref: (x, w) => withBias(tf.separableConv2d(x as tf.Tensor4D, w[0] as tf.Tensor4D, w[1] as tf.Tensor4D, 1, 'same', 2), w, 2),
  },
  'SeparableConv1D multiplier 2 stride 2': {
    make: () => new SeparableConv1D(3, 3, { depthMultiplier: 2, strides: 2, biasInitializer: rn }), shape: [2, 9, 2],
    ref: (x, w) => withBias(from2d(tf.separableConv2d(to2d(x), tf.expandDims(w[0]!, 0) as tf.Tensor4D, tf.expandDims(w[1]!, 0) as tf.Tensor4D, [1, 2], 'valid')), w, 2),
  },
};

let worst = 0;

describe.each(Object.entries(CASES))('%s', (_name, c) => {
  it('matches tfjs-core within 1e-5', () => {
    const layer = c.make();
    const x = randomTensor(c.shape, 3);
    const y = noGrad(() => layer.apply(x));
    const expected = c.ref(T(x), layer.getWeights().map(T));
    expect(y.shape).toEqual(expected.shape);
    expect(layer.computeOutputShape([null, ...c.shape.slice(1)])).toEqual([null, ...expected.shape.slice(1)]);
    const e = expected.dataSync();
    let d = 0;
    for (let i = 0; i < e.length; i++) d = Math.max(d, Math.abs(e[i]! - y.values[i]!));
    worst = Math.max(worst, d);
    expect(d).toBeLessThanOrEqual(1e-5);
  });
  it('has correct gradients for the input and every weight (finite differences)', () => {
    const layer = c.make();
    // A small step keeps the central differences off the relu/relu6 kinks of the pre-activations.
    checkLayerGradients(layer, randomTensor(c.shape, 5), { eps: 1e-3 });
  });
  it('passes the generic layer test and a saved round trip', () => {
    const shape = c.shape;
    const probe = c.make();
    const out = noGrad(() => probe.apply(randomTensor(shape, 1)));
    const cls = probe.constructor as unknown as { fromConfig(c: Record<string, unknown>): Layer };
    runLayerTest(c.make, { inputShape: shape, expectedOutputShape: out.shape as number[], fromConfig: (cfg) => cls.fromConfig(cfg) });
    expectSavedRoundTrip(c.make(), randomTensor(shape, 2));
  });
});

describe('convolution layer arguments', () => {
  it('print the max difference from tfjs-core', () => {
    console.log(`convolutions vs tfjs-core 4.22: ${Object.keys(CASES).length} cases, max |difference| ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(1e-5);
  });
  it('have Keras layer names', () => {
    expect(new Conv1D(2, 3).name).toBe('conv1d');
    expect(new Conv2DTranspose(2, 3).name).toBe('conv2d_transpose');
    expect(new DepthwiseConv2D(3).name).toBe('depthwise_conv2d');
    expect(new SeparableConv1D(2, 3).name).toBe('separable_conv1d');
  });
  it('have Keras kernel layouts, weight names and defaults', () => {
    const build = (l: Layer, shape: (number | null)[]) => { l.ensureBuilt(shape); return l.weights.map((w) => `${w.name.split('/')[1]}:${w.shape.join('x')}`); };
    expect(build(new Conv1D(8, 3, { groups: 2 }), [null, 10, 4])).toEqual(['kernel:3x2x8', 'bias:8']);
    expect(build(new Conv3D(2, [1, 2, 3]), [null, 4, 4, 4, 5])).toEqual(['kernel:1x2x3x5x2', 'bias:2']);
    expect(build(new Conv2DTranspose(6, 3), [null, 4, 4, 5])).toEqual(['kernel:3x3x6x5', 'bias:6']);
    expect(build(new DepthwiseConv2D(3, { depthMultiplier: 2 }), [null, 8, 8, 3])).toEqual(['depthwise_kernel:3x3x3x2', 'bias:6']);
    expect(build(new SeparableConv1D(4, 3, { useBias: false }), [null, 8, 3])).toEqual(['depthwise_kernel:3x3x1', 'pointwise_kernel:1x3x4']);
    expect(new Conv1D(4, 3).getConfig()).toMatchObject({ strides: [1], padding: 'valid', dilationRate: [1], groups: 1, activation: 'linear', useBias: true, kernelConstraint: null });
    expect(new Conv2DTranspose(4, 3).getConfig()).toMatchObject({ outputPadding: null, strides: [1, 1] });
    expect(new Conv2D(4, 3).getConfig()).toMatchObject({ groups: 1 });
  });
  it('accept the keys Keras and tfjs write when off, and refuse them on', () => {
    expect(() => new Conv1D(2, 3, { kernelConstraint: null, biasConstraint: null, activityRegularizer: null, loraRank: null, dataFormat: 'channels_last' })).not.toThrow();
    // @ts-expect-error: constraints are not supported
    expect(() => new Conv1D(2, 3, { name: 'c', kernelConstraint: { className: 'MaxNorm' } })).toThrow("Conv1D 'c': option 'kernelConstraint' = {\"className\":\"MaxNorm\"} is not supported by minikeras (only null/unset)");
    // @ts-expect-error: channels_first is not supported
    expect(() => new Conv3D(2, 3, { dataFormat: 'channels_first' })).toThrow(/only dataFormat 'channels_last' is supported/);
    // @ts-expect-error: 'causal' is for Conv1D only
    expect(() => new Conv3D(2, 3, { padding: 'causal' })).toThrow(/padding must be 'valid' or 'same', got "causal"/);
  });
  it('reject what Keras rejects, naming the layer', () => {
    expect(() => new Conv1D(3, 3, { groups: 2, name: 'g' })).toThrow("Conv1D 'g': filters (3) must be divisible by groups (2)");
    expect(() => new Conv2D(4, 3, { groups: 2, name: 'g2' }).ensureBuilt([null, 5, 5, 3])).toThrow("Conv2D 'g2': the input channels (3) must be divisible by groups (2)");
    expect(() => new Conv2DTranspose(2, 3, { strides: 2, dilationRate: 2 })).toThrow(/strides > 1 cannot be combined with dilationRate > 1/);
    expect(() => new Conv1DTranspose(2, 3, { strides: 2, outputPadding: 2 })).toThrow(/outputPadding \[2\] must be smaller than the strides \[2\]/);
    expect(() => new SeparableConv2D(2, 3, { depthMultiplier: 0 })).toThrow(/depthMultiplier must be a positive integer, got 0/);
    expect(() => new Conv1D(2, 5, { name: 'short' }).apply(randomTensor([1, 3, 2], 1))).toThrow("Conv1D 'short': the input of shape [null, 3, 2] is too small for a window of 5 (dilation 1) with 'valid' padding");
    const c = new Conv3D(2, 2, { name: 'v' });
    c.ensureBuilt([null, 3, 3, 3, 2]);
    expect(() => c.apply(randomTensor([1, 3, 3, 3, 4], 1))).toThrow("Conv3D 'v' expects input of shape [batch, depth, height, width, 2], got [1,3,3,3,4]");
    expect(() => new DepthwiseConv2D(3, { name: 'd' }).apply(randomTensor([2, 5, 5], 1))).toThrow("DepthwiseConv2D 'd' expects a 4-D input [batch, height, width, channels], got shape [null, 5, 5]");
  });
  it('keep unknown lengths symbolic', () => {
    expect(new Conv1D(4, 3, { padding: 'causal' }).computeOutputShape([null, null, 2])).toEqual([null, null, 4]);
    expect(new Conv2DTranspose(4, 3, { strides: 2 }).computeOutputShape([null, null, 5, 2])).toEqual([null, null, 11, 4]);
  });
});
