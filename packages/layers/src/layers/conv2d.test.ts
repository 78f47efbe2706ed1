import { beforeEach, describe, expect, it } from 'vitest';
import { add, conv2d, grads, maxPool, mul, relu, tanh, tensor, variableGrads } from '@minikeras/tensor';
import type { Tensor } from '@minikeras/tensor';
import { expectClose, randomTensor } from '@minikeras/test-utils';
import { Conv2D } from './conv2d';
import { MaxPooling2D } from './pooling';
import { clearSession } from '../engine/layer';
import { checkLayerGradients, runLayerTest } from '../testing/run-layer-test';

beforeEach(() => clearSession());

const fromConfig = (c: Record<string, unknown>) => new Conv2D(c.filters as number, c.kernelSize as [number, number], c);

/** An NHWC image [1, h, w, 1] from a row-major list. */
const image = (h: number, w: number, values: number[]) => tensor(values, [1, h, w, 1]);

describe('Conv2D', () => {
  it('passes the generic layer test', () => {
    runLayerTest(() => new Conv2D(4, 3, { activation: 'tanh' }), {
      inputShape: [2, 6, 6, 3], expectedOutputShape: [2, 4, 4, 4], expectedTrainableWeights: 2, expectedNonTrainableWeights: 0, fromConfig,
    });
    runLayerTest(() => new Conv2D(2, [3, 2], { strides: 2, padding: 'same', useBias: false }), {
      inputShape: [2, 5, 6, 1], expectedOutputShape: [2, 3, 3, 2], expectedTrainableWeights: 1, fromConfig,
    });
    runLayerTest(() => new Conv2D(3, 2, { dilationRate: 2 }), { inputShape: [1, 5, 5, 2], expectedOutputShape: [1, 3, 3, 3], fromConfig });
  });

  it('has a [kh, kw, inChannels, filters] kernel and Keras names', () => {
    const layer = new Conv2D(8, [3, 5]);
    layer.ensureBuilt([null, 10, 10, 2]);
    expect(layer.name).toBe('conv2d');
    expect(layer.kernel!.shape).toEqual([3, 5, 2, 8]);
    expect(layer.weights.map((w) => w.name)).toEqual(['conv2d/kernel', 'conv2d/bias']);
    expect(layer.countParams()).toBe(3 * 5 * 2 * 8 + 8);
    expect(new Conv2D(1, 1).name).toBe('conv2d_1');
  });

  it("computes a 'valid' cross-correlation plus bias", () => {
    const layer = new Conv2D(1, 2);
    layer.ensureBuilt([null, 3, 3, 1]);
    layer.setWeights([tensor([1, 2, 3, 4], [2, 2, 1, 1]), tensor([0.5])]);
    // x = [[1,2,3],[4,5,6],[7,8,9]], k = [[1,2],[3,4]]:
    // (0,0) = 1*1 + 2*2 + 4*3 + 5*4 = 37, (0,1) = 2 + 6 + 15 + 24 = 47,
    // (1,0) = 4 + 10 + 21 + 32 = 67,      (1,1) = 5 + 12 + 24 + 36 = 77; plus bias 0.5.
    const y = layer.apply(image(3, 3, [1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expectClose(y, [37.5, 47.5, 67.5, 77.5]);
  });

  it("pads 'same' as TensorFlow: output ceil(in / stride), the extra padding at the bottom/right", () => {
    const layer = new Conv2D(1, 3, { strides: 2, padding: 'same', kernelInitializer: 'ones', useBias: false });
    const x = image(4, 4, Array.from({ length: 16 }, (_, i) => i + 1));
    // Out 2x2; total padding (2-1)*2 + 3 - 4 = 1, all at the bottom/right, so windows start at rows/cols 0 and 2.
    // (0,0) rows 0-2 cols 0-2: 1+2+3 + 5+6+7 + 9+10+11 = 54;  (0,1) rows 0-2 cols 2-3: 3+4 + 7+8 + 11+12 = 45
    // (1,0) rows 2-3 cols 0-2: 9+10+11 + 13+14+15 = 72;      (1,1) rows 2-3 cols 2-3: 11+12 + 15+16 = 54
    expectClose(layer.apply(x), [54, 45, 72, 54]);
    expect(layer.computeOutputShape([null, 4, 4, 1])).toEqual([null, 2, 2, 1]);
  });

  it('mixes channels: a 1x1 convolution is a per-pixel matmul', () => {
    const layer = new Conv2D(2, 1, { activation: 'relu' });
    layer.ensureBuilt([null, 1, 2, 2]);
    layer.setWeights([tensor([[[[1, 2], [3, -4]]]]), tensor([0, 1])]);
    // pixel [1, 2]: [1*1 + 2*3, 1*2 + 2*(-4)] + [0, 1] = [7, -5] -> relu [7, 0]
    // pixel [-1, 1]: [-1 + 3, -2 - 4] + [0, 1] = [2, -5] -> relu [2, 0]
    expectClose(layer.apply(tensor([[[[1, 2], [-1, 1]]]])), [7, 0, 2, 0]);
  });

  it('dilates the kernel', () => {
    const layer = new Conv2D(1, [1, 2], { dilationRate: 2, kernelInitializer: 'ones', useBias: false });
    // y[j] = x[j] + x[j + 2]: [1+3, 2+4, 3+5]; width 5 - 2*(2-1) - 1 + 1 = 3
    expectClose(layer.apply(image(1, 5, [1, 2, 3, 4, 5])), [4, 6, 8]);
  });

  it("has correct gradients with 'same' padding and stride 2", () => {
    const layer = new Conv2D(3, 3, { strides: 2, padding: 'same', activation: 'tanh', biasInitializer: 'random_normal' });
    checkLayerGradients(layer, randomTensor([2, 5, 5, 2], 1));
  });

  it("has correct gradients with 'valid' padding, a rectangular kernel and dilation", () => {
    checkLayerGradients(new Conv2D(2, [2, 3], { biasInitializer: 'random_normal' }), randomTensor([1, 4, 5, 3], 2));
    checkLayerGradients(new Conv2D(2, 2, { dilationRate: [2, 1] }), randomTensor([2, 5, 4, 2], 3));
  });

  it('runs conv + bias + relu as one fused op, with the values and gradients of the three ops', () => {
    const layer = new Conv2D(4, 3, { activation: 'relu', biasInitializer: 'random_normal' });
    const x = randomTensor([2, 7, 6, 3], 4);
    const y = layer.apply(x);
    expect(y.node!.op).toBe('fusedConv2d'); // no separate add and relu nodes (and arrays) behind it
    const k = layer.kernel!, b = layer.bias!;
    expect(Array.from(y.values)).toEqual(Array.from(relu(add(conv2d(x, k, 1, 'valid'), b)).values));
    const dy = randomTensor(y.shape as number[], 5);
    const [gx] = grads((xx: Tensor) => mul(layer.apply(xx), dy).sum())(x);
    const { grads: gv } = variableGrads(() => mul(layer.apply(x), dy).sum(), [k, b]);
    const [ex, ek, eb] = grads((xx: Tensor, kk: Tensor, bb: Tensor) => mul(relu(add(conv2d(xx, kk, 1, 'valid'), bb)), dy).sum())(x, k, b);
    expectClose(gx!, ex!, { rtol: 1e-6, atol: 1e-7 });
    expectClose(gv.get(k)!, ek!, { rtol: 1e-6, atol: 1e-7 });
    expectClose(gv.get(b)!, eb!, { rtol: 1e-6, atol: 1e-7 });
  });

  it('a MaxPooling2D after it differentiates through both in one node, with the same gradients', () => {
    const conv = new Conv2D(3, 3, { activation: 'relu', biasInitializer: 'random_normal' });
    const pool = new MaxPooling2D(2);
    const x = randomTensor([2, 9, 8, 2], 7);
    const y = pool.apply(conv.apply(x));
    expect(y.node!.op).toBe('fusedConv2dMaxPool');
    const k = conv.kernel!, b = conv.bias!;
    const dy = randomTensor(y.shape as number[], 8);
    const { grads: got } = variableGrads(() => mul(pool.apply(conv.apply(x)), dy).sum(), [k, b]);
    const [ek, eb] = grads((kk: Tensor, bb: Tensor) => mul(maxPool(relu(add(conv2d(x, kk, 1, 'valid'), bb)), 2, 2, 'valid'), dy).sum())(k, b);
    expectClose(got.get(k)!, ek!, { rtol: 1e-6, atol: 1e-7 });
    expectClose(got.get(b)!, eb!, { rtol: 1e-6, atol: 1e-7 });
  });

  it('applies other activations after the fused conv + bias', () => {
    const layer = new Conv2D(2, 2, { activation: 'tanh', biasInitializer: 'random_normal' });
    const x = randomTensor([1, 4, 4, 2], 6);
    const y = layer.apply(x);
    expect(Array.from(y.values)).toEqual(Array.from(tanh(add(conv2d(x, layer.kernel!, 1, 'valid'), layer.bias!)).values));
    expect(y.values.some((v) => v < 0)).toBe(true); // tanh, not relu, was applied
  });

  it('keeps unknown spatial sizes symbolic', () => {
    expect(new Conv2D(5, 3).computeOutputShape([null, null, 8, 3])).toEqual([null, null, 6, 5]);
  });

  it('rejects bad arguments and inputs with errors naming the layer', () => {
    expect(() => new Conv2D(0, 3)).toThrow(/Conv2D 'conv2d.*': filters must be a positive integer, got 0/);
    expect(() => new Conv2D(2, [3, 0])).toThrow(/kernelSize must be a positive integer or a pair of positive integers, got \[3,0\]/);
    // @ts-expect-error: 'full' is not a Keras Conv2D padding
    expect(() => new Conv2D(2, 3, { padding: 'full' })).toThrow(/padding must be 'valid' or 'same', got "full"/);
    // @ts-expect-error: only channels_last is supported
    expect(() => new Conv2D(2, 3, { dataFormat: 'channels_first' })).toThrow(/only dataFormat 'channels_last'/);
    expect(() => new Conv2D(2, 3, { strides: 2, dilationRate: 2 })).toThrow(/strides > 1 cannot be combined with dilationRate > 1/);
    // @ts-expect-error: misspelled option
    expect(() => new Conv2D(2, 3, { stride: 2 })).toThrow(/unknown option 'stride' \(did you mean 'strides'\?\)/);
    const layer = new Conv2D(2, 3, { name: 'c' });
    expect(() => layer.apply(randomTensor([1, 2, 5, 1], 1))).toThrow(/Conv2D 'c': the input of shape \[null, 2, 5, 1\] is too small for a window of 3x3/);
    layer.ensureBuilt([null, 8, 8, 3]);
    expect(() => layer.apply(randomTensor([1, 8, 8, 1], 1))).toThrow("Conv2D 'c' expects input of shape [batch, height, width, 3], got [1,8,8,1]");
    expect(() => layer.apply(randomTensor([8, 8, 3], 1))).toThrow(/Conv2D 'c' expects input of shape/);
  });
});
