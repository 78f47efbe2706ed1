/** Construction-time validation: unknown options and invalid values fail with errors naming the option. */
import { describe, expect, it } from 'vitest';
import { Adadelta, Adafactor, Adagrad, Adam, AdamW, Adamax, Ftrl, Lion, Nadam, RMSprop, SGD } from './index';

describe('options', () => {
  it('rejects unknown options at run time, listing the valid ones', () => {
    expect(() => new Adam({ momentum: 0.9 } as never)).toThrow(
      "Adam: unknown option 'momentum'; valid options are 'name', 'learningRate', 'weightDecay', 'clipnorm', 'globalClipnorm', 'clipvalue', 'useEma', 'emaMomentum', 'emaOverwriteFrequency', 'lossScaleFactor', 'gradientAccumulationSteps', 'beta1', 'beta2', 'epsilon', 'amsgrad', 'lr'",
    );
    expect(() => new SGD({ beta1: 0.9 } as never)).toThrow("SGD: unknown option 'beta1'");
    expect(() => new RMSprop('fast' as never)).toThrow("RMSprop: options must be an object, got 'fast'");
  });

  it('has Keras 3 defaults', () => {
    expect(new SGD().getConfig()).toMatchObject({ name: 'SGD', learningRate: 0.01, momentum: 0, nesterov: false });
    expect(new Adam().getConfig()).toMatchObject({ name: 'adam', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false, weightDecay: null });
    expect(new AdamW().getConfig()).toMatchObject({ name: 'adamw', weightDecay: 0.004 });
    expect(new RMSprop().getConfig()).toMatchObject({ learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false });
    expect(new Adagrad().getConfig()).toMatchObject({ learningRate: 0.001, initialAccumulatorValue: 0.1, epsilon: 1e-7 });
    expect(new Adadelta().getConfig()).toMatchObject({ learningRate: 0.001, rho: 0.95, epsilon: 1e-7 });
    expect(new Adamax().getConfig()).toMatchObject({ learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    expect(new Nadam().getConfig()).toMatchObject({ learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    expect(new Ftrl().getConfig()).toMatchObject({ learningRate: 0.001, learningRatePower: -0.5, initialAccumulatorValue: 0.1, beta: 0 });
    expect(new Lion().getConfig()).toMatchObject({ learningRate: 0.001, beta1: 0.9, beta2: 0.99 });
    expect(new Adafactor().getConfig()).toMatchObject({ learningRate: 0.001, beta2Decay: -0.8, epsilon1: 1e-30, epsilon2: 1e-3, clipThreshold: 1, relativeStep: true });
    expect(new Adam().getConfig()).toMatchObject({ useEma: false, emaMomentum: 0.99, emaOverwriteFrequency: null, clipnorm: null, gradientAccumulationSteps: null });
  });

  it.each([
    ['negative learning rate', () => new SGD({ learningRate: -0.1 }), "SGD: 'learningRate' must be a finite number >= 0"],
    ['NaN learning rate', () => new Adam({ lr: NaN }), "Adam: 'learningRate' must be a finite number >= 0"],
    ['beta1 = 1', () => new Adam({ beta1: 1 }), "Adam: 'beta1' must be a finite number in [0, 1), got 1"],
    ['beta2 < 0', () => new Nadam({ beta2: -0.1 }), "Nadam: 'beta2' must be a finite number in [0, 1), got -0.1"],
    ['epsilon = 0', () => new Adam({ epsilon: 0 }), "Adam: 'epsilon' must be a positive finite number, got 0"],
    ['infinite epsilon', () => new RMSprop({ epsilon: Infinity }), "RMSprop: 'epsilon' must be a positive finite number, got Infinity"],
    ['momentum > 1', () => new SGD({ momentum: 1.5 }), "SGD: 'momentum' must be a finite number in [0, 1], got 1.5"],
    ['rho > 1', () => new RMSprop({ rho: 1.1 }), "RMSprop: 'rho' must be a finite number in [0, 1], got 1.1"],
    ['non-boolean nesterov', () => new SGD({ nesterov: 'yes' as never }), "SGD: 'nesterov' must be a boolean, got 'yes'"],
    ['negative accumulator', () => new Adagrad({ initialAccumulatorValue: -1 }), "Adagrad: 'initialAccumulatorValue' must be a finite number >= 0, got -1"],
    ['positive lr power', () => new Ftrl({ learningRatePower: 0.5 }), "Ftrl: 'learningRatePower' must be a finite number in [-Infinity, 0], got 0.5"],
    ['Lion beta1 = 0', () => new Lion({ beta1: 0 }), "Lion: 'beta1' must be a finite number in (0, 1], got 0"],
    ['negative weight decay', () => new Adam({ weightDecay: -0.01 }), "Adam: 'weightDecay' must be a finite number >= 0, got -0.01"],
    ['AdamW without weight decay', () => new AdamW({ weightDecay: null as never }), "AdamW: 'weightDecay' must be a number, got null"],
    ['emaMomentum > 1', () => new Adam({ useEma: true, emaMomentum: 2 }), "Adam: 'emaMomentum' must be a finite number in [0, 1], got 2"],
    ['fractional overwrite frequency', () => new Adam({ emaOverwriteFrequency: 1.5 }), "Adam: 'emaOverwriteFrequency' must be an integer >= 1, got 1.5"],
    ['empty name', () => new Adam({ name: '' }), "Adam: 'name' must be a non-empty string, got ''"],
    ['zero clip threshold', () => new Adafactor({ clipThreshold: 0 }), "Adafactor: 'clipThreshold' must be a positive finite number, got 0"],
  ])('rejects %s', (_, build, message) => {
    expect(build).toThrow(message);
  });
});
