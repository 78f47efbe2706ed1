// Bidirectional (Keras 3 keras/src/layers/rnn/bidirectional.py) against tfjs-layers 4.22: bidirectional(lstm | gru
// (resetAfter false, the only GRU tfjs has) | simpleRNN) x every merge mode x returnSequences x returnState x
// masked inputs, loaded from tfjs' files and saved back for tfjs, within 1e-5. With a mask and returnSequences
// Keras 3 outputs zeros at masked steps (it sets zero_output_for_mask on both layers) where tfjs carries the
// previous output: there the expected values are tfjs' two unmerged outputs times the mask, merged in float64.
// Also: initial states split half/half, stateful layers, finite-difference gradients (masked too), config round
// trips, .keras files and Keras' errors.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { Tensor, concat, noGrad } from '@minikeras/tensor';
import { expectClose, gradcheck, randomTensor } from '@minikeras/test-utils';
import { Layer, clearSession } from '../../engine/layer';
import { getMask } from '../../engine/mask';
import { Input } from '../core';
import { Dense } from '../dense';
import { Masking } from '../preprocessing';
import { Model } from '../../models/model';
import { Sequential } from '../../models/sequential';
import '../../models/functional';
import '../index';
import { toArtifacts } from '../../saving/artifacts';
import { fromArtifacts, loadModel } from '../../saving/load-model';
import { serializeLayer } from '../../saving/keras-config';
import { toKerasBytes } from '../../saving/keras-io';
import { saveableTree } from '../../saving/keras-tree';
import { checkLayerGradients, runLayerTest } from '../../testing/run-layer-test';
import { GRU, LSTM, LSTMCell, RNN, SimpleRNN, SimpleRNNCell } from './index';
import { Bidirectional } from './bidirectional';
import type { BidirectionalMergeMode } from './bidirectional';
import { tfjsSave } from '../../testing/tfjs-oracle';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(() => clearSession());

const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));
let worst = 0;
function compare(ours: Tensor, want: ArrayLike<number>, shape: readonly number[], label: string): void {
  expect(ours.shape, label).toEqual([...shape]);
  let d = 0;
  for (let i = 0; i < want.length; i++) d = Math.max(d, Math.abs(ours.values[i]! - want[i]!));
  worst = Math.max(worst, d);
  expectClose(ours, want, { atol: 1e-5, rtol: 0, label });
}

const rn = (seed: number) => tfl.initializers.randomNormal({ mean: 0, stddev: 0.4, seed });
// tfjs' orthogonal initializer does not run in Node (it calls a chained op tfjs-core does not install there);
// the recurrent kernels are glorot-uniform instead. Sigmoid gates: tfjs' default is its hard sigmoid.
const seeded = (seed: number) => ({ kernelInitializer: tfl.initializers.glorotUniform({ seed }), recurrentInitializer: tfl.initializers.glorotUniform({ seed: seed + 100 }), biasInitializer: rn(seed) });
const KINDS = {
  lstm: (o: Record<string, unknown>) => tfl.layers.lstm({ units: 3, recurrentActivation: 'sigmoid', ...seeded(1), ...o }),
  gru: (o: Record<string, unknown>) => tfl.layers.gru({ units: 3, recurrentActivation: 'sigmoid', ...seeded(2), ...o }),
  simpleRNN: (o: Record<string, unknown>) => tfl.layers.simpleRNN({ units: 3, ...seeded(3), ...o }),
} as const;
const MERGES: BidirectionalMergeMode[] = ['concat', 'sum', 'mul', 'ave', null];
const [B, T, F] = [3, 5, 2];

/** Inputs whose rows are 5, 3 and 1 steps long (zeros after), row 0 with a masked step in the middle too. */
function sequences(masked: boolean): Float32Array {
  const x = Float32Array.from({ length: B * T * F }, (_, i) => Math.sin(0.7 * i + 0.3) * 1.5);
  if (!masked) return x;
  const lengths = [5, 3, 1];
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) if (t >= lengths[b]! || (b === 0 && t === 2)) for (let f = 0; f < F; f++) x[(b * T + t) * F + f] = 0;
  return x;
}

