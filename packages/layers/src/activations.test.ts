import { describe, expect, it } from 'vitest';
import { tensor } from '@minikeras/tensor';
import type { Tensor } from '@minikeras/tensor';
import { expectClose, gradcheck, randomTensor } from '@minikeras/test-utils';
import { ACTIVATIONS, activationName, didYouMean, getActivation } from './activations';
import type { ActivationName } from './activations';

const LN2 = Math.log(2);
const LN3 = Math.log(3);

// [name, inputs, expected outputs], each derived by hand from the Keras 3 definition.
const CASES: [ActivationName, number[], number[]][] = [
  ['linear', [-2, 0, 3], [-2, 0, 3]],
  ['relu', [-1, 0, 2], [0, 0, 2]],
  ['relu6', [-1, 3, 7], [0, 3, 6]],
  // negative_slope 0.2 (Keras 3 default)
  ['leaky_relu', [-1, 2], [-0.2, 2]],
  // elu(-ln 2) = e^(-ln 2) - 1 = -0.5
  ['elu', [-LN2, 3], [-0.5, 3]],
  // selu(x) = 1.0507009873554805 * x for x > 0; 1.0507009873554805 * 1.6732632423543772 * (e^x - 1) for x < 0
  ['selu', [1, -LN2], [1.0507009873554805, -0.8790496704236883]],
  // exact gelu x * Phi(x): Phi(1) = 0.8413447460685429, -Phi(-1) = -0.15865525393145707
  ['gelu', [1, -1, 0], [0.8413447460685429, -0.15865525393145707, 0]],
  // sigmoid(ln 3) = 3 / 4
  ['sigmoid', [0, LN3], [0.5, 0.75]],
  // Keras 3 hard_sigmoid: relu6(x + 3) / 6
  ['hard_sigmoid', [-4, 0, 1.5, 4], [0, 0.5, 0.75, 1]],
  // tanh(ln 3 / 2) = (3 - 1) / (3 + 1)
  ['tanh', [LN3 / 2, 0], [0.5, 0]],
  // softplus(x) = ln(1 + e^x): ln 2, ln 4
  ['softplus', [0, LN3], [LN2, Math.log(4)]],
  // softsign(x) = x / (1 + |x|)
  ['softsign', [1, -3], [0.5, -0.75]],
  // swish(x) = x * sigmoid(x): ln 3 * 3/4
  ['swish', [LN3, 0], [0.8239592165010823, 0]],
  ['silu', [LN3], [0.8239592165010823]],
  ['exponential', [0, 1], [1, Math.E]],
];

describe('activations by Keras name', () => {
  it.each(CASES)('%s', (name, x, expected) => {
    expectClose(getActivation(name)(tensor(x)), expected, { rtol: 1e-5, atol: 1e-6 });
  });

  it('softmax and log_softmax act on the last axis', () => {
    // softmax([0, ln 3]) = [1/4, 3/4]; softmax([ln 2, ln 2]) = [1/2, 1/2]
    const x = tensor([[0, LN3], [LN2, LN2]]);
    expectClose(getActivation('softmax')(x), [0.25, 0.75, 0.5, 0.5]);
    expectClose(getActivation('log_softmax')(x), [Math.log(0.25), Math.log(0.75), -LN2, -LN2], { rtol: 1e-5 });
  });

  it('accepts the tfjs camelCase spellings and reports canonical names', () => {
    expectClose(getActivation('leakyRelu')(tensor([-1])), [-0.2]);
    expectClose(getActivation('hardSigmoid')(tensor([0])), [0.5]);
    expect(activationName('logSoftmax')).toBe('log_softmax');
    expect(activationName(null)).toBe('linear');
    expect(activationName(ACTIVATIONS.relu)).toBe('relu');
    const custom = (x: Tensor) => x;
    expect(getActivation(custom)).toBe(custom);
  });

  it('has correct gradients away from kinks', () => {
    for (const name of Object.keys(ACTIVATIONS) as (keyof typeof ACTIVATIONS)[]) {
      // Inputs in [0.1, 1.1) and [-1.1, -0.1) keep relu, relu6, leaky_relu, elu and hard_sigmoid off their kinks.
      const pos = randomTensor([2, 3], 1, 0.1, 1.1);
      const neg = randomTensor([2, 3], 2, -1.1, -0.1);
      for (const x of [pos, neg]) {
        try {
          gradcheck((t) => getActivation(name)(t), [x]);
        } catch (e) {
          throw new Error(`activation '${name}': ${(e as Error).message}`);
        }
      }
    }
  });

  it('rejects an unknown name with a suggestion', () => {
    // @ts-expect-error: misspelled activation name
    expect(() => getActivation('rellu', "Dense 'dense'")).toThrow(/Dense 'dense': unknown activation 'rellu' \(did you mean 'relu'\?\); valid activations are linear, relu/);
    // @ts-expect-error: not an activation at all
    expect(() => getActivation('banana')).toThrow(/unknown activation 'banana'; valid/);
  });

  it('didYouMean suggests only names within two edits', () => {
    expect(didYouMean('sigmod', ['sigmoid', 'tanh'])).toBe(" (did you mean 'sigmoid'?)");
    expect(didYouMean('xyz', ['sigmoid', 'tanh'])).toBe('');
  });
});
