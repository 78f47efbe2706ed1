/**
 * Trajectories under fixed gradients against Keras 3's published golden values
 * (keras/src/optimizers/*_test.py: test_correctness_with_golden, test_single_step, test_weight_decay), within
 * the tolerance Keras itself uses (rtol = atol = 5e-4 for trajectories, 1e-4 for single steps).
 */
import { Variable, tensor } from '@minikeras/tensor';
import { expectClose } from '@minikeras/test-utils';
import { describe, expect, it } from 'vitest';
import { Adadelta, Adafactor, Adagrad, Adam, Adamax, AdamW, Ftrl, Lion, Nadam, RMSprop, SGD } from './index';
import type { Optimizer } from './index';

const tile = (rows: number[]) => rows.map((r) => new Array<number>(10).fill(r));

/** Keras' golden protocol: x = ones(10); one step of 0.01s, then check and step with arange(0.1, 1.1, 0.1). */
function runGolden(opt: Optimizer, golden: number[][]): void {
  const x = new Variable(tensor(new Float32Array(10).fill(1)), { name: 'x' });
  const grads = tensor(Float32Array.from({ length: 10 }, (_, i) => (i + 1) / 10));
  const first = tensor(new Float32Array(10).fill(0.01));
  opt.applyGradients([[first, x]]);
  for (let i = 0; i < golden.length; i++) {
    expectClose(x, golden[i]!, { rtol: 5e-4, atol: 5e-4, label: `${opt.className} step ${i + 1}` });
    opt.applyGradients([[grads, x]]);
  }
}

