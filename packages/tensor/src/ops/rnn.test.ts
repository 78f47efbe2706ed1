/**
 * The whole-sequence recurrent ops against two oracles we did not write in the op:
 * - TensorFlow.js 4.22 (tfjs-layers LSTM, GRU with resetAfter false, SimpleRNN on the cpu backend), given the
 *   same weights with setWeights: outputs and final states within 1e-5 (after zeroing tfjs' outputs at the masked
 *   steps before a row's first kept step, where tfjs outputs h0 and Keras 3 zeros: `kerasLeadingOutputs`);
 * - a float64 step-by-step reference of Keras 3's cell formulas and its RNN loop (backend.rnn) written here, for
 *   what tfjs lacks: GRU resetAfter, zeroOutputForMask, dropout masks, Keras 3's hard_sigmoid.
 * Gradients: central finite differences (gradcheck) through time for every input, with masks and goBackwards.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { gradcheck, randomTensor } from '@minikeras/test-utils';
import * as mk from '../index';
import type { Tensor, RnnActivation } from '../index';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Kind = 'lstm' | 'gru' | 'simpleRnn';
const GATES: Record<Kind, number> = { lstm: 4, gru: 3, simpleRnn: 1 };

// U = 4: the LSTM cases also run the WebAssembly gate kernel (units % 4 === 0) on the wasm backend.
const B = 3, T = 6, D = 4, U = 4;

/** Row 0 keeps every step, row 1 skips the first two and one in the middle, row 2 skips the last three. */
const MASK = [
  [1, 1, 1, 1, 1, 1],
  [0, 0, 1, 0, 1, 1],
  [1, 1, 1, 0, 0, 0],
];

interface Weights { x: Tensor; kernel: Tensor; recurrentKernel: Tensor; bias: Tensor; h0: Tensor; c0: Tensor }

function weights(kind: Kind, seed: number, resetAfter = false): Weights {
  const G = GATES[kind];
  return {
    x: randomTensor([B, T, D], seed, -1, 1),
    kernel: randomTensor([D, G * U], seed + 1, -0.8, 0.8),
    recurrentKernel: randomTensor([U, G * U], seed + 2, -0.8, 0.8),
    bias: randomTensor(kind === 'gru' && resetAfter ? [2, G * U] : [G * U], seed + 3, -0.5, 0.5),
    h0: randomTensor([B, U], seed + 4, -0.5, 0.5),
    c0: randomTensor([B, U], seed + 5, -0.5, 0.5),
  };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

interface Case {
  returnSequences: boolean;
  goBackwards: boolean;
  masked: boolean;
  initialState: boolean;
  activation?: RnnActivation;
  recurrentActivation?: RnnActivation;
}

/** tfjs' activation names for ours (tfjs' 'hardSigmoid' is clip(0.2x + 0.5, 0, 1)). */
const TFJS_ACTIVATION: Partial<Record<RnnActivation, string>> = {
  tanh: 'tanh', sigmoid: 'sigmoid', hard_sigmoid_tfjs: 'hardSigmoid', relu: 'relu', linear: 'linear', softsign: 'softsign', elu: 'elu',
};

function runTfjs(kind: Kind, w: Weights, c: Case): Float32Array[] {
  const common = {
    units: U, returnSequences: c.returnSequences, returnState: true, goBackwards: c.goBackwards,
    // Weights come from setWeights; 'zeros' avoids tfjs' orthogonal initializer (it needs chained ops).
    kernelInitializer: 'zeros' as const, recurrentInitializer: 'zeros' as const,
    activation: TFJS_ACTIVATION[c.activation ?? 'tanh'] as 'tanh',
  };
  const recurrentActivation = TFJS_ACTIVATION[c.recurrentActivation ?? 'sigmoid'] as 'sigmoid';
  const layer = kind === 'lstm' ? tfl.layers.lstm({ ...common, recurrentActivation })
    : kind === 'gru' ? tfl.layers.gru({ ...common, recurrentActivation })
      : tfl.layers.simpleRNN(common);
  const x = tf.tensor3d(w.x.values as Float32Array, [B, T, D]);
  layer.apply(x);
  layer.setWeights([
    tf.tensor2d(w.kernel.values as Float32Array, [D, GATES[kind] * U]),
    tf.tensor2d(w.recurrentKernel.values as Float32Array, [U, GATES[kind] * U]),
    tf.tensor1d(w.bias.values as Float32Array),
  ]);
  const kwargs: Record<string, unknown> = {};
  if (c.masked) kwargs['mask'] = tf.tensor2d(MASK, [B, T]);
  if (c.initialState) {
    kwargs['initialState'] = kind === 'lstm' ? [tf.tensor2d(w.h0.values as Float32Array, [B, U]), tf.tensor2d(w.c0.values as Float32Array, [B, U])]
      : [tf.tensor2d(w.h0.values as Float32Array, [B, U])];
  }
  const out = layer.apply(x, kwargs) as tf.Tensor[];
  return out.map((t) => t.dataSync() as Float32Array);
}

/**
 * The one documented difference from tfjs: at the masked steps a row processes before its first kept step, tfjs
 * outputs its initial state h0 where Keras 3 (TensorFlow backend, and unroll=True) and our ops output zeros.
 * Zeroes those outputs of tfjs' `output` in place and returns how many entries changed (nonzero only with h0).
 */
function kerasLeadingOutputs(output: Float32Array, c: Case): number {
  if (!c.masked) return 0;
  let changed = 0;
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < T; s++) {
      const t = c.goBackwards ? T - 1 - s : s;
      if (MASK[b]![t] !== 0) break;
      // returnSequences: step s of the row; last output: only a row masked at every step.
      if (!c.returnSequences && s < T - 1) continue;
      const off = c.returnSequences ? (b * T + s) * U : b * U;
      for (let j = 0; j < U; j++) { if (output[off + j] !== 0) changed++; output[off + j] = 0; }
    }
  }
  return changed;
}

