// The recurrent layers against oracles written here (tfjs comparisons are in rnn.tfjs.test.ts):
// - a float64 step-by-step reference of Keras 3's GRU (reset_after=True, its default, which tfjs lacks) and of
//   Keras 3's RNN loop (masked steps carry the states and output the previous output);
// - the fused whole-sequence path against the per-step loop (the same cell run through StackedRNNCells);
// - central finite differences through time for the layers' outputs and final states.
import { describe, expect, it } from 'vitest';
import { Tensor, add, concat, matmul, mul, reshape, sum, tanh, tensor, variableGrads } from '@minikeras/tensor';
import type { Variable } from '@minikeras/tensor';
import { gradcheck, maxDiff, randomTensor } from '@minikeras/test-utils';
import { Layer } from '../../engine/layer';
import type { CallContext, ShapeStructure, SymbolicShape } from '../../engine/layer';
import { registerClass } from '../../engine/registry';
import { Sequential } from '../../models/sequential';
import { Model } from '../../models/model';
import { Input } from '../core';
import { Dense } from '../dense';
import { Embedding } from '../embedding';
import { toArtifacts } from '../../saving/artifacts';
import { fromArtifacts } from '../../saving/load-model';
import { toKerasBytes } from '../../saving/keras-io';
import { loadModel } from '../../index';
import { unzipSync } from 'fflate';
import { GRU, GRUCell, LSTM, LSTMCell, RNN, SimpleRNN, SimpleRNNCell, StackedRNNCells } from './index';
import type { RecurrentCell } from './cells';
import '../index';
import '../../models/functional';

const B = 3, T = 5, D = 3, U = 4;
/** Row 1 skips its first two steps and one in the middle, row 2 its last three. */
const MASK = [[1, 1, 1, 1, 1], [0, 0, 1, 0, 1], [1, 1, 0, 0, 0]];

/** Gives every weight of `layer` deterministic random values (so biases are non-zero). */
function randomizeWeights(layer: Layer, seed: number, scale = 0.7): void {
  layer.setWeights(layer.weights.map((w, i) => randomTensor([...w.shape], seed + i, -scale, scale)));
}

// ---- float64 reference: Keras 3 GRUCell(reset_after=True) in Keras 3's RNN loop --------------------------

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

interface GruRef { output: number[]; h: number[] }

/** Keras 3 gru.py, reset_after=True: bias [2, 3u] (input row, recurrent row), gates z, r, h. */
function gruResetAfterReference(x: Tensor, kernel: Tensor, rec: Tensor, bias: Tensor, o: { mask?: number[][]; h0?: Tensor; goBackwards?: boolean; returnSequences?: boolean }): GruRef {
  const G = 3 * U, K = kernel.values, R = rec.values, bv = bias.values;
  const output: number[] = [], hT: number[] = [];
  for (let b = 0; b < B; b++) {
    let h = Array.from({ length: U }, (_, j) => (o.h0 ? o.h0.values[b * U + j]! : 0));
    let prev = new Array<number>(U).fill(0);
    const seq: number[][] = [];
    for (let s = 0; s < T; s++) {
      const t = o.goBackwards ? T - 1 - s : s;
      const xp = new Array<number>(G).fill(0), inner = new Array<number>(G).fill(0);
      for (let j = 0; j < G; j++) {
        xp[j] = bv[j]!;
        for (let d = 0; d < D; d++) xp[j]! += x.values[(b * T + t) * D + d]! * K[d * G + j]!;
        inner[j] = bv[G + j]!;
        for (let k = 0; k < U; k++) inner[j]! += h[k]! * R[k * G + j]!;
      }
      const z = Array.from({ length: U }, (_, j) => sigmoid(xp[j]! + inner[j]!));
      const r = Array.from({ length: U }, (_, j) => sigmoid(xp[U + j]! + inner[U + j]!));
      const hh = Array.from({ length: U }, (_, j) => Math.tanh(xp[2 * U + j]! + r[j]! * inner[2 * U + j]!));
      const hNew = h.map((hv, j) => z[j]! * hv + (1 - z[j]!) * hh[j]!);
      const keep = !o.mask || o.mask[b]![t] !== 0;
      if (keep) { h = hNew; prev = hNew; }
      seq.push(prev.slice());
    }
    if (o.returnSequences) for (const row of seq) output.push(...row);
    else output.push(...prev);
    hT.push(...h);
  }
  return { output, h: hT };
}

