import { describe, expect, it } from 'vitest';
import { tensor } from '@minikeras/tensor';
import { expectClose, gradcheck, randomTensor } from '@minikeras/test-utils';
import {
  CosineSimilarity, Huber, LogCosh, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredError,
  MeanSquaredLogarithmicError, cosineSimilarity, huber, logCosh, meanSquaredError,
} from './index';

// The fixture of keras/src/losses/losses_test.py for the regression losses.
const yTrue = [[1, 9, 2], [-5, -2, 6]];
const yPred = [[4, 8, 12], [8, 1, 3]];
const timestepTrue = tensor([1, 9, 2, -5, -2, 6], [2, 3, 1]);
const timestepPred = tensor([4, 8, 12, 8, 1, 3], [2, 3, 1]);
const timestepWeights = tensor([3, 6, 5, 0, 4, 2], [2, 3]);
const rel = { rtol: 1e-5, atol: 1e-6 };

describe('MeanSquaredError', () => {
  // Squared errors: row 0 = 9, 1, 100 (mean 110/3); row 1 = 169, 9, 9 (mean 187/3).
  const m = new MeanSquaredError();
  it('matches Keras losses_test: unweighted, scalar, per-sample and per-timestep weights', () => {
    expectClose(m.compute(yTrue, yPred), 49.5, rel); // (110 + 187) / 6
    expectClose(m.compute(yTrue, yPred, 2.3), 113.85, rel);
    expectClose(m.compute(yTrue, yPred, [[1.2], [3.4]]), 767.8 / 6, rel);
    // 9*3 + 1*6 + 100*5 + 169*0 + 9*4 + 9*2 = 587, over 6 elements
    expectClose(m.compute(timestepTrue, timestepPred, timestepWeights), 97.833336, rel);
    expectClose(m.compute(yTrue, yPred, 0), 0, rel);
    expectClose(m.compute(yTrue, yTrue), 0, rel);
  });
  it('reductions none, sum and mean_with_sample_weight', () => {
    expectClose(new MeanSquaredError({ reduction: 'none' }).compute(yTrue, yPred, 2.3), [110 / 3 * 2.3, 187 / 3 * 2.3], rel);
    expectClose(new MeanSquaredError({ reduction: 'sum' }).compute(yTrue, yPred, 2.3), 227.69998, rel);
    expectClose(new MeanSquaredError({ reduction: 'mean' }).compute(yTrue, yPred), 49.5, rel);
    expectClose(new MeanSquaredError({ reduction: 'mean_with_sample_weight' }).compute(yTrue, yPred, [[1.2], [3.4]]),
      (110 / 3 * 1.2 + 187 / 3 * 3.4) / (1.2 + 3.4), rel);
  });
  it('functional form reduces over the last axis only, expanding [3] against [3,1] as Keras does', () => {
    const loss = meanSquaredError([4, 8, 12], [[3], [0], [1]]);
    expect(loss.shape).toEqual([3]);
    expectClose(loss, [1, 64, 121], rel);
  });
  it('gradient matches finite differences', () => {
    const t = randomTensor([3, 4], 1);
    gradcheck((p) => m.compute(t, p), [randomTensor([3, 4], 2)]);
    gradcheck((p) => new MeanSquaredError({ reduction: 'none' }).compute(t, p, [0.5, 2, 1]), [randomTensor([3, 4], 3)]);
  });
});

describe('MeanAbsoluteError', () => {
  // |errors|: row 0 = 3, 1, 10 (mean 14/3); row 1 = 13, 3, 3 (mean 19/3).
  const m = new MeanAbsoluteError();
  it('matches Keras losses_test', () => {
    expectClose(m.compute(yTrue, yPred), 5.5, rel);
    expectClose(m.compute(yTrue, yPred, 2.3), 12.65, rel);
    expectClose(m.compute(yTrue, yPred, [[1.2], [3.4]]), 81.4 / 6, rel);
    // 3*3 + 1*6 + 10*5 + 13*0 + 3*4 + 3*2 = 83, over 6
    expectClose(m.compute(timestepTrue, timestepPred, timestepWeights), 13.833333, rel);
    expectClose(new MeanAbsoluteError({ reduction: 'none' }).compute(yTrue, yPred, 2.3), [14 / 3 * 2.3, 19 / 3 * 2.3], rel);
    expectClose(new MeanAbsoluteError({ reduction: 'sum' }).compute(yTrue, yPred, 2.3), 25.3, rel);
    expectClose(new MeanAbsoluteError({ reduction: 'mean_with_sample_weight' }).compute(yTrue, yPred, [[1.2], [3.4]]),
      (14 / 3 * 1.2 + 19 / 3 * 3.4) / (1.2 + 3.4), rel);
  });
  it('gradient matches finite differences away from zero error', () => {
    gradcheck((p) => m.compute([[0, 0, 0], [1, 1, 1]], p), [tensor([[0.5, -0.4, 0.3], [0.2, 1.7, 1.3]])]);
  });
});

