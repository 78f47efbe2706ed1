/**
 * The shared pipeline in the base class: clipping, EMA, gradient accumulation, loss scaling, learning-rate
 * handling, minimize, constraints. Expected numbers are Keras 3's (optimizer_test.py, *_test.py) or derived by
 * hand from Keras' formulas, with the arithmetic in comments.
 */
import { Tensor, Variable, clipByValue, square, sum, tensor } from '@minikeras/tensor';
import { expectClose } from '@minikeras/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { Adam, RMSprop, SGD, schedules } from './index';

const v2x2 = () => new Variable(tensor([[1, 2], [3, 4]]));
const ones2x2 = () => tensor([[1, 1], [1, 1]]);

describe('gradient clipping (Keras test_clip_norm / test_clip_value / test_global_clip_norm)', () => {
  // With SGD(lr = 1) from w = 0, the new weights are minus the clipped gradient.
  it('clipnorm scales each gradient to L2 norm <= clipnorm: [100, 100] -> [sqrt(2)/2, sqrt(2)/2]', () => {
    const w = new Variable(tensor([0, 0]));
    new SGD({ learningRate: 1, clipnorm: 1 }).applyGradients([[tensor([100, 100]), w]]);
    expectClose(w, [-Math.SQRT1_2, -Math.SQRT1_2], { rtol: 1e-6 });
  });

  it('clipnorm leaves gradients already inside the ball alone', () => {
    const w = new Variable(tensor([0, 0]));
    new SGD({ learningRate: 1, clipnorm: 10 }).applyGradients([[tensor([3, 4]), w]]);
    expectClose(w, [-3, -4]);
  });

  it('clipnorm is per variable', () => {
    // |[3, 4]| = 5 -> scaled by 1/5; |[0.6, 0.8]| = 1 -> unchanged.
    const a = new Variable(tensor([0, 0])), b = new Variable(tensor([0, 0]));
    new SGD({ learningRate: 1, clipnorm: 1 }).applyGradients([[tensor([3, 4]), a], [tensor([0.6, 0.8]), b]]);
    expectClose(a, [-0.6, -0.8], { rtol: 1e-6 });
    expectClose(b, [-0.6, -0.8], { rtol: 1e-6 });
  });

  it('clipvalue clips each element: [100, -100, 0.5] -> [1, -1, 0.5]', () => {
    const w = new Variable(tensor([0, 0, 0]));
    const g = tensor([100, -100, 0.5]);
    new SGD({ learningRate: 1, clipvalue: 1 }).applyGradients([[g, w]]);
    expectClose(w, [-1, 1, -0.5]);
    expectClose(g, [100, -100, 0.5]); // the caller's gradient is not modified
  });

  it('globalClipnorm scales all gradients by clip / global norm', () => {
    // Keras: grad [50, 100] / ||[50, 100]||. Split over two variables: global norm sqrt(50^2 + 100^2) = 111.8034.
    const a = new Variable(tensor([0])), b = new Variable(tensor([0]));
    new SGD({ learningRate: 1, globalClipnorm: 1 }).applyGradients([[tensor([50]), a], [tensor([100]), b]]);
    expectClose(a, [-50 / Math.hypot(50, 100)], { rtol: 1e-6 });
    expectClose(b, [-100 / Math.hypot(50, 100)], { rtol: 1e-6 });
  });

  it('only one clipping option may be set', () => {
    expect(() => new SGD({ clipnorm: 0.1, clipvalue: 0.1 })).toThrow(/only one of 'clipnorm', 'clipvalue' and 'globalClipnorm'/);
    expect(() => new SGD({ clipnorm: 0.1, globalClipnorm: 0.1 })).toThrow(/only one of/);
  });

  it('clipping applies before the Adam update (a clipped huge gradient = a unit one)', () => {
    // Adam's first step moves every coordinate by lr * g / (|g| + eps') ~ lr regardless of scale, so compare
    // the moments instead: m = (1 - 0.9) * g_clipped = 0.1 * [0.6, 0.8].
    const w = new Variable(tensor([0, 0]), { name: 'w' });
    const opt = new Adam({ clipnorm: 1 });
    opt.applyGradients([[tensor([300, 400]), w]]);
    const m = opt.getState().find((e) => e.name === 'w_momentum')!;
    expectClose(m.value, [0.06, 0.08], { rtol: 1e-6 });
  });
});