function runOurs(kind: Kind, w: Weights, c: Case): Float32Array[] {
  const options = {
    returnSequences: c.returnSequences, goBackwards: c.goBackwards,
    mask: c.masked ? mk.tensor(MASK) : null,
    h0: c.initialState ? w.h0 : null,
    activation: c.activation ?? 'tanh',
  };
  if (kind === 'lstm') {
    const r = mk.lstm(w.x, w.kernel, w.recurrentKernel, w.bias, { ...options, c0: c.initialState ? w.c0 : null, recurrentActivation: c.recurrentActivation ?? 'sigmoid' });
    return [r.output, r.h, r.c].map((t) => t.values as Float32Array);
  }
  if (kind === 'gru') {
    const r = mk.gru(w.x, w.kernel, w.recurrentKernel, w.bias, { ...options, resetAfter: false, recurrentActivation: c.recurrentActivation ?? 'sigmoid' });
    return [r.output, r.h].map((t) => t.values as Float32Array);
  }
  const r = mk.simpleRnn(w.x, w.kernel, w.recurrentKernel, w.bias, options);
  return [r.output, r.h].map((t) => t.values as Float32Array);
}

const CASES: Case[] = [];
for (const returnSequences of [true, false]) {
  for (const goBackwards of [false, true]) {
    for (const masked of [false, true]) CASES.push({ returnSequences, goBackwards, masked, initialState: masked });
  }
}
CASES.push({ returnSequences: true, goBackwards: false, masked: false, initialState: true, recurrentActivation: 'hard_sigmoid_tfjs' });
CASES.push({ returnSequences: true, goBackwards: true, masked: true, initialState: false, activation: 'relu', recurrentActivation: 'hard_sigmoid_tfjs' });
CASES.push({ returnSequences: false, goBackwards: false, masked: true, initialState: true, activation: 'softsign', recurrentActivation: 'sigmoid' });
CASES.push({ returnSequences: true, goBackwards: false, masked: false, initialState: false, activation: 'elu', recurrentActivation: 'softsign' });
CASES.push({ returnSequences: false, goBackwards: true, masked: false, initialState: true, activation: 'linear', recurrentActivation: 'sigmoid' });

