// The keras.io recurrent examples as tests, on small data:
// (a) "Bidirectional LSTM on IMDB" (keras.io/examples/nlp/bidirectional_lstm_imdb): the same architecture with
//     smaller sizes on a synthetic sentiment task it must learn, also with maskZero (padding then changes nothing);
// (b) the "Working with RNNs" guide (keras.io/guides/working_with_rnns): each snippet with the shapes and parameter
//     counts the guide's summaries print, and the behaviour the guide describes (encoder-decoder with returned
//     and initial states, cross-batch statefulness equal to one run over the whole sequence, state reuse,
//     Bidirectional, RNN(LSTMCell) == LSTM, RNN over a custom cell).
// Nested (list/record) inputs per step, the guide's last section, are not supported: a list given to an RNN
// layer is [sequence, ...initialStates] (the tfjs convention of the recurrent API contract).
import { beforeEach, describe, expect, it } from 'vitest';
import { Tensor, add, concat, matmul, setSeed, slice, tensor } from '@minikeras/tensor';
import type { Variable } from '@minikeras/tensor';
import { expectClose, randomTensor } from '@minikeras/test-utils';
import { Layer, clearSession } from '../../engine/layer';
import type { CallContext, ShapeStructure, SymbolicShape } from '../../engine/layer';
import type { Nested } from '../../engine/structure';
import { getMask } from '../../engine/mask';
import type { SymbolicTensor } from '../../engine/symbolic-tensor';
import { SparseCategoricalCrossentropy } from '@minikeras/losses';
import { Input } from '../core';
import { Dense } from '../dense';
import { Embedding } from '../embedding';
import { BatchNormalization } from '../batch-normalization';
import { Model } from '../../models/model';
import { Sequential } from '../../models/sequential';
import { Bidirectional } from './bidirectional';
import { GRU, LSTM, LSTMCell, RNN, SimpleRNN } from './index';

beforeEach(() => {
  clearSession();
  setSeed(7);
});

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};
const paramsOf = (model: Model | Sequential): number[] => model.layers.map((l) => l.countParams());

/**
 * A small learnable "review" corpus: token ids 1..4 are positive words, 5..8 negative, 9..29 neutral.
 * A review holds neutral words and either positive or negative ones (the label), and is zero-padded in front,
 * as `pad_sequences` does, to `maxlen`.
 */
function reviews(n: number, maxlen: number, seed: number): { x: number[][]; y: number[] } {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const x: number[][] = [], y: number[] = [];
  for (let i = 0; i < n; i++) {
    const positive = i % 2 === 0;
    const len = 4 + Math.floor(rand() * (maxlen - 3));
    const row = Array.from({ length: len }, () => 9 + Math.floor(rand() * 21));
    const polar = 1 + Math.floor(rand() * 2);
    for (let k = 0; k < polar; k++) row[Math.floor(rand() * len)] = (positive ? 1 : 5) + Math.floor(rand() * 4);
    x.push([...new Array<number>(maxlen - len).fill(0), ...row]);
    y.push(positive ? 1 : 0);
  }
  return { x, y };
}

function imdbModel(maxFeatures: number, maskZero: boolean): Model {
  // Input for variable-length sequences of integers
  const inputs = Input({ shape: [null], dtype: 'int32' });
  // Embed each integer (128 in the example; 8 here)
  let x = new Embedding(maxFeatures, 8, { maskZero }).apply(inputs);
  // Add 2 bidirectional LSTMs (64 units each in the example; 6 here)
  x = new Bidirectional(new LSTM(6, { returnSequences: true })).apply(x);
  x = new Bidirectional(new LSTM(6)).apply(x);
  // Add a classifier
  const outputs = new Dense(1, { activation: 'sigmoid' }).apply(x);
  return new Model({ inputs, outputs });
}