describe("GRU with resetAfter true (Keras 3's default) against a float64 reference of Keras' formula", () => {
  const cases = [
    { returnSequences: true, goBackwards: false, masked: false, initial: true },
    { returnSequences: false, goBackwards: true, masked: false, initial: true },
    { returnSequences: true, goBackwards: false, masked: true, initial: false },
    { returnSequences: true, goBackwards: true, masked: true, initial: false },
    { returnSequences: false, goBackwards: false, masked: true, initial: false },
    // Initial state and a mask whose rows 1 (2 with goBackwards) start with masked steps: Keras' previous
    // output starts as zeros, so those steps output zeros, not h0.
    { returnSequences: true, goBackwards: false, masked: true, initial: true },
    { returnSequences: true, goBackwards: true, masked: true, initial: true },
    { returnSequences: false, goBackwards: true, masked: true, initial: true },
  ];
  it.each(cases.map((c, i) => [JSON.stringify(c), c, i] as const))('%s', (_, c, i) => {
    const layer = new GRU(U, { returnSequences: c.returnSequences, goBackwards: c.goBackwards, returnState: true });
    expect(layer.cell.resetAfter).toBe(true);
    const x = randomTensor([B, T, D], 40 + i);
    const h0 = randomTensor([B, U], 50 + i, -0.5, 0.5);
    layer.apply(x);
    expect(layer.weights.map((w) => w.shape)).toEqual([[D, 3 * U], [U, 3 * U], [2, 3 * U]]);
    randomizeWeights(layer, 60 + 3 * i);
    const [kernel, rec, bias] = layer.weights as [Variable, Variable, Variable];
    const out = layer.apply(c.initial ? [x, h0] : x, c.masked ? { mask: tensor(MASK) } : {}) as unknown as Tensor[];
    const ref = gruResetAfterReference(x, kernel, rec, bias, { mask: c.masked ? MASK : undefined, h0: c.initial ? h0 : undefined, goBackwards: c.goBackwards, returnSequences: c.returnSequences });
    expect(maxDiff(out[0]!.values, ref.output)).toBeLessThan(1e-5);
    expect(maxDiff(out[1]!.values, ref.h)).toBeLessThan(1e-5);
  });
});

// ---- fused whole-sequence path == per-step loop -------------------------------------------------------------

type CellKind = 'SimpleRNNCell' | 'LSTMCell' | 'GRUCell' | 'GRUCell resetAfter false';
function makeCell(kind: CellKind, args: Record<string, unknown> = {}): RecurrentCell {
  switch (kind) {
    case 'SimpleRNNCell': return new SimpleRNNCell(U, args);
    case 'LSTMCell': return new LSTMCell(U, args);
    case 'GRUCell': return new GRUCell(U, args);
    case 'GRUCell resetAfter false': return new GRUCell(U, { ...args, resetAfter: false });
  }
}
const KINDS: CellKind[] = ['SimpleRNNCell', 'LSTMCell', 'GRUCell', 'GRUCell resetAfter false'];

describe('the fused whole-sequence path and the per-step loop give the same numbers', () => {
  for (const kind of KINDS) {
    it(`${kind}: outputs and final states, every option combination, masks and initial states`, () => {
      let seed = 200;
      for (const returnSequences of [false, true]) {
        for (const goBackwards of [false, true]) {
          for (const [masked, initial] of [[false, true], [true, false], [true, true]] as const) {
            const cell = makeCell(kind);
            const flags = { returnSequences, goBackwards, returnState: true };
            const fused = new RNN(cell, flags);
            // The same cell, run one step at a time by the RNN loop (StackedRNNCells is not a fused cell).
            const loop = new RNN(new StackedRNNCells([cell]), flags);
            const x = randomTensor([B, T, D], seed++);
            fused.apply(x);
            randomizeWeights(fused, seed++);
            // With a mask and initial states, MASK's rows 1 (2 with goBackwards) start with masked steps: both
            // paths output zeros there (Keras 3's previous output starts as zeros), not h0.
            const states = initial ? cell.stateSize.map((s) => randomTensor([B, s], seed++, -0.5, 0.5)) : [];
            const opts = masked ? { mask: tensor(MASK) } : {};
            const a = fused.apply(states.length ? [x, ...states] : x, opts) as unknown as Tensor[];
            const b = loop.apply(states.length ? [x, ...states] : x, opts) as unknown as Tensor[];
            expect(a.length).toBe(1 + cell.stateSize.length);
            a.forEach((t, i) => expect(maxDiff(t.values, b[i]!.values), `${JSON.stringify(flags)} masked ${masked} initial ${initial}: output ${i}`).toBeLessThan(1e-6));
            if (masked && initial && returnSequences) {
              // Row 1 (forward) or row 2 (goBackwards) outputs zeros at its first processed step.
              const row = goBackwards ? 2 : 1, width = a[0]!.shape[2]!;
              const first = Array.from(a[0]!.values.subarray(row * T * width, row * T * width + width));
              expect(first, `${JSON.stringify(flags)}: leading masked output`).toEqual(new Array(width).fill(0));
            }
          }
        }
      }
    });
  }

  it('with dropout and recurrent dropout in training (the same seed draws the same masks on both paths)', () => {
    for (const kind of KINDS) {
      const args = { dropout: 0.3, recurrentDropout: 0.4, seed: 9 };
      const a = new RNN(makeCell(kind, args), { returnSequences: true });
      const b = new RNN([makeCell(kind, args)], { returnSequences: true });
      const x = randomTensor([B, T, D], 7);
      a.apply(x); b.apply(x);
      randomizeWeights(a, 11); randomizeWeights(b, 11);
      const ya = a.apply(x, { training: true }) as Tensor, yb = b.apply(x, { training: true }) as Tensor;
      expect(maxDiff(ya.values, yb.values), kind).toBeLessThan(1e-6);
      const plain = a.apply(x) as Tensor;
      expect(maxDiff(ya.values, plain.values), `${kind}: dropout changes the output in training`).toBeGreaterThan(1e-3);
    }
  });
});

