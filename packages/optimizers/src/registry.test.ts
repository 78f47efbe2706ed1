/**
 * Registry-wide tests, table-driven over every optimizer (optax style): lookup by name, Keras JSON round-trips,
 * bit-exact state export/restore, and convergence on a convex quadratic and on the 2-D Rosenbrock function.
 */
import { Variable, tensor } from '@minikeras/tensor';
import { describe, expect, it } from 'vitest';
import { Adam, AdamW, OPTIMIZERS, SGD, deserialize, get, schedules, serialize } from './index';
import type { Optimizer, OptimizerName } from './index';

const NAMES = Object.keys(OPTIMIZERS) as OptimizerName[];
const make = (name: OptimizerName, options: Record<string, unknown> = {}): Optimizer =>
  new (OPTIMIZERS[name] as unknown as new (o: Record<string, unknown>) => Optimizer)(options);

/** Non-default options per optimizer (every optimizer-specific key set), for round-trips and state tests. */
const CUSTOM: Record<OptimizerName, Record<string, unknown>> = {
  sgd: { learningRate: 0.05, momentum: 0.8, nesterov: true },
  adam: { learningRate: 0.02, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, amsgrad: true },
  adamw: { learningRate: 0.02, weightDecay: 0.01, beta1: 0.85, beta2: 0.95, epsilon: 1e-5, amsgrad: true },
  rmsprop: { learningRate: 0.01, rho: 0.8, momentum: 0.5, epsilon: 1e-6, centered: true },
  adagrad: { learningRate: 0.1, initialAccumulatorValue: 0.2, epsilon: 1e-6 },
  adadelta: { learningRate: 0.5, rho: 0.9, epsilon: 1e-6 },
  adamax: { learningRate: 0.02, beta1: 0.8, beta2: 0.95, epsilon: 1e-6 },
  nadam: { learningRate: 0.02, beta1: 0.8, beta2: 0.95, epsilon: 1e-6 },
  ftrl: { learningRate: 0.05, learningRatePower: -0.2, initialAccumulatorValue: 0.4, l1RegularizationStrength: 0.01, l2RegularizationStrength: 0.02, l2ShrinkageRegularizationStrength: 0.01, beta: 0.3 },
  lion: { learningRate: 0.001, beta1: 0.8, beta2: 0.95 },
  adafactor: { learningRate: 0.05, beta2Decay: -0.7, epsilon1: 1e-20, epsilon2: 1e-4, clipThreshold: 0.9, relativeStep: false },
};

describe('get', () => {
  it.each(NAMES)("get('%s') builds the optimizer with Keras defaults", (name) => {
    const opt = get(name);
    expect(opt).toBeInstanceOf(OPTIMIZERS[name]);
    expect(opt.getConfig()).toEqual(make(name).getConfig());
  });

  it('matches names case-insensitively at run time and passes instances through', () => {
    expect(get('Adam' as OptimizerName)).toBeInstanceOf(Adam);
    const sgd = new SGD();
    expect(get(sgd)).toBe(sgd);
  });

  it('rejects unknown names with the valid list and the closest match', () => {
    expect(() => get('adamm' as OptimizerName)).toThrow(
      "optimizers.get: unknown optimizer 'adamm'; valid names are 'sgd', 'adam', 'adamw', 'rmsprop', 'adagrad', 'adadelta', 'adamax', 'nadam', 'ftrl', 'lion', 'adafactor'. Did you mean 'adam'?",
    );
    expect(() => get('rmsprob' as OptimizerName)).toThrow(/Did you mean 'rmsprop'\?/);
    expect(() => get('transformer' as OptimizerName)).toThrow(/valid names are .*'adafactor'$/);
  });

  it('accepts Keras JSON', () => {
    const opt = get({ class_name: 'SGD', config: { learning_rate: 0.3, momentum: 0.5 } });
    expect(opt).toBeInstanceOf(SGD);
    expect((opt as SGD).momentum).toBe(0.5);
    expect(opt.learningRate).toBe(0.3);
  });
});