const label = (c: Case) => `returnSequences ${c.returnSequences}, goBackwards ${c.goBackwards}, mask ${c.masked}, initial state ${c.initialState}, ${c.activation ?? 'tanh'}/${c.recurrentActivation ?? 'sigmoid'}`;

describe.each(['lstm', 'gru', 'simpleRnn'] as Kind[])('%s matches tfjs-layers 4.22', (kind) => {
  it.each(CASES.map((c) => [label(c), c] as const))('%s', (_, c) => {
    const w = weights(kind, 11 + CASES.indexOf(c) * 7);
    const theirs = runTfjs(kind, w, c);
    const ours = runOurs(kind, w, c);
    expect(ours.length).toBe(theirs.length);
    const changed = kerasLeadingOutputs(theirs[0]!, c);
    // MASK's row 1 (row 2 with goBackwards) starts with masked steps: with an initial state and returnSequences
    // the difference from tfjs is really exercised.
    if (c.masked && c.initialState && c.returnSequences) expect(changed).toBeGreaterThan(0);
    const names = kind === 'lstm' ? ['output', 'h', 'c'] : ['output', 'h'];
    ours.forEach((o, i) => {
      const err = maxAbsDiff(o, theirs[i]!);
      expect(err, `${names[i]} max |ours - tfjs|`).toBeLessThan(1e-5);
    });
  });
});

// ---- float64 reference of Keras 3's cells and RNN loop ----

const ACT: Record<RnnActivation, (v: number) => number> = {
  linear: (v) => v,
  tanh: Math.tanh,
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  hard_sigmoid: (v) => Math.min(Math.max(v + 3, 0), 6) / 6,
  hard_sigmoid_tfjs: (v) => Math.min(Math.max(0.2 * v + 0.5, 0), 1),
  relu: (v) => Math.max(v, 0),
  softsign: (v) => v / (1 + Math.abs(v)),
  elu: (v) => (v > 0 ? v : Math.expm1(v)),
};

interface RefOptions {
  resetAfter?: boolean; goBackwards?: boolean; returnSequences?: boolean; zeroOutputForMask?: boolean;
  mask?: number[][]; inputMask?: Tensor; recurrentMask?: Tensor; h0?: Tensor; c0?: Tensor;
  activation?: RnnActivation; recurrentActivation?: RnnActivation;
  /** Call the op with a null bias (the reference then uses zeros). */
  noBias?: boolean;
}

/** x·W for one row: x [n], W [n, m] row-major, columns [from, from + width). */
function rowTimes(xr: number[], W: ArrayLike<number>, m: number, from: number, width: number): number[] {
  const out = new Array<number>(width).fill(0);
  for (let k = 0; k < xr.length; k++) for (let j = 0; j < width; j++) out[j]! += xr[k]! * W[k * m + from + j]!;
  return out;
}