describe('MeanAbsolutePercentageError', () => {
  // |(t - p) / t|: row 0 = 3, 1/9, 5; row 1 = 13/5, 3/2, 1/2. Per sample 100 * mean.
  const row0 = (100 * (3 + 1 / 9 + 5)) / 3, row1 = (100 * (2.6 + 1.5 + 0.5)) / 3;
  const m = new MeanAbsolutePercentageError();
  it('matches Keras losses_test', () => {
    expectClose(m.compute(yTrue, yPred), (row0 + row1) / 2, rel); // 211.8518
    expectClose(m.compute(yTrue, yPred), 211.8518, { rtol: 1e-6, atol: 1e-4 });
    expectClose(m.compute(yTrue, yPred, 2.3), 487.259, { rtol: 0, atol: 1e-3 });
    expectClose(m.compute(yTrue, yPred, [[1.2], [3.4]]), (row0 * 1.2 + row1 * 3.4) / 2, rel); // 422.8888
    expectClose(new MeanAbsolutePercentageError({ reduction: 'none' }).compute(yTrue, yPred, 2.3), [row0 * 2.3, row1 * 2.3], rel);
    // per-timestep |t-p|/|t| * 100 = 300, 11.11, 500, 260, 150, 50; weighted by 3,6,5,0,4,2 over 6 elements
    expectClose(m.compute(timestepTrue, timestepPred, timestepWeights), (900 + 600 / 9 + 2500 + 0 + 600 + 100) / 6, rel);
    expectClose(m.compute(timestepTrue, timestepPred, timestepWeights), 694.4444, { rtol: 0, atol: 1e-3 });
  });
  it('divides by max(|yTrue|, 1e-7) so a zero label stays finite', () => {
    // Keras metric docstring: [[0, 1], [0, 0]] vs [[1, 1], [0, 0]] gives 2.5e8.
    expectClose(m.compute([[0, 1], [0, 0]], [[1, 1], [0, 0]]), 2.5e8, { rtol: 1e-6, atol: 0 });
  });
  it('gradient matches finite differences', () => {
    gradcheck((p) => m.compute([[2, -3], [4, 5]], p), [tensor([[1, -1], [4.6, 7]])], { rtol: 2e-2 });
  });
});

describe('MeanSquaredLogarithmicError', () => {
  const ref = (t: number, p: number) => (Math.log(Math.max(p, 1e-7) + 1) - Math.log(Math.max(t, 1e-7) + 1)) ** 2;
  const rows = yTrue.map((r, i) => r.reduce((s, t, j) => s + ref(t, yPred[i]![j]!), 0) / 3);
  const m = new MeanSquaredLogarithmicError();
  it('matches Keras losses_test', () => {
    expectClose(m.compute(yTrue, yPred), (rows[0]! + rows[1]!) / 2, rel);
    expectClose(m.compute(yTrue, yPred), 1.4370, { rtol: 0, atol: 1e-3 });
    expectClose(m.compute(yTrue, yPred, 2.3), 3.3051, { rtol: 0, atol: 1e-3 });
    expectClose(m.compute(yTrue, yPred, [[1.2], [3.4]]), 3.7856, { rtol: 0, atol: 1e-3 });
    expectClose(m.compute(timestepTrue, timestepPred, timestepWeights), 2.647374, { rtol: 1e-5, atol: 1e-6 });
    expectClose(new MeanSquaredLogarithmicError({ reduction: 'mean_with_sample_weight' }).compute(yTrue, yPred, [[1.2], [3.4]]), 1.646, { rtol: 0, atol: 1e-3 });
  });
  it('matches the Keras metric docstring example', () => {
    // log(2)^2 / 2 for the one wrong entry, averaged over 2 samples: 0.12011322
    expectClose(m.compute([[0, 1], [0, 0]], [[1, 1], [0, 0]]), Math.LN2 ** 2 / 4, rel);
  });
  it('gradient matches finite differences', () => {
    gradcheck((p) => m.compute([[1, 2], [0.5, 3]], p), [tensor([[0.3, 2.5], [1.2, 0.7]])]);
  });
});

