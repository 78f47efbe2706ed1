// Losses and metrics honour the model output's mask during fit/evaluate, as Keras 3 does (Loss.__call__ merges
// y_pred's mask into the sample weights in reduce_weighted_values; MeanMetricWrapper uses it as a weight).
// Every value is checked against Keras' formula computed here in float64 from the model's own predictions:
//   loss     = sum(l * w * m) * (N / (sum(m) + 1e-7)) / N   ('sum_over_batch_size': the mean over unmasked entries)
//   accuracy = sum(c * w * m) / sum(w * m)
// tfjs-layers does not apply masks to losses, so it is no oracle here.
import { beforeEach, describe, expect, it } from 'vitest';
import { Tensor, tensor } from '@minikeras/tensor';
import { SGD } from '@minikeras/optimizers';
import { expectClose, randomTensor } from '@minikeras/test-utils';
import { clearSession } from '../engine/layer';
import { Input } from '../layers/core';
import { Dense } from '../layers/dense';
import { Embedding } from '../layers/embedding';
import { LSTM } from '../layers/rnn';
import { Masking } from '../layers/preprocessing';
import { Model } from '../models/model';
import { Sequential } from '../models/sequential';

beforeEach(() => clearSession());

const EPS = 1e-7;
// Id 0 is padding and appears nowhere else; the targets at padded steps are arbitrary (they must not count).
const IDS = [[3, 1, 4, 0, 0], [5, 2, 0, 0, 0], [1, 1, 2, 3, 4]];
const LABELS = [[0, 1, 2, 2, 0], [1, 2, 1, 0, 2], [2, 0, 1, 1, 0]];
const MASK: number[][] = IDS.map((r) => r.map((v) => (v === 0 ? 0 : 1)));

function tagger(maskZero: boolean): Model {
  const inp = Input({ shape: [5], dtype: 'int32' });
  const e = new Embedding(6, 4, { maskZero, embeddingsInitializer: 'glorot_uniform' }).apply(inp);
  const out = new Dense(3, { activation: 'softmax', biasInitializer: 'zeros' }).apply(e);
  const model = new Model({ inputs: inp, outputs: out });
  return model;
}

/** Per-step crossentropy and correctness in float64 from predicted probabilities [b, t, 3]. */
function perStep(p: Tensor): { ce: number[][]; correct: number[][] } {
  const ce: number[][] = [], correct: number[][] = [];
  for (let b = 0; b < 3; b++) {
    ce.push([]); correct.push([]);
    for (let t = 0; t < 5; t++) {
      const probs = [0, 1, 2].map((k) => p.values[(b * 5 + t) * 3 + k]!);
      const y = LABELS[b]![t]!;
      ce[b]!.push(-Math.log(Math.min(Math.max(probs[y]!, EPS), 1 - EPS)));
      correct[b]!.push(probs.indexOf(Math.max(...probs)) === y ? 1 : 0);
    }
  }
  return { ce, correct };
}

/** Keras' masked reduction of per-step values with weights w[b][t]. */
function kerasLoss(l: number[][], w: number[][], mask: number[][]): number {
  let s = 0, valid = 0;
  for (let b = 0; b < l.length; b++) for (let t = 0; t < l[b]!.length; t++) { s += l[b]![t]! * w[b]![t]! * mask[b]![t]!; valid += mask[b]![t]!; }
  const n = l.length * l[0]!.length;
  return (s * (n / (valid + EPS))) / n;
}
function kerasMeanMetric(v: number[][], w: number[][], mask: number[][]): number {
  let s = 0, wsum = 0;
  for (let b = 0; b < v.length; b++) for (let t = 0; t < v[b]!.length; t++) { s += v[b]![t]! * w[b]![t]! * mask[b]![t]!; wsum += w[b]![t]! * mask[b]![t]!; }
  return s / wsum;
}
const ones = (): number[][] => IDS.map((r) => r.map(() => 1));

