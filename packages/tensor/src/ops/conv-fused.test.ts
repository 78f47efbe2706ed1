/**
 * fusedConv2d against the three ops it replaces (conv2d, add of the bias, relu): the same values and gradients,
 * gradchecks of its own backward pass, and its errors.
 */
import { describe, expect, it } from 'vitest';
import { expectClose, gradcheck, randomTensor } from '@minikeras/test-utils';
import * as mk from '../index';
import type { Tensor } from '../index';

type Case = { name: string; x: number[]; w: number[]; strides: number | [number, number]; pad: mk.PaddingType; dil?: number | [number, number] };

const CASES: Case[] = [
  { name: "3x3 'valid'", x: [2, 6, 6, 1], w: [3, 3, 1, 4], strides: 1, pad: 'valid' },
  { name: "stride 2 'same', 3 -> 5 channels", x: [2, 7, 6, 3], w: [3, 3, 3, 5], strides: 2, pad: 'same' },
  { name: 'dilation 2, explicit padding', x: [1, 7, 7, 2], w: [3, 3, 2, 3], strides: 1, pad: [[0, 0], [1, 2], [2, 0], [0, 0]], dil: 2 },
  { name: '1x1 filter (no im2col)', x: [2, 4, 5, 6], w: [1, 1, 6, 3], strides: 1, pad: 'valid' },
  // K = 3*3*16 = 144 gives 452-row chunks; 3*14*14 = 588 output pixels make two of them.
  { name: 'several row chunks', x: [3, 16, 16, 16], w: [3, 3, 16, 8], strides: 1, pad: 'valid' },
];

/** What Conv2D computed before the fused op existed. */
function composed(x: Tensor, w: Tensor, b: Tensor | null, activation: 'relu' | 'linear', c: Case): Tensor {
  let y = mk.conv2d(x, w, c.strides, c.pad, c.dil);
  if (b) y = mk.add(y, b);
  return activation === 'relu' ? mk.relu(y) : y;
}

function fused(x: Tensor, w: Tensor, b: Tensor | null, activation: 'relu' | 'linear', c: Case): Tensor {
  return mk.fusedConv2d({ x, filter: w, strides: c.strides, pad: c.pad, dilations: c.dil, bias: b, activation });
}

describe('fusedConv2d equals conv2d + bias + activation', () => {
  for (const c of CASES) {
    for (const activation of ['relu', 'linear'] as const) {
      for (const withBias of [true, false]) {
        it(`${c.name}, ${activation}, ${withBias ? 'bias' : 'no bias'}`, () => {
          const x = randomTensor(c.x, 1), w = randomTensor(c.w, 2);
          const b = withBias ? randomTensor([c.w[3]!], 3, -0.5, 0.5) : null;
          const yF = fused(x, w, b, activation, c), yC = composed(x, w, b, activation, c);
          expect(yF.shape).toEqual(yC.shape);
          // Same products, then the same float32 bias add and relu: identical bits.
          expect(Array.from(yF.values)).toEqual(Array.from(yC.values));
          if (activation === 'relu') expect(yF.values.some((v) => v === 0) && yF.values.some((v) => v > 0)).toBe(true);

          const dy = randomTensor(yC.shape as number[], 4);
          const inputs = b ? [x, w, b] : [x, w];
          const gF = mk.grads((...t: Tensor[]) => fused(t[0]!, t[1]!, t[2] ?? null, activation, c).mul(dy).sum())(...inputs);
          const gC = mk.grads((...t: Tensor[]) => composed(t[0]!, t[1]!, t[2] ?? null, activation, c).mul(dy).sum())(...inputs);
          // The same chunked products in the same order; a 1x1 filter's dFilter may sum its chunks differently.
          gF.forEach((g, i) => expectClose(g, gC[i]!, { rtol: 1e-6, atol: 1e-7, label: `gradient ${i}` }));
        });
      }
    }
  }

  it('accepts a rank-3 input and returns rank 3', () => {
    const x = randomTensor([5, 4, 2], 5), w = randomTensor([3, 3, 2, 3], 6), b = randomTensor([3], 7);
    const y = mk.fusedConv2d({ x, filter: w, strides: 1, pad: 'same', bias: b, activation: 'relu' });
    expect(y.shape).toEqual([5, 4, 3]);
    expect(Array.from(y.values)).toEqual(Array.from(mk.relu(mk.add(mk.conv2d(x, w, 1, 'same'), b)).values));
  });

  it('by hand: 2x2 filter, bias -40, relu', () => {
    // conv of [[1,2,3],[4,5,6],[7,8,9]] with [[1,2],[3,4]] is [[37,47],[67,77]]; minus 40: [[-3,7],[27,37]];
    // relu: [[0,7],[27,37]]. With dL/dy = ones, only the three positive outputs pass a gradient:
    // dbias = 3; dW[ky,kx] = sum of x at offset (ky,kx) over outputs (0,1), (1,0), (1,1):
    // dW[0,0] = 2+4+5 = 11, dW[0,1] = 3+5+6 = 14, dW[1,0] = 5+7+8 = 20, dW[1,1] = 6+8+9 = 23.
    const x = mk.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const w = mk.tensor([1, 2, 3, 4], [2, 2, 1, 1]);
    const b = mk.tensor([-40]);
    const f = (xx: Tensor, ww: Tensor, bb: Tensor) => mk.fusedConv2d({ x: xx, filter: ww, strides: 1, pad: 'valid', bias: bb, activation: 'relu' });
    expect(Array.from(f(x, w, b).values)).toEqual([0, 7, 27, 37]);
    const [dx, dw, db] = mk.grads(f)(x, w, b);
    expect(Array.from(dw!.values)).toEqual([11, 14, 20, 23]);
    expect(Array.from(db!.values)).toEqual([3]);
    // dx[i,j] = sum of the taps w[i-oy, j-ox] of the positive outputs (oy,ox) whose window covers (i,j); the
    // centre gets w[1,0] from (0,1), w[0,1] from (1,0) and w[0,0] from (1,1), not w[1,1] from the zeroed (0,0).
    expect(Array.from(dx!.values)).toEqual([0, 1, 2, 1, 3 + 2 + 1, 4 + 2, 3, 4 + 3, 4]);
  });
});