describe('keras.io: Bidirectional LSTM on IMDB (small synthetic reviews)', () => {
  const maxFeatures = 30, maxlen = 12;

  it('has the example\'s architecture and shapes, and learns the sentiment (held-out accuracy > 0.9)', async () => {
    const model = imdbModel(maxFeatures, false);
    expect(model.layers.map((l) => l.className)).toEqual(['InputLayer', 'Embedding', 'Bidirectional', 'Bidirectional', 'Dense']);
    // Keras' summary: Embedding V*E, Bidirectional 2 * 4u(in + u + 1), Dense 2u + 1.
    expect(paramsOf(model)).toEqual([0, 30 * 8, 2 * 4 * 6 * (8 + 6 + 1), 2 * 4 * 6 * (12 + 6 + 1), 12 + 1]);
    model.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
    const train = reviews(256, maxlen, 1), val = reviews(128, maxlen, 2);
    const history = await model.fit(tensor(train.x), tensor(train.y, [256, 1]), {
      batchSize: 32, epochs: 20, validationData: [tensor(val.x), tensor(val.y, [128, 1])], verbose: 0,
    });
    const valAcc = history.history.val_accuracy as number[];
    const loss = history.history.loss as number[];
    expect(loss[loss.length - 1]).toBeLessThan(loss[0]! * 0.5);
    expect(valAcc[valAcc.length - 1]).toBeGreaterThan(0.9);
    // Variable-length input: the same model takes other lengths.
    expect((model.predict(tensor([[0, 0, 1, 12, 13]])) as Tensor).shape).toEqual([1, 1]);
  });

  it('with Embedding(maskZero): learns, and the amount of front padding changes no prediction', async () => {
    const model = imdbModel(maxFeatures, true);
    model.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
    const train = reviews(256, maxlen, 3), val = reviews(128, maxlen, 4);
    const history = await model.fit(tensor(train.x), tensor(train.y, [256, 1]), {
      batchSize: 32, epochs: 12, validationData: [tensor(val.x), tensor(val.y, [128, 1])], verbose: 0,
    });
    const valAcc = history.history.val_accuracy as number[];
    expect(valAcc[valAcc.length - 1]).toBeGreaterThan(0.9);
    const rows = val.x.slice(0, 6);
    // The same reviews padded to 8 instead of 12 (only those of at most 8 tokens fit) and to 20.
    const short = rows.map((r) => r.slice(maxlen - 8));
    const fits = rows.map((r) => r.filter((t) => t !== 0).length <= 8);
    const p12 = (model.predict(tensor(rows)) as Tensor).values;
    const p8 = (model.predict(tensor(short)) as Tensor).values;
    const padded20 = (model.predict(tensor(rows.map((r) => [...new Array<number>(8).fill(0), ...r]))) as Tensor).values;
    expect(maxDiff(p12, padded20)).toBeLessThan(1e-6);
    fits.forEach((ok, i) => { if (ok) expect(Math.abs(p12[i]! - p8[i]!)).toBeLessThan(1e-6); });
    expect(fits.some((ok) => ok)).toBe(true);
  });
});

