/**
 * conv2d, maxPool and avgPool: forward values worked out by hand (arithmetic in the comments) and against a
 * naive float64 7-loop convolution for random shapes; gradients against central finite differences
 * (`gradcheck`, tolerances justified in test-utils) and a few by hand; error messages.
 */
import { describe, expect, it } from 'vitest';
import { expectClose, gradcheck, randomTensor } from '@minikeras/test-utils';
import * as mk from '../index';
import type { Tensor } from '../index';
import { Random } from '../random';

/** [1, h, w, 1] image holding 1, 2, 3, ... in row-major order. */
function counting(h: number, w: number): Tensor {
  return mk.tensor(Float32Array.from({ length: h * w }, (_, i) => i + 1), [1, h, w, 1]);
}

/** [kh, kw, 1, 1] filter from a 2-D array. */
function kernel2d(rows: number[][]): Tensor {
  return mk.tensor(rows.flat(), [rows.length, rows[0]!.length, 1, 1]);
}

function plane(t: Tensor): number[][] {
  const [, h, w] = t.shape as number[];
  return Array.from({ length: h! }, (_, i) => Array.from(t.values.subarray(i * w!, (i + 1) * w!)));
}

describe('conv2d forward, by hand', () => {
  it("'valid', stride 1", () => {
    // x = [[1,2,3],[4,5,6],[7,8,9]], w = [[1,2],[3,4]]:
    // out[0,0] = 1*1 + 2*2 + 4*3 + 5*4 = 37, out[0,1] = 2*1 + 3*2 + 5*3 + 6*4 = 47,
    // out[1,0] = 4*1 + 5*2 + 7*3 + 8*4 = 67, out[1,1] = 5*1 + 6*2 + 8*3 + 9*4 = 77.
    const y = mk.conv2d(counting(3, 3), kernel2d([[1, 2], [3, 4]]), 1, 'valid');
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect(plane(y)).toEqual([[37, 47], [67, 77]]);
  });

  it("'same' puts the odd padding row/column at the bottom/right (TensorFlow)", () => {
    // in 3, k 2, stride 1: out = 3, pad_total = (3-1)*1 + 2 - 3 = 1 -> top/left 0, bottom/right 1.
    // out[0,0] = 37 (as above); out[0,2] = 3*1 + 6*3 = 21 (right column is padding);
    // out[2,0] = 7*1 + 8*2 = 23, out[2,1] = 8*1 + 9*2 = 26 (bottom row is padding); out[2,2] = 9*1 = 9.
    const y = mk.conv2d(counting(3, 3), kernel2d([[1, 2], [3, 4]]), 1, 'same');
    expect(y.shape).toEqual([1, 3, 3, 1]);
    expect(plane(y)).toEqual([[37, 47, 21], [67, 77, 33], [23, 26, 9]]);
  });

  it("stride 2 'same' with a 3x3 box filter", () => {
    // x = 1..16 in 4x4, in 4, k 3, stride 2: out = ceil(4/2) = 2, pad_total = (2-1)*2 + 3 - 4 = 1 -> top 0.
    // out[0,0] = rows 0-2, cols 0-2 = (1+2+3) + (5+6+7) + (9+10+11) = 54
    // out[0,1] = rows 0-2, cols 2-3 = (3+4) + (7+8) + (11+12) = 45
    // out[1,0] = rows 2-3, cols 0-2 = (9+10+11) + (13+14+15) = 72
    // out[1,1] = rows 2-3, cols 2-3 = 11 + 12 + 15 + 16 = 54
    const y = mk.conv2d(counting(4, 4), mk.ones([3, 3, 1, 1]), 2, 'same');
    expect(plane(y)).toEqual([[54, 45], [72, 54]]);
  });

  it("stride 2 'same' with symmetric padding (odd input)", () => {
    // in 5, k 3, stride 2: out 3, pad_total = 2*2 + 3 - 5 = 2 -> top/left 1.
    // out[0,0] = rows 0-1, cols 0-1 = 1 + 2 + 6 + 7 = 16; out[1,1] = rows 1-3, cols 1-3 = 9 * x[2,2] = 9 * 13 = 117;
    // out[2,2] = rows 3-4, cols 3-4 = 19 + 20 + 24 + 25 = 88.
    const y = mk.conv2d(counting(5, 5), mk.ones([3, 3, 1, 1]), [2, 2], 'same');
    const p = plane(y);
    expect([p[0]![0], p[1]![1], p[2]![2]]).toEqual([16, 117, 88]);
  });

  it('dilation 2', () => {
    // x[r,c] = 5r + c + 1 on 5x5; a 2x2 ones filter with dilation 2 spans 3x3 and sums the four corners:
    // out[i,j] = x[i,j] + x[i,j+2] + x[i+2,j] + x[i+2,j+2] = 4*(5i + j + 1) + (2 + 10 + 12) = 4*(5i + j + 1) + 24.
    const y = mk.conv2d(counting(5, 5), mk.ones([2, 2, 1, 1]), 1, 'valid', 2);
    expect(plane(y)).toEqual([[28, 32, 36], [48, 52, 56], [68, 72, 76]]);
  });

  it('mixes channels like a matrix product (1x1 filter, 2 in, 2 out)', () => {
    // Each pixel [a, b] times W = [[1, 2], [3, 4]] (inC x outC) gives [a + 3b, 2a + 4b].
    const x = mk.tensor([[[[1, 10], [2, 20]]]]); // [1, 1, 2, 2]
    const w = mk.tensor([[[[1, 2], [3, 4]]]]); // [1, 1, 2, 2]
    expect(mk.conv2d(x, w, 1, 'valid').arraySync()).toEqual([[[[31, 42], [62, 84]]]]);
  });

  it('numeric and explicit padding', () => {
    // pad 1 on every side of the 3x3 counting image with a 3x3 box: the centre sums all nine (45), the
    // corner out[0,0] sums x[0..1, 0..1] = 1 + 2 + 4 + 5 = 12.
    const y = mk.conv2d(counting(3, 3), mk.ones([3, 3, 1, 1]), 1, 1);
    expect(plane(y)).toEqual([[12, 21, 16], [27, 45, 33], [24, 39, 28]]);
    // Explicit: 1 row on top only -> out rows = (3 + 1 - 3) + 1 = 2, out cols = 1.
    const z = mk.conv2d(counting(3, 3), mk.ones([3, 3, 1, 1]), 1, [[0, 0], [1, 0], [0, 0], [0, 0]]);
    expect(plane(z)).toEqual([[21], [45]]);
  });

  it('accepts a rank-3 input and returns rank 3', () => {
    const y = mk.conv2d(mk.reshape(counting(3, 3), [3, 3, 1]), kernel2d([[1, 2], [3, 4]]), 1, 'valid');
    expect(y.shape).toEqual([2, 2, 1]);
    expect(Array.from(y.values)).toEqual([37, 47, 67, 77]);
  });

  it("accepts tfjs's (dataFormat, dilations) argument order", () => {
    const x = randomTensor([1, 6, 6, 2], 1), w = randomTensor([2, 2, 2, 3], 2);
    expectClose(mk.conv2d(x, w, 1, 'same', 'NHWC', 2), mk.conv2d(x, w, 1, 'same', 2));
    expectClose(mk.conv2d(x, w, 1, 'same', 'NHWC'), mk.conv2d(x, w, 1, 'same'));
  });

  it('casts an int32 input to float32', () => {
    const x = mk.tensor(Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), [1, 3, 3, 1]);
    const y = mk.conv2d(x, kernel2d([[1, 2], [3, 4]]), 1, 'valid');
    expect(y.dtype).toBe('float32');
    expect(Array.from(y.values)).toEqual([37, 47, 67, 77]);
  });

  it("output shapes follow TensorFlow's rules", () => {
    const shape = (h: number, k: number, s: number, pad: 'same' | 'valid', d = 1) =>
      mk.conv2d(mk.zeros([1, h, h, 1]), mk.zeros([k, k, 1, 1]), s, pad, d).shape[1];
    expect(shape(28, 3, 1, 'valid')).toBe(26);
    expect(shape(28, 3, 2, 'valid')).toBe(13); // ceil((28 - 3 + 1) / 2)
    expect(shape(28, 3, 2, 'same')).toBe(14);
    expect(shape(7, 3, 2, 'same')).toBe(4); // ceil(7 / 2)
    expect(shape(7, 3, 2, 'valid')).toBe(3); // ceil(5 / 2)
    expect(shape(9, 3, 1, 'valid', 3)).toBe(3); // effective filter 7
    expect(shape(3, 5, 1, 'same')).toBe(3); // filter larger than input is fine with 'same'
  });
});

