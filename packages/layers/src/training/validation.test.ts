// One input-validation layer for fit / evaluate / predict / trainOnBatch: every numeric input is checked for
// finiteness and shape in the data adapter, every option by type and range, each error naming its argument.
import { beforeEach, describe, expect, it } from 'vitest';
import { Tensor, setSeed } from '@minikeras/tensor';
import { Sequential } from '../models/sequential';
import { Dense, Input } from '../layers';
import { clearSession } from '../engine/layer';
import { LambdaCallback } from '../callbacks';

beforeEach(() => { clearSession(); setSeed(1); });

function model(): Sequential {
  const m = new Sequential([Input({ shape: [2] }), new Dense(3, { activation: 'softmax' })]);
  m.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
  return m;
}
const X = [[0, 1], [1, 0], [1, 1], [0, 0]];
const Y = [0, 1, 2, 1];

describe('numeric inputs are checked once, in the data adapter', () => {
  it('NaN or Infinity anywhere is an error naming the argument and sample', async () => {
    const m = model();
    await expect(m.fit(X, Y, { sampleWeight: [1, NaN, 1, 1], verbose: 0 })).rejects.toThrow(/fit: sampleWeight contains NaN at sample 1/);
    await expect(m.fit(X, Y, { validationData: [[[0, Infinity]], [1]], verbose: 0 })).rejects.toThrow(/fit: validationData x contains Infinity at sample 0/);
    await expect(m.fit(X, Y, { validationData: [X, Y, [1, 1, -Infinity, 1]], verbose: 0 })).rejects.toThrow(/validationData sampleWeight contains -Infinity at sample 2/);
    await expect(m.fit(X, Y, { classWeight: { 0: 1, 1: NaN, 2: 1 }, verbose: 0 })).rejects.toThrow(/classWeight for class 1 must be a finite number >= 0, got null/);
    await expect(m.fit([{ x: X, y: [0, 1, NaN, 1] }], { verbose: 0 })).rejects.toThrow(/fit: batch 0 y contains NaN at sample 2/);
    expect(() => m.trainOnBatch([[NaN, 0]], [0])).toThrow(/trainOnBatch: x contains NaN at sample 0/);
    expect(() => m.evaluate(X, [0, 1, 2, Infinity])).toThrow(/evaluate: y contains Infinity at sample 3/);
    expect(() => m.predict([[0, 1], [NaN, 1]])).toThrow(/predict: x contains NaN at sample 1/);
  });

  it('empty data and mismatched sample weights are errors, not a loss of 0', async () => {
    const m = model();
    await expect(m.fit([], [], { verbose: 0 })).rejects.toThrow(/fit: x is empty \(0 samples\)/);
    await expect(m.fit(X, Y, { sampleWeight: [[1, 1], [1, 1], [1, 1], [1, 1]], verbose: 0 })).rejects.toThrow(/sampleWeight must be one weight per sample/);
  });

  it('accepts typed arrays of every numeric kind', async () => {
    const m = model();
    const x = new Tensor(Float32Array.from(Float64Array.from([0, 1, 1, 0, 1, 1, 0, 0])), [4, 2]);
    const h = await m.fit(x, Uint8Array.from(Y), { epochs: 2, verbose: 0 });
    expect(h.history.loss).toHaveLength(2);
    expect(m.evaluate(x, Float64Array.from(Y))).toHaveLength(2);
    expect(() => m.trainOnBatch(x, new BigInt64Array(4) as never)).toThrow(/a BigInt64Array cannot be read as numbers/);
  });
});

describe('every option is validated by type and range, with its own name', () => {
  it.each([
    [{ validationSplit: NaN }, /validationSplit must be a number in \[0, 1\), got null/],
    [{ validationSplit: 1.5 }, /validationSplit must be a number in \[0, 1\), got 1.5/],
    [{ stepsPerEpoch: -1 }, /stepsPerEpoch must be an integer >= 1, got -1/],
    [{ yieldEvery: 'sometimes' }, /yieldEvery must be 'auto', 'batch', 'epoch', 'never' or a number of milliseconds >= 0, got "sometimes"/],
    [{ validationBatchSize: 0 }, /validationBatchSize must be an integer >= 1, got 0/],
    [{ epochs: 1.5 }, /epochs must be an integer >= 1/],
    [{ batchSize: '32' }, /batchSize must be an integer >= 1, got "32"/],
    [{ shuffle: 'yes' }, /shuffle must be true or false/],
    [{ callbacks: {} }, /callbacks must be a list of Callback instances/],
    [{ callbacks: [{}] }, /callbacks\[0\] is not a Callback \(got a Object\); use a Callback subclass, or new LambdaCallback/],
    [{ classWeight: [1, 2] }, /classWeight must be a record/],
    [{ epoch: 3 }, /unknown option 'epoch'/],
  ])('fit(%j) fails before training', async (options, message) => {
    const m = model();
    const before = m.getWeights().map((w) => Array.from(w.values));
    await expect(m.fit(X, Y, { verbose: 0, ...(options as object) })).rejects.toThrow(message);
    expect(m.getWeights().map((w) => Array.from(w.values))).toEqual(before);
  });

  it('evaluate and predict reject unknown options', () => {
    const m = model();
    expect(() => m.evaluate(X, Y, { batch_size: 2 } as never)).toThrow(/evaluate: unknown option 'batch_size'; valid options are batchSize, sampleWeight, verbose/);
    expect(() => m.predict(X, { batchSize: 0 })).toThrow(/predict: batchSize must be a positive integer, got 0/);
    expect(() => m.predict(X, { steps: 2 } as never)).toThrow(/predict: unknown option 'steps'/);
  });
});

describe('callbacks', () => {
  it('a hook may return anything; only a returned promise is awaited', async () => {
    const m = model();
    const losses: number[] = [];
    let awaited = false;
    const h = await m.fit(X, Y, {
      epochs: 3,
      verbose: 0,
      callbacks: [
        new LambdaCallback({ onEpochEnd: (_e, logs) => losses.push(logs.loss!) }),
        new LambdaCallback({ onTrainEnd: () => new Promise<void>((r) => setTimeout(() => { awaited = true; r(); }, 5)) }),
      ],
    });
    expect(losses).toEqual(h.history.loss);
    expect(awaited).toBe(true);
  });
});