describe('serialize / deserialize', () => {
  it.each(NAMES)('%s round-trips through JSON text with every option set', (name) => {
    const opt = make(name, { ...CUSTOM[name], name: `my_${name}`, clipnorm: 2, useEma: true, emaMomentum: 0.9, emaOverwriteFrequency: 5, gradientAccumulationSteps: 3, lossScaleFactor: 8 });
    const json = serialize(opt);
    const back = deserialize(JSON.stringify(json));
    expect(back.constructor).toBe(opt.constructor);
    expect(back.getConfig()).toEqual(opt.getConfig());
    expect(serialize(back)).toEqual(json);
  });

  it.each(NAMES)('%s round-trips a nested schedule', (name) => {
    const lr = new schedules.CosineDecay({ initialLearningRate: 0.01, decaySteps: 50, warmupTarget: 0.1, warmupSteps: 5 });
    const opt = make(name, { learningRate: lr });
    const json = JSON.parse(JSON.stringify(serialize(opt)));
    expect(json.config.learning_rate.class_name).toBe('CosineDecay');
    const back = deserialize(json);
    expect(back.getConfig().learningRate).toBeInstanceOf(schedules.CosineDecay);
    expect(serialize(back)).toEqual(json);
  });

  it("writes Keras 3's envelope and exact config keys", () => {
    expect(serialize(new Adam())).toEqual({
      module: 'keras.optimizers',
      class_name: 'Adam',
      config: {
        name: 'adam', learning_rate: 0.001, weight_decay: null, clipnorm: null, global_clipnorm: null, clipvalue: null,
        use_ema: false, ema_momentum: 0.99, ema_overwrite_frequency: null, loss_scale_factor: null,
        gradient_accumulation_steps: null, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false,
      },
      registered_name: null,
    });
    const base = ['name', 'learning_rate', 'weight_decay', 'clipnorm', 'global_clipnorm', 'clipvalue', 'use_ema', 'ema_momentum', 'ema_overwrite_frequency', 'loss_scale_factor', 'gradient_accumulation_steps'];
    const specific: Record<OptimizerName, string[]> = {
      sgd: ['momentum', 'nesterov'],
      adam: ['beta_1', 'beta_2', 'epsilon', 'amsgrad'],
      adamw: ['beta_1', 'beta_2', 'epsilon', 'amsgrad'],
      rmsprop: ['rho', 'momentum', 'epsilon', 'centered'],
      adagrad: ['initial_accumulator_value', 'epsilon'],
      adadelta: ['rho', 'epsilon'],
      adamax: ['beta_1', 'beta_2', 'epsilon'],
      nadam: ['beta_1', 'beta_2', 'epsilon'],
      ftrl: ['learning_rate_power', 'initial_accumulator_value', 'l1_regularization_strength', 'l2_regularization_strength', 'l2_shrinkage_regularization_strength', 'beta'],
      lion: ['beta_1', 'beta_2'],
      adafactor: ['beta_2_decay', 'epsilon_1', 'epsilon_2', 'clip_threshold', 'relative_step'],
    };
    for (const name of NAMES) expect(Object.keys(serialize(make(name)).config).sort()).toEqual([...base, ...specific[name]].sort());
  });

  it('reads JSON written by Keras 3, including a nested schedule', () => {
    // As `keras.optimizers.serialize(keras.optimizers.SGD(learning_rate=ExponentialDecay(0.1, 1000, 0.96, staircase=True), momentum=0.9))` prints it.
    const opt = deserialize({
      module: 'keras.optimizers',
      class_name: 'SGD',
      config: {
        name: 'SGD',
        learning_rate: {
          module: 'keras.optimizers.schedules',
          class_name: 'ExponentialDecay',
          config: { initial_learning_rate: 0.1, decay_steps: 1000, decay_rate: 0.96, staircase: true, name: 'ExponentialDecay' },
          registered_name: null,
        },
        weight_decay: null, clipnorm: null, global_clipnorm: null, clipvalue: null, use_ema: false, ema_momentum: 0.99,
        ema_overwrite_frequency: null, loss_scale_factor: null, gradient_accumulation_steps: null, momentum: 0.9, nesterov: false,
      },
      registered_name: null,
    });
    expect(opt).toBeInstanceOf(SGD);
    expect((opt as SGD).momentum).toBe(0.9);
    expect(opt.learningRate).toBeCloseTo(0.1, 12);
  });

  it('reads tf.keras 2 JSON: lowercase class names and the keys Keras 3 ignores', () => {
    const opt = deserialize({
      class_name: 'adamw',
      config: { name: 'AdamW', learning_rate: 0.0010000000474974513, decay: 0.0, jit_compile: true, is_legacy_optimizer: false, weight_decay: 0.004, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false },
    });
    expect(opt).toBeInstanceOf(AdamW);
    expect(opt.name).toBe('AdamW');
  });

  it('rejects unknown config keys and plain-function learning rates', () => {
    expect(() => deserialize({ class_name: 'Adam', config: { momentum: 0.9 } })).toThrow("Adam: unknown option 'momentum'; valid options are");
    expect(() => deserialize({ class_name: 'Adam', config: { bogus_key: 1 } })).toThrow("optimizers.deserialize: Adam has no config key 'bogus_key'");
    expect(() => deserialize({ class_name: 'Adamm', config: {} })).toThrow(/Did you mean 'adam'\?/);
    expect(() => serialize(new SGD({ learningRate: () => 0.1 }))).toThrow(/plain function, which cannot be serialized/);
  });
});