// ---- gradients through time ----------------------------------------------------------------------------------

/** Finite-difference check of d(sum(w * f()))/d(variable) for layer weights (perturbed in place). */
function weightGradcheck(f: () => Tensor, vars: readonly Variable[], label: string): void {
  const probe = f();
  const w = randomTensor([...probe.shape], 99);
  const loss = () => sum(mul(f(), w));
  const { grads } = variableGrads(loss, vars);
  const eps = 1e-2;
  for (const v of vars) {
    const g = grads.get(v)!;
    for (let i = 0; i < v.size; i++) {
      const orig = v.values[i]!;
      v.values[i] = orig + eps;
      const plus = loss().values[0]!;
      v.values[i] = orig - eps;
      const minus = loss().values[0]!;
      v.values[i] = orig;
      const numeric = (plus - minus) / (2 * eps);
      expect(Math.abs(g.values[i]! - numeric), `${label}: d/d ${v.name}[${i}] analytic ${g.values[i]} numeric ${numeric}`).toBeLessThan(1e-3 + 1e-2 * Math.abs(numeric));
    }
  }
}

/** The output and final states of a returnState layer, flattened into one tensor. */
const flatAll = (outs: Tensor[]) => concat(outs.map((t) => reshape(t, [-1])), 0);

describe('gradcheck through time (inputs, initial states, kernels) on both paths, with masks', () => {
  const Bg = 2, Tg = 4, Dg = 3, Ug = 3;
  const mask = tensor([[1, 0, 1, 1], [1, 1, 0, 0]]);
  const leadingMask = tensor([[0, 1, 1, 0], [1, 1, 0, 0]]);
  for (const kind of KINDS) {
    for (const path of ['fused', 'loop'] as const) {
      it(`${kind}, ${path}`, () => {
        const cell = kind === 'SimpleRNNCell' ? new SimpleRNNCell(Ug) : kind === 'LSTMCell' ? new LSTMCell(Ug) : new GRUCell(Ug, { resetAfter: kind === 'GRUCell' });
        const layer = new RNN(path === 'fused' ? cell : [cell], { returnSequences: true, returnState: true, goBackwards: kind === 'GRUCell' });
        const x = randomTensor([Bg, Tg, Dg], 300);
        layer.apply(x);
        randomizeWeights(layer, 310, 0.6);
        const states = cell.stateSize.map((s, i) => randomTensor([Bg, s], 320 + i, -0.5, 0.5));
        // Inputs and initial states, without a mask and with one whose rows start with masked steps (in both
        // directions): their outputs are constant zeros, with no gradient into the initial states.
        gradcheck((xi, ...si) => flatAll(layer.apply([xi!, ...si]) as unknown as Tensor[]), [x, ...states]);
        gradcheck((xi, ...si) => flatAll(layer.apply([xi!, ...si], { mask: leadingMask }) as unknown as Tensor[]), [x, ...states]);
        // Inputs and weights with a mask.
        gradcheck((xi) => flatAll(layer.apply(xi!, { mask }) as unknown as Tensor[]), [x]);
        weightGradcheck(() => flatAll(layer.apply(x, { mask }) as unknown as Tensor[]), layer.trainableWeights, `${kind} ${path}`);
      });
    }
  }
});