/** Keras 3: cell(x_t, states) per step; masked steps keep the states and output the previous output (or 0). */
function reference(kind: Kind, w: Weights, o: RefOptions): { output: number[]; h: number[]; c: number[] } {
  const act = ACT[o.activation ?? 'tanh'], rec = ACT[o.recurrentActivation ?? 'sigmoid'];
  const G = GATES[kind] * U, K = w.kernel.values, R = w.recurrentKernel.values;
  const bv = o.noBias ? new Float32Array(w.bias.size) : w.bias.values;
  const outputs: number[][][] = [];
  const hT: number[] = [], cT: number[] = [];
  for (let b = 0; b < B; b++) {
    let h = Array.from({ length: U }, (_, j) => (o.h0 ? o.h0.values[b * U + j]! : 0));
    let c = Array.from({ length: U }, (_, j) => (o.c0 ? o.c0.values[b * U + j]! : 0));
    // Keras 3 (TensorFlow backend; unroll=True on every backend): the previous output starts as zeros, not h0.
    let prevOut = new Array<number>(U).fill(0);
    const rowOut: number[][] = [];
    for (let s = 0; s < T; s++) {
      const t = o.goBackwards ? T - 1 - s : s;
      const xr = Array.from({ length: D }, (_, d) => w.x.values[(b * T + t) * D + d]! * (o.inputMask ? o.inputMask.values[b * D + d]! : 1));
      const hm = h.map((v, j) => v * (o.recurrentMask ? o.recurrentMask.values[b * U + j]! : 1));
      let hNew: number[], cNew = c;
      if (kind === 'lstm') {
        const xz = rowTimes(xr, K, G, 0, G), hz = rowTimes(hm, R, G, 0, G);
        const z = xz.map((v, j) => v + hz[j]! + bv[j]!);
        const i = z.slice(0, U).map(rec), f = z.slice(U, 2 * U).map(rec), g = z.slice(2 * U, 3 * U).map(act), og = z.slice(3 * U).map(rec);
        cNew = c.map((cv, j) => f[j]! * cv + i[j]! * g[j]!);
        hNew = cNew.map((cv, j) => og[j]! * act(cv));
      } else if (kind === 'gru') {
        const inB = (j: number) => bv[j]!, recB = (j: number) => (o.resetAfter ? bv[G + j]! : 0);
        const xp = rowTimes(xr, K, G, 0, G).map((v, j) => v + inB(j));
        const inner = rowTimes(hm, R, G, 0, o.resetAfter ? G : 2 * U).map((v, j) => v + recB(j));
        const z = Array.from({ length: U }, (_, j) => rec(xp[j]! + inner[j]!));
        const r = Array.from({ length: U }, (_, j) => rec(xp[U + j]! + inner[U + j]!));
        const recH = o.resetAfter
          ? Array.from({ length: U }, (_, j) => r[j]! * inner[2 * U + j]!)
          : rowTimes(hm.map((v, j) => v * r[j]!), R, G, 2 * U, U);
        const hh = Array.from({ length: U }, (_, j) => act(xp[2 * U + j]! + recH[j]!));
        hNew = h.map((hv, j) => z[j]! * hv + (1 - z[j]!) * hh[j]!);
      } else {
        const xz = rowTimes(xr, K, U, 0, U), hz = rowTimes(hm, R, U, 0, U);
        hNew = xz.map((v, j) => act(v + bv[j]! + hz[j]!));
      }
      const keep = !o.mask || o.mask[b]![t] !== 0;
      let out: number[];
      if (keep) { h = hNew; c = cNew; out = hNew; } else out = o.zeroOutputForMask ? new Array<number>(U).fill(0) : prevOut;
      prevOut = out;
      rowOut.push(out);
    }
    outputs.push(rowOut);
    hT.push(...h); cT.push(...c);
  }
  const output = o.returnSequences ? outputs.flatMap((r) => r.flat()) : outputs.flatMap((r) => r[T - 1]!);
  return { output, h: hT, c: cT };
}

function runOursWith(kind: Kind, w: Weights, o: RefOptions): { output: Tensor; h: Tensor; c?: Tensor } {
  const base = {
    returnSequences: o.returnSequences ?? false, goBackwards: o.goBackwards ?? false, zeroOutputForMask: o.zeroOutputForMask ?? false,
    mask: o.mask ? mk.tensor(o.mask) : null, inputMask: o.inputMask ?? null, recurrentMask: o.recurrentMask ?? null,
    h0: o.h0 ?? null, activation: o.activation ?? 'tanh',
  };
  const bias = o.noBias ? null : w.bias;
  if (kind === 'lstm') return mk.lstm(w.x, w.kernel, w.recurrentKernel, bias, { ...base, c0: o.c0 ?? null, recurrentActivation: o.recurrentActivation ?? 'sigmoid' });
  if (kind === 'gru') return mk.gru(w.x, w.kernel, w.recurrentKernel, bias, { ...base, resetAfter: o.resetAfter ?? true, recurrentActivation: o.recurrentActivation ?? 'sigmoid' });
  return mk.simpleRnn(w.x, w.kernel, w.recurrentKernel, bias, base);
}

function expectMatchesReference(kind: Kind, w: Weights, o: RefOptions): void {
  const ref = reference(kind, w, o);
  const ours = runOursWith(kind, w, o);
  expect(maxAbsDiff(ours.output.values, ref.output), 'output').toBeLessThan(1e-5);
  expect(maxAbsDiff(ours.h.values, ref.h), 'h').toBeLessThan(1e-5);
  if (ours.c) expect(maxAbsDiff(ours.c.values, ref.c), 'c').toBeLessThan(1e-5);
}

