/**
 * conv1d/conv3d, grouped conv2d, the transposed convolutions, depthwise/separable convolutions, 1-D/3-D pooling,
 * resizing, repeat and relu with options: forward values against TensorFlow.js 4.22 (tfjs-core on its CPU
 * backend, a test-only oracle) on random inputs within 1e-5, and, where tfjs has no such option (groups,
 * outputPadding, dilated transposed convolutions), against float64 loops written here from Keras' definition.
 * Gradients are in gradcheck.test.ts; error messages at the end.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { expectClose, randomTensor } from '@minikeras/test-utils';
import * as mk from '../index';
import type { Tensor } from '../index';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const TOL = { rtol: 1e-5, atol: 1e-5 };

let seed = 100;
/** A random minikeras tensor and the same values as a tfjs tensor. */
function pair(shape: number[]): [Tensor, tf.Tensor] {
  const t = randomTensor(shape, seed++);
  return [t, tf.tensor(Float32Array.from(t.values), shape)];
}

function expectTf(actual: Tensor, expected: tf.Tensor, label: string): void {
  expect(actual.shape, `${label} shape`).toEqual(expected.shape);
  expectClose(actual, expected.dataSync() as Float32Array, { ...TOL, label });
}

// ---------------------------------------------------------------------------------------------------------
// Float64 references from Keras' definitions.

/** Output length of a forward convolution (Keras / TensorFlow): 'same' ceil(in / s), 'valid' ceil((in - k_eff + 1) / s). */
function convLength(inSize: number, k: number, s: number, d: number, pad: 'valid' | 'same' | 'causal'): { out: number; before: number } {
  const eff = (k - 1) * d + 1;
  if (pad === 'same') {
    const out = Math.ceil(inSize / s);
    return { out, before: Math.floor(Math.max((out - 1) * s + eff - inSize, 0) / 2) };
  }
  if (pad === 'causal') return { out: Math.ceil(inSize / s), before: eff - 1 };
  return { out: Math.ceil((inSize - eff + 1) / s), before: 0 };
}

/**
 * Grouped N-d convolution (any number of spatial axes), float64, straight from the definition:
 * y[b, o..., g*og + j] = sum over taps and the group's input channels of x[b, o*s + k*d - pad, g*cg + i] * w[k..., i, g*og + j].
 */
function refConv(x: Tensor, w: Tensor, strides: number[], dil: number[], pads: ('valid' | 'same' | 'causal')[], groups: number): { values: Float64Array; shape: number[] } {
  const sp = x.rank - 2;
  const inSizes = x.shape.slice(1, 1 + sp), ks = w.shape.slice(0, sp);
  const c = x.shape[x.rank - 1]!, cg = w.shape[sp]!, oc = w.shape[sp + 1]!, og = oc / groups;
  expect(cg * groups).toBe(c);
  const geo = inSizes.map((n, i) => convLength(n, ks[i]!, strides[i]!, dil[i]!, pads[i]!));
  const outSizes = geo.map((a) => a.out);
  const batch = x.shape[0]!;
  const out = new Float64Array(batch * outSizes.reduce((p, v) => p * v, 1) * oc);
  const nOut = outSizes.reduce((p, v) => p * v, 1), nTap = ks.reduce((p, v) => p * v, 1);
  const unravel = (i: number, dims: readonly number[]) => {
    const r: number[] = [];
    for (let a = dims.length - 1; a >= 0; a--) { r.unshift(i % dims[a]!); i = Math.floor(i / dims[a]!); }
    return r;
  };
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < nOut; o++) {
      const op = unravel(o, outSizes);
      for (let t = 0; t < nTap; t++) {
        const kp = unravel(t, ks);
        const ip = op.map((v, a) => v * strides[a]! + kp[a]! * dil[a]! - geo[a]!.before);
        if (ip.some((v, a) => v < 0 || v >= inSizes[a]!)) continue;
        const xi = ip.reduce((acc, v, a) => acc * inSizes[a]! + v, b);
        for (let grp = 0; grp < groups; grp++) {
          for (let i = 0; i < cg; i++) {
            const xv = x.values[xi * c + grp * cg + i]!;
            for (let j = 0; j < og; j++) {
              out[(b * nOut + o) * oc + grp * og + j]! += xv * w.values[(t * cg + i) * oc + grp * og + j]!;
            }
          }
        }
      }
    }
  }
  return { values: out, shape: [batch, ...outSizes, oc] };
}

/**
 * Keras 3's transposed convolution, float64, the way its JAX backend computes it: insert stride - 1 zeros
 * between input cells, pad (left, right) from `compute_conv_transpose_padding_args_for_jax`, and correlate with
 * the spatially flipped kernel [k..., outC, inC].
 */