/** Naive float64 convolution with explicit padding, 7 nested loops. */
function naiveConv2d(x: Tensor, w: Tensor, [sh, sw]: number[], [dh, dw]: number[], padTop: number, padLeft: number, outH: number, outW: number): Float64Array {
  const [n, h, wd, c] = x.shape as number[];
  const [kh, kw, , oc] = w.shape as number[];
  const out = new Float64Array(n! * outH * outW * oc!);
  for (let b = 0; b < n!; b++)
    for (let oy = 0; oy < outH; oy++)
      for (let ox = 0; ox < outW; ox++)
        for (let ky = 0; ky < kh!; ky++)
          for (let kx = 0; kx < kw!; kx++)
            for (let ci = 0; ci < c!; ci++)
              for (let co = 0; co < oc!; co++) {
                const iy = oy * sh! - padTop + ky * dh!, ix = ox * sw! - padLeft + kx * dw!;
                if (iy < 0 || iy >= h! || ix < 0 || ix >= wd!) continue;
                out[((b * outH + oy) * outW + ox) * oc! + co]! +=
                  x.values[((b * h! + iy) * wd! + ix) * c! + ci]! * w.values[((ky * kw! + kx) * c! + ci) * oc! + co]!;
              }
  return out;
}

describe('conv2d forward vs a naive 7-loop convolution on random shapes', () => {
  const rng = new Random(2024);
  const int = (lo: number, hi: number) => lo + Math.floor(rng.uniform() * (hi - lo + 1));
  for (let t = 0; t < 25; t++) {
    const kh = int(1, 4), kw = int(1, 4);
    const dilated = t % 3 === 0;
    const stride = dilated ? [1, 1] : [int(1, 3), int(1, 3)];
    const dil = dilated ? [int(1, 3), int(1, 3)] : [1, 1];
    const effH = (kh - 1) * dil[0]! + 1, effW = (kw - 1) * dil[1]! + 1;
    const h = int(effH, effH + 8), w = int(effW, effW + 8);
    const shapeX = [int(1, 3), h, w, int(1, 5)], shapeW = [kh, kw, shapeX[3]!, int(1, 6)];
    const pad = t % 2 === 0 ? 'same' : 'valid';
    it(`x ${JSON.stringify(shapeX)} w ${JSON.stringify(shapeW)} strides ${JSON.stringify(stride)} dilations ${JSON.stringify(dil)} '${pad}'`, () => {
      const x = randomTensor(shapeX, 100 + t), f = randomTensor(shapeW, 200 + t);
      let outH: number, outW: number, padTop = 0, padLeft = 0;
      if (pad === 'same') {
        // TensorFlow: out = ceil(in / stride); pad_total = max((out - 1) * stride + effective_k - in, 0); top = floor(total / 2).
        outH = Math.ceil(h / stride[0]!); outW = Math.ceil(w / stride[1]!);
        padTop = Math.floor(Math.max((outH - 1) * stride[0]! + effH - h, 0) / 2);
        padLeft = Math.floor(Math.max((outW - 1) * stride[1]! + effW - w, 0) / 2);
      } else {
        outH = Math.ceil((h - effH + 1) / stride[0]!); outW = Math.ceil((w - effW + 1) / stride[1]!);
      }
      const y = mk.conv2d(x, f, stride as [number, number], pad, dil as [number, number]);
      expect(y.shape).toEqual([shapeX[0], outH, outW, shapeW[3]]);
      expectClose(y, naiveConv2d(x, f, stride, dil, padTop, padLeft, outH, outW), { rtol: 1e-5, atol: 1e-5 });
    });
  }
});