describe('gru resetAfter (Keras 3 default) matches a float64 reference of Keras\' formula', () => {
  const variants: [string, RefOptions][] = [
    ['plain, last output', {}],
    ['returnSequences', { returnSequences: true }],
    ['goBackwards, returnSequences, initial state', { goBackwards: true, returnSequences: true, h0: randomTensor([B, U], 91) }],
    ['masked, initial state', { mask: MASK, returnSequences: true, h0: randomTensor([B, U], 92) }],
    ['masked, goBackwards, zeroOutputForMask', { mask: MASK, goBackwards: true, returnSequences: true, zeroOutputForMask: true }],
    ['no bias, masked', { noBias: true, mask: MASK, returnSequences: true }],
    ['dropout masks, hard_sigmoid (Keras 3)', { inputMask: randomTensor([B, D], 93, 0, 2), recurrentMask: randomTensor([B, U], 94, 0, 2), recurrentActivation: 'hard_sigmoid', returnSequences: true }],
  ];
  it.each(variants)('%s', (_, o) => {
    expectMatchesReference('gru', weights('gru', 51, true), { ...o, resetAfter: true });
  });
});

describe('options tfjs lacks, against the float64 reference', () => {
  const variants: [string, RefOptions][] = [
    ['zeroOutputForMask, returnSequences', { mask: MASK, zeroOutputForMask: true, returnSequences: true, h0: randomTensor([B, U], 71), c0: randomTensor([B, U], 72) }],
    ['zeroOutputForMask, last output masked (goBackwards: row 1 skips its first steps)', { mask: MASK, zeroOutputForMask: true, goBackwards: true }],
    ['input and recurrent dropout masks', { inputMask: randomTensor([B, D], 73, 0, 2), recurrentMask: randomTensor([B, U], 74, 0, 2), returnSequences: true, mask: MASK }],
    ['no bias, masked, goBackwards', { noBias: true, mask: MASK, goBackwards: true, returnSequences: true }],
    // Keras 3's previous output starts as zeros: the masked steps before a row's first kept step output zeros, not h0.
    ['masked, initial states, returnSequences (leading masked steps output zeros)', { mask: MASK, returnSequences: true, h0: randomTensor([B, U], 75), c0: randomTensor([B, U], 76) }],
    ['masked, initial states, goBackwards (row 2 starts with three masked steps)', { mask: MASK, goBackwards: true, returnSequences: true, h0: randomTensor([B, U], 77), c0: randomTensor([B, U], 78) }],
    ['a row masked at every step, initial states, last output (zeros; its final states are h0, c0)', { mask: [[0, 0, 0, 0, 0, 0], ...MASK.slice(1)], h0: randomTensor([B, U], 79), c0: randomTensor([B, U], 80) }],
    ["Keras 3 hard_sigmoid, linear activation", { recurrentActivation: 'hard_sigmoid', activation: 'linear', returnSequences: true }],
  ];
  describe.each(['lstm', 'gru', 'simpleRnn'] as Kind[])('%s', (kind) => {
    it.each(variants)('%s', (_, o) => {
      const opts = kind === 'gru' ? { ...o, resetAfter: false } : o;
      expectMatchesReference(kind, weights(kind, 61, false), opts);
    });
  });
});

// ---- gradients through time ----

/** output, h (and c) flattened and concatenated, so one gradcheck covers gradients flowing into every part. */
function flatResult(r: { output: Tensor; h: Tensor; c?: Tensor }): Tensor {
  const parts = [r.output.flatten(), r.h.flatten()];
  if (r.c) parts.push(r.c.flatten());
  return mk.concat(parts, 0);
}

