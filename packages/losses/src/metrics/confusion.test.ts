import { describe, expect, it } from 'vitest';
import { expectClose } from '@minikeras/test-utils';
import { AUC, FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives, TruePositives } from './index';

const exact = { rtol: 1e-6, atol: 1e-7 };

// keras/src/metrics/confusion_metrics_test.py
const cmTrue = [[0, 1, 0, 1, 0], [0, 0, 1, 1, 1], [1, 1, 1, 1, 0], [0, 0, 0, 0, 1]];
const cmPred = [[0, 0, 1, 1, 0], [1, 1, 1, 1, 1], [0, 1, 0, 1, 0], [1, 1, 1, 1, 1]];
const thPred = [[0.9, 0.2, 0.8, 0.1], [0.2, 0.9, 0.7, 0.6], [0.1, 0.2, 0.4, 0.3], [0, 1, 0.7, 0.3]];
const thTrue = [[0, 1, 1, 0], [1, 0, 0, 0], [0, 0, 0, 0], [1, 1, 1, 1]];

describe('TruePositives, FalsePositives, TrueNegatives, FalseNegatives', () => {
  it('match Keras confusion_metrics_test (unweighted and per-sample weights)', () => {
    const cases: [() => TruePositives, number, number][] = [
      [() => new TruePositives(), 7, 12], [() => new FalsePositives(), 7, 14],
      [() => new TrueNegatives(), 3, 4], [() => new FalseNegatives(), 3, 5],
    ];
    for (const [make, unweighted, weighted] of cases) {
      const m = make();
      m.updateState(cmTrue, cmPred);
      expectClose(m.result(), unweighted, exact);
      m.resetState();
      m.updateState(cmTrue, cmPred, [1, 1.5, 2, 2.5]);
      expectClose(m.result(), weighted, exact);
    }
  });
  it('match Keras with thresholds [0.15, 0.5, 0.85] and element weights', () => {
    const th = { thresholds: [0.15, 0.5, 0.85] };
    const run = (m: TruePositives, w?: number | number[][]) => { m.updateState(thTrue, thPred, w); return m.resultPerThreshold(); };
    expectClose(run(new TruePositives(th)), [6, 3, 1], exact);
    expectClose(run(new FalsePositives(th)), [7, 4, 2], exact);
    expectClose(run(new TrueNegatives(th)), [2, 5, 7], exact);
    expectClose(run(new FalseNegatives(th)), [1, 4, 6], exact);
    expectClose(run(new TruePositives(th), 37), [222, 111, 37], exact);
    expectClose(run(new FalsePositives(th), [[1, 2, 3, 5], [7, 11, 13, 17], [19, 23, 29, 31], [5, 15, 10, 0]]), [125, 42, 12], exact);
    expectClose(run(new FalseNegatives(th), [[3], [5], [7], [4]]), [4, 16, 23], exact);
    expectClose(run(new TrueNegatives(th), [[0, 2, 3, 5]]), [5, 15, 23], exact);
    expect(() => new TruePositives(th).result()).toThrow("TruePositives 'true_positives' has 3 thresholds and so 3 values: read them with resultPerThreshold()");
  });
  it('reject thresholds outside [0, 1]', () => {
    expect(() => new FalsePositives({ thresholds: [-1, 0.5, 2] })).toThrow('FalsePositives: threshold values must be in [0, 1], got [-1, 2]');
  });
});

