// The recurrent layers against TensorFlow.js 4.22 (tfjs-layers on the cpu backend, a test-only oracle):
// - layer by layer: SimpleRNN, LSTM, GRU (resetAfter false, the only GRU tfjs has) and stacked cells, with
//   the same weights and inputs, for returnSequences x returnState x goBackwards x masked (with initial
//   states): outputs and final states within 1e-5. One documented difference: at the masked steps a row
//   processes before its first kept step tfjs outputs its initial state, Keras 3 (and we) zeros; the comparison
//   zeroes those tfjs outputs (`kerasLeadingOutputs`) and checks that they really were nonzero;
// - through tfjs' Layers format both ways: tfjs saves a model with Embedding(maskZero) and recurrent layers,
//   we load it and predict what tfjs predicts; we save ours, tfjs loads it and predicts what we predict.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { Tensor, tensor } from '@minikeras/tensor';
import { maxDiff, randomTensor } from '@minikeras/test-utils';
import { toArtifacts } from '../../saving/artifacts';
import { fromArtifacts } from '../../saving/load-model';
import { Sequential } from '../../models/sequential';
import type { Layer } from '../../engine/layer';
import { Embedding } from '../embedding';
import { Dense } from '../dense';
import { Masking } from '../preprocessing';
import { GRU, GRUCell, LSTM, LSTMCell, RNN, SimpleRNN, SimpleRNNCell } from './index';
import '../index';
import '../../models/functional';
import { tfjsSave } from '../../testing/tfjs-oracle';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const B = 3, T = 5, D = 3, U = 4;
/** Row 0 keeps every step, row 1 skips steps 0, 1 and 3, row 2 the last three. */
const MASK = [[1, 1, 1, 1, 1], [0, 0, 1, 0, 1], [1, 1, 0, 0, 0]];

let worst = 0;
afterAll(() => console.log(`recurrent layers: max |ours - tfjs| over every output and state = ${worst.toExponential(2)}`));
const record = (d: number) => { worst = Math.max(worst, d); return d; };

type Kind = 'SimpleRNN' | 'LSTM' | 'GRU' | 'stacked';
const GATES = { SimpleRNN: 1, LSTM: 4, GRU: 3 } as const;

interface Case { kind: Kind; returnSequences: boolean; returnState: boolean; goBackwards: boolean; masked: boolean }

/** tfjs' layer and ours; tfjs weights come from setWeights (zeros initializers avoid tfjs' orthogonal). */
function makeLayers(c: Case): { theirs: tfl.layers.Layer; ours: Layer; stateSizes: number[] } {
  const flags = { returnSequences: c.returnSequences, returnState: c.returnState, goBackwards: c.goBackwards };
  const tfInit = { kernelInitializer: 'zeros', recurrentInitializer: 'zeros' } as const;
  // tfjs' LSTM/GRU default to its hard sigmoid; both sides say which activation they use.
  switch (c.kind) {
    case 'SimpleRNN':
      return { theirs: tfl.layers.simpleRNN({ units: U, ...flags, ...tfInit }), ours: new SimpleRNN(U, flags), stateSizes: [U] };
    case 'LSTM':
      return { theirs: tfl.layers.lstm({ units: U, ...flags, ...tfInit, recurrentActivation: 'hardSigmoid' }), ours: new LSTM(U, { ...flags, recurrentActivation: 'hard_sigmoid_tfjs' }), stateSizes: [U, U] };
    case 'GRU':
      return { theirs: tfl.layers.gru({ units: U, ...flags, ...tfInit, recurrentActivation: 'sigmoid' }), ours: new GRU(U, { ...flags, resetAfter: false }), stateSizes: [U] };
    case 'stacked': {
      const theirs = tfl.layers.rnn({
        cell: [tfl.layers.lstmCell({ units: U, ...tfInit, recurrentActivation: 'sigmoid' }), tfl.layers.gruCell({ units: 2, ...tfInit, recurrentActivation: 'sigmoid' }), tfl.layers.simpleRNNCell({ units: 3, ...tfInit })],
        ...flags,
      });
      const ours = new RNN([new LSTMCell(U), new GRUCell(2, { resetAfter: false }), new SimpleRNNCell(3)], flags);
      return { theirs, ours, stateSizes: [U, U, 2, 3] };
    }
  }
}