describe('gradcheck through time (x, kernel, recurrentKernel, bias, initial states)', () => {
  const Bg = 2, Tg = 5, Dg = 3, Ug = 2;
  const maskG = [[1, 0, 1, 1, 0], [0, 1, 1, 0, 1]];
  const configs: [string, Record<string, unknown>][] = [
    ['returnSequences', { returnSequences: true }],
    ['last output, goBackwards', { goBackwards: true }],
    ['mask, returnSequences', { mask: mk.tensor(maskG), returnSequences: true }],
    ['mask, goBackwards, zeroOutputForMask, returnSequences', { mask: mk.tensor(maskG), goBackwards: true, zeroOutputForMask: true, returnSequences: true }],
    ['mask, last output, dropout masks', { mask: mk.tensor(maskG), inputMask: randomTensor([Bg, Dg], 5, 0.5, 1.5), recurrentMask: randomTensor([Bg, Ug], 6, 0.5, 1.5) }],
    ['a row masked at every step, last output, goBackwards (its output is a constant zero)', { mask: mk.tensor([[0, 0, 0, 0, 0], [1, 1, 0, 1, 0]]), goBackwards: true }],
    ['leading masked steps, goBackwards, returnSequences (constant zeros, no gradient into h0)', { mask: mk.tensor([[1, 1, 0, 0, 0], [1, 0, 1, 0, 0]]), goBackwards: true, returnSequences: true }],
  ];
  const cells: [string, number, number[], (a: Tensor[], o: Record<string, unknown>) => Tensor][] = [
    ['lstm', 4, [4 * Ug], ([x, k, r, b, h0, c0], o) => flatResult(mk.lstm(x!, k!, r!, b!, { ...o, h0: h0!, c0: c0! }))],
    ['gru resetAfter', 3, [2, 3 * Ug], ([x, k, r, b, h0], o) => flatResult(mk.gru(x!, k!, r!, b!, { ...o, h0: h0! }))],
    ['gru resetAfter false', 3, [3 * Ug], ([x, k, r, b, h0], o) => flatResult(mk.gru(x!, k!, r!, b!, { ...o, h0: h0!, resetAfter: false }))],
    ['simpleRnn', 1, [Ug], ([x, k, r, b, h0], o) => flatResult(mk.simpleRnn(x!, k!, r!, b!, { ...o, h0: h0! }))],
  ];
  for (const [cell, g, biasShape, fn] of cells) {
    describe(cell, () => {
      it.each(configs)('%s', (_, o) => {
        const inputs = [
          randomTensor([Bg, Tg, Dg], 1), randomTensor([Dg, g * Ug], 2, -0.7, 0.7), randomTensor([Ug, g * Ug], 3, -0.7, 0.7),
          randomTensor(biasShape, 4, -0.5, 0.5), randomTensor([Bg, Ug], 7, -0.5, 0.5),
        ];
        if (cell === 'lstm') inputs.push(randomTensor([Bg, Ug], 8, -0.5, 0.5));
        gradcheck((...xs) => fn(xs, o), inputs);
      });
    });
  }
});

describe('gradcheck without a bias, and with only some inputs tracked', () => {
  const Bg = 2, Tg = 4, Dg = 3, Ug = 2;
  const mask = mk.tensor([[1, 1, 0, 1], [0, 1, 1, 1]]);
  it('lstm (x, kernel, recurrentKernel)', () => {
    gradcheck((x, k, r) => flatResult(mk.lstm(x, k, r, null, { mask, returnSequences: true })),
      [randomTensor([Bg, Tg, Dg], 21), randomTensor([Dg, 4 * Ug], 22, -0.7, 0.7), randomTensor([Ug, 4 * Ug], 23, -0.7, 0.7)]);
  });
  it('gru resetAfter and resetAfter false (recurrentKernel only)', () => {
    const x = randomTensor([Bg, Tg, Dg], 24), k = randomTensor([Dg, 3 * Ug], 25, -0.7, 0.7);
    for (const resetAfter of [true, false]) {
      gradcheck((r) => flatResult(mk.gru(x, k, r, null, { mask, resetAfter, goBackwards: true })), [randomTensor([Ug, 3 * Ug], 26, -0.7, 0.7)]);
    }
  });
  it('lstm with units 4 (on the wasm backend: its SIMD gate kernels, forward and backward), masked, goBackwards', () => {
    const U4 = 4;
    gradcheck((x, k, r, b, h0, c0) => flatResult(mk.lstm(x, k, r, b, { mask, h0, c0, goBackwards: true, returnSequences: true })), [
      randomTensor([Bg, Tg, Dg], 31), randomTensor([Dg, 4 * U4], 32, -0.7, 0.7), randomTensor([U4, 4 * U4], 33, -0.7, 0.7),
      randomTensor([4 * U4], 34, -0.5, 0.5), randomTensor([Bg, U4], 35, -0.5, 0.5), randomTensor([Bg, U4], 36, -0.5, 0.5),
    ]);
  });
  it('simpleRnn (h0 only)', () => {
    const x = randomTensor([Bg, Tg, Dg], 27), k = randomTensor([Dg, Ug], 28, -0.7, 0.7), r = randomTensor([Ug, Ug], 29, -0.7, 0.7);
    gradcheck((h0) => flatResult(mk.simpleRnn(x, k, r, null, { mask, h0, returnSequences: true })), [randomTensor([Bg, Ug], 30, -0.5, 0.5)]);
  });
});