const mergeF64 = (mode: BidirectionalMergeMode, a: ArrayLike<number>, b: ArrayLike<number>, units: number): Float64Array => {
  if (mode === 'concat') {
    const rows = a.length / units;
    const out = new Float64Array(2 * a.length);
    for (let r = 0; r < rows; r++) for (let u = 0; u < units; u++) { out[r * 2 * units + u] = a[r * units + u]!; out[r * 2 * units + units + u] = b[r * units + u]!; }
    return out;
  }
  return Float64Array.from(a, (v, i) => (mode === 'sum' ? v + b[i]! : mode === 'mul' ? v * b[i]! : (v + b[i]!) / 2));
};

describe('Bidirectional against tfjs-layers 4.22, through tfjs Layers files both ways', () => {
  const cases: [string, keyof typeof KINDS, BidirectionalMergeMode, boolean, boolean, boolean][] = [];
  for (const kind of Object.keys(KINDS) as (keyof typeof KINDS)[]) {
    for (const merge of MERGES) for (const seq of [false, true]) for (const state of [false, true]) for (const masked of [false, true]) {
      cases.push([`${kind} ${String(merge)}${seq ? ' returnSequences' : ''}${state ? ' returnState' : ''}${masked ? ' masked' : ''}`, kind, merge, seq, state, masked]);
    }
  }

  it.each(cases)('%s', async (_name, kind, merge, returnSequences, returnState, masked) => {
    const make = (mergeMode: BidirectionalMergeMode) => tfl.layers.bidirectional({ layer: KINDS[kind]({ returnSequences, returnState }) as tfl.RNN, mergeMode: mergeMode as 'concat' });
    const input = tfl.input({ shape: [T, F] });
    const seqIn = masked ? tfl.layers.masking({ maskValue: 0 }).apply(input) as tfl.SymbolicTensor : input;
    const bi = make(merge);
    const tfModel = tfl.model({ inputs: input, outputs: bi.apply(seqIn) as tfl.SymbolicTensor | tfl.SymbolicTensor[] });
    const x = sequences(masked);
    const tfOut = list(tfModel.predict(tf.tensor(x, [B, T, F])) as tf.Tensor | tf.Tensor[]);
    // Keras 3's numbers: tfjs' where the two agree; zeros at masked steps of returned sequences.
    let want = tfOut.map((t) => t.dataSync() as ArrayLike<number>);
    if (masked && returnSequences) {
      const both = make(null);
      const twin = tfl.model({ inputs: input, outputs: both.apply(seqIn) as tfl.SymbolicTensor[] });
      both.setWeights(bi.getWeights());
      const [yf, yb] = (twin.predict(tf.tensor(x, [B, T, F])) as tf.Tensor[]).map((t) => t.dataSync());
      const stepMask = Array.from({ length: B * T }, (_, s) => (x[s * F] !== 0 || x[s * F + 1] !== 0 ? 1 : 0));
      const zeroed = (y: ArrayLike<number>) => Float64Array.from(y, (v, i) => v * stepMask[Math.floor(i / 3)]!);
      const outputs = merge === null ? [zeroed(yf!), zeroed(yb!)] : [mergeF64(merge, zeroed(yf!), zeroed(yb!), 3)];
      want = [...outputs, ...want.slice(outputs.length)];
    }

    const artifacts = await tfjsSave(tfModel);
    const ours = fromArtifacts(artifacts) as Model;
    const layer = ours.layers.at(-1)! as Bidirectional;
    expect(layer).toBeInstanceOf(Bidirectional);
    expect(layer.weights.map((w) => w.name)).toEqual(artifacts.weightSpecs!.map((s) => s.name));
    const got = list(ours.predict(new Tensor(x, [B, T, F])) as Tensor | Tensor[]);
    expect(got.length).toBe(tfOut.length);
    got.forEach((g, i) => compare(g, want[i]!, tfOut[i]!.shape, `output ${i}`));

    const back = await tfl.loadLayersModel(tf.io.fromMemory(toArtifacts(ours) as unknown as tf.io.ModelArtifacts));
    const again = list(back.predict(tf.tensor(x, [B, T, F])) as tf.Tensor | tf.Tensor[]);
    again.forEach((a, i) => expectClose(a.dataSync(), tfOut[i]!.dataSync(), { atol: 1e-6, rtol: 0, label: `tfjs reloading our file, output ${i}` }));
  });

  it('initial states: the first half starts the forward layer, the second half the backward layer', async () => {
    for (const kind of Object.keys(KINDS) as (keyof typeof KINDS)[]) {
      const bi = tfl.layers.bidirectional({ layer: KINDS[kind]({ returnSequences: true }) as tfl.RNN, mergeMode: 'concat' });
      const input = tfl.input({ shape: [T, F] });
      const tfModel = tfl.model({ inputs: input, outputs: bi.apply(input) as tfl.SymbolicTensor });
      const ours = fromArtifacts(await tfjsSave(tfModel)) as Model;
      const layer = ours.layers.at(-1)! as Bidirectional;
      const count = kind === 'lstm' ? 4 : 2;
      const states = Array.from({ length: count }, (_, i) => randomTensor([B, 3], 30 + i));
      const x = sequences(false);
      const want = (bi.apply(tf.tensor(x, [B, T, F]), { initialState: states.map((s) => tf.tensor(Float32Array.from(s.values), [B, 3])) }) as tf.Tensor).dataSync();
      compare(layer.apply([new Tensor(x, [B, T, F]), ...states]) as Tensor, want, [B, T, 6], `${kind} with initial states`);
    }
  });

  it('stays within 1e-5 of tfjs on every case (max difference printed)', () => {
    console.log(`Bidirectional vs tfjs-layers 4.22: ${cases.length} cases, max |difference| ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(1e-5);
  });
});

describe('Bidirectional', () => {
  it('forward and backward layers are fresh copies (forward_ / backward_ names, goBackwards flipped), weights forward first', () => {
    const lstm = new LSTM(4, { name: 'enc', returnSequences: true });
    const bi = new Bidirectional(lstm, { name: 'bi' });
    expect(bi.forwardLayer).not.toBe(lstm);
    expect(bi.forwardLayer.name).toBe('forward_enc');
    expect(bi.backwardLayer.name).toBe('backward_enc');
    expect((bi.forwardLayer as LSTM).goBackwards).toBe(false);
    expect((bi.backwardLayer as LSTM).goBackwards).toBe(true);
    // Keras 3 forces zero outputs at masked steps when returning sequences.
    expect((bi.forwardLayer as LSTM).zeroOutputForMask).toBe(true);
    expect((bi.backwardLayer as LSTM).zeroOutputForMask).toBe(true);
    expect((new Bidirectional(new GRU(2)).forwardLayer as GRU).zeroOutputForMask).toBe(false);
    const y = bi.apply(randomTensor([2, 3, 5], 1));
    expect(y.shape).toEqual([2, 3, 8]);
    expect(lstm.built).toBe(false);
    expect(bi.weights.map((w) => w.name)).toEqual(['bi/forward_enc/kernel', 'bi/forward_enc/recurrent_kernel', 'bi/forward_enc/bias', 'bi/backward_enc/kernel', 'bi/backward_enc/recurrent_kernel', 'bi/backward_enc/bias']);
    expect(bi.weights.slice(0, 3)).toEqual(bi.forwardLayer.weights);
    expect(bi.weights.slice(3)).toEqual(bi.backwardLayer.weights);
    // Stacked cells: tfjs' StackedRNNCells scopes each cell RNNCell_<i> (rnn/RNNCell_0/kernel), under the wrapper's
    // scope (tfjs cannot wrap a generic RNN in a Bidirectional, its config clone fails, so there is no tfjs file).
    const stacked = new Bidirectional(new RNN([new SimpleRNNCell(2), new LSTMCell(3)], { name: 'r' }), { name: 'bs' });
    stacked.ensureBuilt([null, 3, 2]);
    expect(stacked.weights.map((w) => w.name).filter((n) => n.endsWith('/kernel'))).toEqual(['bs/forward_r/RNNCell_0/kernel', 'bs/forward_r/RNNCell_1/kernel', 'bs/backward_r/RNNCell_0/kernel', 'bs/backward_r/RNNCell_1/kernel']);
    // goBackwards is flipped for the copy (tfjs, Keras 2): a layer reading backwards gets a forward-reading twin.
    const reversed = new Bidirectional(new LSTM(2, { goBackwards: true }));
    expect([(reversed.forwardLayer as LSTM).goBackwards, (reversed.backwardLayer as LSTM).goBackwards]).toEqual([true, false]);
    // A name that already says forward_ / backward_ is not prefixed twice (Keras' removeprefix).
    expect(new Bidirectional(new LSTM(2, { name: 'forward_x' })).forwardLayer.name).toBe('forward_x');
  });

  it('equals its two layers run by hand: backward output reversed in time, merged', () => {
    const bi = new Bidirectional(new SimpleRNN(3, { returnSequences: true }), { mergeMode: null });
    const x = randomTensor([2, 4, 3], 2);
    const [yf, yb] = bi.apply(x) as unknown as Tensor[];
    const f = bi.forwardLayer.apply(x) as Tensor;
    const b = bi.backwardLayer.apply(x) as Tensor;
    expect(bits(yf!.values)).toEqual(bits(f.values));
    for (let n = 0; n < 2; n++) for (let t = 0; t < 4; t++) for (let u = 0; u < 3; u++) expect(yb!.values[(n * 4 + t) * 3 + u]).toBe(b.values[(n * 4 + (3 - t)) * 3 + u]);
    // The `weights` option: forward half, then backward half, set when the layer is built.
    const concatBi = new Bidirectional(new SimpleRNN(3), { mergeMode: 'concat', weights: bi.getWeights() });
    const last = concatBi.apply(x) as Tensor;
    expect(concatBi.getWeights().map((w) => bits(w.values))).toEqual(bi.getWeights().map((w) => bits(w.values)));
    const lastF = concatBi.forwardLayer.apply(x) as Tensor, lastB = concatBi.backwardLayer.apply(x) as Tensor;
    expect(bits(last.values)).toEqual(bits(concat([lastF, lastB], -1).values));
    // The last backward output is the one at time 0 of the backward sequence.
    for (let n = 0; n < 2; n++) for (let u = 0; u < 3; u++) expect(lastB.values[n * 3 + u]).toBe(b.values[(n * 4 + 3) * 3 + u]);
  });

  it('runLayerTest for each merge mode: shapes, weights, a training step, config round trip', () => {
    for (const mergeMode of ['concat', 'sum', 'mul', 'ave'] as const) {
      runLayerTest(() => new Bidirectional(new LSTM(3, { returnSequences: true }), { mergeMode }), {
        inputShape: [2, 4, 3], expectedOutputShape: [2, 4, mergeMode === 'concat' ? 6 : 3], expectedTrainableWeights: 6,
        fromConfig: (c) => Bidirectional.fromConfig(c),
      });
    }
    runLayerTest(() => new Bidirectional(new GRU(2)), { inputShape: [3, 5, 2], expectedOutputShape: [3, 4], expectedTrainableWeights: 6, fromConfig: (c) => Bidirectional.fromConfig(c) });
  });

  it('gradients match finite differences (input and weights), also through a mask', () => {
    checkLayerGradients(new Bidirectional(new LSTM(2, { returnSequences: true })), randomTensor([2, 3, 2], 3));
    checkLayerGradients(new Bidirectional(new GRU(2), { mergeMode: 'mul' }), randomTensor([2, 3, 2], 4));
    checkLayerGradients(new Bidirectional(new SimpleRNN(2, { returnSequences: true }), { mergeMode: 'ave' }), randomTensor([2, 3, 2], 5));
    const masked = new Bidirectional(new LSTM(2, { returnSequences: true }), { mergeMode: 'sum' });
    const mask = new Tensor(Float32Array.of(1, 1, 0, 1, 0, 0), [2, 3]);
    gradcheck((x) => masked.apply(x, { mask }) as Tensor, [randomTensor([2, 3, 2], 6)]);
    const withState = new Bidirectional(new LSTM(2, { returnState: true }));
    gradcheck((x, h) => {
      const outs = withState.apply([x!, h!, h!, h!, h!]) as unknown as Tensor[];
      return concat(outs, -1);
    }, [randomTensor([2, 3, 2], 7), randomTensor([2, 2], 8)]);
  });

  it('masks: zeros at masked steps with returnSequences, the mask passed on; none without', () => {
    const x = randomTensor([2, 4, 2], 9);
    const mask = new Tensor(Float32Array.of(1, 1, 1, 0, 1, 0, 0, 0), [2, 4]);
    const bi = new Bidirectional(new LSTM(3, { returnSequences: true }));
    const y = bi.apply(x, { mask }) as Tensor;
    for (let s = 0; s < 8; s++) if (mask.values[s] === 0) expect(Array.from(y.values.slice(s * 6, s * 6 + 6))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(getMask(y)).toBe(mask);
    const both = new Bidirectional(new LSTM(3, { returnSequences: true }), { mergeMode: null }).apply(x, { mask }) as unknown as Tensor[];
    expect(both.map(getMask)).toEqual([mask, mask]);
    const last = new Bidirectional(new LSTM(3)).apply(x, { mask }) as Tensor;
    expect(getMask(last)).toBeNull();
    const withStates = new Bidirectional(new LSTM(3, { returnSequences: true, returnState: true })).apply(x, { mask }) as unknown as Tensor[];
    expect(withStates.map(getMask)).toEqual([mask, null, null, null, null]);
    // Masked steps change nothing: row 1 (one real step) equals that step alone, in both directions.
    const gru = new Bidirectional(new GRU(2));
    const full = gru.apply(x, { mask }) as Tensor;
    const alone = gru.apply(new Tensor(x.values.slice(8, 10), [1, 1, 2])) as Tensor;
    expectClose(full.values.slice(4, 8), alone.values, { atol: 1e-7, rtol: 0, label: 'masked row vs its real step' });
  });

  it('tfjs\' default gates (its hard sigmoid) through a tfjs file, both ways', async () => {
    const bi = tfl.layers.bidirectional({ layer: tfl.layers.lstm({ units: 3, returnSequences: true, ...seeded(4) }) as tfl.RNN, mergeMode: 'sum' });
    const input = tfl.input({ shape: [T, F] });
    const tfModel = tfl.model({ inputs: input, outputs: bi.apply(input) as tfl.SymbolicTensor });
    const x = sequences(false);
    const want = (tfModel.predict(tf.tensor(x, [B, T, F])) as tf.Tensor).dataSync();
    const ours = fromArtifacts(await tfjsSave(tfModel)) as Model;
    compare(ours.predict(new Tensor(x, [B, T, F])) as Tensor, want, [B, T, 3], 'hard sigmoid gates');
    const back = await tfl.loadLayersModel(tf.io.fromMemory(toArtifacts(ours) as unknown as tf.io.ModelArtifacts));
    expectClose((back.predict(tf.tensor(x, [B, T, F])) as tf.Tensor).dataSync(), want, { atol: 1e-6, rtol: 0, label: 'tfjs reloading our file' });
  });

  it('stateful: two calls carry the states of both directions, equal to passing them as initial states; resetStates', () => {
    const bi = new Bidirectional(new LSTM(2, { stateful: true, returnState: true }), { batchInputShape: [2, 3, 2] });
    const x1 = randomTensor([2, 3, 2], 10), x2 = randomTensor([2, 3, 2], 11);
    const first = bi.apply(x1) as unknown as Tensor[];
    const second = bi.apply(x2) as unknown as Tensor[];
    expect(bi.stateful).toBe(true);
    const plain = new Bidirectional(new LSTM(2, { returnState: true }));
    plain.ensureBuilt([2, 3, 2]);
    plain.setWeights(bi.getWeights());
    const want = plain.apply([x2, ...first.slice(1)]) as unknown as Tensor[];
    want.forEach((w, i) => expect(bits(second[i]!.values)).toEqual(bits(w.values)));
    bi.resetStates();
    const fresh = bi.apply(x1) as unknown as Tensor[];
    expect(bits(fresh[0]!.values)).toEqual(bits(first[0]!.values));
    expect(() => new Bidirectional(new LSTM(2), { name: 'bi' }).resetStates()).toThrow("Bidirectional 'bi': resetStates needs a stateful layer (stateful: true)");
  });

  it('symbolic shapes for every merge mode and returnState, in functional and Sequential models', () => {
    const inp = Input({ shape: [6, 4] });
    expect((new Bidirectional(new LSTM(3, { returnSequences: true })).apply(inp)).shape).toEqual([null, 6, 6]);
    expect((new Bidirectional(new LSTM(3), { mergeMode: 'sum' }).apply(inp)).shape).toEqual([null, 3]);
    const nul = new Bidirectional(new GRU(3), { mergeMode: null }).apply(inp) as unknown as { shape: unknown }[];
    expect(nul.map((t) => t.shape)).toEqual([[null, 3], [null, 3]]);
    const st = new Bidirectional(new LSTM(3, { returnState: true })).apply(inp) as unknown as { shape: unknown }[];
    expect(st.map((t) => t.shape)).toEqual([[null, 6], [null, 3], [null, 3], [null, 3], [null, 3]]);
    const model = new Sequential([new Bidirectional(new LSTM(4, { returnSequences: true, inputShape: [6, 4] })), new Bidirectional(new LSTM(2)), new Dense(1)]);
    expect(model.predict(randomTensor([2, 6, 4], 1)).shape).toEqual([2, 1]);
    const h = Input({ shape: [3] });
    const withInit = new Bidirectional(new GRU(3, { returnSequences: true })).apply([inp, h, h]);
    expect(withInit.shape).toEqual([null, 6, 6]);
  });

  it('config: Keras 3 keys, a backward layer, round trips, and Keras\' .keras layout', async () => {
    const bi = new Bidirectional(new LSTM(3, { name: 'enc', returnSequences: true }), { name: 'bi', mergeMode: 'ave' });
    const json = serializeLayer(bi);
    expect(json.config).toMatchObject({ name: 'bi', merge_mode: 'ave', layer: { class_name: 'LSTM', config: { name: 'enc', units: 3, go_backwards: false } }, backward_layer: { class_name: 'LSTM', config: { name: 'backward_enc', go_backwards: true } } });
    const back = Bidirectional.fromConfig<Bidirectional>(bi.getConfig());
    expect(back.getConfig()).toEqual(bi.getConfig());
    expect(back.forwardLayer.name).toBe('forward_enc');
    // A backward layer of its own (Keras' example: another activation).
    const custom = new Bidirectional(new LSTM(3, { returnSequences: true }), { backwardLayer: new LSTM(3, { activation: 'relu', returnSequences: true, goBackwards: true, name: 'rev' }) });
    expect(custom.backwardLayer.name).toBe('rev');
    const rebuilt = Bidirectional.fromConfig<Bidirectional>(JSON.parse(JSON.stringify(custom.getConfig())) as Record<string, unknown>);
    expect((rebuilt.backwardLayer as LSTM).getConfig().activation).toBe('relu');
    // mergeMode null survives JSON.
    expect(Bidirectional.fromConfig<Bidirectional>(JSON.parse(JSON.stringify(new Bidirectional(new GRU(2), { mergeMode: null }).getConfig()))).mergeMode).toBeNull();
    // .keras: Keras' tree (backward_layer before forward_layer, each RNN's cell) and a bit-exact round trip.
    const inp = Input({ shape: [4, 2] });
    const model = new Model({ inputs: inp, outputs: new Dense(1).apply(new Bidirectional(new GRU(2, { name: 'g' })).apply(inp)) });
    expect(saveableTree(model).map((n) => `${n.varsPath}:${n.vars.length}`)).toEqual(['vars:0', 'layers/input_layer/vars:0', 'layers/bidirectional/vars:0', 'layers/bidirectional/backward_layer/vars:0', 'layers/bidirectional/backward_layer/cell/vars:3', 'layers/bidirectional/forward_layer/vars:0', 'layers/bidirectional/forward_layer/cell/vars:3', 'layers/dense/vars:2']);
    const bytes = await toKerasBytes(model);
    const config = JSON.parse(new TextDecoder().decode((await import('fflate')).unzipSync(bytes)['config.json']!)) as { config: { layers: { config: Record<string, { module?: string; class_name?: string; config: Record<string, unknown> }> }[] } };
    // Both RNNs in Keras 3's own serialization; `layer` under the wrapped layer's name, which Keras prefixes again.
    const saved = config.config.layers[1]!.config;
    expect(saved.layer).toMatchObject({ module: 'keras.layers', class_name: 'GRU', config: { name: 'g', go_backwards: false, zero_output_for_mask: false, dtype: { class_name: 'DTypePolicy' } } });
    expect(saved.backward_layer).toMatchObject({ module: 'keras.layers', class_name: 'GRU', config: { name: 'backward_g', go_backwards: true } });
    const loaded = await loadModel(bytes);
    const x = randomTensor([2, 4, 2], 3);
    expect(loaded.weights.map((w) => bits(w.values))).toEqual(model.weights.map((w) => bits(w.values)));
    expect(bits((loaded.predict(x) as Tensor).values)).toEqual(bits((model.predict(x) as Tensor).values));
  });

  it('errors as Keras raises them, naming the layer', () => {
    const rnn = () => new LSTM(2, { returnSequences: true });
    expect(() => new Bidirectional({} as Layer, { name: 'b' })).toThrow("Bidirectional 'b': expected a recurrent Layer instance to wrap (LSTM, GRU, SimpleRNN, RNN), got {}");
    expect(() => new Bidirectional(new Dense(2), { name: 'b' })).toThrow("Bidirectional 'b': the wrapped Dense 'dense' is not a recurrent layer: it has no boolean 'returnSequences'");
    expect(() => new Bidirectional(rnn(), { name: 'b', mergeMode: 'max' as never })).toThrow("Bidirectional 'b': mergeMode must be one of 'concat', 'sum', 'mul', 'ave' or null, got \"max\"");
    expect(() => new Bidirectional(rnn(), { name: 'b', backwardLayer: rnn() })).toThrow("Bidirectional 'b': the forward and backward layers must have different goBackwards values, got forwardLayer.goBackwards false and backwardLayer.goBackwards false");
    expect(() => new Bidirectional(rnn(), { name: 'b', backwardLayer: new LSTM(2, { goBackwards: true }) })).toThrow("Bidirectional 'b': the forward and backward layers must have the same 'returnSequences', got true for the forward layer and false for the backward layer");
    expect(() => new Bidirectional(rnn(), { name: 'b', backwardLayer: 'lstm' as never })).toThrow("Bidirectional 'b': backwardLayer must be a Layer instance, got lstm");
    expect(() => new Bidirectional(rnn(), { name: 'b', merge: 'sum' } as never)).toThrow("Bidirectional 'b': unknown option 'merge'");
    const bi = new Bidirectional(rnn(), { name: 'c' });
    expect(() => bi.apply([randomTensor([2, 3, 2], 1), randomTensor([2, 2], 2)])).toThrow("Bidirectional 'c': expects an even number of initial states (the first half for the forward layer, the second for the backward layer), got 1");
    expect(() => new Bidirectional(rnn(), { name: 'd' }).apply(randomTensor([2, 3], 1))).toThrow("Bidirectional 'd': expects a sequence [batch, time, features] (or [sequence, ...initialStates]), got (None, 3)");
    expect(() => Bidirectional.fromConfig({ name: 'e' })).toThrow("Bidirectional 'e'.fromConfig: the config has no 'layer'");
    expect(() => Bidirectional.fromConfig({ name: 'e', layer: { class_name: 'ConvLSTM9D', config: {} } })).toThrow(/Bidirectional 'e': its layer: layer class 'ConvLSTM9D' is not available in minikeras/);
    expect(noGrad(() => new Bidirectional(rnn()).apply(randomTensor([1, 2, 2], 3))).shape).toEqual([1, 2, 4]);
  });

  it('Masking -> Bidirectional(LSTM, returnSequences) -> Bidirectional(LSTM): the mask flows through the first', () => {
    const model = new Sequential([new Masking({ maskValue: 0, inputShape: [null, 2] }), new Bidirectional(new LSTM(3, { returnSequences: true })), new Bidirectional(new LSTM(2))]);
    const x = new Tensor(sequences(true), [B, T, F]);
    const full = model.predict(x) as Tensor;
    // Row 2 has one real step: the same as that step alone.
    const one = model.predict(new Tensor(x.values.slice(2 * T * F, 2 * T * F + F), [1, 1, F])) as Tensor;
    expectClose(full.values.slice(2 * 4, 3 * 4), one.values, { atol: 1e-6, rtol: 0, label: 'masked row vs its real steps' });
  });
});
