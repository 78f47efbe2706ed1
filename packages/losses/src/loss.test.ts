import { describe, expect, it } from 'vitest';
import { Tensor, abs, mean, pow, sub, tensor, variable, variableGrads } from '@minikeras/tensor';
import { expectClose, gradcheck } from '@minikeras/test-utils';
import { Loss, LossFunctionWrapper, MeanSquaredError, SparseCategoricalCrossentropy } from './index';
import type { LossOptions } from './index';

const rel = { rtol: 1e-5, atol: 1e-6 };

class MeanCubicError extends Loss {
  constructor(options: LossOptions = {}) { super('MeanCubicError', 'mean_cubic_error', options); }
  call(yTrue: Tensor, yPred: Tensor): Tensor { return mean(abs(pow(sub(yPred, yTrue), 3)), -1); }
}

describe('Loss base class', () => {
  it('a subclass gets Keras reduction and weighting from compute()', () => {
    const loss = new MeanCubicError();
    // |errors|^3: row 0 = 1, 8 -> 4.5; row 1 = 27, 0 -> 13.5
    expectClose(loss.call(tensor([[0, 0], [0, 0]]), tensor([[1, 2], [3, 0]])), [4.5, 13.5], rel);
    expectClose(loss.compute([[0, 0], [0, 0]], [[1, 2], [3, 0]]), 9, rel);
    expectClose(loss.compute([[0, 0], [0, 0]], [[1, 2], [3, 0]], [2, 0]), 4.5, rel); // (9 + 0) / 2
    expect(loss.getConfig()).toEqual({ name: 'mean_cubic_error', reduction: 'sum_over_batch_size' });
  });
  it('sum_over_batch_size divides by the number of per-sample losses, not by the weights', () => {
    const mse = new MeanSquaredError();
    // per-sample [1, 4, 9] weighted [1, 1, 0] -> 5, over 3 samples
    expectClose(mse.compute([[0], [0], [0]], [[1], [2], [3]], [1, 1, 0]), 5 / 3, rel);
    expectClose(new MeanSquaredError({ reduction: 'mean_with_sample_weight' }).compute([[0], [0], [0]], [[1], [2], [3]], [1, 1, 0]), 5 / 2, rel);
    expectClose(new MeanSquaredError({ reduction: 'mean_with_sample_weight' }).compute([[0], [0], [0]], [[1], [2], [3]]), 14 / 3, rel);
  });
  it('an all-ignored batch gives 0, not NaN', () => {
    const loss = new SparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: -1 });
    expectClose(loss.compute([-1, -1], [[1, 2], [3, 4]]), 0, rel);
    expectClose(new MeanSquaredError().compute(tensor([], [0, 2]), tensor([], [0, 2])), 0, rel);
  });
  it('gradients reach the variables through compute()', () => {
    const w = variable([[0.5], [-0.5]]);
    const x = tensor([[1, 2], [3, 4]]);
    const { value, grads } = variableGrads(() => new MeanSquaredError().compute([[1], [0]], x.matmul(w)));
    // predictions [-0.5, -0.5]: errors -1.5, -0.5 -> mean square 1.25; d/dw = 2/2 * x^T e = [-3, -5]
    expectClose(value, 1.25, rel);
    expectClose(grads.get(w)!, [-3, -5], rel);
  });
  it('LossFunctionWrapper wraps a plain per-sample function', () => {
    const wrapped = new LossFunctionWrapper((t, p) => mean(abs(sub(t, p)), -1), { reduction: 'sum' });
    expectClose(wrapped.compute([[1, 1], [0, 0]], [[0, 1], [0, 2]]), 0.5 + 1, rel);
    gradcheck((p) => wrapped.compute([[1, 1], [0, 0]], p), [tensor([[0.5, 1.4], [0.3, 2]])]);
    expect(() => new LossFunctionWrapper((() => 3) as unknown as (t: Tensor, p: Tensor) => Tensor).compute([1], [1]))
      .toThrow("LossFunctionWrapper 'loss': the loss function must return a Tensor");
  });
});
