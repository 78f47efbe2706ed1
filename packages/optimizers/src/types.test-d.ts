/**
 * Type-level tests, compiled by the root `tsc -p tsconfig.json`: each `@ts-expect-error` line must fail to
 * type-check (tsc reports an unused directive otherwise), and the other lines must compile.
 */
import { Adam, AdamW, Adafactor, Ftrl, RMSprop, SGD, get, schedules } from './index';
import type { AdamConfig, Optimizer, OptimizerName } from './index';

// Misspelled names are compile-time errors.
// @ts-expect-error 'adamm' is not an OptimizerName
get('adamm');
const adamByName: Optimizer = get('adam');
const name: OptimizerName = 'rmsprop';
// @ts-expect-error not a Keras optimizer name
const badName: OptimizerName = 'adam_w';

// Options are exact per optimizer: an option of another optimizer is an excess property.
// @ts-expect-error Adam has no momentum
new Adam({ momentum: 0.9 });
// @ts-expect-error SGD has no beta1
new SGD({ beta1: 0.9 });
// @ts-expect-error epsilon is a number
new RMSprop({ epsilon: '1e-7' });

// The seed document's legacy spelling compiles.
const sgd = new SGD({ lr: 0.01, momentum: 0.9 });
new RMSprop({ learningRate: 0.001, rho: 0.9, centered: true });
new Ftrl({ l1RegularizationStrength: 0.01, learningRatePower: -0.5 });
new Adafactor({ relativeStep: false, clipThreshold: 1 });

// getConfig returns the constructor options, so configs round-trip and are checked.
const adam = new Adam({ beta1: 0.8 });
new Adam(adam.getConfig());
new AdamW(new AdamW().getConfig());
const cfg: AdamConfig = adam.getConfig();
// @ts-expect-error AdamW requires a numeric weight decay
new AdamW({ weightDecay: null });

// Learning rates: a number, a schedule or a function of the step; the getter is a number.
new SGD({ learningRate: new schedules.ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 100, decayRate: 0.9 }) });
new SGD({ learningRate: (step: number) => 0.1 / (1 + step) });
const lr: number = sgd.learningRate;
sgd.learningRate = 0.05;
// @ts-expect-error a learning rate is not a string
new SGD({ learningRate: '0.1' });
// @ts-expect-error schedules take their own options
new schedules.CosineDecay({ initialLearningRate: 0.1, decaySteps: 10, warmup: 5 });

void [adamByName, name, badName, cfg, lr];
