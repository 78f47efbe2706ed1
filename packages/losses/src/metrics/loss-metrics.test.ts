import { describe, it } from 'vitest';
import { expectClose } from '@minikeras/test-utils';
import {
  BinaryCrossentropy, CategoricalCrossentropy, CategoricalHinge, CosineSimilarity, Hinge, KLDivergence, LogCoshError,
  MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredError, MeanSquaredLogarithmicError, Poisson,
  RootMeanSquaredError, SparseCategoricalCrossentropy, SquaredHinge,
} from './index';
import type { Metric } from './index';

const rel = { rtol: 1e-5, atol: 1e-7 };
const yTrue = [[0, 1], [0, 0]];

/** Runs a Keras docstring example: unweighted, then reset and weighted by [1, 0]. */
function check(m: Metric, yPred: number[][], unweighted: number, weighted: number, t: number[][] = yTrue): void {
  m.updateState(t, yPred);
  expectClose(m.result(), unweighted, rel);
  m.resetState();
  m.updateState(t, yPred, [1, 0]);
  expectClose(m.result(), weighted, rel);
}

describe('regression metrics (Keras docstrings)', () => {
  const pred = [[1, 1], [0, 0]];
  it('MeanSquaredError, MeanAbsoluteError: one unit error in four entries', () => {
    check(new MeanSquaredError(), pred, 0.25, 0.5);
    check(new MeanAbsoluteError(), pred, 0.25, 0.5);
  });
  it('MeanAbsolutePercentageError divides by max(|0|, 1e-7)', () => {
    check(new MeanAbsolutePercentageError(), pred, 250000000, 500000000);
  });
  it('MeanSquaredLogarithmicError: log(2)^2 / 2 for the first sample', () => {
    check(new MeanSquaredLogarithmicError(), pred, Math.LN2 ** 2 / 4, Math.LN2 ** 2 / 2); // 0.12011322, 0.24022643
  });
  it('RootMeanSquaredError is the square root of the epoch MSE', () => {
    check(new RootMeanSquaredError(), pred, 0.5, Math.SQRT1_2); // 0.5, 0.70710677
  });
  it('LogCoshError', () => {
    check(new LogCoshError(), pred, Math.log(Math.cosh(1)) / 4, Math.log(Math.cosh(1)) / 2); // 0.10844523, 0.21689045
  });
  it('CosineSimilarity (axis 1, positive)', () => {
    const m = new CosineSimilarity({ axis: 1 });
    m.updateState([[0, 1], [1, 1]], [[1, 0], [1, 1]]);
    expectClose(m.result(), 0.5, rel); // (0 + 1) / 2
    m.resetState();
    m.updateState([[0, 1], [1, 1]], [[1, 0], [1, 1]], [0.3, 0.7]);
    expectClose(m.result(), 0.7, rel);
  });
});

describe('probabilistic and hinge metrics', () => {
  const p = [[0.6, 0.4], [0.4, 0.6]];
  const bce = (z: number, q: number) => -(z * Math.log(q) + (1 - z) * Math.log(1 - q));
  const rows = yTrue.map((r, i) => (bce(r[0]!, p[i]![0]!) + bce(r[1]!, p[i]![1]!)) / 2);
  it('BinaryCrossentropy: 0.81492424 and 0.9162905 in the Keras docstring', () => {
    check(new BinaryCrossentropy(), p, (rows[0]! + rows[1]!) / 2, rows[0]!);
    check(new BinaryCrossentropy(), p, 0.81492424, 0.9162905);
  });
  it('CategoricalCrossentropy and SparseCategoricalCrossentropy: -log(0.95), -log(0.1)', () => {
    const t = [[0, 1, 0], [0, 0, 1]], q = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]];
    const cce = new CategoricalCrossentropy();
    cce.updateState(t, q);
    expectClose(cce.result(), (-Math.log(0.95) - Math.log(0.1)) / 2, rel); // 1.1769392
    cce.resetState();
    cce.updateState(t, q, [0.3, 0.7]);
    expectClose(cce.result(), -0.3 * Math.log(0.95) - 0.7 * Math.log(0.1), rel); // 1.6271976
    const scce = new SparseCategoricalCrossentropy();
    scce.updateState([1, 2], q);
    expectClose(scce.result(), (-Math.log(0.95) - Math.log(0.1)) / 2, rel);
  });
  it('KLDivergence and Poisson', () => {
    // y = 1 against 0.4 contributes log(1 / 0.4); zero labels are clipped to 1e-7 and contribute ~0
    const kl = (t: number, q: number) => Math.max(t, 1e-7) * Math.log(Math.max(t, 1e-7) / q);
    const klRows = yTrue.map((r, i) => kl(r[0]!, p[i]![0]!) + kl(r[1]!, p[i]![1]!));
    check(new KLDivergence(), p, (klRows[0]! + klRows[1]!) / 2, klRows[0]!); // 0.45814306, 0.9162892
    // yPred - yTrue log(yPred + 1e-7): row 0 = (1 + 1 - log(1 + 1e-7)) / 2, row 1 = 0
    const poisson0 = (2 - Math.log(1 + 1e-7)) / 2;
    check(new Poisson(), [[1, 1], [0, 0]], poisson0 / 2, poisson0); // 0.49999997, 0.99999994
  });
  it('Hinge, SquaredHinge, CategoricalHinge match the losses', () => {
    check(new Hinge(), p, 1.3, 1.1);
    check(new SquaredHinge(), p, 1.86, 1.46);
    check(new CategoricalHinge(), p, 1.4, 1.2);
  });
});
