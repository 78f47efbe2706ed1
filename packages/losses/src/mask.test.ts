// The mask argument of Loss.compute and Metric.updateState (what fit/evaluate pass from y_pred's mask), against
// Keras 3's formulas computed here in float64: reduce_weighted_values with apply_mask
// (sum_over_batch_size: sum(l * w * m) * (N / (sum(m) + 1e-7)) / N) and MeanMetricWrapper's weights * mask.
import { describe, expect, it } from 'vitest';
import { Tensor, grad, tensor } from '@minikeras/tensor';
import { expectClose, gradcheck, randomTensor } from '@minikeras/test-utils';
import { MeanSquaredError, SparseCategoricalCrossentropy, applyMask, getMetric, metrics } from './index';
import type { Metric } from './index';

const EPS = 1e-7;
const MASK = [[1, 1, 0, 0], [1, 0, 1, 1]];
const yTrue = randomTensor([2, 4, 3], 1);
const yPred = randomTensor([2, 4, 3], 2);

/** Per-step mean squared error [2][4] in float64. */
function mseSteps(t: Tensor, p: Tensor): number[][] {
  return [0, 1].map((b) => [0, 1, 2, 3].map((s) => [0, 1, 2].reduce((acc, f) => acc + (p.values[(b * 4 + s) * 3 + f]! - t.values[(b * 4 + s) * 3 + f]!) ** 2, 0) / 3));
}
function kerasReduce(l: number[][], w: number[][], m: number[][], reduction: 'sum_over_batch_size' | 'sum' | 'mean_with_sample_weight'): number {
  let s = 0, valid = 0, wsum = 0;
  l.forEach((row, b) => row.forEach((v, t) => { s += v * w[b]![t]! * m[b]![t]!; valid += m[b]![t]!; wsum += w[b]![t]! * m[b]![t]!; }));
  if (reduction === 'sum') return s;
  if (reduction === 'mean_with_sample_weight') return s / wsum;
  return (s * (8 / (valid + EPS))) / 8;
}
const perSample = (sw: number[]) => sw.map((v) => [v, v, v, v]);

describe('Loss.compute with a mask (Keras 3 reduce_weighted_values)', () => {
  const l = mseSteps(yTrue, yPred);
  it('sum_over_batch_size averages over the unmasked entries, with no, per-sample and per-step weights', () => {
    const mse = new MeanSquaredError();
    expectClose(mse.compute(yTrue, yPred, undefined, tensor(MASK)), kerasReduce(l, perSample([1, 1]), MASK, 'sum_over_batch_size'), { rtol: 1e-6 });
    expectClose(mse.compute(yTrue, yPred, tensor([0.5, 3]), tensor(MASK)), kerasReduce(l, perSample([0.5, 3]), MASK, 'sum_over_batch_size'), { rtol: 1e-6 });
    const w = [[1, 2, 3, 4], [0.5, 0.25, 2, 1]];
    expectClose(mse.compute(yTrue, yPred, tensor(w), tensor(MASK)), kerasReduce(l, w, MASK, 'sum_over_batch_size'), { rtol: 1e-6 });
    // No mask: every entry counts.
    expectClose(mse.compute(yTrue, yPred), kerasReduce(l, perSample([1, 1]), [[1, 1, 1, 1], [1, 1, 1, 1]], 'sum_over_batch_size'), { rtol: 1e-6 });
  });
  it('sum and mean_with_sample_weight: the mask is a 0/1 weight (no rescaling); none keeps the masked entries at 0', () => {
    const sw = tensor([2, 0.5]);
    expectClose(new MeanSquaredError({ reduction: 'sum' }).compute(yTrue, yPred, sw, tensor(MASK)), kerasReduce(l, perSample([2, 0.5]), MASK, 'sum'), { rtol: 1e-6 });
    expectClose(new MeanSquaredError({ reduction: 'mean_with_sample_weight' }).compute(yTrue, yPred, sw, tensor(MASK)), kerasReduce(l, perSample([2, 0.5]), MASK, 'mean_with_sample_weight'), { rtol: 1e-6 });
    const none = new MeanSquaredError({ reduction: 'none' }).compute(yTrue, yPred, undefined, tensor(MASK));
    expectClose(none, l.flat().map((v, i) => v * MASK.flat()[i]!), { rtol: 1e-6 });
  });
  it('an all-masked batch gives 0', () => {
    expect(new MeanSquaredError().compute(yTrue, yPred, undefined, tensor([[0, 0, 0, 0], [0, 0, 0, 0]])).values[0]).toBe(0);
  });
  it('the input mask AND ignoreClass\'s mask', () => {
    const labels = tensor([[0, 2, 1, 1], [2, 2, 0, 1]]);
    const probs = randomTensor([2, 4, 3], 3, 0.1, 1);
    const scce = new SparseCategoricalCrossentropy({ ignoreClass: 2 });
    const plain = new SparseCategoricalCrossentropy({ reduction: 'none' }).compute(labels, probs);
    const keep = MASK.map((r, b) => r.map((m, t) => m * (labels.values[b * 4 + t] === 2 ? 0 : 1)));
    const steps = [0, 1].map((b) => [0, 1, 2, 3].map((t) => plain.values[b * 4 + t]!));
    expectClose(scce.compute(labels, probs, undefined, tensor(MASK)), kerasReduce(steps, perSample([1, 1]), keep, 'sum_over_batch_size'), { rtol: 1e-5 });
  });
  it('gradients: finite differences agree, and the masked entries get exactly zero', () => {
    const mask = tensor(MASK);
    const mse = new MeanSquaredError();
    gradcheck((p) => mse.compute(yTrue, p, tensor([0.5, 2]), mask), [randomTensor([2, 4, 3], 4)]);
    const g = grad((p) => mse.compute(yTrue, p, undefined, mask))(yPred);
    MASK.flat().forEach((m, i) => {
      for (let f = 0; f < 3; f++) {
        const v = g.values[i * 3 + f]!;
        if (m === 0) expect(Math.abs(v)).toBe(0);
        // d/dp of (1/3) sum_f (p - t)^2 / valid, valid = 5
        else expect(v).toBeCloseTo((2 / 3) * (yPred.values[i * 3 + f]! - yTrue.values[i * 3 + f]!) / (5 + EPS), 6);
      }
    });
  });
});