// ---- custom cells, stacking ------------------------------------------------------------------------------

/** Keras' MinimalRNNCell example: h_t = tanh(x_t · kernel + h_{t-1} · recurrent_kernel). */
class MinimalRNNCell extends Layer {
  static override readonly className = 'MinimalRNNCellTest';
  readonly units: number;
  kernel: Variable | null = null;
  recurrentKernel: Variable | null = null;
  constructor(units: number, args: { name?: string } = {}) {
    super(args);
    this.units = units;
  }
  get stateSize(): number[] { return [this.units]; }
  override build(inputShape: ShapeStructure): void {
    const s = inputShape as SymbolicShape;
    this.kernel = this.addWeight('kernel', [s[s.length - 1]!, this.units]);
    this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, this.units]);
    this.built = true;
  }
  call(inputs: Tensor[], _ctx: CallContext): Tensor[] {
    const [x, h] = inputs as [Tensor, Tensor];
    const out = tanh(add(matmul(x, this.kernel!), matmul(h, this.recurrentKernel!)));
    return [out, out];
  }
  override getConfig() { return { ...super.getConfig(), units: this.units }; }
  static override readonly positionalArgs = ['units'];
}
registerClass(MinimalRNNCell);

describe('custom cells and StackedRNNCells', () => {
  it('RNN(custom cell) runs the per-step loop: equal to a SimpleRNN without bias given the same weights, masked or not', () => {
    const custom = new RNN(new MinimalRNNCell(U), { returnSequences: true });
    const simple = new SimpleRNN(U, { useBias: false, returnSequences: true });
    const x = randomTensor([B, T, D], 400);
    custom.apply(x); simple.apply(x);
    randomizeWeights(custom, 410);
    simple.setWeights(custom.getWeights());
    for (const opts of [{}, { mask: tensor(MASK) }]) {
      expect(maxDiff((custom.apply(x, opts) as Tensor).values, (simple.apply(x, opts) as Tensor).values)).toBeLessThan(1e-6);
    }
  });

  it('stacks custom and built-in cells, in a functional model with initial states, and round-trips its config and file', () => {
    const rnn = new RNN([new MinimalRNNCell(3), new LSTMCell(2)], { returnSequences: true, returnState: true });
    expect((rnn.cell as StackedRNNCells).stateSize).toEqual([3, 2, 2]);
    const x = Input({ shape: [T, D] });
    const h = Input({ shape: [3] }), h2 = Input({ shape: [2] }), c2 = Input({ shape: [2] });
    const outs = rnn.apply([x, h, h2, c2]) as unknown as { shape: unknown }[];
    expect(outs.map((o) => o.shape)).toEqual([[null, T, 2], [null, 3], [null, 2], [null, 2]]);
    // Partial initial states are an error: every state or none.
    expect(() => new RNN([new MinimalRNNCell(3), new LSTMCell(2)]).apply([x, h])).toThrow(/expected 3 initial states \(\[batch, 3\], \[batch, 2\], \[batch, 2\]\), got 1/);
    const model = new Model({ inputs: x, outputs: rnn.apply(x) as never });
    randomizeWeights(model, 420);
    const xv = randomTensor([B, T, D], 430);
    const y = (model.predict(xv) as Tensor[]).map((t) => t.values);
    const again = fromArtifacts(toArtifacts(model));
    const y2 = (again.predict(xv) as Tensor[]).map((t) => t.values);
    y.forEach((v, i) => expect(maxDiff(v, y2[i]!)).toBe(0));
    const config = rnn.getConfig();
    const rebuilt = RNN.fromConfig(config);
    expect(rebuilt.getConfig()).toEqual({ ...config, name: rebuilt.name });
    expect(rebuilt.cell).toBeInstanceOf(StackedRNNCells);
  });
});