function compare(c: Case, seed: number): void {
  const { theirs, ours, stateSizes } = makeLayers(c);
  const xv = randomTensor([B, T, D], seed);
  const x = tf.tensor3d(xv.values as Float32Array, [B, T, D]);
  theirs.apply(x);
  ours.apply(xv);
  const ws = ours.weights.map((w, i) => randomTensor([...w.shape], seed + 10 + i, -0.7, 0.7));
  ours.setWeights(ws);
  theirs.setWeights(ws.map((w) => tf.tensor(w.values as Float32Array, [...w.shape])));
  const inputs: [Tensor, tf.Tensor][] = [[xv, x]];
  // With a mask, also initial states (tfjs: `initialState`; ours: extra list inputs).
  const states = c.masked ? stateSizes.map((s, i) => randomTensor([B, s], seed + 30 + i, -0.5, 0.5)) : [];
  const mask = c.masked ? tensor(MASK) : null;
  // tfjs' StackedRNNCells lists its states last cell first (Keras 2's reverse_state_order); Keras 3 and we list
  // them in cell order ([lstm h, lstm c], [gru h], [simple h]).
  // tfjs: [simple h, gru h, lstm h, lstm c].
  const stacked = c.kind === 'stacked';
  const toTfOrder = <X>(list: readonly X[]): X[] => (stacked && list.length === 4 ? [list[3]!, list[2]!, list[0]!, list[1]!] : [...list]);
  const fromTfOrder = <X>(list: readonly X[]): X[] => (stacked && list.length === 4 ? [list[2]!, list[3]!, list[1]!, list[0]!] : [...list]);
  const tfStates = toTfOrder(states).map((s) => tf.tensor(s.values as Float32Array, [...s.shape]));
  const tfOut = theirs.apply(x, { ...(c.masked ? { mask: tf.tensor2d(MASK), initialState: tfStates } : {}) }) as tf.Tensor | tf.Tensor[];
  const ourOut = ours.apply(states.length ? [inputs[0]![0], ...states] : xv, mask ? { mask } : {}) as Tensor | Tensor[];
  const a = Array.isArray(ourOut) ? ourOut : [ourOut];
  const b = Array.isArray(tfOut) ? [tfOut[0]!, ...fromTfOrder(tfOut.slice(1))] : [tfOut];
  expect(a.length).toBe(c.returnState ? 1 + stateSizes.length : 1);
  expect(a.length).toBe(b.length);
  const expected = b.map((t) => Float32Array.from(t.dataSync() as Float32Array));
  if (c.masked) {
    const changed = kerasLeadingOutputs(expected[0]!, b[0]!.shape[b[0]!.shape.length - 1]!, c);
    // MASK's row 1 (row 2 with goBackwards) starts with masked steps, and the initial states are random.
    if (c.returnSequences) expect(changed, 'tfjs outputs its initial state at the leading masked steps').toBeGreaterThan(0);
  }
  a.forEach((t, i) => {
    expect(t.shape, `output ${i}`).toEqual(b[i]!.shape);
    expect(record(maxDiff(t.values, expected[i]!)), `output ${i} max |ours - tfjs|`).toBeLessThan(1e-5);
  });
}

/**
 * Keras 3's previous output starts as zeros (its TensorFlow backend; unroll=True on every backend), tfjs' as the
 * initial state: at the masked steps a row processes before its first kept step (every step, for the last
 * output) Keras outputs zeros where tfjs outputs h0. Zeroes those entries of tfjs' output (width `units`) in
 * place; returns how many were nonzero.
 */
function kerasLeadingOutputs(output: Float32Array, units: number, c: Case): number {
  let changed = 0;
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < T; s++) {
      const t = c.goBackwards ? T - 1 - s : s;
      if (MASK[b]![t] !== 0) break;
      if (!c.returnSequences && s < T - 1) continue;
      const off = c.returnSequences ? (b * T + s) * units : b * units;
      for (let j = 0; j < units; j++) { if (output[off + j] !== 0) changed++; output[off + j] = 0; }
    }
  }
  return changed;
}