function refConvTranspose(x: Tensor, w: Tensor, strides: number[], pad: 'valid' | 'same', outputPadding: (number | null)[], dil: number[]): { values: Float64Array; shape: number[] } {
  const sp = x.rank - 2;
  const inSizes = x.shape.slice(1, 1 + sp), ks = w.shape.slice(0, sp);
  const ic = x.shape[x.rank - 1]!, oc = w.shape[sp]!;
  const lr = inSizes.map((_, a) => {
    const eff = (ks[a]! - 1) * dil[a]! + 1, s = strides[a]!, op = outputPadding[a]!;
    if (pad === 'valid') {
      const extra = op ?? Math.max(eff, s) - eff;
      return [eff - 1, eff - 1 + extra] as const;
    }
    const len = op === null ? s + eff - 2 : eff + (eff % 2) - 2 + op;
    const left = Math.min(Math.floor(len / 2) + (len % 2), eff - 1);
    return [left, len - left] as const;
  });
  const outSizes = inSizes.map((n, a) => (n - 1) * strides[a]! + 1 + lr[a]![0] + lr[a]![1] - ((ks[a]! - 1) * dil[a]! + 1) + 1);
  const batch = x.shape[0]!;
  const nOut = outSizes.reduce((p, v) => p * v, 1), nTap = ks.reduce((p, v) => p * v, 1);
  const out = new Float64Array(batch * nOut * oc);
  const unravel = (i: number, dims: readonly number[]) => {
    const r: number[] = [];
    for (let a = dims.length - 1; a >= 0; a--) { r.unshift(i % dims[a]!); i = Math.floor(i / dims[a]!); }
    return r;
  };
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < nOut; o++) {
      const op = unravel(o, outSizes);
      for (let t = 0; t < nTap; t++) {
        const kp = unravel(t, ks);
        // Position in the dilated, padded input; it holds x[j] when (pos - left) = j * stride.
        const pos = op.map((v, a) => v + kp[a]! * dil[a]! - lr[a]![0]);
        if (pos.some((p, a) => p < 0 || p % strides[a]! !== 0 || p / strides[a]! >= inSizes[a]!)) continue;
        const xi = pos.reduce((acc, p, a) => acc * inSizes[a]! + p / strides[a]!, b);
        const flipped = kp.map((k, a) => ks[a]! - 1 - k).reduce((acc, k, a) => acc * ks[a]! + k, 0);
        for (let co = 0; co < oc; co++) {
          for (let ci = 0; ci < ic; ci++) {
            out[(b * nOut + o) * oc + co]! += x.values[xi * ic + ci]! * w.values[(flipped * oc + co) * ic + ci]!;
          }
        }
      }
    }
  }
  return { values: out, shape: [batch, ...outSizes, oc] };
}

/** Keras' `compute_conv_transpose_output_shape` for one axis (conv_utils.deconv_output_length). */
function kerasDeconvLength(n: number, k: number, pad: 'valid' | 'same', op: number | null, s: number, d: number): number {
  const eff = k + (k - 1) * (d - 1);
  if (op === null) return pad === 'valid' ? n * s + Math.max(eff - s, 0) : n * s;
  const p = pad === 'same' ? Math.floor(eff / 2) : 0;
  return (n - 1) * s + eff - 2 * p + op;
}

function expectRef(actual: Tensor, ref: { values: Float64Array; shape: number[] }, label: string): void {
  expect(actual.shape, `${label} shape`).toEqual(ref.shape);
  expectClose(actual, ref.values, { ...TOL, label });
}

// ---------------------------------------------------------------------------------------------------------

describe('conv1d against tf.conv1d', () => {
  const cases: [string, number[], number[], number, 'valid' | 'same', number][] = [
    ['valid', [2, 9, 3], [3, 3, 4], 1, 'valid', 1],
    ['same, stride 2, odd length', [2, 11, 2], [4, 2, 3], 2, 'same', 1],
    ['valid, stride 3', [1, 10, 3], [2, 3, 2], 3, 'valid', 1],
    ['same, dilation 2', [2, 8, 2], [3, 2, 3], 1, 'same', 2],
    ['valid, dilation 3', [1, 12, 1], [3, 1, 2], 1, 'valid', 3],
  ];
  for (const [name, xs, ws, s, pad, d] of cases) {
    it(name, () => {
      const [x, tx] = pair(xs), [w, tw] = pair(ws);
      expectTf(mk.conv1d(x, w, s, pad, d), tf.conv1d(tx as tf.Tensor3D, tw as tf.Tensor3D, s, pad, 'NWC', d), name);
    });
  }

  it("'causal' is tf.conv1d 'valid' on the input padded by dilation * (kernel - 1) on the left (Keras)", () => {
    for (const [s, d, k] of [[1, 1, 3], [1, 2, 3], [2, 1, 4], [3, 1, 2]] as const) {
      const [x, tx] = pair([2, 10, 2]), [w, tw] = pair([k, 2, 3]);
      const padded = tf.pad(tx, [[0, 0], [d * (k - 1), 0], [0, 0]]);
      expectTf(mk.conv1d(x, w, s, 'causal', d), tf.conv1d(padded as tf.Tensor3D, tw as tf.Tensor3D, s, 'valid', 'NWC', d), `causal s${s} d${d} k${k}`);
    }
  });

  it('causal output t depends only on inputs up to t', () => {
    const x = randomTensor([1, 8, 1], 3), w = randomTensor([3, 1, 1], 4);
    const y = mk.conv1d(x, w, 1, 'causal', 2);
    const x2 = x.values.slice();
    x2[5] = 100; // change input 5: outputs 0..4 must not move
    const y2 = mk.conv1d(mk.tensor(x2, [1, 8, 1]), w, 1, 'causal', 2);
    expect(Array.from(y2.values.slice(0, 5))).toEqual(Array.from(y.values.slice(0, 5)));
    expect(y2.values[5]).not.toBe(y.values[5]);
  });

  it('accepts an unbatched [width, channels] input', () => {
    const [x, tx] = pair([7, 2]), [w, tw] = pair([3, 2, 2]);
    expectTf(mk.conv1d(x, w, 2, 'same'), tf.conv1d(tx as tf.Tensor2D, tw as tf.Tensor3D, 2, 'same'), 'unbatched');
  });

  it('groups against the float64 reference', () => {
    for (const [pad, s, d] of [['valid', 1, 1], ['same', 2, 1], ['causal', 1, 2]] as const) {
      const x = randomTensor([2, 9, 6], seed++), w = randomTensor([3, 2, 9], seed++);
      expectRef(mk.conv1d(x, w, s, pad, d, 3), refConv(x, w, [s], [d], [pad], 3), `conv1d groups 3 ${pad}`);
    }
  });
});