describe('metrics with a mask (Keras 3 MeanMetricWrapper: sample_weight * mask)', () => {
  it('mean metrics average over the unmasked entries, weighted; the running mean spans batches', () => {
    const mae = getMetric('mae');
    const abs = [0, 1].map((b) => [0, 1, 2, 3].map((s) => [0, 1, 2].reduce((a, f) => a + Math.abs(yPred.values[(b * 4 + s) * 3 + f]! - yTrue.values[(b * 4 + s) * 3 + f]!), 0) / 3));
    mae.updateState(yTrue, yPred, undefined, tensor(MASK));
    expectClose(mae.result(), kerasReduce(abs, perSample([1, 1]), MASK, 'mean_with_sample_weight'), { rtol: 1e-6 });
    mae.resetState();
    mae.updateState(yTrue, yPred, tensor([3, 1]), tensor(MASK));
    expectClose(mae.result(), kerasReduce(abs, perSample([3, 1]), MASK, 'mean_with_sample_weight'), { rtol: 1e-6 });
    // A second, unmasked batch: total / count over both.
    const num = kerasReduce(abs, perSample([3, 1]), MASK, 'sum') + abs.flat().reduce((a, b) => a + b, 0);
    const den = 3 * 2 + 1 * 3 + 8;
    mae.updateState(yTrue, yPred);
    expectClose(mae.result(), num / den, { rtol: 1e-6 });
  });
  it('\'accuracy\' (chosen from the shapes) passes the mask on; Precision ignores it, as Keras\' does', () => {
    const labels = tensor([[0, 2, 1, 1], [2, 2, 0, 1]]);
    const probs = randomTensor([2, 4, 3], 5, 0, 1);
    const acc = getMetric('accuracy');
    acc.updateState(labels, probs, undefined, tensor(MASK));
    let hit = 0, n = 0;
    MASK.flat().forEach((m, i) => {
      const row = [0, 1, 2].map((k) => probs.values[i * 3 + k]!);
      if (m) { n++; if (row.indexOf(Math.max(...row)) === labels.values[i]) hit++; }
    });
    expectClose(acc.result(), hit / n, { rtol: 1e-6 });
    const p1 = new metrics.Precision(), p2 = new metrics.Precision();
    const yt = tensor([[1, 0, 1, 1]]), yp = tensor([[0.9, 0.8, 0.2, 0.7]]);
    (p1 as Metric).updateState(yt, yp, undefined, tensor([[1, 0, 0, 1]]));
    p2.updateState(yt, yp);
    expect(p1.result()).toBe(p2.result());
  });
  it('applyMask: weights times mask, per-sample weights covering their steps', () => {
    expect(Array.from(applyMask(tensor([2, 3]), tensor(MASK))!.values)).toEqual([2, 2, 0, 0, 3, 0, 3, 3]);
    expect(Array.from(applyMask(undefined, tensor(MASK))!.values)).toEqual(MASK.flat());
    expect(applyMask(tensor([2, 3]), undefined)!.shape).toEqual([2]);
  });
});
