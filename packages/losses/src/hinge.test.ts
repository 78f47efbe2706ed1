import { describe, expect, it } from 'vitest';
import { tensor } from '@minikeras/tensor';
import { expectClose, gradcheck } from '@minikeras/test-utils';
import { CategoricalHinge, Dice, Hinge, SquaredHinge, Tversky, dice, hinge } from './index';

const rel = { rtol: 1e-5, atol: 1e-6 };
// keras/src/losses/losses_test.py: 0/1 labels become -1/1.
const yTrue = [[0, 1], [0, 0]];
const yPred = [[0.6, 0.4], [0.4, 0.6]];

describe('Hinge', () => {
  // labels -1, 1 / -1, -1: max(1 - y p, 0) = [1.6, 0.6] -> 1.1; [1.4, 1.6] -> 1.5
  it('matches Keras losses_test for every reduction and weights', () => {
    expectClose(new Hinge().compute(yTrue, yPred), 1.3, rel);
    expectClose(new Hinge({ reduction: 'sum' }).compute(yTrue, yPred), 2.6, rel);
    expectClose(new Hinge({ reduction: 'none' }).compute(yTrue, yPred), [1.1, 1.5], rel);
    expectClose(new Hinge().compute(yTrue, yPred, [1, 0]), 0.55, rel);
    expectClose(new Hinge({ reduction: 'sum' }).compute(yTrue, yPred, [1, 0]), 1.1, rel);
    expectClose(new Hinge({ reduction: 'none' }).compute(yTrue, yPred, [1, 0]), [1.1, 0], rel);
    expectClose(new Hinge().compute(yTrue, yPred, 0), 0, rel);
  });
  it('uses -1/1 labels as given', () => {
    expectClose(hinge([[-1, 1]], [[0.6, 0.4]]), [(1.6 + 0.6) / 2], rel);
  });
  it('gradient matches finite differences away from the hinge', () => {
    gradcheck((p) => new Hinge().compute([[-1, 1, 1]], p), [tensor([[0.5, 0.3, 2]])]);
  });
});

describe('SquaredHinge', () => {
  // [1.6^2, 0.6^2] -> 1.46; [1.4^2, 1.6^2] -> 2.26
  it('matches Keras losses_test', () => {
    expectClose(new SquaredHinge().compute(yTrue, yPred), 1.86, rel);
    expectClose(new SquaredHinge({ reduction: 'sum' }).compute(yTrue, yPred), 3.72, rel);
    expectClose(new SquaredHinge({ reduction: 'none' }).compute(yTrue, yPred), [1.46, 2.26], rel);
    expectClose(new SquaredHinge().compute(yTrue, yPred, [1, 0]), 0.73, rel);
    expectClose(new SquaredHinge({ reduction: 'none' }).compute(yTrue, yPred, [1, 0]), [1.46, 0], rel);
  });
  it('gradient matches finite differences', () => {
    gradcheck((p) => new SquaredHinge().compute([[-1, 1, 1]], p), [tensor([[0.5, 0.3, 2]])]);
  });
});

describe('CategoricalHinge', () => {
  // row 0: pos = 0.4, neg = 0.6 -> 1.2; row 1: pos = 0, neg = 0.6 -> 1.6
  it('matches Keras losses_test', () => {
    expectClose(new CategoricalHinge().compute(yTrue, yPred), 1.4, rel);
    expectClose(new CategoricalHinge({ reduction: 'sum' }).compute(yTrue, yPred), 2.8, rel);
    expectClose(new CategoricalHinge({ reduction: 'none' }).compute(yTrue, yPred), [1.2, 1.6], rel);
    expectClose(new CategoricalHinge().compute(yTrue, yPred, [1, 0]), 0.6, rel);
    expectClose(new CategoricalHinge({ reduction: 'sum' }).compute(yTrue, yPred, [1, 0]), 1.2, rel);
  });
  it('gradient matches finite differences', () => {
    gradcheck((p) => new CategoricalHinge().compute([[0, 1, 0], [1, 0, 0]], p), [tensor([[0.2, 0.5, 0.9], [0.3, 0.1, 0.8]])]);
  });
});

describe('Dice and Tversky', () => {
  const segTrue = [[1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0, 1]];
  const segPred = [[0, 1, 0, 1], [1, 0, 1, 1], [0, 1, 0, 1], [1, 0, 1, 1]];
  const axisTrue = tensor([1, 1, 0, 0, 1, 1, 0, 0], [2, 2, 2, 1]);
  const axisPred = tensor([0, 1, 0, 1, 0.4, 0, 0, 0.9], [2, 2, 2, 1]);
  it('Dice matches Keras losses_test and docstring', () => {
    // [[1,2],[1,2]] vs [[4,1],[6,1]]: 1 - 2 * 14 / (6 + 12) = -0.5555
    expectClose(new Dice().compute([[1, 2], [1, 2]], [[4, 1], [6, 1]]), 1 - 28 / (18 + 1e-7), rel);
    expectClose(new Dice().compute([[1, 2], [1, 2]], [[4, 1], [6, 1]]), -0.55555546, rel);
    // intersection 2, sums 8 + 10: 1 - 4 / 18
    expectClose(new Dice().compute(segTrue, segPred), 0.77777773, rel);
    // per sample over axes 1..3: 1 - 2/4 = 0.5; 1 - 0.8 / 3.3 = 0.7575...
    expectClose(new Dice({ axis: [1, 2, 3], reduction: 'none' }).compute(axisTrue, axisPred), [0.5, 0.75757575], rel);
    expectClose(dice(axisTrue, axisPred), 0.6164384, rel);
  });
  it('Tversky matches Keras losses_test (alpha = beta = 0.5 equals Dice)', () => {
    expectClose(new Tversky().compute([[1, 2], [1, 2]], [[4, 1], [6, 1]]), -0.55555546, rel);
    expectClose(new Tversky({ alpha: 0.2, beta: 0.8 }).compute([[1, 2], [1, 2]], [[4, 1], [6, 1]]), -0.29629636, rel);
    expectClose(new Tversky().compute(segTrue, segPred), 0.77777773, rel);
    expectClose(new Tversky({ alpha: 0.2, beta: 0.8 }).compute(segTrue, segPred), 0.7916667, rel);
    expectClose(new Tversky({ axis: [1, 2, 3], reduction: 'none' }).compute(axisTrue, axisPred), [0.5, 0.75757575], rel);
    expectClose(new Tversky({ alpha: 0.2, beta: 0.8, axis: [1, 2, 3], reduction: 'none' }).compute(axisTrue, axisPred), [0.5, 0.7222222], rel);
  });
  it('gradients match finite differences', () => {
    gradcheck((p) => new Dice({ axis: [1] }).compute([[1, 0, 1], [0, 1, 1]], p), [tensor([[0.7, 0.2, 0.5], [0.1, 0.8, 0.6]])]);
    gradcheck((p) => new Tversky({ alpha: 0.3, beta: 0.7 }).compute([[1, 0, 1], [0, 1, 1]], p), [tensor([[0.7, 0.2, 0.5], [0.1, 0.8, 0.6]])]);
  });
  it('rejects mismatched masks', () => {
    expect(() => new Dice().compute([[1, 0]], [[1, 0, 1]])).toThrow('Dice: yTrue shape [1,2] does not match yPred shape [1,3]');
  });
});