describe('conv2d gradients', () => {
  it('by hand: 3x3 input, 2x2 filter, dL/dy = ones', () => {
    // dW[ky,kx] = sum of the 2x2 block of x at offset (ky,kx): [[1+2+4+5, 2+3+5+6], [4+5+7+8, 5+6+8+9]] = [[12,16],[24,28]].
    // dx[i,j] = sum of the filter taps that touch (i,j): corners get one tap, edges two, the centre all four:
    // [[1, 1+2, 2], [1+3, 1+2+3+4, 2+4], [3, 3+4, 4]].
    const [dx, dw] = mk.grads((x: Tensor, w: Tensor) => mk.conv2d(x, w, 1, 'valid'))(counting(3, 3), kernel2d([[1, 2], [3, 4]]));
    expect(plane(dx!)).toEqual([[1, 3, 2], [4, 10, 6], [3, 7, 4]]);
    expect(Array.from(dw!.values)).toEqual([12, 16, 24, 28]);
  });

  const CASES: { name: string; x: number[]; w: number[]; strides: number | [number, number]; pad: mk.PaddingType; dil?: number | [number, number] }[] = [
    { name: "3x3 'valid'", x: [1, 4, 4, 1], w: [3, 3, 1, 1], strides: 1, pad: 'valid' },
    { name: "stride 2 'same', batch 2, 3 -> 4 channels", x: [2, 5, 5, 3], w: [3, 3, 3, 4], strides: 2, pad: 'same' },
    { name: "stride 2 'same', even input (asymmetric padding)", x: [2, 6, 6, 2], w: [3, 3, 2, 3], strides: 2, pad: 'same' },
    { name: "non-square 2x3 filter 'same'", x: [2, 6, 5, 2], w: [2, 3, 2, 3], strides: 1, pad: 'same' },
    { name: "dilation 2 'same'", x: [1, 7, 7, 2], w: [3, 3, 2, 2], strides: 1, pad: 'same', dil: 2 },
    { name: "dilations [2,1] 'valid', non-square", x: [2, 6, 7, 2], w: [2, 3, 2, 2], strides: 1, pad: 'valid', dil: [2, 1] },
    { name: "strides [2,1] 'same', 3x2 filter", x: [2, 7, 6, 2], w: [3, 2, 2, 3], strides: [2, 1], pad: 'same' },
    { name: '1x1 filter (im2col shortcut)', x: [2, 3, 4, 3], w: [1, 1, 3, 2], strides: 1, pad: 'valid' },
    { name: 'numeric padding 1, stride 3', x: [1, 7, 6, 2], w: [3, 3, 2, 2], strides: 3, pad: 1 },
    { name: 'explicit padding', x: [1, 5, 5, 1], w: [2, 2, 1, 2], strides: 1, pad: [[0, 0], [2, 0], [0, 1], [0, 0]] },
  ];
  for (const c of CASES) {
    it(`gradcheck: ${c.name}`, () => {
      gradcheck((x, w) => mk.conv2d(x, w, c.strides, c.pad, c.dil), [randomTensor(c.x, 1), randomTensor(c.w, 2)]);
    });
  }

  it('gradcheck: rank-3 input', () => {
    gradcheck((x, w) => mk.conv2d(x, w, 1, 'same'), [randomTensor([5, 4, 2], 3), randomTensor([3, 3, 2, 2], 4)]);
  });

  it('gradcheck: conv -> tanh -> conv (smooth, so no kink can straddle a finite difference)', () => {
    gradcheck(
      (x, w1, w2) => mk.conv2d(mk.conv2d(x, w1, 1, 'same').tanh(), w2, 2, 'valid'),
      [randomTensor([2, 6, 6, 1], 5), randomTensor([3, 3, 1, 3], 6), randomTensor([2, 2, 3, 2], 7)],
    );
  });

  it('runs only the backprop kernels whose inputs need a gradient', () => {
    const calls = { input: 0, filter: 0 };
    mk.setBackend({
      name: 'spy',
      conv2dBackpropInput: (...a) => { calls.input++; mk.cpuBackend.conv2dBackpropInput(...a); },
      conv2dBackpropFilter: (...a) => { calls.filter++; mk.cpuBackend.conv2dBackpropFilter(...a); },
    });
    try {
      const w = mk.variable(randomTensor([3, 3, 1, 2], 1));
      const x = randomTensor([1, 5, 5, 1], 2); // a constant, like a batch of images
      const { grads } = mk.variableGrads(() => mk.conv2d(x, w, 1, 'same').sum());
      expect(grads.get(w)!.shape).toEqual([3, 3, 1, 2]);
      expect(calls).toEqual({ input: 0, filter: 1 });
    } finally {
      mk.setBackend(mk.cpuBackend);
    }
  });
});