describe("Keras 3's .keras format", () => {
  it('round-trips LSTM, GRU, RNN(cell) and stacked cells with the cells written as Keras 3 layers', async () => {
    const x = Input({ shape: [T, D] });
    let y = new LSTM(U, { returnSequences: true }).apply(x);
    y = new RNN([new GRUCell(3), new SimpleRNNCell(2)], { returnSequences: true }).apply(y);
    y = new RNN(new LSTMCell(2), { goBackwards: true }).apply(y);
    const z = new GRU(2).apply(new RNN(new MinimalRNNCell(2), { returnSequences: true }).apply(x));
    const model = new Model({ inputs: x, outputs: [y, z] });
    randomizeWeights(model, 800);
    const bytes = await toKerasBytes(model);
    const config = JSON.parse(new TextDecoder().decode(unzipSync(bytes)['config.json']!)) as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    const rnn = config.config.layers.find((l) => l.class_name === 'RNN' && (l.config.cell as { class_name: string }).class_name === 'StackedRNNCells')!;
    const stacked = rnn.config.cell as { module: string; config: { cells: { module: string; class_name: string }[] } };
    expect(stacked.module).toBe('keras.layers');
    expect(stacked.config.cells.map((c) => [c.module, c.class_name])).toEqual([['keras.layers', 'GRUCell'], ['keras.layers', 'SimpleRNNCell']]);
    const again = await loadModel(bytes);
    const xv = randomTensor([B, T, D], 810);
    const a = again.predict(xv) as Tensor[], b = model.predict(xv) as Tensor[];
    b.forEach((t, i) => expect(maxDiff(a[i]!.values, t.values)).toBe(0));
  });
});

// ---- stateful -------------------------------------------------------------------------------------------

describe('stateful', () => {
  it('carries the final states into the next call; resetStates() zeros them, resetStates(states) sets them', () => {
    for (const make of [() => new LSTM(U, { stateful: true, returnState: true }), () => new GRU(U, { stateful: true, returnState: true }), () => new RNN([new SimpleRNNCell(U), new LSTMCell(2)], { stateful: true, returnState: true })]) {
      const layer = make();
      const whole = new RNN(layer.cell, { returnSequences: true, returnState: true });
      const x = randomTensor([B, 2 * T, D], 500);
      layer.apply(x);
      randomizeWeights(layer, 510);
      layer.resetStates();
      const first = randomTensor([B, T, D], 1), second = randomTensor([B, T, D], 2);
      const xs = tensor(Array.from({ length: B }, (_, b) => [...Array.from({ length: T }, (_, t) => Array.from(first.values.slice((b * T + t) * D, (b * T + t + 1) * D))), ...Array.from({ length: T }, (_, t) => Array.from(second.values.slice((b * T + t) * D, (b * T + t + 1) * D)))]));
      const full = whole.apply(xs) as unknown as Tensor[];
      layer.apply(first);
      const b = layer.apply(second) as unknown as Tensor[];
      full.slice(1).forEach((s, i) => expect(maxDiff(b[i + 1]!.values, s.values), `${layer.className} state ${i}`).toBeLessThan(1e-6));
      layer.resetStates();
      const fresh = layer.apply(first) as unknown as Tensor[];
      const fromZero = whole.apply(first) as unknown as Tensor[];
      expect(maxDiff(fresh[1]!.values, fromZero[1]!.values)).toBeLessThan(1e-6);
      const given = layer.cell.stateSize.map((s, i) => randomTensor([B, s], 520 + i));
      layer.resetStates(given);
      expect(maxDiff(layer.getStates()[0]!.values, given[0]!.values)).toBe(0);
      const fromGiven = layer.apply(second) as unknown as Tensor[];
      const expected = whole.apply([second, ...given]) as unknown as Tensor[];
      expect(maxDiff(fromGiven[1]!.values, expected[1]!.values)).toBeLessThan(1e-6);
      expect(() => layer.apply(randomTensor([B + 1, T, D], 3))).toThrow(/stateful: true fixes the batch size at 3, got an input of shape \[4,5,3\]/);
      expect(() => layer.resetStates([randomTensor([B, 7], 1)])).toThrow(/expected \d initial states?|initial state 0 must have shape \[batch, \d\], got \[3, 7\]/);
    }
  });

  it('needs a fixed batch size in a model, and takes it from batchInputShape', () => {
    expect(() => new Sequential({ layers: [new LSTM(2, { stateful: true, inputShape: [T, D] })] })).toThrow(/stateful: true needs a fixed batch size/);
    const m = new Sequential({ layers: [new LSTM(2, { stateful: true, batchInputShape: [2, T, D] })] });
    expect((m.predict(randomTensor([2, T, D], 1)) as Tensor).shape).toEqual([2, 2]);
    expect(() => m.layers[0]!.apply(randomTensor([3, T, D], 1))).toThrow(/fixes the batch size at 2/);
    expect(() => new LSTM(2).resetStates()).toThrow(/resetStates\(\) needs stateful: true/);
  });
});

// ---- dropout ----------------------------------------------------------------------------------------------