describe('a sequence output with a mask: loss and metrics over the unmasked steps (Keras 3)', () => {
  it('evaluate: sparse crossentropy and accuracy, no sample weights', () => {
    const model = tagger(true);
    model.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
    const { ce, correct } = perStep(model.predict(tensor(IDS)) as Tensor);
    const [loss, acc] = model.evaluate(tensor(IDS), tensor(LABELS), { batchSize: 3 }) as number[];
    expect(loss).toBeCloseTo(kerasLoss(ce, ones(), MASK), 5);
    expectClose(loss!, kerasLoss(ce, ones(), MASK), { rtol: 1e-5 });
    expectClose(acc!, kerasMeanMetric(correct, ones(), MASK), { rtol: 1e-6 });
    // Not the plain mean over every step (what the same model without maskZero computes).
    const allSteps = ones();
    expect(Math.abs(loss! - kerasLoss(ce, allSteps, allSteps))).toBeGreaterThan(1e-3);
  });

  it('the same weights without maskZero: every step counts', () => {
    const masked = tagger(true);
    const plain = tagger(false);
    plain.setWeights(masked.getWeights());
    plain.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
    const { ce, correct } = perStep(plain.predict(tensor(IDS)) as Tensor);
    const [loss, acc] = plain.evaluate(tensor(IDS), tensor(LABELS), { batchSize: 3 }) as number[];
    expectClose(loss!, kerasLoss(ce, ones(), ones()), { rtol: 1e-5 });
    expectClose(acc!, kerasMeanMetric(correct, ones(), ones()), { rtol: 1e-6 });
  });

  it('with per-sample weights [batch]: each sample\'s weight covers its steps, the mean still over unmasked steps', () => {
    const model = tagger(true);
    model.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
    const sw = [0.5, 2, 1.25];
    const w = IDS.map((r, b) => r.map(() => sw[b]!));
    const { ce, correct } = perStep(model.predict(tensor(IDS)) as Tensor);
    const [loss, acc] = model.evaluate(tensor(IDS), tensor(LABELS), { batchSize: 3, sampleWeight: tensor(sw) }) as number[];
    expectClose(loss!, kerasLoss(ce, w, MASK), { rtol: 1e-5 });
    expectClose(acc!, kerasMeanMetric(correct, w, MASK), { rtol: 1e-6 });
  });

  it('with per-step sample weights [batch, steps]', () => {
    const model = tagger(true);
    model.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy', 'sparse_categorical_crossentropy'] });
    const w = [[1, 0.5, 2, 3, 3], [0.25, 1, 7, 7, 7], [1, 2, 0, 1, 0.5]];
    const { ce, correct } = perStep(model.predict(tensor(IDS)) as Tensor);
    const [loss, acc, ceMetric] = model.evaluate(tensor(IDS), tensor(LABELS), { batchSize: 3, sampleWeight: tensor(w) }) as number[];
    expectClose(loss!, kerasLoss(ce, w, MASK), { rtol: 1e-5 });
    expectClose(acc!, kerasMeanMetric(correct, w, MASK), { rtol: 1e-6 });
    // A loss-shaped metric is a weighted mean over the unmasked steps (not the loss's count normalisation).
    expectClose(ceMetric!, kerasMeanMetric(ce, w, MASK), { rtol: 1e-5 });
  });

  it('training: masked steps get zero gradient; the bias gradient is Keras\' masked mean of (p - onehot)', () => {
    const model = tagger(true);
    // SGD with learning rate 1 and no momentum: the update is minus the gradient.
    model.compile({ optimizer: new SGD({ learningRate: 1 }), loss: 'sparse_categorical_crossentropy', jitCompile: false });
    const p = model.predict(tensor(IDS)) as Tensor;
    const before = model.getWeights();
    model.trainOnBatch(tensor(IDS), tensor(LABELS));
    const after = model.getWeights();
    // Weights: embeddings [6, 4], kernel [4, 3], bias [3].
    const valid = MASK.flat().reduce((a, b) => a + b, 0);
    const biasGrad = [0, 1, 2].map((k) => {
      let g = 0;
      for (let b = 0; b < 3; b++) for (let t = 0; t < 5; t++) g += MASK[b]![t]! * (p.values[(b * 5 + t) * 3 + k]! - (LABELS[b]![t] === k ? 1 : 0));
      return g / (valid + EPS);
    });
    expectClose(Array.from(before[2]!.values, (v, i) => v - after[2]!.values[i]!), biasGrad, { rtol: 1e-4, atol: 1e-6 });
    // Row 0 of the embeddings (the padding id) feeds only masked steps: its gradient is exactly zero.
    expect(Array.from(after[0]!.values.slice(0, 4))).toEqual(Array.from(before[0]!.values.slice(0, 4)));
    // Rows of ids that occur did move.
    for (const id of [1, 2, 3, 4, 5]) {
      expect(Array.from(after[0]!.values.slice(id * 4, id * 4 + 4))).not.toEqual(Array.from(before[0]!.values.slice(id * 4, id * 4 + 4)));
    }
  });

  it('fit logs the masked loss and accuracy', async () => {
    const model = tagger(true);
    model.compile({ optimizer: new SGD({ learningRate: 0 }), loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
    const { ce, correct } = perStep(model.predict(tensor(IDS)) as Tensor);
    const h = await model.fit(tensor(IDS), tensor(LABELS), { epochs: 1, batchSize: 3, verbose: 0 });
    expectClose(h.history.loss![0]!, kerasLoss(ce, ones(), MASK), { rtol: 1e-5 });
    expectClose(h.history.accuracy![0]!, kerasMeanMetric(correct, ones(), MASK), { rtol: 1e-6 });
  });
});

describe('a recurrent tagger: Embedding(maskZero) -> LSTM(returnSequences) -> Dense(softmax)', () => {
  it('evaluate and fit count only the unmasked steps; the padding row gets no gradient', async () => {
    const inp = Input({ shape: [5], dtype: 'int32' });
    const seq = new LSTM(6, { returnSequences: true }).apply(new Embedding(6, 4, { maskZero: true }).apply(inp));
    const model = new Model({ inputs: inp, outputs: new Dense(3, { activation: 'softmax' }).apply(seq) });
    model.compile({ optimizer: new SGD({ learningRate: 0.5 }), loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
    const p = model.predict(tensor(IDS)) as Tensor;
    expect(p.shape).toEqual([3, 5, 3]);
    const { ce, correct } = perStep(p);
    const sw = [1, 3, 0.5];
    const w = IDS.map((r, b) => r.map(() => sw[b]!));
    const [loss, acc] = model.evaluate(tensor(IDS), tensor(LABELS), { batchSize: 3, sampleWeight: tensor(sw) }) as number[];
    expectClose(loss!, kerasLoss(ce, w, MASK), { rtol: 1e-5 });
    expectClose(acc!, kerasMeanMetric(correct, w, MASK), { rtol: 1e-6 });
    const before = model.getWeights()[0]!.values.slice(0, 4);
    const h = await model.fit(tensor(IDS), tensor(LABELS), { epochs: 1, batchSize: 3, verbose: 0 });
    expectClose(h.history.loss![0]!, kerasLoss(ce, ones(), MASK), { rtol: 1e-5 });
    expect(Array.from(model.getWeights()[0]!.values.slice(0, 4))).toEqual(Array.from(before));
  });
});

describe('a Masking layer feeding a per-step regression', () => {
  it('mse loss, mae metric and sample weights over the unmasked steps, in a Sequential model', () => {
    const x = randomTensor([3, 5, 2], 11);
    const xv = x.values as Float32Array;
    // Mask steps by setting all their features to the mask value 0.
    MASK.flat().forEach((m, i) => { if (!m) { xv[i * 2] = 0; xv[i * 2 + 1] = 0; } });
    const y = randomTensor([3, 5, 1], 12);
    const model = new Sequential([new Masking({ inputShape: [5, 2] }), new Dense(4, { activation: 'tanh' }), new Dense(1)]);
    model.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mae'] });
    const p = model.predict(x) as Tensor;
    const sq = MASK.map((r, b) => r.map((_, t) => (p.values[b * 5 + t]! - y.values[b * 5 + t]!) ** 2));
    const abs = MASK.map((r, b) => r.map((_, t) => Math.abs(p.values[b * 5 + t]! - y.values[b * 5 + t]!)));
    const sw = [2, 0.5, 1];
    const w = MASK.map((r, b) => r.map(() => sw[b]!));
    const [loss, mae] = model.evaluate(x, y, { batchSize: 3, sampleWeight: tensor(sw) }) as number[];
    expectClose(loss!, kerasLoss(sq, w, MASK), { rtol: 1e-5 });
    expectClose(mae!, kerasMeanMetric(abs, w, MASK), { rtol: 1e-5 });
  });
});