describe('conv2d with groups', () => {
  const cases: [string, number[], number[], number[], number[], 'valid' | 'same', number][] = [
    ['2 groups, valid', [2, 6, 7, 4], [3, 3, 2, 6], [1, 1], [1, 1], 'valid', 2],
    ['4 groups (depthwise-like), same, stride 2, odd sizes', [1, 7, 5, 4], [3, 2, 1, 8], [2, 2], [1, 1], 'same', 4],
    ['3 groups, dilation 2, same', [2, 8, 8, 6], [2, 3, 2, 3], [1, 1], [2, 2], 'same', 3],
    ['2 groups, strides [2, 1]', [1, 9, 6, 4], [3, 3, 2, 4], [2, 1], [1, 1], 'valid', 2],
  ];
  for (const [name, xs, ws, s, d, pad, groups] of cases) {
    it(`${name}: float64 reference`, () => {
      const x = randomTensor(xs, seed++), w = randomTensor(ws, seed++);
      expectRef(mk.conv2d(x, w, s as [number, number], pad, d as [number, number], groups), refConv(x, w, s, d, [pad, pad], groups), name);
    });
    it(`${name}: the concatenation of one tf.conv2d per group`, () => {
      const [x, tx] = pair(xs), [w, tw] = pair(ws);
      const cg = xs[3]! / groups, og = ws[3]! / groups;
      const parts = Array.from({ length: groups }, (_, gi) => tf.conv2d(
        tf.slice(tx, [0, 0, 0, gi * cg], [-1, -1, -1, cg]) as tf.Tensor4D,
        tf.slice(tw, [0, 0, 0, gi * og], [-1, -1, -1, og]) as tf.Tensor4D, s as [number, number], pad, 'NHWC', d as [number, number]));
      expectTf(mk.conv2d(x, w, s as [number, number], pad, 'NHWC', d as [number, number], groups), tf.concat(parts, 3), name);
    });
  }

  it('groups = 1 is the plain conv2d, and fusedConv2d with groups matches conv2d + bias + relu', () => {
    const x = randomTensor([2, 5, 5, 4], 1), w = randomTensor([3, 3, 2, 6], 2), b = randomTensor([6], 3);
    const w1 = randomTensor([3, 3, 4, 6], 4);
    expectClose(mk.conv2d(x, w1, 1, 'same', 1, 1), mk.conv2d(x, w1, 1, 'same'));
    const fused = mk.fusedConv2d({ x, filter: w, strides: 1, pad: 'same', bias: b, activation: 'relu', groups: 2 });
    expectClose(fused, mk.relu(mk.add(mk.conv2d(x, w, 1, 'same', 1, 2), b)), TOL);
  });

  it('explicit NHWC padding works with groups', () => {
    const x = randomTensor([1, 5, 5, 4], 5), w = randomTensor([3, 3, 2, 4], 6);
    const explicit = mk.conv2d(x, w, 1, [[0, 0], [1, 1], [1, 1], [0, 0]], 1, 2);
    expectClose(explicit, mk.conv2d(x, w, 1, 'same', 1, 2), TOL);
  });
});

describe('conv3d against tf.conv3d', () => {
  const cases: [string, number[], number[], number[], 'valid' | 'same', number[]][] = [
    ['valid', [2, 4, 5, 6, 2], [2, 3, 2, 2, 3], [1, 1, 1], 'valid', [1, 1, 1]],
    ['same, stride 2, odd sizes', [1, 5, 7, 3, 2], [3, 3, 2, 2, 4], [2, 2, 2], 'same', [1, 1, 1]],
    ['valid, strides [1, 2, 3]', [2, 4, 6, 7, 1], [2, 2, 3, 1, 2], [1, 2, 3], 'valid', [1, 1, 1]],
    ['same, 1x1x1', [1, 3, 3, 3, 4], [1, 1, 1, 4, 5], [1, 1, 1], 'same', [1, 1, 1]],
  ];
  for (const [name, xs, ws, s, pad, d] of cases) {
    it(name, () => {
      const [x, tx] = pair(xs), [w, tw] = pair(ws);
      expectTf(mk.conv3d(x, w, s as [number, number, number], pad, d as [number, number, number]),
        tf.conv3d(tx as tf.Tensor5D, tw as tf.Tensor5D, s as [number, number, number], pad, 'NDHWC', d as [number, number, number]), name);
    });
  }

  it('dilations and groups against the float64 reference', () => {
    const runs: [number[], number[], number[], number[], 'valid' | 'same', number][] = [
      [[1, 6, 6, 6, 2], [2, 2, 2, 2, 3], [1, 1, 1], [2, 1, 2], 'same', 1],
      [[2, 5, 4, 6, 4], [3, 2, 2, 2, 6], [2, 1, 2], [1, 1, 1], 'valid', 2],
      [[1, 5, 5, 5, 6], [3, 3, 3, 2, 3], [1, 1, 1], [2, 2, 2], 'same', 3],
    ];
    for (const [xs, ws, s, d, pad, groups] of runs) {
      const x = randomTensor(xs, seed++), w = randomTensor(ws, seed++);
      expectRef(mk.conv3d(x, w, s as [number, number, number], pad, d as [number, number, number], groups), refConv(x, w, s, d, [pad, pad, pad], groups), `conv3d ${JSON.stringify([s, d, pad, groups])}`);
    }
  });
});