describe('EMA (Keras optimizer_test.test_ema)', () => {
  it('averages from the first step, overwrites every emaOverwriteFrequency steps', () => {
    const v = new Variable(tensor([[3, 4], [5, 6]]), { name: 'v' });
    const opt = new SGD({ learningRate: 1, useEma: true, emaMomentum: 0.9, emaOverwriteFrequency: 3 });
    const average = () => opt.getState().find((e) => e.name === 'v_average')!.value;
    opt.applyGradients([[ones2x2(), v]]);
    expectClose(v, [2, 3, 4, 5]);
    expectClose(average(), [2, 3, 4, 5]); // initialized to the weights after the first step
    opt.applyGradients([[ones2x2(), v]]);
    expectClose(v, [1, 2, 3, 4]);
    expectClose(average(), [1.9, 2.9, 3.9, 4.9], { rtol: 1e-6 }); // 0.9 * 2 + 0.1 * 1
    opt.applyGradients([[ones2x2(), v]]);
    // average 0.9 * 1.9 + 0.1 * 0 = 1.71, and step 3 is an overwrite step.
    expectClose(v, [1.71, 2.71, 3.71, 4.71], { rtol: 1e-6 });
    expectClose(average(), [1.71, 2.71, 3.71, 4.71], { rtol: 1e-6 });
  });

  it('finalizeVariableValues overwrites the weights with the average (fit calls it at the end)', () => {
    // Keras test_ema_with_model_fit's idea on one weight: SGD lr 0.1, loss w^2 / 2 (g = w), ema 0.9.
    // w: 1 -> 0.9 -> 0.81; average: 0.9 (first step) -> 0.9 * 0.9 + 0.1 * 0.81 = 0.891.
    const w = new Variable(tensor([1]));
    const opt = new SGD({ learningRate: 0.1, useEma: true, emaMomentum: 0.9 });
    for (let i = 0; i < 2; i++) opt.applyGradients([[tensor([w.values[0]!]), w]]);
    expectClose(w, [0.81], { rtol: 1e-6 });
    opt.finalizeVariableValues([w]);
    expectClose(w, [0.891], { rtol: 1e-6 });
  });

  it('without useEma finalizeVariableValues does nothing', () => {
    const w = new Variable(tensor([1]));
    const opt = new SGD({ learningRate: 0.1 });
    opt.applyGradients([[tensor([1]), w]]);
    opt.finalizeVariableValues([w]);
    expectClose(w, [0.9], { rtol: 1e-6 });
  });
});

describe('gradient accumulation (Keras optimizer_test.test_gradient_accumulation)', () => {
  it('accumulates, then applies the mean gradient every N calls', () => {
    const v = new Variable(tensor([[1, 2], [3, 4]]), { name: 'v' });
    const opt = new SGD({ learningRate: 1, gradientAccumulationSteps: 3 });
    const acc = () => opt.getState().find((e) => e.name === 'v_gradient_accumulator')!.value;
    opt.applyGradients([[ones2x2(), v]]);
    expectClose(v, [1, 2, 3, 4]);
    expectClose(acc(), [1, 1, 1, 1]);
    expect(opt.iterations).toBe(0); // applied updates: floor(1 / 3)
    opt.applyGradients([[ones2x2(), v]]);
    expectClose(v, [1, 2, 3, 4]);
    expectClose(acc(), [2, 2, 2, 2]);
    opt.applyGradients([[ones2x2(), v]]);
    expectClose(v, [0, 1, 2, 3]); // mean gradient (1 + 1 + 1) / 3 = 1
    expectClose(acc(), [0, 0, 0, 0]);
    expect(opt.iterations).toBe(1);
    opt.applyGradients([[ones2x2(), v]]);
    expectClose(v, [0, 1, 2, 3]);
    expectClose(acc(), [1, 1, 1, 1]);
  });

  it('Adam sees the update count, not the call count, as its step t', () => {
    // Accumulating 2 calls of g = 1 then applying equals one plain Adam step with g = 1: w = 1 - 0.001 * 1/(1 + 1e-7).
    const a = new Variable(tensor([1])), b = new Variable(tensor([1]));
    const acc = new Adam({ gradientAccumulationSteps: 2 });
    acc.applyGradients([[tensor([1]), a]]);
    acc.applyGradients([[tensor([1]), a]]);
    new Adam().applyGradients([[tensor([1]), b]]);
    expect(a.values[0]).toBe(b.values[0]);
    expectClose(a, [1 - 0.001 / (1 + 1e-7)], { rtol: 1e-6 });
  });

  it('rejects gradientAccumulationSteps < 2', () => {
    expect(() => new SGD({ gradientAccumulationSteps: 1 })).toThrow(/'gradientAccumulationSteps' must be an integer >= 2/);
  });
});