describe('Precision and Recall', () => {
  it('match the Keras docstrings', () => {
    const p = new Precision();
    p.updateState([0, 1, 1, 1], [1, 0, 1, 1]);
    expectClose(p.result(), 2 / 3, exact);
    p.resetState();
    p.updateState([0, 1, 1, 1], [1, 0, 1, 1], [0, 0, 1, 0]);
    expectClose(p.result(), 1, exact);
    const top2 = new Precision({ topK: 2 });
    top2.updateState([0, 0, 1, 1], [1, 1, 1, 1]);
    expectClose(top2.result(), 0, exact);
    const top4 = new Precision({ topK: 4 });
    top4.updateState([0, 0, 1, 1], [1, 1, 1, 1]);
    expectClose(top4.result(), 0.5, exact);
    const r = new Recall();
    r.updateState([0, 1, 1, 1], [1, 0, 1, 1]);
    expectClose(r.result(), 2 / 3, exact);
    r.resetState();
    r.updateState([0, 1, 1, 1], [1, 0, 1, 1], [0, 0, 1, 0]);
    expectClose(r.result(), 1, exact);
  });
  it('match Keras tests with element weights, several thresholds and repeated updates', () => {
    const p = new Precision();
    p.updateState([[0, 1, 1, 0], [1, 0, 0, 1]], [[1, 0, 1, 0], [1, 0, 1, 0]], [[1, 2, 3, 4], [4, 3, 2, 1]]);
    expectClose(p.result(), (3 + 4) / (1 + 3 + 4 + 2), exact);
    const multi = new Precision({ thresholds: [0.5, 1] });
    for (let i = 0; i < 2; i++) multi.updateState([[0, 1], [1, 0]], [[1, 0], [0.6, 0]], [[4, 0], [3, 1]]);
    // weighted tp 3 + 3, predicted positives (3 + 4) * 2 at 0.5; nothing is above 1
    expectClose(multi.resultPerThreshold(), [6 / 14, 0], exact);
    const zero = new Precision();
    zero.updateState([0, 0, 0, 0], [0, 0, 0, 0]);
    expect(zero.result()).toBe(0);
  });
  it('classId restricts to one column', () => {
    const r = new Recall({ classId: 2 });
    // column 2: labels [1, 0, 1], predictions [0.7, 0.9, 0.2] -> tp 1, fn 1
    r.updateState([[0, 0, 1], [0, 1, 0], [1, 0, 1]], [[0.1, 0.2, 0.7], [0.1, 0.1, 0.9], [0.5, 0.5, 0.2]]);
    expectClose(r.result(), 0.5, exact);
    expect(() => new Recall({ classId: 5 }).updateState([[0, 1]], [[0.2, 0.8]])).toThrow('Recall: classId 5 is out of range for 2 classes');
  });
});