describe('transposed convolutions', () => {
  it('conv2dTranspose against tf.conv2dTranspose (Keras output shape, no outputPadding)', () => {
    const cases: [number[], number[], number[], 'valid' | 'same'][] = [
      [[2, 4, 5, 3], [3, 3, 2, 3], [1, 1], 'valid'],
      [[2, 4, 5, 3], [3, 3, 2, 3], [2, 2], 'same'],
      [[1, 3, 4, 2], [3, 2, 4, 2], [2, 3], 'valid'],
      [[1, 5, 3, 2], [4, 4, 3, 2], [2, 2], 'same'],
      [[1, 3, 3, 1], [2, 2, 2, 1], [3, 3], 'valid'], // kernel smaller than stride: zero rows in between
      [[2, 6, 5, 2], [5, 3, 2, 2], [1, 2], 'same'],
    ];
    for (const [xs, ws, s, pad] of cases) {
      const [x, tx] = pair(xs), [w, tw] = pair(ws);
      const outShape = [xs[0]!, kerasDeconvLength(xs[1]!, ws[0]!, pad, null, s[0]!, 1), kerasDeconvLength(xs[2]!, ws[1]!, pad, null, s[1]!, 1), ws[2]!] as [number, number, number, number];
      const y = mk.conv2dTranspose(x, w, s as [number, number], pad);
      expect(y.shape).toEqual(outShape);
      expectTf(y, tf.conv2dTranspose(tx as tf.Tensor4D, tw as tf.Tensor4D, outShape, s as [number, number], pad), `conv2dTranspose ${JSON.stringify([xs, ws, s, pad])}`);
    }
  });

  it('conv3dTranspose against tf.conv3dTranspose', () => {
    const cases: [number[], number[], number[], 'valid' | 'same'][] = [
      [[1, 3, 4, 2, 2], [2, 3, 2, 3, 2], [1, 1, 1], 'valid'],
      [[2, 2, 3, 3, 1], [3, 3, 3, 2, 1], [2, 2, 2], 'same'],
      [[1, 2, 3, 2, 2], [2, 2, 2, 2, 2], [2, 1, 3], 'valid'],
    ];
    for (const [xs, ws, s, pad] of cases) {
      const [x, tx] = pair(xs), [w, tw] = pair(ws);
      const outShape = [xs[0]!, ...[0, 1, 2].map((a) => kerasDeconvLength(xs[a + 1]!, ws[a]!, pad, null, s[a]!, 1)), ws[3]!] as [number, number, number, number, number];
      expectTf(mk.conv3dTranspose(x, w, s as [number, number, number], pad),
        tf.conv3dTranspose(tx as tf.Tensor5D, tw as tf.Tensor5D, outShape, s as [number, number, number], pad), `conv3dTranspose ${JSON.stringify([xs, ws, s, pad])}`);
    }
  });

  it('conv1dTranspose is conv2dTranspose on a height-1 image (tfjs)', () => {
    for (const [s, pad] of [[1, 'valid'], [2, 'same'], [3, 'valid']] as const) {
      const [x, tx] = pair([2, 5, 3]), [w, tw] = pair([3, 2, 3]);
      const len = kerasDeconvLength(5, 3, pad, null, s, 1);
      const expected = tf.reshape(tf.conv2dTranspose(tf.reshape(tx, [2, 1, 5, 3]) as tf.Tensor4D, tf.reshape(tw, [1, 3, 2, 3]) as tf.Tensor4D, [2, 1, len, 2], [1, s], pad), [2, len, 2]);
      expectTf(mk.conv1dTranspose(x, w, s, pad), expected, `conv1dTranspose s${s} ${pad}`);
    }
  });

  it('outputPadding and dilations against the float64 reference of Keras (JAX backend padding)', () => {
    const runs: [number[], number[], number[], 'valid' | 'same', (number | null)[], number[]][] = [
      [[2, 4, 5, 2], [3, 3, 3, 2], [2, 2], 'same', [1, 0], [1, 1]],
      [[1, 3, 4, 2], [3, 3, 2, 2], [2, 3], 'valid', [1, 2], [1, 1]],
      [[1, 4, 4, 1], [4, 4, 2, 1], [2, 2], 'same', [0, 1], [1, 1]], // even kernel, outputPadding 0: (n-1)*s + 0
      [[1, 5, 4, 2], [3, 2, 2, 2], [1, 1], 'same', [null, null], [2, 3]],
      [[1, 4, 4, 2], [3, 3, 2, 2], [1, 1], 'valid', [null, null], [2, 2]],
      [[1, 3, 3, 2], [2, 3, 2, 2], [2, 2], 'same', [null, null], [3, 2]], // strides and dilations together
      [[2, 3, 4, 3], [3, 2, 2, 3], [3, 2], 'valid', [2, 1], [2, 1]],
    ];
    for (const [xs, ws, s, pad, op, d] of runs) {
      const x = randomTensor(xs, seed++), w = randomTensor(ws, seed++);
      const opArg = op[0] === null ? null : op as [number, number];
      const y = mk.conv2dTranspose(x, w, s as [number, number], pad, opArg, d as [number, number]);
      const label = `conv2dTranspose ${JSON.stringify([xs, ws, s, pad, op, d])}`;
      expect(y.shape.slice(1, 3), `${label}: Keras' output shape`).toEqual([0, 1].map((a) => kerasDeconvLength(xs[a + 1]!, ws[a]!, pad, op[a]!, s[a]!, d[a]!)));
      expectRef(y, refConvTranspose(x, w, s, pad, op, d), label);
    }
    const x1 = randomTensor([2, 6, 2], seed++), w1 = randomTensor([4, 3, 2], seed++);
    expectRef(mk.conv1dTranspose(x1, w1, 3, 'same', 2, 1), refConvTranspose(x1, w1, [3], 'same', [2], [1]), 'conv1dTranspose outputPadding 2');
    expectRef(mk.conv1dTranspose(x1, w1, 1, 'valid', null, 2), refConvTranspose(x1, w1, [1], 'valid', [null], [2]), 'conv1dTranspose dilation 2');
    const x3 = randomTensor([1, 2, 3, 3, 2], seed++), w3 = randomTensor([2, 3, 2, 2, 2], seed++);
    expectRef(mk.conv3dTranspose(x3, w3, [2, 2, 1], 'same', [1, 0, 0], [1, 1, 2]), refConvTranspose(x3, w3, [2, 2, 1], 'same', [1, 0, 0], [1, 1, 2]), 'conv3dTranspose outputPadding + dilation');
  });

  it('is the adjoint of the forward convolution: <conv(u), v> = <u, convTranspose(v)>', () => {
    const u = randomTensor([1, 7, 6, 2], 21), w = randomTensor([3, 3, 2, 3], 22);
    const y = mk.conv2d(u, w, 2, 'same');
    const v = randomTensor(y.shape as number[], 23);
    // conv2d's filter [kh, kw, in, out] is, read as a transposed filter, [kh, kw, outT = in, inT = out].
    const back = mk.conv2dTranspose(v, w, 2, 'same', [0, 1]);
    expect(back.shape).toEqual(u.shape);
    expect(mk.sum(mk.mul(y, v)).item()).toBeCloseTo(mk.sum(mk.mul(u, back)).item(), 4);
  });
});