describe('keras.io: Working with RNNs', () => {
  it('Built-in RNN layers: Embedding(1000, 64) -> LSTM(128) -> Dense(10), with the guide\'s parameter counts', () => {
    const model = new Sequential();
    // Add an Embedding layer expecting input vocab of size 1000, and output embedding dimension of size 64.
    model.add(new Embedding(1000, 64));
    // Add a LSTM layer with 128 internal units.
    model.add(new LSTM(128));
    // Add a Dense layer with 10 units.
    model.add(new Dense(10));
    const y = model.apply(tensor([[4, 20, 7, 999], [1, 0, 3, 5]]));
    expect(y.shape).toEqual([2, 10]);
    // The guide's summary: 64,000 + 98,816 + 1,290 = 164,106 parameters.
    expect(paramsOf(model)).toEqual([64000, 98816, 1290]);
    expect(model.countParams()).toBe(164106);
  });

  it('Outputs and states: GRU(256, returnSequences) gives [batch, timesteps, 256] into SimpleRNN(128)', () => {
    const model = new Sequential();
    model.add(new Embedding(1000, 64));
    // The output of GRU will be a 3D tensor of shape (batch_size, timesteps, 256)
    model.add(new GRU(256, { returnSequences: true }));
    // The output of SimpleRNN will be a 2D tensor of shape (batch_size, 128)
    model.add(new SimpleRNN(128));
    model.add(new Dense(10));
    const x = tensor([[4, 20, 7], [1, 2, 3]]);
    expect(model.apply(x).shape).toEqual([2, 10]);
    const [emb, gru] = model.layers as [Embedding, GRU];
    expect((gru.apply(emb.apply(x)) as Tensor).shape).toEqual([2, 3, 256]);
    // Keras 3's GRU has resetAfter: true (bias [2, 3u]): 3 * 256 * (64 + 256 + 2) = 247,296.
    expect(paramsOf(model)).toEqual([64000, 247296, 49280, 1290]);
  });

  it('encoder-decoder: the encoder\'s returned states are the decoder\'s initial state', () => {
    const encoderVocab = 1000, decoderVocab = 2000;
    const encoderInput = Input({ shape: [null] });
    const encoderEmbedded = new Embedding(encoderVocab, 64).apply(encoderInput);
    // Return states in addition to output
    const [, stateH, stateC] = new LSTM(64, { returnState: true, name: 'encoder' }).apply(encoderEmbedded) as unknown as SymbolicTensor[];
    const decoderInput = Input({ shape: [null] });
    const decoderEmbedded = new Embedding(decoderVocab, 64).apply(decoderInput);
    // Pass the 2 states to a new LSTM layer, as initial state
    const decoderOutput = new LSTM(64, { name: 'decoder' }).apply([decoderEmbedded, stateH!, stateC!]);
    const output = new Dense(10).apply(decoderOutput);
    const model = new Model({ inputs: [encoderInput, decoderInput], outputs: output });
    const enc = tensor([[5, 6, 7, 8], [9, 10, 11, 12]]), dec = tensor([[1, 2, 3], [4, 5, 6]]);
    const y = model.apply([enc, dec]) as Tensor;
    expect(y.shape).toEqual([2, 10]);
    // The same computation layer by layer, with the states passed by hand.
    const byName = (n: string) => model.layers.find((l) => l.name === n)!;
    const embeddings = model.layers.filter((l) => l instanceof Embedding) as Embedding[];
    const [, h, c] = byName('encoder').apply(embeddings[0]!.apply(enc)) as unknown as Tensor[];
    const decoded = byName('decoder').apply([embeddings[1]!.apply(dec), h!, c!]) as Tensor;
    const dense = model.layers[model.layers.length - 1]!;
    expect(maxDiff(y.values, (dense.apply(decoded) as Tensor).values)).toBeLessThan(1e-6);
    // ... and not what a decoder starting from zero states computes.
    const fromZero = dense.apply(byName('decoder').apply(embeddings[1]!.apply(dec)) as Tensor) as Tensor;
    expect(maxDiff(y.values, fromZero.values)).toBeGreaterThan(1e-4);
  });

  it('cross-batch statefulness: three paragraphs through a stateful LSTM equal one run over the whole text; resetStates', () => {
    const [p1, p2, p3] = [1, 2, 3].map((s) => randomTensor([4, 10, 6], s, 0, 1)) as [Tensor, Tensor, Tensor];
    const lstmLayer = new LSTM(8, { stateful: true });
    lstmLayer.apply(p1);
    lstmLayer.apply(p2);
    const output = lstmLayer.apply(p3) as Tensor;
    const whole = new LSTM(8);
    whole.apply(p1);
    whole.setWeights(lstmLayer.getWeights());
    expect(maxDiff(output.values, (whole.apply(concat([p1, p2, p3], 1)) as Tensor).values)).toBeLessThan(1e-5);
    // reset_states() goes back to zero states: the next call is a fresh run.
    lstmLayer.resetStates();
    expect(maxDiff((lstmLayer.apply(p3) as Tensor).values, (whole.apply(p3) as Tensor).values)).toBeLessThan(1e-6);
  });

  it('RNN state reuse: the states of a stateful layer as the initial state of a new layer', () => {
    const [p1, p2, p3] = [4, 5, 6].map((s) => randomTensor([4, 10, 6], s, 0, 1)) as [Tensor, Tensor, Tensor];
    const lstmLayer = new LSTM(8, { stateful: true });
    lstmLayer.apply(p1);
    lstmLayer.apply(p2);
    const existingState = lstmLayer.getStates();
    const newLstmLayer = new LSTM(8);
    newLstmLayer.apply(p3);
    newLstmLayer.setWeights(lstmLayer.getWeights());
    const newOutput = newLstmLayer.apply([p3, ...existingState]) as Tensor;
    // The new layer continues where the stateful one stopped.
    expect(maxDiff(newOutput.values, (lstmLayer.apply(p3) as Tensor).values)).toBeLessThan(1e-6);
  });

  it('Bidirectional RNNs: Bidirectional(LSTM(64, returnSequences), inputShape [5, 10]) -> Bidirectional(LSTM(32)) -> Dense(10)', () => {
    const model = new Sequential();
    model.add(new Bidirectional(new LSTM(64, { returnSequences: true }), { inputShape: [5, 10] }));
    model.add(new Bidirectional(new LSTM(32)));
    model.add(new Dense(10));
    // The guide's summary: (None, 5, 128) 38,400; (None, 64) 41,216; (None, 10) 650.
    expect(paramsOf(model)).toEqual([38400, 41216, 650]);
    const x = randomTensor([3, 5, 10], 8);
    expect(model.apply(x).shape).toEqual([3, 10]);
    const first = model.layers[0] as Bidirectional;
    expect((first.apply(x) as Tensor).shape).toEqual([3, 5, 128]);
    // The default merge is the concatenation of the forward output and the backward one (which read the
    // sequence reversed and return their sequence in processing order, reversed back by the wrapper).
    const fw = first.forwardLayer.apply(x) as Tensor;
    const bwInput = concat([4, 3, 2, 1, 0].map((t) => slice(x, [0, t, 0], [3, 1, 10])), 1);
    const plainBackward = new LSTM(64, { returnSequences: true });
    plainBackward.apply(bwInput);
    plainBackward.setWeights(first.backwardLayer.getWeights());
    const bw = plainBackward.apply(bwInput) as Tensor;
    const bwReversed = concat([4, 3, 2, 1, 0].map((t) => slice(bw, [0, t, 0], [3, 1, 64])), 1);
    expect(maxDiff((first.apply(x) as Tensor).values, concat([fw, bwReversed], -1).values)).toBeLessThan(1e-6);
  });

  it('RNN(LSTMCell(10)) computes what LSTM(10) does; the MNIST-rows model both ways gives the same predictions and trains', async () => {
    const x = randomTensor([3, 7, 5], 9);
    const viaCell = new RNN(new LSTMCell(10));
    const layer = new LSTM(10);
    viaCell.apply(x);
    layer.apply(x);
    layer.setWeights(viaCell.getWeights());
    expect(maxDiff((viaCell.apply(x) as Tensor).values, (layer.apply(x) as Tensor).values)).toBeLessThan(1e-6);

    // build_model(allow_cudnn_kernel) on rows of 8 "pixels" (28 in the guide), 16 units (64), 10 classes.
    const buildModel = (builtIn: boolean) => new Sequential([
      builtIn ? new LSTM(16, { inputShape: [null, 8] }) : new RNN(new LSTMCell(16), { inputShape: [null, 8] }),
      new BatchNormalization(),
      new Dense(10),
    ]);
    const model = buildModel(true);
    const compileArgs = () => ({ loss: new SparseCategoricalCrossentropy({ fromLogits: true }), optimizer: 'sgd' as const, metrics: ['accuracy' as const] });
    model.compile(compileArgs());
    const images = randomTensor([64, 8, 8], 10, 0, 1);
    const labels = tensor(Array.from({ length: 64 }, (_, i) => i % 10));
    const h = await model.fit(images, labels, { batchSize: 16, epochs: 1, validationData: [images, labels], verbose: 0 });
    expect(Object.keys(h.history).sort()).toEqual(['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    const noncudnnModel = buildModel(false);
    noncudnnModel.setWeights(model.getWeights());
    noncudnnModel.compile(compileArgs());
    expect(maxDiff((noncudnnModel.predict(images) as Tensor).values, (model.predict(images) as Tensor).values)).toBeLessThan(1e-5);
    // Training both from the same weights takes the same steps.
    const h1 = await model.fit(images, labels, { batchSize: 16, epochs: 1, shuffle: false, verbose: 0 });
    const h2 = await noncudnnModel.fit(images, labels, { batchSize: 16, epochs: 1, shuffle: false, verbose: 0 });
    expectClose(h2.history.loss![0]!, h1.history.loss![0]!, { rtol: 1e-4 });
  });

  it('RNN over a custom cell (the guide\'s cell API): a minimal cell, masked like the built-in layers', () => {
    class MinimalRNNCell extends Layer {
      static override readonly className = 'KerasIoMinimalRNNCell';
      readonly stateSize: number[];
      kernel: Variable | null = null;
      recurrentKernel: Variable | null = null;
      constructor(readonly units: number) {
        super();
        this.stateSize = [units];
      }
      override build(inputShape: ShapeStructure): void {
        const s = inputShape as SymbolicShape;
        this.kernel = this.addWeight('kernel', [s[s.length - 1]!, this.units], { initializer: 'uniform' });
        this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, this.units], { initializer: 'uniform' });
        this.built = true;
      }
      call(inputs: Nested<Tensor>, _ctx: CallContext): Tensor[] {
        const [x, prevOutput] = inputs as [Tensor, Tensor];
        const output = add(matmul(x, this.kernel!), matmul(prevOutput, this.recurrentKernel!));
        return [output, output];
      }
    }
    const layer = new RNN(new MinimalRNNCell(4), { returnSequences: true });
    const inputs = Input({ shape: [null, 5] });
    const model = new Model({ inputs, outputs: layer.apply(inputs) });
    const x = randomTensor([2, 6, 5], 11);
    const y = model.apply(x) as Tensor;
    expect(y.shape).toEqual([2, 6, 4]);
    // float64 reference of the cell's loop.
    const [k, r] = layer.getWeights() as [Tensor, Tensor];
    const expected: number[] = [];
    for (let b = 0; b < 2; b++) {
      let h = [0, 0, 0, 0];
      for (let t = 0; t < 6; t++) {
        h = [0, 1, 2, 3].map((u) => {
          let v = 0;
          for (let f = 0; f < 5; f++) v += x.values[(b * 6 + t) * 5 + f]! * k.values[f * 4 + u]!;
          for (let j = 0; j < 4; j++) v += h[j]! * r.values[j * 4 + u]!;
          return v;
        });
        expected.push(...h);
      }
    }
    expectClose(y, expected, { rtol: 1e-5, atol: 1e-6 });
    // A mask from Embedding(maskZero) reaches the custom cell's loop: masked steps repeat the previous output.
    const seq = new Sequential([new Embedding(9, 5, { maskZero: true, inputShape: [4] }), new RNN(new MinimalRNNCell(3), { returnSequences: true })]);
    const out = seq.apply(tensor([[2, 3, 0, 0]]));
    expect(Array.from(getMask(out)!.values)).toEqual([1, 1, 0, 0]);
    expect(maxDiff(out.values.slice(3, 6), out.values.slice(6, 9))).toBe(0);
    expect(maxDiff(out.values.slice(3, 6), out.values.slice(9, 12))).toBe(0);
  });
});