describe('dropout and recurrent dropout', () => {
  it('draw one mask per call from the seed generator, the same for every step, only in training', () => {
    const make = (seed: number) => new LSTM(U, { dropout: 0.5, recurrentDropout: 0.3, seed, returnSequences: true });
    const a = make(3), b = make(3), c = make(4);
    const x = randomTensor([B, T, D], 600);
    for (const l of [a, b, c]) { l.apply(x); randomizeWeights(l, 610); }
    // Inference ignores dropout.
    const plain = new LSTM(U, { returnSequences: true });
    plain.apply(x); randomizeWeights(plain, 610);
    expect(maxDiff((a.apply(x) as Tensor).values, (plain.apply(x) as Tensor).values)).toBe(0);
    // The same seed draws the same masks; another seed others; the next call new ones.
    const ya = a.apply(x, { training: true }) as Tensor, yb = b.apply(x, { training: true }) as Tensor;
    expect(maxDiff(ya.values, yb.values)).toBe(0);
    expect(maxDiff(ya.values, (c.apply(x, { training: true }) as Tensor).values)).toBeGreaterThan(1e-3);
    expect(maxDiff(ya.values, (a.apply(x, { training: true }) as Tensor).values)).toBeGreaterThan(1e-3);
    // One input mask [batch, features] for every step: the layer in training equals the layer without input
    // dropout on x times that mask broadcast over time (recurrent dropout kept in both).
    const d = new SimpleRNN(U, { dropout: 0.5, seed: 8, returnSequences: true });
    const e = new SimpleRNN(U, { returnSequences: true });
    d.apply(x); e.apply(x); randomizeWeights(d, 620); randomizeWeights(e, 620);
    const yd = d.apply(x, { training: true }) as Tensor;
    const m = (d.cell as unknown as { masks: { input: Tensor } }).masks.input;
    expect(m.shape).toEqual([B, D]);
    expect(new Set(Array.from(m.values)).size).toBe(2);
    const xm = mul(x, m.reshape([B, 1, D]));
    expect(maxDiff(yd.values, (e.apply(xm) as Tensor).values)).toBeLessThan(1e-6);
    expect(d.seedGenerators.length).toBe(1);
  });
});

// ---- options, configs, errors -----------------------------------------------------------------------------