describe('depthwise and separable convolutions against tfjs', () => {
  const cases: [string, number[], number[], number[], 'valid' | 'same', number[]][] = [
    ['multiplier 1, valid', [2, 6, 5, 3], [3, 3, 3, 1], [1, 1], 'valid', [1, 1]],
    ['multiplier 2, same, stride 2, odd sizes', [2, 7, 5, 3], [3, 3, 3, 2], [2, 2], 'same', [1, 1]],
    ['multiplier 3, same, dilation 2', [1, 8, 7, 2], [3, 2, 2, 3], [1, 1], 'same', [2, 2]],
    ['multiplier 1, strides [1, 2], 1x1 filter', [1, 4, 6, 5], [1, 1, 5, 1], [1, 2], 'valid', [1, 1]],
  ];
  for (const [name, xs, ws, s, pad, d] of cases) {
    it(`depthwiseConv2d ${name}`, () => {
      const [x, tx] = pair(xs), [w, tw] = pair(ws);
      expectTf(mk.depthwiseConv2d(x, w, s as [number, number], pad, d as [number, number]),
        tf.depthwiseConv2d(tx as tf.Tensor4D, tw as tf.Tensor4D, s as [number, number], pad, 'NHWC', d as [number, number]), name);
    });
  }

  it('depthwiseConv2d equals conv2d with groups = inChannels (channel order c * multiplier + m)', () => {
    const x = randomTensor([2, 5, 6, 3], 31), w = randomTensor([3, 3, 3, 2], 32);
    expectClose(mk.depthwiseConv2d(x, w, 1, 'same'), mk.conv2d(x, mk.reshape(w, [3, 3, 1, 6]), 1, 'same', 1, 3), TOL);
  });

  it('depthwiseConv1d is tf.depthwiseConv2d on a height-1 image', () => {
    for (const [s, pad, d, m] of [[1, 'valid', 1, 1], [2, 'same', 1, 2], [1, 'same', 3, 2]] as const) {
      const [x, tx] = pair([2, 9, 3]), [w, tw] = pair([3, 3, m]);
      const expected = tf.depthwiseConv2d(tf.reshape(tx, [2, 1, 9, 3]) as tf.Tensor4D, tf.reshape(tw, [1, 3, 3, m]) as tf.Tensor4D, [1, s], pad, 'NHWC', [1, d]);
      const y = mk.depthwiseConv1d(x, w, s, pad, d);
      expectTf(y, tf.reshape(expected, [2, expected.shape[2]!, 3 * m]), `depthwiseConv1d s${s} ${pad} d${d} m${m}`);
    }
  });

  it('separableConv2d against tf.separableConv2d', () => {
    for (const [s, pad, d] of [[1, 'valid', 1], [2, 'same', 1], [1, 'same', 2]] as const) {
      const [x, tx] = pair([2, 7, 6, 3]), [dw, tdw] = pair([3, 3, 3, 2]), [pw, tpw] = pair([1, 1, 6, 4]);
      expectTf(mk.separableConv2d(x, dw, pw, s, pad, d),
        tf.separableConv2d(tx as tf.Tensor4D, tdw as tf.Tensor4D, tpw as tf.Tensor4D, s, pad, d), `separableConv2d s${s} ${pad} d${d}`);
    }
  });

  it('separableConv1d against tf.separableConv2d on a height-1 image', () => {
    const [x, tx] = pair([2, 8, 3]), [dw, tdw] = pair([3, 3, 2]), [pw, tpw] = pair([1, 6, 4]);
    const expected = tf.separableConv2d(tf.reshape(tx, [2, 1, 8, 3]) as tf.Tensor4D, tf.reshape(tdw, [1, 3, 3, 2]) as tf.Tensor4D, tf.reshape(tpw, [1, 1, 6, 4]) as tf.Tensor4D, [1, 1], 'same');
    expectTf(mk.separableConv1d(x, dw, pw, 1, 'same'), tf.reshape(expected, [2, 8, 4]), 'separableConv1d');
  });
});