describe('pooling forward, by hand', () => {
  it("maxPool 2x2 stride 2 'valid'", () => {
    // 4x4 counting image: each 2x2 block's maximum is its bottom-right value.
    expect(plane(mk.maxPool(counting(4, 4), 2, 2, 'valid'))).toEqual([[6, 8], [14, 16]]);
  });

  it("maxPool 3x3 stride 2 'same' (padding on all sides)", () => {
    // in 5, k 3, stride 2: out 3, pad_total 2 -> top/left 1. Windows rows/cols {0-1, 1-3, 3-4}:
    // the maximum is the bottom-right element of each clipped window: x[1,1]=7, x[1,3]=9, x[1,4]=10, ...
    expect(plane(mk.maxPool(counting(5, 5), 3, 2, 'same'))).toEqual([[7, 9, 10], [17, 19, 20], [22, 24, 25]]);
  });

  it('maxPool never takes the padding as a value (all-negative input)', () => {
    // -counting: the maximum of each clipped window is its top-left element; zero padding would give 0.
    const y = mk.maxPool(mk.neg(counting(3, 3)), 2, 1, 'same');
    expect(plane(y)).toEqual([[-1, -2, -3], [-4, -5, -6], [-7, -8, -9]]);
  });

  it("avgPool 2x2 stride 1 'same' divides by the number of real elements", () => {
    // in 3, k 2: padding 1 at the bottom/right. out[0,0] = (1+2+4+5)/4 = 3; out[0,2] = (3+6)/2 = 4.5;
    // out[2,0] = (7+8)/2 = 7.5; out[2,2] = 9/1 = 9; out[1,1] = (5+6+8+9)/4 = 7; out[1,2] = (6+9)/2 = 7.5.
    expect(plane(mk.avgPool(counting(3, 3), 2, 1, 'same'))).toEqual([[3, 4, 4.5], [6, 7, 7.5], [7.5, 8.5, 9]]);
  });

  it("avgPool 2x2 stride 2 'valid' drops the odd last row and column", () => {
    // 5x5 counting image, windows at rows/cols {0-1, 2-3}: (1+2+6+7)/4 = 4, (3+4+8+9)/4 = 6, (11+12+16+17)/4 = 14, ...
    expect(plane(mk.avgPool(counting(5, 5), 2, 2, 'valid'))).toEqual([[4, 6], [14, 16]]);
  });

  it('pools each channel separately, over a batch, and accepts rank 3', () => {
    // Channel 1 holds 10x channel 0.
    const img = [[[1, 10], [2, 20]], [[3, 30], [4, 40]]];
    expect(mk.maxPool(mk.tensor([img, img]), 2, 1, 'valid').arraySync()).toEqual([[[[4, 40]]], [[[4, 40]]]]);
    expect(mk.avgPool(mk.tensor(img), [2, 2], [1, 1], 'valid').arraySync()).toEqual([[[2.5, 25]]]);
  });
});