describe('Huber', () => {
  const yp = [[0.9, 0.2, 0.2], [0.8, 0.4, 0.6]];
  const yt = [[1, 0, 1], [1, 0, 0]];
  const ref = (t: number, p: number, d: number) => {
    const a = Math.abs(p - t);
    return a <= d ? 0.5 * a * a : d * a - 0.5 * d * d;
  };
  const elementwise = (d: number) => yt.map((r, i) => r.map((t, j) => ref(t, yp[i]![j]!, d)));
  const total = (d: number) => elementwise(d).flat().reduce((a, b) => a + b, 0);
  it('matches Keras losses_test (delta 1 and 0.8, weights)', () => {
    expectClose(new Huber().compute(yt, yp), total(1) / 6, rel);
    expectClose(new Huber().compute(yt, yp, 2.3), (2.3 * total(1)) / 6, rel);
    const e = elementwise(1);
    const weighted = e[0]!.reduce((a, b) => a + b, 0) * 1.2 + e[1]!.reduce((a, b) => a + b, 0) * 3.4;
    expectClose(new Huber().compute(yt, yp, [[1.2], [3.4]]), weighted / 6, rel);
    expectClose(new Huber({ delta: 0.8 }).compute(yt, yp, 2.3), (2.3 * total(0.8)) / 6, rel);
  });
  it('matches the Keras docstring: huber([[0,1],[0,0]], [[0.6,0.4],[0.4,0.6]]) averages to 0.155', () => {
    // 0.5 * [0.36, 0.36] -> 0.18; 0.5 * [0.16, 0.36] -> 0.13
    expectClose(huber([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]), [0.18, 0.13], rel);
  });
  it('uses the linear branch beyond delta', () => {
    // |e| = 3 > delta 1: 1 * 3 - 0.5
    expectClose(huber([0], [3]), 2.5, rel);
    expect(() => new Huber({ delta: 0 })).toThrow('Huber: delta must be > 0');
  });
  it('gradient matches finite differences on both branches', () => {
    gradcheck((p) => new Huber({ delta: 0.5 }).compute([[0, 0, 0, 0]], p), [tensor([[0.2, -0.3, 1.4, -2]])]);
  });
});

describe('LogCosh', () => {
  const err = yPred.flat().map((p, i) => p - yTrue.flat()[i]!);
  const lc = err.map((e) => Math.log(Math.cosh(e)));
  const total = lc.reduce((a, b) => a + b, 0);
  it('matches Keras losses_test and the docstring', () => {
    expectClose(new LogCosh().compute(yTrue, yPred), total / 6, rel);
    expectClose(new LogCosh().compute(yTrue, yPred, 2.3), (2.3 * total) / 6, rel);
    expectClose(new LogCosh().compute(yTrue, yPred, [1.2, 3.4]), ((lc[0]! + lc[1]! + lc[2]!) * 1.2 + (lc[3]! + lc[4]! + lc[5]!) * 3.4) / 6, rel);
    // docstring: log(cosh(1)) / 2 per first sample, 0 for the second, averaged: 0.108
    expectClose(logCosh([[0, 1], [0, 0]], [[1, 1], [0, 0]]), [Math.log(Math.cosh(1)) / 2, 0], rel);
  });
  it('gradient matches finite differences', () => {
    gradcheck((p) => new LogCosh().compute([[1, -1, 0]], p), [tensor([[0.3, 2, -4]])]);
  });
});

describe('CosineSimilarity', () => {
  const norm = (v: number[]) => Math.hypot(...v);
  const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0) / (norm(a) * norm(b));
  const sims = yTrue.map((r, i) => cos(r, yPred[i]!));
  it('matches Keras losses_test (negative mean similarity)', () => {
    expectClose(new CosineSimilarity().compute(yTrue, yPred), -(sims[0]! + sims[1]!) / 2, rel);
    expectClose(new CosineSimilarity().compute(yTrue, yPred, 2.3), (-2.3 * (sims[0]! + sims[1]!)) / 2, rel);
    expectClose(new CosineSimilarity().compute(yTrue, yPred, [1.2, 3.4]), -(sims[0]! * 1.2 + sims[1]! * 3.4) / 2, rel);
    expectClose(new CosineSimilarity({ axis: 1 }).compute(yTrue, yPred), -(sims[0]! + sims[1]!) / 2, rel);
  });
  it('matches the Keras docstring: orthogonal 0, parallel -1, opposite 1', () => {
    expectClose(cosineSimilarity([[0, 1], [1, 1], [1, 1]], [[1, 0], [1, 1], [-1, -1]]), [0, -1, 1], rel);
  });
  it('is 0 for a zero vector and keeps a finite gradient there', () => {
    expectClose(cosineSimilarity([[0, 0]], [[1, 2]]), [0], rel);
    gradcheck((p) => new CosineSimilarity().compute([[0, 0], [1, 2]], p), [tensor([[1, 2], [0.5, -0.3]])]);
  });
  it('gradient matches finite differences', () => {
    gradcheck((p) => new CosineSimilarity().compute(yTrue, p), [tensor(yPred)]);
  });
});

describe('shape checks', () => {
  it('names the loss and both shapes', () => {
    expect(() => new MeanSquaredError().compute([[1, 2]], [[1, 2, 3]])).toThrow('MeanSquaredError: yTrue shape [1,2] does not match yPred shape [1,3]');
    expect(() => new LogCosh().compute([1, 2, 3], [[1, 2]])).toThrow('LogCosh: yTrue shape [3] does not match yPred shape [1,2]');
  });
  it('names the loss when the sample weights do not fit', () => {
    expect(() => new MeanSquaredError().compute(yTrue, yPred, [1, 2, 3])).toThrow('MeanSquaredError: sampleWeight of shape [3] cannot be broadcast to the per-sample losses of shape [2]');
  });
});