/** Deterministic pseudo-gradients: no randomness, but every step and element differs. */
function gradFor(step: number, k: number, shape: number[]): ReturnType<typeof tensor> {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(1.3 * step + 0.7 * i + k) * (1 + 0.1 * i)), shape);
}

function makeVars(): Variable[] {
  return [
    new Variable(tensor(Float32Array.from({ length: 6 }, (_, i) => 0.1 * i - 0.2), [2, 3]), { name: 'dense/kernel' }),
    new Variable(tensor([0.5, -0.5, 0.25]), { name: 'dense/bias' }),
  ];
}

function run(opt: Optimizer, vars: Variable[], from: number, to: number): void {
  for (let s = from; s < to; s++) opt.applyGradients(vars.map((v, k) => [gradFor(s, k, [...v.shape]), v] as const));
}

describe('state export / restore', () => {
  const variants: [string, OptimizerName, Record<string, unknown>][] = [
    ...NAMES.map((n) => [`${n} (custom options)`, n, CUSTOM[n]] as [string, OptimizerName, Record<string, unknown>]),
    ['adam with EMA + weight decay', 'adam', { useEma: true, emaMomentum: 0.9, emaOverwriteFrequency: 4, weightDecay: 0.01 }],
    ['rmsprop with gradient accumulation', 'rmsprop', { gradientAccumulationSteps: 3, momentum: 0.5 }],
    ['sgd with a float64 learning rate and global clipnorm', 'sgd', { learningRate: 0.1, momentum: 0.9, globalClipnorm: 1 }],
  ];

  it.each(variants)('%s: restoring mid-run then continuing equals the uninterrupted run, bit for bit', (_, name, options) => {
    const varsA = makeVars();
    const a = make(name, options);
    run(a, varsA, 0, 5);
    const state = a.getState();
    const weights = varsA.map((v) => v.values.slice());
    run(a, varsA, 5, 12);

    const varsB = makeVars();
    varsB.forEach((v, k) => v.values.set(weights[k]!));
    const b = make(name, options);
    b.build(varsB);
    b.setState(state);
    run(b, varsB, 5, 12);

    varsB.forEach((v, k) => expect(Array.from(v.values)).toEqual(Array.from(varsA[k]!.values)));
    const sa = a.getState(), sb = b.getState();
    expect(sb.map((e) => e.name)).toEqual(sa.map((e) => e.name));
    sb.forEach((e, j) => expect(Array.from(e.value.values)).toEqual(Array.from(sa[j]!.value.values)));
    expect(b.iterations).toBe(a.iterations);
  });

  it("lists state in Keras' optimizer.variables order with Keras-style names", () => {
    const opt = new Adam({ amsgrad: true, useEma: true });
    opt.build(makeVars());
    expect(opt.getState().map((e) => e.name)).toEqual([
      'iteration', 'learning_rate', 'dense_kernel_average', 'dense_bias_average',
      'dense_kernel_momentum', 'dense_bias_momentum', 'dense_kernel_velocity', 'dense_bias_velocity',
      'dense_kernel_velocity_hat', 'dense_bias_velocity_hat',
    ]);
    const ftrl = make('ftrl');
    ftrl.build(makeVars());
    expect(ftrl.getState().map((e) => e.name)).toEqual(['iteration', 'learning_rate', 'dense_kernel_accumulator', 'dense_kernel_linear', 'dense_bias_accumulator', 'dense_bias_linear']);
    const state = ftrl.getState();
    expect(state[0]!.value.dtype).toBe('int32');
    expect(state[2]!.value.shape).toEqual([2, 3]);
    expect(Array.from(state[2]!.value.values)).toEqual(new Array(6).fill(Math.fround(0.1)));
  });

  it('restores a changed learning rate and refuses mismatched state', () => {
    const a = new SGD({ learningRate: 0.1, momentum: 0.9 });
    a.build(makeVars());
    a.learningRate = 0.25;
    const b = new SGD({ learningRate: 0.1, momentum: 0.9 });
    expect(() => b.setState(a.getState())).toThrow(/expected 2 state entries .* got 4 \(the optimizer is not built yet/);
    b.build(makeVars());
    b.setState(a.getState());
    expect(b.learningRate).toBe(0.25);
    const wrong = a.getState().map((e, j) => (j === 3 ? { ...e, value: tensor([1, 2]) } : e));
    const c = new SGD({ momentum: 0.9 });
    c.build(makeVars());
    expect(() => c.setState(wrong)).toThrow("SGD.setState: entry 3 ('dense_bias_momentum') has shape [2], expected [3]");
  });
});

describe('convergence', () => {
  /** Rosenbrock (1 - x)^2 + 100 (y - x^2)^2 from (-0.5, 0.5), loss 8.5; minimum 0 at (1, 1). */
  function rosenbrock(opt: Optimizer, steps: number): { loss: number; x: number; y: number } {
    const w = new Variable(tensor([-0.5, 0.5]));
    const v = w.values;
    for (let i = 0; i < steps; i++) {
      const x = v[0]!, y = v[1]!;
      opt.applyGradients([[tensor([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)]), w]]);
    }
    const x = v[0]!, y = v[1]!;
    return { loss: (1 - x) ** 2 + 100 * (y - x * x) ** 2, x, y };
  }

  /** Convex quadratic sum a_i (w_i - c_i)^2 over a 2x2 variable, from loss 33.375; minimum 0 at c. */
  function quadratic(opt: Optimizer, steps: number): number {
    const a = [1, 2, 0.5, 3], c = [1, 2, -1, 0.5];
    const w = new Variable(tensor([[3, -2], [1, 4]]));
    const v = w.values;
    for (let i = 0; i < steps; i++) opt.applyGradients([[tensor(Array.from(v, (x, k) => 2 * a[k]! * (x - c[k]!)), [2, 2]), w]]);
    return Array.from(v).reduce((s, x, k) => s + a[k]! * (x - c[k]!) ** 2, 0);
  }

  const table: [OptimizerName, Record<string, unknown>, number, Record<string, unknown>, number][] = [
    // name, Rosenbrock options, steps, quadratic options, steps
    ['sgd', { learningRate: 0.002, momentum: 0.9 }, 2000, { learningRate: 0.1 }, 500],
    ['adam', { learningRate: 0.02 }, 2000, { learningRate: 0.1 }, 500],
    ['adamw', { learningRate: 0.02, weightDecay: 0 }, 2000, { learningRate: 0.1, weightDecay: 0 }, 500],
    ['rmsprop', { learningRate: 0.002, momentum: 0.5 }, 2000, { learningRate: 0.01 }, 500],
    ['adagrad', { learningRate: 0.5 }, 5000, { learningRate: 0.5 }, 500],
    ['adadelta', { learningRate: 0.3, rho: 0.9 }, 8000, { learningRate: 1 }, 5000],
    ['adamax', { learningRate: 0.05 }, 2000, { learningRate: 0.1 }, 500],
    ['nadam', { learningRate: 0.02 }, 2000, { learningRate: 0.1 }, 500],
    ['ftrl', { learningRate: 0.5 }, 5000, { learningRate: 0.5 }, 500],
    ['lion', { learningRate: 0.001 }, 2000, { learningRate: 0.01, beta2: 0.9 }, 1000],
    ['adafactor', { learningRate: 0.1 }, 5000, { learningRate: 0.1 }, 500],
  ];

  it('covers every registered optimizer', () => {
    expect(table.map((r) => r[0]).sort()).toEqual([...NAMES].sort());
  });

  it.each(table)('%s minimizes Rosenbrock and a convex quadratic', (name, rOpts, rSteps, qOpts, qSteps) => {
    const r = rosenbrock(make(name, rOpts), rSteps);
    expect(r.loss).toBeLessThan(0.05);
    expect(Math.hypot(r.x - 1, r.y - 1)).toBeLessThan(0.15);
    expect(quadratic(make(name, qOpts), qSteps)).toBeLessThan(1e-2);
  });
});