describe('pooling in 1-D and 3-D against tfjs', () => {
  for (const [k, s, pad] of [[2, 2, 'valid'], [3, 2, 'same'], [3, 1, 'same'], [2, 3, 'valid'], [4, 4, 'same']] as const) {
    it(`maxPool1d / avgPool1d pool ${k} stride ${s} ${pad}`, () => {
      const [x, tx] = pair([2, 11, 3]);
      const t4 = tf.reshape(tx, [2, 1, 11, 3]) as tf.Tensor4D;
      const mx = tf.maxPool(t4, [1, k], [1, s], pad), av = tf.avgPool(t4, [1, k], [1, s], pad);
      expectTf(mk.maxPool1d(x, k, s, pad), tf.reshape(mx, [2, mx.shape[2], 3]), 'maxPool1d');
      expectTf(mk.avgPool1d(x, k, s, pad), tf.reshape(av, [2, av.shape[2], 3]), 'avgPool1d');
    });
  }

  it("avgPool1d 'same' leaves the padding out of the average (by hand)", () => {
    // [1, 2, 3, 4, 5], pool 2, stride 2, 'same': out = 3, padding 1 cell at the end: [1.5, 3.5, 5 / 1].
    const y = mk.avgPool1d(mk.tensor([1, 2, 3, 4, 5], [1, 5, 1]), 2, 2, 'same');
    expect(Array.from(y.values)).toEqual([1.5, 3.5, 5]);
    // strides default to the pool size (Keras)
    expect(mk.maxPool1d(mk.tensor([1, 3, 2, 5, 4, 0], [1, 6, 1]), 3).arraySync()).toEqual([[[3], [5]]]);
  });

  const cases3: [number[], number[], number[], 'valid' | 'same'][] = [
    [[2, 4, 4, 4, 2], [2, 2, 2], [2, 2, 2], 'valid'],
    [[1, 5, 6, 7, 3], [3, 3, 3], [2, 2, 2], 'same'],
    [[2, 5, 4, 6, 1], [2, 3, 2], [1, 2, 2], 'same'],
    [[1, 6, 5, 4, 2], [3, 2, 2], [3, 1, 2], 'valid'],
  ];
  for (const [xs, k, s, pad] of cases3) {
    it(`maxPool3d / avgPool3d ${JSON.stringify([k, s, pad])} on [${xs}]`, () => {
      const [x, tx] = pair(xs);
      const kk = k as [number, number, number], ss = s as [number, number, number];
      expectTf(mk.maxPool3d(x, kk, ss, pad), tf.maxPool3d(tx as tf.Tensor5D, kk, ss, pad), 'maxPool3d');
      expectTf(mk.avgPool3d(x, kk, ss, pad), tf.avgPool3d(tx as tf.Tensor5D, kk, ss, pad), 'avgPool3d');
    });
  }

  it("'same' with a stride larger than the window: no padding, as TensorFlow clamps it at 0 (by hand)", () => {
    // width 6, window 2, stride 3: out = ceil(6 / 3) = 2, padding max((2 - 1) * 3 + 2 - 6, 0) = 0, windows
    // [0, 1] and [3, 4]. (tfjs 4.22's 3-D pooling does not clamp: it pads by -1 and reads [1, 2] and [4, 5].)
    const x = mk.tensor([0, 8, 9, 1, -8, -9], [1, 1, 1, 6, 1]);
    expect(Array.from(mk.maxPool3d(x, [1, 1, 2], [1, 1, 3], 'same').values)).toEqual([8, 1]);
    expect(Array.from(mk.avgPool3d(x, [1, 1, 2], [1, 1, 3], 'same').values)).toEqual([4, -3.5]);
    expect(Array.from(mk.maxPool1d(mk.reshape(x, [1, 6, 1]), 2, 3, 'same').values)).toEqual([8, 1]);
  });

  it("avgPool (2-D) 'same' matches tf.avgPool, padding left out of the average", () => {
    const [x, tx] = pair([2, 7, 5, 3]);
    expectTf(mk.avgPool(x, 3, 2, 'same'), tf.avgPool(tx as tf.Tensor4D, 3, 2, 'same'), 'avgPool same');
    expectTf(mk.avgPool(x, [2, 3], [1, 2], 'same'), tf.avgPool(tx as tf.Tensor4D, [2, 3], [1, 2], 'same'), 'avgPool same 2');
  });

  it('maxPool3d gradient goes to the window maxima, like tfjs', () => {
    const [x, tx] = pair([1, 4, 5, 3, 2]);
    const dy = randomTensor(mk.maxPool3d(x, 2, 2, 'same').shape as number[], 9);
    const [g] = mk.grads((a: Tensor) => mk.sum(mk.mul(mk.maxPool3d(a, 2, 2, 'same'), dy)))(x);
    const tg = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool3d(a as tf.Tensor5D, 2, 2, 'same'), tf.tensor(Float32Array.from(dy.values), dy.shape as number[]))))(tx);
    expectTf(g!, tg, 'maxPool3d grad');
  });
});