describe('options, configs and errors', () => {
  it('has Keras 3 defaults, weights in Keras order and shapes, unitForgetBias', () => {
    const lstm = new LSTM(U);
    lstm.apply(randomTensor([B, T, D], 1));
    expect(lstm.weights.map((w) => [w.name, w.shape])).toEqual([[`${lstm.name}/kernel`, [D, 4 * U]], [`${lstm.name}/recurrent_kernel`, [U, 4 * U]], [`${lstm.name}/bias`, [4 * U]]]);
    expect(Array.from(lstm.weights[2]!.values)).toEqual([...new Array(U).fill(0), ...new Array(U).fill(1), ...new Array(2 * U).fill(0)]);
    // The orthogonal recurrent kernel: each [U, U] gate block is not orthogonal, the whole [U, 4U] has orthonormal rows.
    const r = lstm.weights[1]!.values;
    for (let i = 0; i < U; i++) for (let j = 0; j < U; j++) {
      let dot = 0;
      for (let k = 0; k < 4 * U; k++) dot += r[i * 4 * U + k]! * r[j * 4 * U + k]!;
      expect(Math.abs(dot - (i === j ? 1 : 0))).toBeLessThan(1e-5);
    }
    const config = lstm.getConfig();
    expect(config).toMatchObject({
      units: U, activation: 'tanh', recurrentActivation: 'sigmoid', useBias: true, unitForgetBias: true, kernelInitializer: 'glorot_uniform',
      recurrentInitializer: 'orthogonal', biasInitializer: 'zeros', dropout: 0, recurrentDropout: 0, seed: null, returnSequences: false,
      returnState: false, goBackwards: false, stateful: false, unroll: false, zeroOutputForMask: false,
    });
    expect(config).not.toHaveProperty('cell');
    expect(new GRU(2).getConfig()).toMatchObject({ resetAfter: true, recurrentActivation: 'sigmoid' });
    expect(new SimpleRNN(2).getConfig()).not.toHaveProperty('recurrentActivation');
  });

  it('round-trips configs (getConfig -> fromConfig) and computes the same', () => {
    const x = randomTensor([B, T, D], 700);
    const layers = [
      new SimpleRNN(U, { activation: 'relu', returnSequences: true, goBackwards: true, kernelRegularizer: 'l2' }),
      new LSTM(U, { recurrentActivation: 'hard_sigmoid', unitForgetBias: false, returnState: true, dropout: 0.2, seed: 4 }),
      new GRU(U, { resetAfter: false, recurrentActivation: 'hard_sigmoid_tfjs', unroll: true, useBias: false }),
      new RNN(new GRUCell(U), { returnSequences: true }),
    ];
    for (const layer of layers) {
      layer.apply(x);
      randomizeWeights(layer, 710);
      const cls = layer.constructor as unknown as { fromConfig(c: Record<string, unknown>): Layer };
      const config = layer.getConfig();
      const copy = cls.fromConfig({ ...config, name: `${layer.name}_copy` });
      expect(copy.getConfig()).toEqual({ ...config, name: `${layer.name}_copy` });
      copy.apply(x);
      copy.setWeights(layer.getWeights());
      const a = layer.apply(x), b = copy.apply(x);
      const flat = (v: unknown) => (Array.isArray(v) ? v : [v]) as Tensor[];
      flat(a).forEach((t, i) => expect(maxDiff(t.values, flat(b)[i]!.values)).toBe(0));
    }
  });

  it('regularizes kernel, recurrent kernel and bias (recurrentRegularizer included), and summarizes', () => {
    const layer = new LSTM(U, { kernelRegularizer: 'l1', recurrentRegularizer: 'l2', biasRegularizer: 'l2' });
    const model = new Sequential({ layers: [Input({ shape: [T, D] }), layer] });
    randomizeWeights(model, 740);
    const [k, r, b] = layer.weights.map((w) => Array.from(w.values));
    const losses = layer.regularizationLosses().map((t) => t.values[0]!);
    const want = [0.01 * k!.reduce((p, v) => p + Math.abs(v), 0), 0.01 * r!.reduce((p, v) => p + v * v, 0), 0.01 * b!.reduce((p, v) => p + v * v, 0)];
    expect(maxDiff(losses, want)).toBeLessThan(1e-5);
    const lines: string[] = [];
    model.summary(undefined, (l) => lines.push(l));
    expect(lines.join('\n')).toMatch(/lstm\w* \(LSTM\)\s+│ \(None, 4\)\s+│\s+128 │/);
  });

  it('the unroll flag computes the same', () => {
    const x = randomTensor([B, T, D], 720);
    const a = new LSTM(U, { returnSequences: true }), b = new LSTM(U, { returnSequences: true, unroll: true });
    a.apply(x); b.apply(x); randomizeWeights(a, 730); b.setWeights(a.getWeights());
    expect(maxDiff((a.apply(x) as Tensor).values, (b.apply(x) as Tensor).values)).toBe(0);
  });

  it('passes the input mask on only with returnSequences', () => {
    const emb = new Embedding(10, 3, { maskZero: true });
    const seq = new LSTM(2, { returnSequences: true });
    const last = new GRU(2);
    const x = Input({ shape: [4] });
    const s = seq.apply(emb.apply(x));
    const model = new Model({ inputs: x, outputs: [last.apply(s), s] });
    const [y, sq] = model.predict(tensor([[1, 2, 0, 0], [3, 0, 0, 0]])) as Tensor[];
    // The sequence output at masked steps repeats the last kept output (Keras' zero_output_for_mask=False).
    const v = sq!.values, step = (b: number, t: number) => v.slice((b * 4 + t) * 2, (b * 4 + t + 1) * 2);
    for (const t of [2, 3]) expect(maxDiff(step(0, t), step(0, 1))).toBe(0);
    for (const t of [1, 2, 3]) expect(maxDiff(step(1, t), step(1, 0))).toBe(0);
    // The GRU after it saw the mask: it computes what it computes on the unpadded sequences.
    const alone = (tokens: number[][]) => (last.apply(seq.apply(emb.apply(tensor(tokens)))) as Tensor).values;
    expect(maxDiff(alone([[1, 2]]), y!.values.slice(0, 2))).toBeLessThan(1e-6);
    expect(maxDiff(alone([[3]]), y!.values.slice(2, 4))).toBeLessThan(1e-6);
    const m = tensor([[1, 1, 0, 0]]);
    expect(seq.computeMask(m, m)).toBe(m);
    expect(new LSTM(2).computeMask(m, m)).toBeNull();
    expect(new LSTM(2, { returnSequences: true, returnState: true }).computeMask(m, m)).toEqual([m, null, null]);
  });

  it('rejects bad options and inputs with errors naming the layer and what was expected', () => {
    expect(() => new LSTM(4, { activation: 'gelu' })).toThrow(/LSTMCell 'lstm\w*': activation "gelu" is not supported by the recurrent kernels; use one of 'linear', 'tanh', 'sigmoid', 'hard_sigmoid', 'hard_sigmoid_tfjs', 'relu', 'softsign', 'elu'/);
    expect(() => new GRU(4, { recurrentActivation: 'softmax' })).toThrow(/recurrentActivation "softmax" is not supported/);
    expect(() => new LSTM(0)).toThrow(/units must be a positive integer, got 0/);
    expect(() => new LSTM(4, { dropout: 1 })).toThrow(/dropout must be a number in \[0, 1\), got 1/);
    expect(() => new LSTM(4, { returnSequnces: true } as never)).toThrow(/unknown option 'returnSequnces'/);
    expect(() => new LSTM(4, { kernelConstraint: { maxValue: 2 } } as never)).toThrow(/'kernelConstraint' = .* is not supported by minikeras/);
    expect(() => new RNN({} as never)).toThrow(/cell must be a Layer with a stateSize/);
    expect(() => new RNN([])).toThrow(/StackedRNNCells '\w+': cells must be a non-empty list of cells/);
    expect(() => new LSTM(4).apply(randomTensor([2, 3], 1))).toThrow(/LSTM 'lstm\w*' expects an input of shape \[batch, timesteps, features\], got \[null, 3\]/);
    expect(() => new LSTM(4).apply(Input({ shape: [3] }))).toThrow(/expects an input of shape \[batch, timesteps, features\], got \[null, 3\]/);
    const lstm = new LSTM(4);
    expect(() => lstm.apply([randomTensor([2, 3, 2], 1), randomTensor([2, 4], 2)])).toThrow(/expected 2 initial states \(\[batch, 4\], \[batch, 4\]\), got 1/);
    expect(() => lstm.apply([randomTensor([2, 3, 2], 1), randomTensor([2, 4], 2), randomTensor([2, 5], 3)])).toThrow(/initial state 1 must have shape \[batch, 4\], got \[null, 5\]/);
    expect(() => lstm.apply([randomTensor([2, 3, 2], 1), randomTensor([3, 4], 2), randomTensor([3, 4], 3)])).toThrow(/initial state 0 has batch size 3, the input 2/);
    expect(() => lstm.apply(randomTensor([2, 3, 2], 1), { mask: tensor([[1, 1]]) })).toThrow(/the mask must have shape \[batch, timesteps\] = \[2, 3\], got \[1,2\]/);
  });
});