describe('hand-derived trajectories', () => {
  it('SGD momentum 0.9, lr 0.1, g = 1, w0 = 1 (plain and Nesterov)', () => {
    // plain:    m1 = -0.1, w1 = 0.9;    m2 = 0.9 * -0.1 - 0.1 = -0.19, w2 = 0.71
    // nesterov: w1 = 1 + 0.9 * -0.1 - 0.1 = 0.81;  w2 = 0.81 + 0.9 * -0.19 - 0.1 = 0.539
    const plain = new Variable(tensor([1])), nest = new Variable(tensor([1]));
    const o1 = new SGD({ learningRate: 0.1, momentum: 0.9 }), o2 = new SGD({ learningRate: 0.1, momentum: 0.9, nesterov: true });
    o1.applyGradients([[tensor([1]), plain]]);
    o2.applyGradients([[tensor([1]), nest]]);
    expectClose(plain, [0.9], { rtol: 1e-6 });
    expectClose(nest, [0.81], { rtol: 1e-6 });
    o1.applyGradients([[tensor([1]), plain]]);
    o2.applyGradients([[tensor([1]), nest]]);
    expectClose(plain, [0.71], { rtol: 1e-6 });
    expectClose(nest, [0.539], { rtol: 1e-6 });
  });

  it('RMSprop with momentum 0.5, lr 0.1, rho 0.9, g = 1, w0 = 1', () => {
    // v1 = 0.1, inc1 = 0.1 / sqrt(0.1 + 1e-7) = 0.3162276, mom1 = 0.3162276, w1 = 0.6837724
    // v2 = 0.09 + 0.1 = 0.19, inc2 = 0.1 / sqrt(0.19 + 1e-7) = 0.2294157, mom2 = 0.1581138 + 0.2294157 = 0.3875295,
    // w2 = 0.6837724 - 0.3875295 = 0.2962429
    const w = new Variable(tensor([1]));
    const opt = new RMSprop({ learningRate: 0.1, momentum: 0.5 });
    opt.applyGradients([[tensor([1]), w]]);
    expectClose(w, [0.6837724], { rtol: 1e-5 });
    opt.applyGradients([[tensor([1]), w]]);
    expectClose(w, [0.2962429], { rtol: 1e-5 });
  });

  it('Adam without amsgrad, lr 0.1, g = 1 then g = -1', () => {
    // t1: m = 0.1, v = 0.001, alpha = 0.1 * sqrt(0.001) / 0.1 = 0.0316228; step = 0.0316228 * 0.1 / (0.0316228 + 1e-7) = 0.0999997
    //     w1 = 0.9000003
    // t2: m = 0.09 - 0.1 = -0.01, v = 0.000999 + 0.001 = 0.001999; alpha = 0.1 * sqrt(1 - 0.998001) / (1 - 0.81)
    //     = 0.1 * 0.0447102 / 0.19 = 0.0235317; step = 0.0235317 * -0.01 / (sqrt(0.001999) + 1e-7) = -0.0052631
    //     w2 = 0.9052634
    const w = new Variable(tensor([1]));
    const opt = new Adam({ learningRate: 0.1 });
    opt.applyGradients([[tensor([1]), w]]);
    expectClose(w, [0.9000003], { rtol: 1e-6 });
    opt.applyGradients([[tensor([-1]), w]]);
    expectClose(w, [0.9052634], { rtol: 1e-5 });
  });
});

