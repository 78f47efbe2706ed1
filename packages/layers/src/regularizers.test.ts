import { describe, expect, it } from 'vitest';
import { ones, tensor, variableGrads, Variable } from '@minikeras/tensor';
import { expectClose } from '@minikeras/test-utils';
import { Dense } from './layers/dense';
import { getRegularizer, l1, l1l2, l2 } from './regularizers';

const w = tensor([[1, -2], [3, -0.5]]);
// sum |w| = 1 + 2 + 3 + 0.5 = 6.5; sum w^2 = 1 + 4 + 9 + 0.25 = 14.25

describe('regularizers', () => {
  it('compute l1 * sum|w| and l2 * sum(w^2)', () => {
    expectClose(l1(0.1).penalty(w), 0.65);
    expectClose(l2(0.2).penalty(w), 2.85);
    // 0.1 * 6.5 + 0.2 * 14.25 = 0.65 + 2.85
    expectClose(l1l2({ l1: 0.1, l2: 0.2 }).penalty(w), 3.5);
  });

  it('use the Keras defaults: l1 = l2 = 0.01, L1L2() = 0, string l1_l2 = 0.01 each', () => {
    expectClose(l1().penalty(w), 0.065);
    expectClose(l2().penalty(w), 0.1425);
    expectClose(l1l2().penalty(w), 0);
    expectClose(getRegularizer('l1_l2').penalty(w), 0.065 + 0.1425);
    expectClose(getRegularizer('l1l2').penalty(w), 0.065 + 0.1425);
    expect(l1().getConfig()).toEqual({ l1: 0.01 });
    expect(l1l2({ l2: 0.3 }).getConfig()).toEqual({ l1: 0, l2: 0.3 });
  });

  it("match Keras' documented examples", () => {
    // keras.regularizers.L2(2.) on ones(5, 5) = 2 * 25 = 50
    expectClose(l2(2).penalty(ones([5, 5])), 50);
    // Dense(5, kernel_initializer='ones', kernel_regularizer=L1(0.01)): 0.01 * 25 = 0.25
    const dense = new Dense(5, { kernelInitializer: 'ones', kernelRegularizer: l1(0.01) });
    dense.ensureBuilt([null, 5]);
    expectClose(dense.regularizationLosses()[0]!, 0.25);
  });

  it('have the gradient l1 * sign(w) + 2 * l2 * w', () => {
    const v = new Variable(w);
    const { grads } = variableGrads(() => l1l2({ l1: 0.1, l2: 0.2 }).penalty(v), [v]);
    // [0.1 + 0.4, -0.1 - 0.8, 0.1 + 1.2, -0.1 - 0.2]
    expectClose(grads.get(v)!, [0.5, -0.9, 1.3, -0.3], { rtol: 1e-6 });
  });

  it('reject negative or non-finite factors and unknown names', () => {
    expect(() => l1(-1)).toThrow(/L1: l1 must be a non-negative finite number, got -1/);
    expect(() => l2(Infinity)).toThrow(/L2: l2 must be a non-negative finite number/);
    // @ts-expect-error: not a regularizer name
    expect(() => getRegularizer('l3', "Dense 'd'")).toThrow(/Dense 'd': unknown regularizer 'l3'; valid regularizers are l1, l2, l1l2/);
  });
});