const CASES: Case[] = [];
for (const kind of ['SimpleRNN', 'LSTM', 'GRU', 'stacked'] as Kind[]) {
  for (const returnSequences of [false, true]) {
    for (const returnState of [false, true]) {
      for (const goBackwards of [false, true]) {
        for (const masked of [false, true]) CASES.push({ kind, returnSequences, returnState, goBackwards, masked });
      }
    }
  }
}

describe('recurrent layers match tfjs-layers 4.22 with the same weights', () => {
  it.each(CASES.map((c, i) => [`${c.kind} returnSequences ${c.returnSequences} returnState ${c.returnState} goBackwards ${c.goBackwards} masked ${c.masked}`, c, i] as const))('%s', (_, c, i) => {
    compare(c, 100 + 13 * i);
  });
});

// ---- tfjs' Layers format, both ways ---------------------------------------------------------------------

/** Token ids with trailing padding (0): lengths 6, 4, 1 and 0. */
const TOKENS = [[3, 7, 1, 9, 4, 2], [5, 2, 8, 6, 0, 0], [9, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]];

describe("tfjs' Layers format", () => {
  it('a tfjs model (Embedding maskZero -> LSTM -> GRU -> SimpleRNN -> Dense) loads and predicts what tfjs predicts', async () => {
    const init = { recurrentInitializer: 'glorotUniform', biasInitializer: 'randomNormal' } as const;
    const model = tfl.sequential({
      layers: [
        tfl.layers.embedding({ inputDim: 10, outputDim: 3, inputLength: 6, maskZero: true }),
        tfl.layers.lstm({ units: 4, returnSequences: true, ...init }),
        tfl.layers.gru({ units: 3, returnSequences: true, goBackwards: true, ...init }),
        tfl.layers.simpleRNN({ units: 2, ...init }),
        tfl.layers.dense({ units: 1, activation: 'sigmoid' }),
      ],
    });
    const x = tf.tensor2d(TOKENS);
    const expected = (model.predict(x) as tf.Tensor).dataSync();
    const ours = fromArtifacts(await tfjsSave(model));
    expect(ours.layers.map((l) => l.className)).toEqual(['Embedding', 'LSTM', 'GRU', 'SimpleRNN', 'Dense']);
    const lstm = ours.layers[1] as LSTM, gru = ours.layers[2] as GRU;
    // tfjs' default 'hard_sigmoid' is its clip(0.2x + 0.5) form; tfjs' GRU is resetAfter false.
    expect([lstm.cell.recurrentActivation, gru.cell.recurrentActivation, gru.cell.resetAfter, gru.goBackwards]).toEqual(['hard_sigmoid_tfjs', 'hard_sigmoid_tfjs', false, true]);
    const y = ours.predict(tensor(TOKENS)) as Tensor;
    expect(record(maxDiff(y.values, expected))).toBeLessThan(1e-5);
    // Saved again by us, tfjs reads it back and predicts the same.
    const back = await tfl.loadLayersModel(tf.io.fromMemory(toArtifacts(ours) as unknown as tf.io.ModelArtifacts));
    expect(record(maxDiff((back.predict(x) as tf.Tensor).dataSync(), expected))).toBeLessThan(1e-5);
  });

  it('our model (Masking -> LSTM with returnSequences -> GRU resetAfter false -> Dense) loads in tfjs and predicts what we predict', async () => {
    const init = { recurrentInitializer: 'glorot_uniform', biasInitializer: 'random_normal' } as const;
    const ours = new Sequential({
      layers: [
        new Masking({ maskValue: 0, inputShape: [T, D] }),
        new LSTM(4, { returnSequences: true, goBackwards: true, ...init }),
        new GRU(3, { resetAfter: false, recurrentActivation: 'hard_sigmoid_tfjs', ...init }),
        new Dense(2),
      ],
    });
    const xv = randomTensor([B, T, D], 5);
    // Zero whole steps so Masking masks them: row 1 its last two, row 2 its first.
    for (const [b, t] of [[1, 3], [1, 4], [2, 0]] as const) for (let d = 0; d < D; d++) xv.values[(b * T + t) * D + d] = 0;
    const y = ours.predict(xv) as Tensor;
    const theirs = await tfl.loadLayersModel(tf.io.fromMemory(toArtifacts(ours) as unknown as tf.io.ModelArtifacts));
    const tfY = (theirs.predict(tf.tensor3d(xv.values as Float32Array, [B, T, D])) as tf.Tensor).dataSync();
    expect(record(maxDiff(y.values, tfY))).toBeLessThan(1e-5);
    // And back into minikeras: same predictions, same options.
    const again = fromArtifacts(toArtifacts(ours));
    expect(maxDiff((again.predict(xv) as Tensor).values, y.values)).toBe(0);
    expect((again.layers[2] as GRU).cell.recurrentActivation).toBe('hard_sigmoid_tfjs');
  });

  it("a GRU with resetAfter true (Keras 3's default) is saved as such; tfjs refuses it with its own message", async () => {
    const ours = new Sequential({ layers: [new GRU(3, { inputShape: [T, D], recurrentInitializer: 'glorot_uniform' })] });
    const artifacts = toArtifacts(ours);
    expect(JSON.stringify(artifacts.modelTopology)).toContain('"reset_after":true');
    await expect(tfl.loadLayersModel(tf.io.fromMemory(artifacts as unknown as tf.io.ModelArtifacts))).rejects.toThrow(/reset_after/);
    const again = fromArtifacts(artifacts);
    expect((again.layers[0] as GRU).cell.resetAfter).toBe(true);
  });

  it('tfjs RNN layers over a cell and over stacked cells load and predict what tfjs predicts, and back', async () => {
    const init = { recurrentInitializer: 'glorotUniform', biasInitializer: 'randomNormal' } as const;
    const model = tfl.sequential({
      layers: [
        tfl.layers.rnn({ cell: tfl.layers.lstmCell({ units: 3, ...init }), returnSequences: true, inputShape: [T, D] }),
        tfl.layers.rnn({ cell: [tfl.layers.gruCell({ units: 2, ...init }), tfl.layers.simpleRNNCell({ units: 3, ...init })], goBackwards: true }),
      ],
    });
    const xv = randomTensor([B, T, D], 77);
    const x = tf.tensor3d(xv.values as Float32Array, [B, T, D]);
    const expected = (model.predict(x) as tf.Tensor).dataSync();
    const ours = fromArtifacts(await tfjsSave(model));
    const [one, two] = ours.layers as [RNN, RNN];
    expect([one.cell.className, two.cell.className]).toEqual(['LSTMCell', 'StackedRNNCells']);
    expect(record(maxDiff((ours.predict(xv) as Tensor).values, expected))).toBeLessThan(1e-5);
    const back = await tfl.loadLayersModel(tf.io.fromMemory(toArtifacts(ours) as unknown as tf.io.ModelArtifacts));
    expect(record(maxDiff((back.predict(x) as tf.Tensor).dataSync(), expected))).toBeLessThan(1e-5);
  });

  it('an Embedding(maskZero) model with an LSTM in the middle matches tfjs with the mask carried through returnSequences', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.embedding({ inputDim: 10, outputDim: 4, inputLength: 6, maskZero: true }),
        tfl.layers.lstm({ units: 3, returnSequences: true, recurrentInitializer: 'glorotUniform', recurrentActivation: 'sigmoid' }),
        tfl.layers.lstm({ units: 2, goBackwards: true, recurrentInitializer: 'glorotUniform' }),
      ],
    });
    const expected = (model.predict(tf.tensor2d(TOKENS)) as tf.Tensor).dataSync();
    const ours = fromArtifacts(await tfjsSave(model));
    expect(record(maxDiff((ours.predict(tensor(TOKENS)) as Tensor).values, expected))).toBeLessThan(1e-5);
    const emb = ours.layers[0] as Embedding;
    expect(emb.className).toBe('Embedding');
  });
});