describe('AUC', () => {
  // keras/src/metrics/confusion_metrics_test.py AUCTest: thresholds [-1e-7, 0.5, 1 + 1e-7]
  const yTrue = [0, 0, 1, 1];
  const yPred = [0, 0.5, 0.3, 0.9];
  const weights = [1, 2, 3, 4];
  const auc = (options: ConstructorParameters<typeof AUC>[0], w?: number[], pred: number[] = yPred) => {
    const m = new AUC(options);
    m.updateState(yTrue, pred, w);
    return m.result();
  };
  it('ROC with interpolation (unweighted): heights (1 + 0.5) / 2 over width 1', () => {
    expectClose(auc({ numThresholds: 3 }), 0.75, exact);
    expectClose(auc({ numThresholds: 3, fromLogits: true }, undefined, yPred.map((p) => -Math.log(1 / (p + 1e-12) - 1))), 0.75, exact);
    expectClose(auc({ numThresholds: 2, thresholds: [0.5] }), 0.75, exact);
    const m = new AUC({ numThresholds: 3 });
    m.updateState(yTrue, yPred, [1, 0, 0, 1]);
    expectClose(m.result(), 1, exact);
  });
  it('weighted: tp [7, 4, 0], fp [3, 0, 0], fn [0, 3, 7], tn [0, 3, 3]', () => {
    expectClose(auc({ numThresholds: 3 }, weights), (1 + 4 / 7) / 2, exact);
    expectClose(auc({ numThresholds: 3, summationMethod: 'majoring' }, weights), 1, exact);
    expectClose(auc({ numThresholds: 3, summationMethod: 'minoring' }, weights), 4 / 7, exact);
    // PR: precision [0.7, 1, 0], recall [1, 4/7, 0]
    expectClose(auc({ numThresholds: 3, curve: 'PR', summationMethod: 'majoring' }, weights), 1 * (3 / 7) + 1 * (4 / 7), exact);
    expectClose(auc({ numThresholds: 3, curve: 'PR', summationMethod: 'minoring' }, weights), 0.7 * (3 / 7), exact);
    // Davis & Goadrich: slope [0.5, 1], intercept [2, 0], P ratio [2.5, 1] -> (0.5 (3 + 2 log 2.5) + 4) / 7
    expectClose(auc({ numThresholds: 3, curve: 'PR' }, weights), (0.5 * (3 + 2 * Math.log(2.5)) + 4) / 7, exact);
  });
  it('with the default 200 thresholds equals the exact ROC AUC when no two scores share a bucket', () => {
    const scores = [0.03, 0.11, 0.17, 0.26, 0.33, 0.41, 0.48, 0.55, 0.62, 0.71, 0.78, 0.86, 0.94, 0.99];
    const labels = [0, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 1];
    let pairs = 0, wins = 0;
    labels.forEach((a, i) => labels.forEach((b, j) => { if (a === 1 && b === 0) { pairs++; if (scores[i]! > scores[j]!) wins++; } }));
    const m = new AUC();
    m.updateState(labels.slice(0, 7), scores.slice(0, 7));
    m.updateState(labels.slice(7), scores.slice(7));
    expectClose(m.result(), wins / pairs, exact);
    const perfect = new AUC();
    perfect.updateState(yTrue, yTrue);
    expectClose(perfect.result(), 1, exact);
  });
  it('multiLabel averages the per-label AUCs', () => {
    // label 0: y [0,1,1,1], p [0,0.5,0.3,0.9] -> recall [1, 1/3, 0], fpr [1, 0, 0] -> 2/3
    // label 1: y [0,1,1,0], p [0.4,0.7,0.2,0.3] -> recall [1, 1/2, 0], fpr [1, 0, 0] -> 3/4
    const m = new AUC({ numThresholds: 3, multiLabel: true });
    m.updateState([[0, 0], [1, 1], [1, 1], [1, 0]], [[0, 0.4], [0.5, 0.7], [0.3, 0.2], [0.9, 0.3]]);
    expectClose(m.result(), (2 / 3 + 3 / 4) / 2, exact);
    const weighted = new AUC({ numThresholds: 3, multiLabel: true, labelWeights: [3, 1] });
    weighted.updateState([[0, 0], [1, 1], [1, 1], [1, 0]], [[0, 0.4], [0.5, 0.7], [0.3, 0.2], [0.9, 0.3]]);
    expectClose(weighted.result(), (3 * (2 / 3) + 3 / 4) / 4, exact);
  });
  it('validates options and round-trips its config', () => {
    expect(() => new AUC({ numThresholds: 1 })).toThrow('AUC: numThresholds must be an integer > 1, got 1');
    expect(() => new AUC({ curve: 'XY' as 'PR' })).toThrow("AUC: invalid curve 'XY'; expected 'ROC' or 'PR'");
    expect(() => new AUC({ numLabels: 2 })).toThrow('AUC: numLabels is needed only when multiLabel is true');
    const m = new AUC({ curve: 'PR', summationMethod: 'majoring', thresholds: [0.5, 0.3], name: 'auc_1' });
    expect(m.thresholds.slice(1, -1)).toEqual([0.3, 0.5]);
    expect(m.getConfig()).toEqual({ name: 'auc_1', numThresholds: 4, curve: 'PR', summationMethod: 'majoring', multiLabel: false, numLabels: null, labelWeights: null, fromLogits: false, thresholds: [0.3, 0.5] });
    expect(new AUC(m.getConfig()).getConfig()).toEqual(m.getConfig());
  });
});