describe('one graph node per sequence', () => {
  it('records a single lstm node whatever the length, and gradients reach every input', () => {
    const w = weights('lstm', 3);
    const kernel = mk.variable(w.kernel);
    const { value, grads } = mk.variableGrads(() => {
      const r = mk.lstm(w.x, kernel, w.recurrentKernel, w.bias, { returnSequences: true });
      const core = r.output.node!.inputs[0]!;
      expect(core.node!.op).toBe('lstm');
      expect(r.h.node!.inputs[0]).toBe(core);
      return r.output.sum().add(r.h.sum()).add(r.c.sum());
    });
    expect(Number.isFinite(value.item())).toBe(true);
    expect(grads.get(kernel)!.shape).toEqual([D, 4 * U]);
  });
});

describe('argument errors', () => {
  const w = weights('lstm', 5);
  it('names the op, the argument and the expected shape', () => {
    expect(() => mk.lstm(w.x, w.kernel, w.recurrentKernel, mk.zeros([3]), {})).toThrow(/lstm: expected bias of shape \[16\], got \[3\]/);
    expect(() => mk.lstm(w.x.reshape([B * T, D]), w.kernel, w.recurrentKernel, w.bias)).toThrow(/lstm: expected x of shape \[batch, timesteps, features\]/);
    expect(() => mk.lstm(w.x, w.kernel, mk.zeros([U, 3 * U]), w.bias)).toThrow(/lstm: expected recurrentKernel of shape \[units, 4 \* units\]/);
    expect(() => mk.gru(w.x, mk.zeros([D, 3 * U]), mk.zeros([U, 3 * U]), mk.zeros([3 * U]))).toThrow(/gru: expected bias \(resetAfter: true\) of shape \[2,12\]/);
    expect(() => mk.simpleRnn(w.x, mk.zeros([D, U]), mk.zeros([U, U]), null, { mask: mk.zeros([B, T + 1]) })).toThrow(/simpleRnn: expected mask of shape \[3,6\]/);
    expect(() => mk.lstm(w.x, w.kernel, w.recurrentKernel, w.bias, { h0: mk.zeros([B, U + 1]) })).toThrow(/lstm: expected h0 of shape/);
  });
  it('lists the valid activations and options', () => {
    expect(() => mk.lstm(w.x, w.kernel, w.recurrentKernel, w.bias, { activation: 'hardSigmoid' as RnnActivation })).toThrow(/lstm: activation must be one of 'linear', 'tanh', .*got "hardSigmoid"/);
    expect(() => mk.simpleRnn(w.x, mk.zeros([D, U]), mk.zeros([U, U]), null, { recurrentActivation: 'sigmoid' } as never)).toThrow(/simpleRnn: unknown option 'recurrentActivation'/);
    // An option left undefined is not an error (a layer may pass one options shape to every op).
    expect(mk.simpleRnn(w.x, mk.zeros([D, U]), mk.zeros([U, U]), null, { recurrentActivation: undefined } as never).h.shape).toEqual([B, U]);
  });
});