describe('fusedConv2d gradcheck', () => {
  /** Pre-activations at least `margin` away from relu's kink, so no finite difference straddles it. */
  function awayFromKink(x: Tensor, w: Tensor, b: Tensor, c: Case, margin: number): void {
    const z = mk.add(mk.conv2d(x, w, c.strides, c.pad, c.dil), b);
    expect(Math.min(...Array.from(z.values, Math.abs))).toBeGreaterThan(margin);
  }

  for (const c of CASES.slice(0, 4)) {
    it(`relu, with bias: ${c.name}`, () => {
      const x = randomTensor(c.x, 21), w = randomTensor(c.w, 22), b = randomTensor([c.w[3]!], 23, -0.3, 0.3);
      // gradcheck moves one input by eps = 1e-3 at a time, which moves a pre-activation by at most
      // 1e-3 * max(|x|, |w|, 1) = 1e-3 (inputs lie in [-1, 1]): a margin of 2e-3 keeps every sign.
      awayFromKink(x, w, b, c, 2e-3);
      gradcheck((xx, ww, bb) => fused(xx, ww, bb, 'relu', c), [x, w, b], { eps: 1e-3, rtol: 2e-2, atol: 2e-3 });
    });
    it(`linear, with bias: ${c.name}`, () => {
      gradcheck((xx, ww, bb) => fused(xx, ww, bb, 'linear', c), [randomTensor(c.x, 14), randomTensor(c.w, 15), randomTensor([c.w[3]!], 16)]);
    });
  }

  it('computes only the gradients that are needed', () => {
    const seen: { dx: boolean; dFilter: boolean; dBias: boolean }[] = [];
    mk.setBackend({
      name: 'spy',
      conv2dBiasActivationBackprop: (x, f, y, a, dy, dx, dFilter, dBias, g) => {
        seen.push({ dx: dx !== null, dFilter: dFilter !== null, dBias: dBias !== null });
        mk.cpuBackend.conv2dBiasActivationBackprop(x, f, y, a, dy, dx, dFilter, dBias, g);
      },
    });
    try {
      const w = mk.variable(randomTensor([3, 3, 1, 2], 1)), b = mk.variable(mk.zeros([2]));
      const x = randomTensor([1, 5, 5, 1], 2); // a constant, like a batch of images
      const { grads } = mk.variableGrads(() => mk.fusedConv2d({ x, filter: w, strides: 1, pad: 'same', bias: b, activation: 'relu' }).sum());
      expect(grads.get(w)!.shape).toEqual([3, 3, 1, 2]);
      expect(grads.get(b)!.shape).toEqual([2]);
      expect(seen).toEqual([{ dx: false, dFilter: true, dBias: true }]);
    } finally {
      mk.setBackend(mk.cpuBackend);
    }
  });
});

describe('fusedConv2d errors', () => {
  const x = randomTensor([1, 5, 5, 2], 1), w = randomTensor([3, 3, 2, 4], 2);

  it('names the op and what it expected', () => {
    expect(() => mk.fusedConv2d({ x, filter: w, strides: 1, pad: 'valid', bias: mk.zeros([3]) }))
      .toThrow(/fusedConv2d: bias must have shape \[4\] \(one value per output channel\), got \[3\]/);
    expect(() => mk.fusedConv2d({ x, filter: w, strides: 1, pad: 'valid', activation: 'tanh' as 'relu' }))
      .toThrow(/fusedConv2d: activation must be 'linear' or 'relu', got "tanh"/);
    expect(() => mk.fusedConv2d({ x, filter: w, strides: 1, pad: 'valid', dataFormat: 'NCHW' as 'NHWC' }))
      .toThrow(/fusedConv2d: only dataFormat 'NHWC' is supported, got 'NCHW'/);
    expect(() => mk.fusedConv2d({ x, filter: randomTensor([3, 3, 3, 4], 3), strides: 1, pad: 'valid' }))
      .toThrow(/fusedConv2d: input has 2 channels but the filter expects 3/);
    expect(() => mk.fusedConv2d({ x, filter: w, strides: 0, pad: 'valid' })).toThrow(/fusedConv2d: strides must be a positive integer/);
  });
});