/** Values 0.1 apart (a shuffled grid), so a +-eps finite-difference step can never change which one is the max. */
function distinct(shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const rng = new Random(seed);
  const v = Array.from({ length: n }, (_, i) => (i - n / 2) * 0.1);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [v[i], v[j]] = [v[j]!, v[i]!];
  }
  return mk.tensor(v, shape);
}

describe('pooling gradients', () => {
  it('maxPool sends the gradient to the first maximum on ties (TensorFlow)', () => {
    const dx = mk.grad((x) => mk.maxPool(x, 2, 2, 'valid'))(mk.ones([1, 2, 2, 1]));
    expect(plane(dx)).toEqual([[1, 0], [0, 0]]);
  });

  it('maxPool adds up the gradients of overlapping windows', () => {
    // 4x4 counting image with a peak of 100 at (0,1): the 3x3 windows at (0,0) and (0,1) (rows 0-2) both
    // contain it (gradient 2 there); the windows at (1,0) and (1,1) (rows 1-3) pick 15 at (3,2) and 16 at (3,3).
    const x = counting(4, 4).values.slice();
    x[0 * 4 + 1] = 100;
    const dx = mk.grad((t) => mk.maxPool(t, 3, 1, 'valid'))(mk.tensor(x, [1, 4, 4, 1]));
    expect(plane(dx)).toEqual([[0, 2, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 1, 1]]);
  });

  it("avgPool 'same' spreads each gradient over the real elements of its window", () => {
    // Window counts (2x2, stride 1, 'same' on 3x3): [[4,4,2],[4,4,2],[2,2,1]]. dx[i,j] = sum of 1/count over the
    // windows holding (i,j): dx[0,0] = 1/4; dx[1,1] = 4 * 1/4 = 1; dx[1,2] = 1/4 + 1/2 + 1/4 + 1/2 = 1.5;
    // dx[2,2] = 1/4 + 1/2 + 1/2 + 1 = 2.25. They sum to 9, one per output.
    const dx = mk.grad((x) => mk.avgPool(x, 2, 1, 'same'))(counting(3, 3));
    expect(plane(dx)).toEqual([[0.25, 0.5, 0.75], [0.5, 1, 1.5], [0.75, 1.5, 2.25]]);
  });

  const CASES: { name: string; shape: number[]; size: number | [number, number]; strides: number | [number, number]; pad: 'same' | 'valid' }[] = [
    { name: "2x2 stride 2 'valid', batch 2, 3 channels", shape: [2, 4, 4, 3], size: 2, strides: 2, pad: 'valid' },
    { name: "3x3 stride 1 'same' (overlapping)", shape: [1, 5, 5, 2], size: 3, strides: 1, pad: 'same' },
    { name: "3x3 stride 2 'same', even input", shape: [2, 6, 6, 2], size: 3, strides: 2, pad: 'same' },
    { name: "2x3 window, strides [1,2], 'same'", shape: [1, 6, 5, 1], size: [2, 3], strides: [1, 2], pad: 'same' },
    { name: "3x3 stride 2 'valid', odd input", shape: [2, 7, 7, 1], size: 3, strides: 2, pad: 'valid' },
    { name: 'rank-3 input', shape: [5, 4, 2], size: 2, strides: 1, pad: 'same' },
  ];
  for (const c of CASES) {
    it(`gradcheck maxPool: ${c.name}`, () => {
      gradcheck((x) => mk.maxPool(x, c.size, c.strides, c.pad), [distinct(c.shape, 1)]);
    });
    it(`gradcheck avgPool: ${c.name}`, () => {
      gradcheck((x) => mk.avgPool(x, c.size, c.strides, c.pad), [randomTensor(c.shape, 2)]);
    });
  }
});

