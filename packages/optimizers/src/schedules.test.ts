/** Learning-rate schedules: values derived by hand from Keras' formulas (learning_rate_schedule.py). */
import { describe, expect, it } from 'vitest';
import { schedules } from './index';

const { ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay, InverseTimeDecay, CosineDecay, CosineDecayRestarts } = schedules;
const close = (a: number, b: number) => expect(a).toBeCloseTo(b, 7);

describe('schedules', () => {
  it('ExponentialDecay: 0.1 * 0.96^(step / 10), floored exponent with staircase', () => {
    const s = new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.96 });
    close(s.at(0), 0.1);
    close(s.at(5), 0.1 * Math.sqrt(0.96)); // 0.0979796
    close(s.at(20), 0.1 * 0.9216);
    const st = new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.96, staircase: true });
    close(st.at(9), 0.1);
    close(st.at(15), 0.096);
  });

  it('PiecewiseConstantDecay: values[i] up to and including boundaries[i]', () => {
    const s = new PiecewiseConstantDecay({ boundaries: [100, 110], values: [1.0, 0.5, 0.1] });
    expect([s.at(0), s.at(100), s.at(101), s.at(110), s.at(111)]).toEqual([1.0, 1.0, 0.5, 0.5, 0.1]);
    expect(() => new PiecewiseConstantDecay({ boundaries: [1, 2], values: [1, 2] })).toThrow(/one more element than 'boundaries'/);
  });

  it('PolynomialDecay: (0.1 - 0.01) * (1 - step/100)^0.5 + 0.01, clamped or cycled', () => {
    const s = new PolynomialDecay({ initialLearningRate: 0.1, decaySteps: 100, endLearningRate: 0.01, power: 0.5 });
    close(s.at(0), 0.1);
    close(s.at(50), 0.09 * Math.SQRT1_2 + 0.01); // 0.0736396
    close(s.at(100), 0.01);
    close(s.at(250), 0.01);
    const c = new PolynomialDecay({ initialLearningRate: 0.1, decaySteps: 100, endLearningRate: 0.01, power: 0.5, cycle: true });
    close(c.at(150), 0.09 * 0.5 + 0.01); // decaySteps -> 200, p = 0.75, (0.25)^0.5 = 0.5
    close(c.at(0), 0.1);
  });

  it('InverseTimeDecay: 0.1 / (1 + 0.5 * step), staircase floors step / decaySteps', () => {
    const s = new InverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5 });
    close(s.at(2), 0.05);
    const st = new InverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 4, decayRate: 0.5, staircase: true });
    close(st.at(3), 0.1);
    close(st.at(9), 0.05); // floor(9/4) = 2
  });

  it('CosineDecay: 0.1 * ((1 - alpha) * 0.5 * (1 + cos(pi * step / 100)) + alpha)', () => {
    const s = new CosineDecay({ initialLearningRate: 0.1, decaySteps: 100, alpha: 0.1 });
    close(s.at(0), 0.1);
    close(s.at(50), 0.1 * (0.9 * 0.5 + 0.1)); // 0.055
    close(s.at(100), 0.01);
    close(s.at(1000), 0.01);
  });

  it('CosineDecay with linear warmup from initialLearningRate to warmupTarget', () => {
    const s = new CosineDecay({ initialLearningRate: 0, decaySteps: 100, warmupTarget: 0.1, warmupSteps: 10 });
    close(s.at(0), 0);
    close(s.at(5), 0.05);
    close(s.at(10), 0.1);
    close(s.at(60), 0.05); // 50 steps into a 100-step decay: 0.1 * 0.5 * (1 + cos(pi / 2))
    close(s.at(500), 0);
  });

  it('CosineDecayRestarts: periods of 10, 20, 40 ... steps, each starting mMul times lower', () => {
    const s = new CosineDecayRestarts({ initialLearningRate: 1, firstDecaySteps: 10, tMul: 2, mMul: 0.5 });
    close(s.at(0), 1);
    close(s.at(5), 0.5); // halfway through the first period
    close(s.at(10), 0.5); // restart 1 begins at 0.5
    close(s.at(20), 0.25); // halfway through the 20-step second period: 0.5 * 0.5 * (1 + cos(pi/2))
    close(s.at(30), 0.25); // restart 2 begins at 0.25
    const equal = new CosineDecayRestarts({ initialLearningRate: 1, firstDecaySteps: 10, tMul: 1, alpha: 0.2 });
    close(equal.at(15), 0.8 * 0.5 + 0.2);
  });

  it('rejects bad options by name', () => {
    expect(() => new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.9 })).toThrow("ExponentialDecay: 'decaySteps' must be a number > 0, got 0");
    expect(() => new CosineDecay({ initialLearningRate: 0.1, decaySteps: 10, warmup: 5 } as never)).toThrow("CosineDecay: unknown option 'warmup'");
  });

  it('serialize / deserialize round-trips every schedule through Keras JSON', () => {
    const all = [
      new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 7, decayRate: 0.9, staircase: true }),
      new PiecewiseConstantDecay({ boundaries: [3, 8], values: [0.3, 0.2, 0.1] }),
      new PolynomialDecay({ initialLearningRate: 0.2, decaySteps: 9, endLearningRate: 0.02, power: 2, cycle: true }),
      new InverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 2, decayRate: 0.3 }),
      new CosineDecay({ initialLearningRate: 0.01, decaySteps: 20, alpha: 0.05, warmupTarget: 0.1, warmupSteps: 4 }),
      new CosineDecayRestarts({ initialLearningRate: 0.1, firstDecaySteps: 5, tMul: 1.5, mMul: 0.8, alpha: 0.01 }),
    ];
    for (const s of all) {
      const json = JSON.parse(JSON.stringify(schedules.serialize(s)));
      expect(json.module).toBe('keras.optimizers.schedules');
      const back = schedules.deserialize(json);
      expect(back.getConfig()).toEqual(s.getConfig());
      for (const step of [0, 1, 3, 6, 11, 40]) expect(back.at(step)).toBe(s.at(step));
    }
  });

  it('reads Keras JSON with snake_case keys', () => {
    const s = schedules.deserialize({
      module: 'keras.optimizers.schedules',
      class_name: 'CosineDecay',
      config: { initial_learning_rate: 0.0, decay_steps: 100, alpha: 0.0, name: 'CosineDecay', warmup_target: 0.1, warmup_steps: 10 },
      registered_name: null,
    });
    close(s.at(5), 0.05);
    expect(() => schedules.deserialize({ class_name: 'StepDecay', config: {} })).toThrow(/unknown schedule 'StepDecay'/);
  });
});