describe('resizing against tf.image', () => {
  const sizes: [number[], [number, number]][] = [
    [[2, 4, 5, 3], [8, 10]], // 2x upsampling (UpSampling2D bilinear)
    [[1, 3, 3, 2], [7, 5]], // odd factors
    [[2, 8, 6, 1], [3, 4]], // downsampling
    [[1, 5, 7, 2], [5, 7]], // identity size
    [[1, 1, 4, 2], [3, 2]], // height 1
  ];
  for (const [xs, size] of sizes) {
    it(`resizeBilinear [${xs}] -> ${JSON.stringify(size)}: half-pixel (Keras 3), legacy and alignCorners`, () => {
      const [x, tx] = pair(xs);
      expectTf(mk.resizeBilinear(x, size), tf.image.resizeBilinear(tx as tf.Tensor4D, size, false, true), 'half-pixel');
      expectTf(mk.resizeBilinear(x, size, { halfPixelCenters: false }), tf.image.resizeBilinear(tx as tf.Tensor4D, size, false, false), 'legacy');
      expectTf(mk.resizeBilinear(x, size, { alignCorners: true, halfPixelCenters: false }), tf.image.resizeBilinear(tx as tf.Tensor4D, size, true, false), 'alignCorners');
    });
    it(`resizeNearestNeighbor [${xs}] -> ${JSON.stringify(size)}`, () => {
      const [x, tx] = pair(xs);
      expectTf(mk.resizeNearestNeighbor(x, size), tf.image.resizeNearestNeighbor(tx as tf.Tensor4D, size, false, true), 'half-pixel');
      expectTf(mk.resizeNearestNeighbor(x, size, { halfPixelCenters: false }), tf.image.resizeNearestNeighbor(tx as tf.Tensor4D, size, false, false), 'legacy');
      expectTf(mk.resizeNearestNeighbor(x, size, { alignCorners: true, halfPixelCenters: false }), tf.image.resizeNearestNeighbor(tx as tf.Tensor4D, size, true, false), 'alignCorners');
    });
  }

  it('resizeBilinear gradient matches tfjs (legacy and alignCorners coordinates)', () => {
    // tfjs 4.22's CPU ResizeBilinearGrad ignores halfPixelCenters (and returns [1, w, h, c] for a non-square
    // input), so only these two modes are compared here; the half-pixel gradient is in gradcheck.test.ts.
    const [x, tx] = pair([1, 4, 4, 2]);
    for (const alignCorners of [false, true]) {
      const dy = randomTensor([1, 7, 6, 2], 12);
      const [g] = mk.grads((a: Tensor) => mk.sum(mk.mul(mk.resizeBilinear(a, [7, 6], { alignCorners, halfPixelCenters: false }), dy)))(x);
      const tdy = tf.tensor(Float32Array.from(dy.values), [1, 7, 6, 2]);
      const tg = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeBilinear(a as tf.Tensor4D, [7, 6], alignCorners, false), tdy)))(tx);
      expectTf(g!, tg, `resizeBilinear grad alignCorners ${alignCorners}`);
    }
  });

  it('unbatched images', () => {
    const [x, tx] = pair([3, 4, 2]);
    expectTf(mk.resizeBilinear(x, [6, 8]), tf.image.resizeBilinear(tx as tf.Tensor3D, [6, 8], false, true), 'rank 3');
  });
});

describe('repeat (UpSampling nearest)', () => {
  it('repeats along one axis and along H and W like tf.image.resizeNearestNeighbor at integer factors', () => {
    expect(mk.repeat(mk.tensor([[1, 2], [3, 4]]), 2, 1).arraySync()).toEqual([[1, 1, 2, 2], [3, 3, 4, 4]]);
    expect(mk.repeat(mk.tensor([[1, 2], [3, 4]]), 3).arraySync()).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
    const [x, tx] = pair([2, 3, 4, 2]);
    const up = mk.repeat(mk.repeat(x, 2, 1), 3, 2);
    expectTf(up, tf.image.resizeNearestNeighbor(tx as tf.Tensor4D, [6, 12], false, true), 'UpSampling2D((2, 3))');
    expectTf(mk.resizeNearestNeighbor(x, [6, 12]), tf.image.resizeNearestNeighbor(tx as tf.Tensor4D, [6, 12], false, false), 'legacy equals repeat too');
  });
});

describe('relu with Keras options', () => {
  /** Keras 3's `activations.relu`, transcribed branch by branch (keras/src/activations/activations.py), in float64. */
  function kerasRelu(v: number, negativeSlope: number, maxValue: number | null, threshold: number): number {
    if (negativeSlope !== 0 && maxValue === null && threshold === 0) return v > 0 ? v : negativeSlope * v; // leaky_relu
    const negativePart = negativeSlope !== 0 ? Math.max(threshold !== 0 ? -v + threshold : -v, 0) : 1;
    let x: number;
    let clipMax = maxValue !== null;
    if (threshold !== 0) x = v * (v > threshold ? 1 : 0);
    else if (maxValue === 6) { x = Math.min(Math.max(v, 0), 6); clipMax = false; } else x = Math.max(v, 0);
    if (clipMax) x = Math.min(Math.max(x, 0), maxValue!);
    if (negativeSlope !== 0) x -= negativeSlope * negativePart;
    return x;
  }

  const options: [number, number | null, number][] = [
    [0, 6, 0], [0, 3.5, 0], [0.1, null, 0], [0.2, 6, 0], [0, null, 0.5], [0.3, null, 0.5], [0.3, 2, 0.5], [0, 1.5, -0.5], [0.25, 4, -1],
  ];
  for (const [negativeSlope, maxValue, threshold] of options) {
    it(`negativeSlope ${negativeSlope}, maxValue ${maxValue}, threshold ${threshold}`, () => {
      const x = randomTensor([50], seed++, -8, 8);
      const y = mk.relu(x, { negativeSlope, maxValue, threshold });
      expectClose(y, Float64Array.from(x.values, (v) => kerasRelu(v, negativeSlope, maxValue, threshold)), TOL);
    });
  }

  it('relu6 and leakyRelu are special cases; tf.relu6 / tf.leakyRelu agree', () => {
    const [x, tx] = pair([40]);
    const x8 = mk.mul(x, 8), tx8 = tf.mul(tx, 8);
    expectTf(mk.relu(x8, { maxValue: 6 }), tf.relu6(tx8), 'relu6');
    expectTf(mk.relu(x8, { negativeSlope: 0.3 }), tf.leakyRelu(tx8, 0.3), 'leakyRelu');
    expectClose(mk.relu(x8, {}), mk.relu(x8));
  });
});