describe('errors', () => {
  const x = mk.zeros([1, 5, 5, 3]);
  const w = mk.zeros([3, 3, 3, 8]);

  it('conv2d: input and filter ranks', () => {
    expect(() => mk.conv2d(mk.zeros([5, 5]), w, 1, 'same')).toThrow(/^conv2d: input must have rank 4 .* got rank 2 \(shape \[5,5\]\)/);
    expect(() => mk.conv2d(x, mk.zeros([3, 3, 3]), 1, 'same')).toThrow(/^conv2d: filter must have rank 4 \[filterHeight, filterWidth, inChannels, outChannels\], got rank 3/);
  });

  it('conv2d: channel mismatch names both counts and the filter shape', () => {
    expect(() => mk.conv2d(x, mk.zeros([3, 3, 1, 8]), 1, 'same'))
      .toThrow(/^conv2d: input has 3 channels but the filter expects 1 \(filter shape \[3,3,1,8\]\)$/);
  });

  it('conv2d: bad padding', () => {
    // @ts-expect-error 'SAME' is not a padding type (TensorFlow's Python spelling; tfjs uses lower case)
    expect(() => mk.conv2d(x, w, 1, 'SAME')).toThrow(/^conv2d: padding must be 'valid', 'same', .* got 'SAME'$/);
    expect(() => mk.conv2d(x, w, 1, -1)).toThrow(/^conv2d: numeric padding must be a non-negative integer, got -1$/);
    expect(() => mk.conv2d(x, w, 1, [[1, 1], [1, 1], [1, 1], [0, 0]])).toThrow(/^conv2d: explicit padding must not pad the batch or channel axes/);
  });

  it('conv2d: strides and dilations must be positive integers', () => {
    expect(() => mk.conv2d(x, w, 0, 'same')).toThrow(/^conv2d: strides must be a positive integer or a pair \[height, width\] of them, got 0$/);
    expect(() => mk.conv2d(x, w, [1, 0], 'same')).toThrow(/^conv2d: strides must be .* got \[1,0\]$/);
    expect(() => mk.conv2d(x, w, 1, 'same', 1.5)).toThrow(/^conv2d: dilations must be .* got 1.5$/);
    // @ts-expect-error three strides
    expect(() => mk.conv2d(x, w, [1, 1, 1], 'same')).toThrow(/^conv2d: strides must be/);
  });

  it('conv2d: strides > 1 with dilations > 1 is unsupported, as in tfjs', () => {
    expect(() => mk.conv2d(x, w, 2, 'same', 2))
      .toThrow(/^conv2d: strides > 1 together with dilations > 1 is not supported \(got strides \[2,2\] and dilations \[2,2\]\)/);
  });

  it("conv2d: a 'valid' output of size <= 0", () => {
    expect(() => mk.conv2d(mk.zeros([1, 3, 3, 1]), mk.zeros([5, 5, 1, 1]), 1, 'valid'))
      .toThrow(/^conv2d: the output would be empty: the 5x5 window does not fit in the 3x3 input with 'valid' padding$/);
    expect(() => mk.conv2d(mk.zeros([1, 4, 9, 1]), mk.zeros([3, 3, 1, 1]), 1, 'valid', 2))
      .toThrow(/^conv2d: the output would be empty: the 5x5 window \(a 3x3 filter with dilations \[2,2\]\) does not fit in the 4x9 input/);
  });

  it("conv2d: only the 'NHWC' data format", () => {
    // @ts-expect-error NCHW is not supported
    expect(() => mk.conv2d(x, w, 1, 'same', 'NCHW')).toThrow(/^conv2d: only dataFormat 'NHWC' is supported, got 'NCHW'$/);
  });

  it('pooling', () => {
    expect(() => mk.maxPool(mk.zeros([4, 4]), 2, 2, 'valid')).toThrow(/^maxPool: input must have rank 4 .* got rank 2/);
    expect(() => mk.avgPool(x, 0, 1, 'valid')).toThrow(/^avgPool: filterSize must be a positive integer or a pair \[height, width\] of them, got 0$/);
    expect(() => mk.maxPool(x, 2, [2, -1], 'valid')).toThrow(/^maxPool: strides must be .* got \[2,-1\]$/);
    // @ts-expect-error not a padding type
    expect(() => mk.avgPool(x, 2, 2, 'full')).toThrow(/^avgPool: padding must be 'valid', 'same', .* got 'full'$/);
    expect(() => mk.maxPool(x, 6, 1, 'valid')).toThrow(/^maxPool: the output would be empty: the 6x6 window does not fit in the 5x5 input with 'valid' padding$/);
    expect(() => mk.maxPool(x, 2, 1, 2)).toThrow(/^maxPool: padding must be smaller than the 2x2 window/);
  });
});