describe('Keras test_correctness_with_golden', () => {
  it('SGD (nesterov, default momentum 0)', () => {
    runGolden(new SGD({ nesterov: true }), [
      [0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999],
      [0.9989, 0.9979, 0.9969, 0.9959, 0.9949, 0.9939, 0.9929, 0.9919, 0.9909, 0.9899],
      [0.9979, 0.9959, 0.9939, 0.9919, 0.9899, 0.9879, 0.9859, 0.9839, 0.9819, 0.9799],
      [0.9969, 0.9939, 0.9909, 0.9879, 0.9849, 0.9819, 0.9789, 0.9759, 0.9729, 0.9699],
      [0.9959, 0.9919, 0.9879, 0.9839, 0.9799, 0.9759, 0.9719, 0.9679, 0.9639, 0.9599],
    ]);
  });

  it('Adam (amsgrad)', () => {
    runGolden(new Adam({ amsgrad: true }), tile([0.999, 0.9982, 0.9974, 0.9965, 0.9955]));
  });

  it('AdamW', () => {
    runGolden(new AdamW({ learningRate: 1.0, weightDecay: 0.5, epsilon: 2 }), [
      [0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998],
      [0.2486, 0.2475, 0.2463, 0.2451, 0.244, 0.2428, 0.2417, 0.2405, 0.2394, 0.2382],
      [0.1223, 0.1198, 0.1174, 0.1149, 0.1124, 0.11, 0.1075, 0.1051, 0.1027, 0.1003],
      [0.0586, 0.0549, 0.0512, 0.0475, 0.0439, 0.0402, 0.0366, 0.033, 0.0294, 0.0258],
      [0.0263, 0.0215, 0.0167, 0.012, 0.0073, 0.0026, -0.0021, -0.0067, -0.0113, -0.0159],
    ]);
  });

  it('RMSprop (centered)', () => {
    runGolden(new RMSprop({ centered: true }), tile([0.9967, 0.9933, 0.9908, 0.9885, 0.9864]));
  });

  it('Adagrad', () => {
    runGolden(new Adagrad({ learningRate: 0.2, initialAccumulatorValue: 0.3, epsilon: 1e-6 }), [
      [0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963],
      [0.9604, 0.9278, 0.9003, 0.8784, 0.8615, 0.8487, 0.8388, 0.8313, 0.8255, 0.8209],
      [0.9251, 0.8629, 0.8137, 0.7768, 0.7497, 0.7298, 0.7151, 0.704, 0.6956, 0.6891],
      [0.8903, 0.8012, 0.7342, 0.6862, 0.6521, 0.6277, 0.6099, 0.5967, 0.5867, 0.579],
      [0.856, 0.7422, 0.6604, 0.6037, 0.5644, 0.5367, 0.5168, 0.5021, 0.491, 0.4825],
    ]);
  });

  it('Adadelta', () => {
    runGolden(new Adadelta({ learningRate: 1.0, rho: 0.8, epsilon: 1e-6 }), tile([0.9978, 0.9947, 0.9915, 0.9882, 0.9849]));
  });

  it('Adamax', () => {
    runGolden(new Adamax({ learningRate: 0.2, beta1: 0.85, beta2: 0.95, epsilon: 1e-6 }), [
      [0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8],
      [0.6827, 0.6873, 0.6888, 0.6896, 0.6901, 0.6904, 0.6906, 0.6908, 0.6909, 0.691],
      [0.5333, 0.5407, 0.5431, 0.5444, 0.5451, 0.5456, 0.546, 0.5462, 0.5464, 0.5466],
      [0.368, 0.3773, 0.3804, 0.382, 0.3829, 0.3835, 0.384, 0.3843, 0.3846, 0.3848],
      [0.1933, 0.204, 0.2076, 0.2094, 0.2105, 0.2112, 0.2117, 0.2121, 0.2124, 0.2126],
    ]);
  });

  it('Nadam', () => {
    runGolden(new Nadam({ learningRate: 0.5, beta1: 0.5, beta2: 0.67, epsilon: 1e-5 }), [
      [0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281],
      [-0.1738, -0.1731, -0.1726, -0.1723, -0.1721, -0.172, -0.1719, -0.1718, -0.1718, -0.1717],
      [-0.7115, -0.7103, -0.7096, -0.7092, -0.709, -0.7088, -0.7086, -0.7085, -0.7085, -0.7084],
      [-1.2335, -1.2322, -1.2313, -1.2309, -1.2306, -1.2304, -1.2302, -1.2301, -1.23, -1.2299],
      [-1.7492, -1.7478, -1.7469, -1.7464, -1.7461, -1.7459, -1.7457, -1.7456, -1.7455, -1.7454],
    ]);
  });

  it('Ftrl', () => {
    runGolden(new Ftrl({
      learningRate: 0.05, learningRatePower: -0.2, initialAccumulatorValue: 0.4, l1RegularizationStrength: 0.05,
      l2RegularizationStrength: 0.15, l2ShrinkageRegularizationStrength: 0.01, beta: 0.3,
    }), [
      [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
      [-0.0034, -0.0077, -0.0118, -0.0157, -0.0194, -0.023, -0.0263, -0.0294, -0.0325, -0.0354],
      [-0.0078, -0.0162, -0.0242, -0.0317, -0.0387, -0.0454, -0.0516, -0.0575, -0.0631, -0.0685],
      [-0.0121, -0.0246, -0.0363, -0.0472, -0.0573, -0.0668, -0.0757, -0.0842, -0.0922, -0.0999],
      [-0.0164, -0.0328, -0.0481, -0.0623, -0.0753, -0.0875, -0.099, -0.1098, -0.1201, -0.1299],
    ]);
  });

  it('Lion', () => {
    runGolden(new Lion(), tile([0.999, 0.998, 0.997, 0.996, 0.995]));
  });

  it('Adafactor (1-D, unfactored)', () => {
    runGolden(new Adafactor({ learningRate: 0.5, beta2Decay: -0.65, epsilon1: 1e-15, epsilon2: 1e-4, clipThreshold: 0.9, relativeStep: false }), [
      [0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55],
      [0.3031, 0.3026, 0.3025, 0.3024, 0.3024, 0.3024, 0.3024, 0.3024, 0.3024, 0.3024],
      [0.1671, 0.1665, 0.1663, 0.1663, 0.1663, 0.1663, 0.1663, 0.1663, 0.1663, 0.1663],
      [0.0923, 0.0916, 0.0915, 0.0914, 0.0914, 0.0914, 0.0914, 0.0914, 0.0914, 0.0914],
      [0.0554, 0.0548, 0.0546, 0.0546, 0.0546, 0.0546, 0.0546, 0.0545, 0.0545, 0.0545],
    ]);
  });
});

describe('Keras test_single_step: lr 0.5, x = [1, 2, 3, 4], g = [1, 6, 7, 2]', () => {
  const cases: [string, Optimizer, number[]][] = [
    ['SGD', new SGD({ learningRate: 0.5 }), [0.5, -1.0, -0.5, 3.0]],
    ['Adam', new Adam({ learningRate: 0.5 }), [0.5, 1.5, 2.5, 3.5]],
    ['AdamW', new AdamW({ learningRate: 0.5 }), [0.498, 1.496, 2.494, 3.492]],
    ['RMSprop', new RMSprop({ learningRate: 0.5 }), [-0.5811, 0.4189, 1.4189, 2.4189]],
    ['Adagrad', new Adagrad({ learningRate: 0.5 }), [0.5233, 1.5007, 2.5005, 3.5061]],
    ['Adadelta', new Adadelta({ learningRate: 0.5 }), [0.9993, 1.9993, 2.9993, 3.9993]],
    ['Adamax', new Adamax({ learningRate: 0.5 }), [0.5, 1.5, 2.5, 3.5]],
    ['Nadam', new Nadam({ learningRate: 0.5 }), [0.4686, 1.4686, 2.4686, 3.4686]],
    ['Ftrl', new Ftrl({ learningRate: 0.5 }), [0.2218, 1.3954, 2.3651, 2.8814]],
    ['Lion', new Lion({ learningRate: 0.5 }), [0.5, 1.5, 2.5, 3.5]],
    ['Adafactor', new Adafactor({ learningRate: 0.5 }), [-0.3693, 0.6307, 1.6307, 2.6307]],
  ];
  it.each(cases)('%s', (_, opt, expected) => {
    const v = new Variable(tensor([1, 2, 3, 4]));
    opt.applyGradients([[tensor([1, 6, 7, 2]), v]]);
    expectClose(v, expected, { rtol: 1e-4, atol: 1e-4 });
  });

  it('Adafactor on a 2-D variable (factored second moment)', () => {
    const v = new Variable(tensor([[1, 2], [3, 4]]));
    new Adafactor({ learningRate: 0.5 }).applyGradients([[tensor([[1, 6], [7, 2]]), v]]);
    expectClose(v, [0.7007, -0.0081, 1.2492, 3.4407], { rtol: 1e-4, atol: 1e-4 });
  });
});

describe('Keras test_weight_decay: decay applies as w -= w * wd * lr, with exclusions', () => {
  // lr 1, wd 0.004, zero gradients: var1 is decayed by all three optimizers: 2 * 0.996^3 = 1.976095872.
  const makers: [string, (o: { learningRate: number; weightDecay: number }) => Optimizer][] = [
    ['SGD', (o) => new SGD(o)], ['Adam', (o) => new Adam(o)], ['AdamW', (o) => new AdamW(o)], ['RMSprop', (o) => new RMSprop(o)],
    ['Adagrad', (o) => new Adagrad(o)], ['Adadelta', (o) => new Adadelta(o)], ['Adamax', (o) => new Adamax(o)],
    ['Nadam', (o) => new Nadam(o)], ['Lion', (o) => new Lion(o)], ['Adafactor', (o) => new Adafactor(o)],
  ];
  it.each(makers)('%s', (_, make) => {
    const zero = tensor(0);
    const var1 = new Variable(tensor(2)), var2 = new Variable(tensor(2), { name: 'exclude' }), var3 = new Variable(tensor(2));
    const opts = { learningRate: 1.0, weightDecay: 0.004 };
    make(opts).applyGradients([[zero, var1]]);
    const o2 = make(opts);
    o2.excludeFromWeightDecay({ varNames: ['exclude'] });
    o2.applyGradients([[zero, var1], [zero, var2]]);
    const o3 = make(opts);
    o3.excludeFromWeightDecay({ varList: [var3] });
    o3.applyGradients([[zero, var1], [zero, var3]]);
    expect(var1.item()).toBeCloseTo(1.9760959, 6);
    expect(var2.item()).toBeCloseTo(2.0, 6);
    expect(var3.item()).toBeCloseTo(2.0, 6);
  });
});