describe('learning rate', () => {
  it('accepts the legacy alias lr, not both', () => {
    expect(new SGD({ lr: 0.05 }).learningRate).toBe(0.05);
    expect(() => new SGD({ lr: 0.05, learningRate: 0.1 })).toThrow("SGD: give either 'learningRate' or its legacy alias 'lr', not both");
  });

  it('is settable between steps (callbacks)', () => {
    const w = new Variable(tensor([1]));
    const opt = new SGD({ learningRate: 0.1 });
    opt.applyGradients([[tensor([1]), w]]);
    opt.learningRate = 0.5;
    expect(opt.learningRate).toBe(0.5);
    opt.applyGradients([[tensor([1]), w]]);
    expectClose(w, [0.4], { rtol: 1e-6 }); // 1 - 0.1 - 0.5
  });

  it('a schedule is evaluated at the iteration count before each update', () => {
    // PiecewiseConstant: step 0 -> 1.0, step 1 -> 0.5, later 0.1; SGD on g = 1 from 0: -1, -1.5, -1.6.
    const w = new Variable(tensor([0]));
    const opt = new SGD({ learningRate: new schedules.PiecewiseConstantDecay({ boundaries: [0, 1], values: [1, 0.5, 0.1] }) });
    expect(opt.learningRate).toBe(1);
    for (const expected of [-1, -1.5, -1.6]) {
      opt.applyGradients([[tensor([1]), w]]);
      expectClose(w, [expected], { rtol: 1e-6 });
    }
    expect(opt.learningRate).toBe(0.1);
  });

  it('a plain function of the step is accepted', () => {
    const w = new Variable(tensor([0]));
    const opt = new SGD({ learningRate: (step) => 1 / (step + 1) });
    opt.applyGradients([[tensor([1]), w]]);
    opt.applyGradients([[tensor([1]), w]]);
    expectClose(w, [-1.5]);
  });

  it('a number cannot replace a schedule (Keras), but another schedule can', () => {
    const opt = new SGD({ learningRate: new schedules.ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 }) });
    expect(() => { opt.learningRate = 0.2; }).toThrow(/created with a LearningRateSchedule/);
    opt.learningRate = new schedules.InverseTimeDecay({ initialLearningRate: 0.3, decaySteps: 1, decayRate: 1 });
    expect(opt.learningRate).toBe(0.3);
  });

  it('weight decay uses the scheduled learning rate', () => {
    // lr at step 0 = 0.5, wd 0.1, zero gradient: w = 2 - 2 * 0.1 * 0.5 = 1.9.
    const w = new Variable(tensor([2]));
    new SGD({ weightDecay: 0.1, learningRate: new schedules.PolynomialDecay({ initialLearningRate: 0.5, decaySteps: 10 }) })
      .applyGradients([[tensor([0]), w]]);
    expectClose(w, [1.9], { rtol: 1e-6 });
  });
});