describe('maxPool of a fusedConv2d output differentiates through both in one node', () => {
  const POOLS: { name: string; size: number | [number, number]; strides: number | [number, number]; pad: mk.PaddingType }[] = [
    { name: '2x2 stride 2 valid', size: 2, strides: 2, pad: 'valid' },
    { name: '3x3 stride 1 same (overlapping windows)', size: 3, strides: 1, pad: 'same' },
    { name: '3x2 stride [2,1] same', size: [3, 2], strides: [2, 1], pad: 'same' },
  ];
  for (const c of [CASES[0]!, CASES[1]!, CASES[3]!, CASES[4]!]) {
    for (const p of POOLS) {
      it(`${c.name}; pool ${p.name}`, () => {
        const x = randomTensor(c.x, 1), w = randomTensor(c.w, 2), b = randomTensor([c.w[3]!], 3, -0.5, 0.5);
        const dy = randomTensor(mk.maxPool(composed(x, w, b, 'relu', c), p.size, p.strides, p.pad).shape as number[], 4);
        const viaFused = (xx: Tensor, ww: Tensor, bb: Tensor) => mk.maxPool(fused(xx, ww, bb, 'relu', c), p.size, p.strides, p.pad);
        const viaOps = (xx: Tensor, ww: Tensor, bb: Tensor) => mk.maxPool(composed(xx, ww, bb, 'relu', c), p.size, p.strides, p.pad);
        const gF = mk.grads((...t: Tensor[]) => viaFused(t[0]!, t[1]!, t[2]!).mul(dy).sum())(x, w, b);
        const gC = mk.grads((...t: Tensor[]) => viaOps(t[0]!, t[1]!, t[2]!).mul(dy).sum())(x, w, b);
        gF.forEach((g, i) => expectClose(g, gC[i]!, { rtol: 1e-6, atol: 1e-7, label: `gradient ${i}` }));
        // The pool's node takes the conv's inputs: nothing in the graph keeps the conv output alive.
        const tracked = [x, w, b].map((t) => { const v = t.clone(); v.requiresGrad = true; return v; });
        const y = viaFused(tracked[0]!, tracked[1]!, tracked[2]!);
        expect(y.node!.op).toBe('fusedConv2dMaxPool');
        expect(y.node!.inputs).toEqual(tracked);
        expect(Array.from(y.values)).toEqual(Array.from(viaOps(x, w, b).values));
      });
    }
  }

  it('without a bias, linear activation, and with the input as the only tracked tensor', () => {
    const c = CASES[1]!;
    const x = randomTensor(c.x, 5), w = randomTensor(c.w, 6);
    const dy = randomTensor(mk.maxPool(mk.conv2d(x, w, c.strides, c.pad), 2, 2, 'valid').shape as number[], 7);
    const [gx] = mk.grads((xx: Tensor) => mk.maxPool(fused(xx, w, null, 'linear', c), 2, 2, 'valid').mul(dy).sum())(x);
    const [ex] = mk.grads((xx: Tensor) => mk.maxPool(mk.conv2d(xx, w, c.strides, c.pad), 2, 2, 'valid').mul(dy).sum())(x);
    expectClose(gx!, ex!, { rtol: 1e-6, atol: 1e-7 });
  });

  it('passes gradcheck', () => {
    const c = CASES[0]!;
    const x = randomTensor(c.x, 31), w = randomTensor(c.w, 32), b = randomTensor([c.w[3]!], 33, -0.3, 0.3);
    gradcheck((xx, ww, bb) => mk.maxPool(fused(xx, ww, bb, 'linear', c), 2, 2, 'valid'), [x, w, b], { eps: 1e-3, rtol: 2e-2, atol: 2e-3 });
  });

  it('leaves a conv output that was reshaped (rank-3 input) or also used elsewhere correct', () => {
    const x = randomTensor([6, 6, 2], 8), w = randomTensor([3, 3, 2, 3], 9), b = randomTensor([3], 10);
    const f = (xx: Tensor) => {
      const y = mk.fusedConv2d({ x: xx, filter: w, strides: 1, pad: 'same', bias: b, activation: 'relu' });
      return mk.maxPool(y, 2, 2, 'valid').sum().add(y.square().sum());
    };
    const g = (xx: Tensor) => {
      const y = mk.relu(mk.add(mk.conv2d(xx, w, 1, 'same'), b));
      return mk.maxPool(y, 2, 2, 'valid').sum().add(y.square().sum());
    };
    expectClose(mk.grad(f)(x), mk.grad(g)(x), { rtol: 1e-5, atol: 1e-6 });
    const x4 = mk.reshape(x, [1, 6, 6, 2]);
    expectClose(mk.grad(f)(x4), mk.grad(g)(x4), { rtol: 1e-5, atol: 1e-6 });
  });
});