// ---- training -------------------------------------------------------------------------------------------------

describe('training', () => {
  it('Embedding(maskZero) -> LSTM -> Dense(1, sigmoid) learns whether a padded sequence contains token 1', async () => {
    // Sequences of 2..8 tokens from 1..9, zero-padded to 8; label 1 when token 1 occurs.
    let s = 12345;
    const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
    const N = 256, L = 8;
    const xs: number[][] = [], ys: number[] = [];
    for (let n = 0; n < N; n++) {
      const len = 2 + Math.floor(rand() * (L - 1));
      const hasOne = n % 2 === 0;
      const row = Array.from({ length: len }, () => 2 + Math.floor(rand() * 8));
      if (hasOne) row[Math.floor(rand() * len)] = 1;
      xs.push([...row, ...new Array<number>(L - len).fill(0)]);
      ys.push(hasOne ? 1 : 0);
    }
    const model = new Sequential({ layers: [new Embedding(10, 8, { maskZero: true, inputShape: [L] }), new LSTM(8), new Dense(1, { activation: 'sigmoid' })] });
    model.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
    const x = tensor(xs), y = tensor(ys, [N, 1]);
    const history = await model.fit(x, y, { epochs: 25, batchSize: 32, verbose: 0 });
    const acc = history.history.accuracy as number[];
    expect(acc[acc.length - 1]).toBeGreaterThan(0.95);
    // Padding does not matter: the same sequences with more padding predict the same.
    const wider = tensor(xs.slice(0, 8).map((r) => [...r, 0, 0, 0]));
    const m2 = new Sequential({ layers: [new Embedding(10, 8, { maskZero: true, inputShape: [L + 3] }), new LSTM(8), new Dense(1, { activation: 'sigmoid' })] });
    m2.setWeights(model.getWeights());
    expect(maxDiff((m2.predict(wider) as Tensor).values, (model.predict(tensor(xs.slice(0, 8))) as Tensor).values)).toBeLessThan(1e-6);
  });
});