describe('applyGradients and minimize', () => {
  it('skips missing gradients with a warning and throws when all are missing (Keras test_empty_gradients)', () => {
    const a = new Variable(tensor([[3, 4], [5, 6]]), { name: 'a' }), b = v2x2();
    const opt = new SGD({ learningRate: 1 });
    expect(() => opt.applyGradients([[null, a]])).toThrow(/no gradients provided for any variable/);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    opt.applyGradients([[null, a], [ones2x2(), b]]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('[a]'));
    warn.mockRestore();
    expectClose(a, [3, 4, 5, 6]);
    expectClose(b, [0, 1, 2, 3]);
  });

  it('rejects a gradient of the wrong shape', () => {
    expect(() => new SGD().applyGradients([[tensor([1, 2, 3]), v2x2()]])).toThrow(/gradient of shape \[3\] does not match variable/);
  });

  it('counts iterations (Keras test_iterations_counter)', () => {
    const v = v2x2();
    const opt = new Adam({ learningRate: 1 });
    expect(opt.iterations).toBe(0);
    opt.applyGradients([[ones2x2(), v]]);
    opt.applyGradients([[ones2x2(), v]]);
    expect(opt.iterations).toBe(2);
  });

  it('minimize computes gradients, applies them and returns the loss (Keras RMSprop docstring: 10 -> 9.683772)', () => {
    // loss = w^2 / 2, g = w = 10; v = 0.1 * 100 = 10; w -= 0.1 * 10 / sqrt(10) = 0.3162278.
    const w = new Variable(tensor(10));
    const opt = new RMSprop({ learningRate: 0.1 });
    const loss = opt.minimize(() => square(w).div(2), [w]);
    expect(loss.item()).toBe(50);
    expectClose(w, [9.683772], { rtol: 1e-6 });
  });

  it('minimize without a variable list updates every trainable variable the loss reads', () => {
    const a = new Variable(tensor([1])), frozen = new Variable(tensor([1]), { trainable: false });
    new SGD({ learningRate: 0.5 }).minimize(() => sum(square(a)).add(sum(frozen)));
    expectClose(a, [0]); // 1 - 0.5 * 2
    expectClose(frozen, [1]);
  });

  it('lossScaleFactor divides gradients and scaleLoss multiplies the loss (Keras test_static_loss_scaling)', () => {
    const v = v2x2();
    const opt = new SGD({ learningRate: 1, lossScaleFactor: 1024 });
    opt.applyGradients([[tensor([[1, 2], [3, 4]]).mul(1024), v]]);
    expect(opt.scaleLoss(tensor(1)).item()).toBe(1024);
    expectClose(v, [0, 0, 0, 0]);
  });

  it('applies a constraint attached to the variable after the update (Keras test_constraints_are_applied)', () => {
    const v = Object.assign(new Variable(tensor([-0.5, 0.25])), { constraint: (x: Tensor) => clipByValue(x, 0, Infinity) });
    new SGD({ learningRate: 1e-4 }).applyGradients([[tensor([0, 0]), v]]);
    expectClose(v, [0, 0.25]);
  });

  it('does not allocate new tensors for variables: the weights keep their buffer', () => {
    const v = v2x2();
    const buffer = v.values;
    new Adam().applyGradients([[ones2x2(), v]]);
    expect(v.values).toBe(buffer);
  });
});

describe('applyGradients with a reused pair list (the compiled train step passes the same one every step)', () => {
  it('applies fresh gradient values each step and re-checks a pair that changed', () => {
    const v = new Variable(tensor([1, 2]), { name: 'v' });
    const w = new Variable(tensor([5]), { name: 'w' });
    const g = new Tensor(new Float32Array([1, 1]), v.shape);
    const pairs: [Tensor, Variable][] = [[g, v]];
    const opt = new SGD({ learningRate: 0.5 });
    opt.applyGradients(pairs);
    expect(Array.from(v.values)).toEqual([0.5, 1.5]);
    g.values[0] = 2; // the step overwrites its gradient buffers in place
    opt.applyGradients(pairs);
    expect(Array.from(v.values)).toEqual([-0.5, 1]);
    pairs[0] = [tensor([1, 2, 3]), v];
    expect(() => opt.applyGradients(pairs)).toThrow("SGD.applyGradients: gradient of shape [3] does not match variable 'v' of shape [2]");
    pairs[0] = [tensor([2]), w];
    opt.applyGradients(pairs);
    expect(Array.from(w.values)).toEqual([4]);
    expect(Array.from(v.values)).toEqual([-0.5, 1]);
  });

  it('clips the new gradient values of a reused list (clipvalue swaps in its own buffers only for one step)', () => {
    const v = new Variable(tensor([0, 0]), { name: 'v' });
    const g = new Tensor(new Float32Array([3, -0.5]), v.shape);
    const pairs: [Tensor, Variable][] = [[g, v]];
    const opt = new SGD({ learningRate: 1, clipvalue: 1 });
    opt.applyGradients(pairs);
    expect(Array.from(v.values)).toEqual([-1, 0.5]);
    g.values.set([0.25, -4]);
    opt.applyGradients(pairs);
    expect(Array.from(v.values)).toEqual([-1.25, 1.5]);
    expect(Array.from(g.values)).toEqual([0.25, -4]);
  });
});