describe('error messages name the op and what was expected', () => {
  const x1 = mk.zeros([1, 5, 2]), x2 = mk.zeros([1, 5, 5, 4]), x3 = mk.zeros([1, 3, 3, 3, 2]);
  it.each([
    ['conv1d rank', () => mk.conv1d(mk.zeros([5]), mk.zeros([3, 1, 1])), /conv1d: input must have rank 3 \[batch, width, channels\]/],
    ['conv1d channels', () => mk.conv1d(x1, mk.zeros([3, 3, 1])), /conv1d: input has 2 channels but the filter expects 3/],
    ['conv1d padding', () => mk.conv1d(x1, mk.zeros([3, 2, 1]), 1, 'full' as 'same'), /conv1d: padding must be 'valid', 'same', 'causal' or a non-negative integer, got 'full'/],
    ['conv1d too long', () => mk.conv1d(x1, mk.zeros([7, 2, 1])), /conv1d: the output would be empty: the width window of 7 does not fit in the width of 5/],
    ['conv2d groups', () => mk.conv2d(x2, mk.zeros([3, 3, 2, 3]), 1, 'same', 1, 2), /conv2d: groups \(2\) must divide both the input channels \(4\) and the output channels \(3\)/],
    ['conv2d hint', () => mk.conv2d(x2, mk.zeros([3, 3, 2, 4]), 1, 'same'), /for a grouped convolution pass groups = 2/],
    ['conv2d bad groups', () => mk.conv2d(x2, mk.zeros([3, 3, 2, 4]), 1, 'same', 1, 1.5), /conv2d: groups must be a positive integer, got 1.5/],
    ['conv3d filter rank', () => mk.conv3d(x3, mk.zeros([2, 2, 2, 1])), /conv3d: filter must have rank 5 \[kernelDepth, kernelHeight, kernelWidth, inChannels \/ groups, outChannels\]/],
    ['conv3d strides', () => mk.conv3d(x3, mk.zeros([2, 2, 2, 2, 1]), [1, 2] as unknown as number), /conv3d: strides must be a positive integer or 3 of them \[depth, height, width\], got \[1,2\]/],
    ['conv3d strides+dilations', () => mk.conv3d(x3, mk.zeros([2, 2, 2, 2, 1]), 2, 'same', 2), /conv3d: strides > 1 together with dilations > 1/],
    ['conv2dTranspose channels', () => mk.conv2dTranspose(x2, mk.zeros([3, 3, 4, 2]), 2), /conv2dTranspose: input has 4 channels but the filter expects 2 \(the filter's last axis/],
    ['conv2dTranspose outputPadding', () => mk.conv2dTranspose(x2, mk.zeros([3, 3, 1, 4]), 2, 'same', 2), /conv2dTranspose: outputPadding must be smaller than the stride on each axis, got outputPadding 2 with strides \[2,2\]/],
    ['conv2dTranspose padding', () => mk.conv2dTranspose(x2, mk.zeros([3, 3, 1, 4]), 2, 'causal' as 'same'), /conv2dTranspose: padding must be 'valid' or 'same', got 'causal'/],
    ['depthwiseConv2d channels', () => mk.depthwiseConv2d(x2, mk.zeros([3, 3, 3, 1])), /depthwiseConv2d: input has 4 channels but the filter expects 3 .*\[kernelHeight, kernelWidth, inChannels, depthMultiplier\]/],
    ['separableConv2d pointwise', () => mk.separableConv2d(x2, mk.zeros([3, 3, 4, 1]), mk.zeros([3, 3, 4, 2])), /separableConv2d: pointwiseFilter must have shape \[1, 1, inChannels \* depthMultiplier, outChannels\]/],
    ['maxPool3d rank', () => mk.maxPool3d(x1, 2), /maxPool3d: input must have rank 5/],
    ['avgPool1d padding', () => mk.avgPool1d(x1, 2, 2, 'causal' as 'same'), /avgPool1d: padding must be 'valid' or 'same', got 'causal'/],
    ['maxPool1d too long', () => mk.maxPool1d(x1, 6), /maxPool1d: the output would be empty: the pool window of 6 does not fit in the width of 5/],
    ['resizeBilinear size', () => mk.resizeBilinear(x2, [0, 3]), /resizeBilinear: size must be \[newHeight, newWidth\] of positive integers, got \[0,3\]/],
    ['resizeBilinear both', () => mk.resizeBilinear(x2, [3, 3], { alignCorners: true }), /resizeBilinear: alignCorners and halfPixelCenters cannot both be true/],
    ['repeat', () => mk.repeat(x1, -1, 1), /repeat: repeats must be a non-negative integer, got -1/],
    ['relu slope', () => mk.relu(x1, { negativeSlope: -1 }), /relu: negativeSlope must be a finite number >= 0, got -1/],
    ['relu maxValue', () => mk.relu(x1, { maxValue: -2 }), /relu: maxValue must be null or a number >= 0, got -2/],
  ])('%s', (_name, fn, message) => {
    expect(fn).toThrow(message);
  });
});
