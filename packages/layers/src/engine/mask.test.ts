// Mask propagation as Keras 3's Layer.__call__ does it: which layers pass a mask on (supports_masking), which
// drop it (with Keras' warning), masks set inside `call` standing, explicit masks, and the same behaviour
// eagerly, in Sequential and in functional models (also nested). BatchNormalization's masked moments are
// checked against a float64 reference of Keras' `_moments` formula.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Tensor, tensor } from '@minikeras/tensor';
import { expectClose, randomTensor } from '@minikeras/test-utils';
import { Layer, clearSession } from './layer';
import type { CallContext } from './layer';
import { getMask, setMask } from './mask';
import { Dense } from '../layers/dense';
import { Activation, Dropout, Flatten, Input, Reshape } from '../layers/core';
import { Embedding } from '../layers/embedding';
import { BatchNormalization } from '../layers/batch-normalization';
import { LayerNormalization } from '../layers/layer-normalization';
import { ELU, LeakyReLU, ReLU } from '../layers/activations';
import { Conv1D } from '../layers/convolutional';
import { GlobalAveragePooling1D, GlobalMaxPooling1D, MaxPooling1D } from '../layers/pooling/index';
import { Cropping1D, Permute, UpSampling1D, ZeroPadding1D } from '../layers/reshaping';
import { ActivityRegularization, AlphaDropout, GaussianDropout, GaussianNoise, SpatialDropout1D } from '../layers/regularization';
import { Masking, Rescaling } from '../layers/preprocessing';
import { Add, Concatenate } from '../layers/merging';
import { Sequential } from '../models/sequential';
import { Model } from '../models/model';

let warn: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  clearSession();
  warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => warn.mockRestore());

const MASK = [[1, 1, 0, 0], [1, 0, 1, 0]];
const masked = (shape = [2, 4, 3], seed = 1): Tensor => {
  const x = randomTensor(shape, seed);
  setMask(x, tensor(MASK));
  return x;
};

describe('layers that support masking pass the input mask on (Keras 3 supports_masking = True)', () => {
  const passing: [string, () => Layer][] = [
    ['Dense', () => new Dense(2)],
    ['Activation', () => new Activation('tanh')],
    ['Dropout', () => new Dropout(0.5, { seed: 1 })],
    ['ReLU', () => new ReLU()],
    ['LeakyReLU', () => new LeakyReLU()],
    ['ELU', () => new ELU()],
    ['LayerNormalization', () => new LayerNormalization()],
    ['BatchNormalization', () => new BatchNormalization()],
    ['GaussianNoise', () => new GaussianNoise(0.1, { seed: 1 })],
    ['GaussianDropout', () => new GaussianDropout(0.1, { seed: 1 })],
    ['AlphaDropout', () => new AlphaDropout(0.1, { seed: 1 })],
    ['SpatialDropout1D', () => new SpatialDropout1D(0.5, { seed: 1 })],
    ['ActivityRegularization', () => new ActivityRegularization({ l1: 0.1 })],
    ['Rescaling', () => new Rescaling(2)],
  ];
  for (const [name, make] of passing) {
    it(`${name}, in inference and in training`, () => {
      for (const training of [false, true]) {
        const x = masked();
        const y = make().apply(x, { training });
        expect(getMask(y), `${name} training=${training}`).toBe(getMask(x));
      }
      expect(warn).not.toHaveBeenCalled();
    });
  }
  it('an explicit mask (apply(x, { mask })) is the one passed on', () => {
    const mask = tensor([[1, 0, 0, 1], [0, 1, 1, 1]]);
    const y = new Dense(2).apply(masked(), { mask });
    expect(getMask(y)).toBe(mask);
  });
});

describe('layers that do not support masking drop the mask, with Keras 3\'s warning once per layer', () => {
  const dropping: [string, () => Layer, number[]][] = [
    ['Flatten', () => new Flatten(), [2, 4, 3]],
    ['Reshape', () => new Reshape([12]), [2, 4, 3]],
    ['Permute', () => new Permute([2, 1]), [2, 4, 3]],
    ['Conv1D', () => new Conv1D(2, 1), [2, 4, 3]],
    ['MaxPooling1D', () => new MaxPooling1D(1), [2, 4, 3]],
    ['GlobalMaxPooling1D', () => new GlobalMaxPooling1D(), [2, 4, 3]],
    ['ZeroPadding1D', () => new ZeroPadding1D(1), [2, 4, 3]],
    ['Cropping1D', () => new Cropping1D([1, 0]), [2, 4, 3]],
    ['UpSampling1D', () => new UpSampling1D(2), [2, 4, 3]],
    ['Embedding without maskZero', () => new Embedding(5, 2), [2, 4]],
  ];
  for (const [name, make, shape] of dropping) {
    it(name, () => {
      const layer = make();
      const x = shape.length === 2 ? tensor([[1, 2, 0, 0], [3, 0, 4, 0]]) : masked(shape);
      if (shape.length === 2) setMask(x, tensor(MASK));
      expect(getMask(layer.apply(x))).toBeNull();
      expect(getMask(layer.apply(x))).toBeNull();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(new RegExp(`^${layer.className} '${layer.name}' was passed an input with a mask attached to it, but this layer does not support masking`));
      // The input keeps its mask: dropping it downstream does not touch other consumers of x.
      expect(getMask(x)).not.toBeNull();
    });
  }
  it('GlobalAveragePooling1D uses the mask and passes none on, without a warning', () => {
    expect(getMask(new GlobalAveragePooling1D().apply(masked()))).toBeNull();
    expect(warn).not.toHaveBeenCalled();
  });
  it('no warning without a mask', () => {
    new Flatten().apply(randomTensor([2, 4, 3], 1));
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('the engine follows Keras 3\'s _set_mask_metadata', () => {
  class Identity extends Layer {
    static override readonly className = 'IdentityForMaskTest';
    call(x: Tensor): Tensor { return x; }
  }
  class SetsOwnMask extends Layer {
    static override readonly className = 'SetsOwnMaskForMaskTest';
    constructor() { super(); this.supportsMasking = true; }
    call(x: Tensor, _ctx: CallContext): Tensor {
      const y = new Tensor((x.values as Float32Array).slice(), x.shape);
      setMask(y, tensor([[0, 0, 0, 1], [0, 0, 0, 1]]));
      return y;
    }
  }
  it('a layer returning its input object leaves the mask on it', () => {
    const x = masked();
    expect(getMask(new Identity().apply(x))).toBe(getMask(x));
  });
  it('a mask set inside call stands (computeMask is not consulted)', () => {
    expect(getMask(new SetsOwnMask().apply(masked()))!.values).toEqual(new Float32Array([0, 0, 0, 1, 0, 0, 0, 1]));
  });
  it('Embedding(maskZero) supports masking exactly when it makes a mask', () => {
    expect(new Embedding(5, 2, { maskZero: true }).supportsMasking).toBe(true);
    expect(new Embedding(5, 2).supportsMasking).toBe(false);
    const y = new Embedding(5, 2, { maskZero: true }).apply(tensor([[1, 2, 0, 0], [3, 0, 4, 0]]));
    expect(Array.from(getMask(y)!.values)).toEqual([1, 1, 0, 0, 1, 0, 1, 0]);
  });
});

describe('masks through models', () => {
  const ids = () => tensor([[1, 2, 0, 0], [3, 0, 4, 0]]);
  const expected = [1, 1, 0, 0, 1, 0, 1, 0];
  it('Sequential: Embedding(maskZero) -> Dense -> Dropout -> Dense carries the mask to the output', () => {
    const model = new Sequential([new Embedding(5, 3, { maskZero: true, inputShape: [4] }), new Dense(4, { activation: 'relu' }), new Dropout(0.2), new Dense(2)]);
    for (const training of [false, true]) expect(Array.from(getMask(model.apply(ids(), { training }) as Tensor)!.values)).toEqual(expected);
  });
  it('Sequential: a layer after one that consumes the mask sees none, even with an explicit mask', () => {
    const model = new Sequential([new Dense(3, { inputShape: [4, 3] }), new GlobalAveragePooling1D(), new Dense(2)]);
    const x = randomTensor([2, 4, 3], 2);
    const mask = tensor(MASK);
    const y = model.apply(x, { mask } as never) as Tensor;
    expect(getMask(y)).toBeNull();
    // The explicit mask was used by the pooling: the same as the layers run one by one on a masked x.
    const [d1, pool, d2] = model.layers as [Dense, GlobalAveragePooling1D, Dense];
    const manual = d2.apply(pool.apply(d1.apply(x), { mask }));
    expectClose(y, manual.values, { rtol: 1e-6, atol: 1e-7 });
  });
  it('functional: int Input -> Embedding(maskZero) -> Dense -> LayerNormalization, and merges combine the masks', () => {
    const inp = Input({ shape: [4], dtype: 'int32' });
    const e = new Embedding(5, 3, { maskZero: true }).apply(inp);
    const a = new Dense(3).apply(e);
    const b = new LayerNormalization().apply(a);
    const model = new Model({ inputs: inp, outputs: [new Add().apply([a, b]), new Concatenate().apply([a, b])] });
    const [sum, cat] = model.apply(ids()) as unknown as Tensor[];
    expect(Array.from(getMask(sum!)!.values)).toEqual(expected);
    expect(Array.from(getMask(cat!)!.values)).toEqual(expected);
    expect(warn).not.toHaveBeenCalled();
  });
  it('a nested model\'s output keeps the mask its layers set, and a layer after it passes it on', () => {
    const inner = new Sequential([new Embedding(5, 3, { maskZero: true, inputShape: [4] }), new Dense(3)]);
    const inp = Input({ shape: [4] });
    const outer = new Model({ inputs: inp, outputs: new Dense(2).apply(inner.apply(inp)) });
    expect(Array.from(getMask(outer.apply(ids()) as Tensor)!.values)).toEqual(expected);
    expect(Array.from(getMask(inner.apply(ids()))!.values)).toEqual(expected);
    expect(warn).not.toHaveBeenCalled();
  });
  it('a functional model called with an explicit mask passes it to its first layers', () => {
    const inp = Input({ shape: [4, 3] });
    const model = new Model({ inputs: inp, outputs: new Dense(2).apply(new Dense(3).apply(inp)) });
    const mask = tensor(MASK);
    expect(getMask(model.apply(randomTensor([2, 4, 3], 3), { mask } as never) as Tensor)).toBe(mask);
  });
  it('Masking -> Dense -> GlobalAveragePooling1D averages the unmasked steps', () => {
    const x = tensor([[[1, 2], [0, 0], [3, 4]], [[0, 0], [5, 6], [0, 0]]]);
    const model = new Sequential([new Masking({ inputShape: [3, 2] }), new Dense(2, { kernelInitializer: 'ones', biasInitializer: 'zeros' }), new GlobalAveragePooling1D()]);
    // Dense with ones: each kept step gives its feature sum; sample 0 keeps steps 0 and 2, sample 1 step 1.
    expectClose(model.predict(x), [(3 + 7) / 2, (3 + 7) / 2, 11, 11], { rtol: 1e-6 });
  });
});

describe('BatchNormalization with a mask (Keras 3 _moments)', () => {
  it('uses the statistics of the unmasked steps in training and for the moving statistics', () => {
    const x = randomTensor([2, 4, 3], 7, -2, 2);
    const mask = tensor(MASK);
    const layer = new BatchNormalization({ momentum: 0.5 });
    const y = layer.apply(x, { training: true, mask });
    const eps = 1e-7;
    const meanRef: number[] = [], varRef: number[] = [];
    for (let c = 0; c < 3; c++) {
      let s = 0, n = 0;
      for (let i = 0; i < 8; i++) { const m = MASK.flat()[i]!; s += m * x.values[i * 3 + c]!; n += m; }
      const mu = s / (n + eps);
      let v = 0;
      for (let i = 0; i < 8; i++) { const m = MASK.flat()[i]!; v += m * (m * x.values[i * 3 + c]! - mu) ** 2; }
      meanRef.push(mu);
      varRef.push(v / (n + eps));
    }
    const expected: number[] = [];
    for (let i = 0; i < 8; i++) for (let c = 0; c < 3; c++) expected.push((x.values[i * 3 + c]! - meanRef[c]!) / Math.sqrt(varRef[c]! + 1e-3));
    expectClose(y, expected, { rtol: 1e-5, atol: 1e-6 });
    const [, , movingMean, movingVariance] = layer.getWeights();
    expectClose(movingMean!, meanRef.map((m) => 0.5 * m), { rtol: 1e-5, atol: 1e-7 });
    expectClose(movingVariance!, varRef.map((v) => 0.5 + 0.5 * v), { rtol: 1e-5, atol: 1e-7 });
    expect(getMask(y)).toBe(mask);
  });
  it('rejects a mask of the wrong shape, naming the layer', () => {
    const layer = new BatchNormalization({ name: 'bn' });
    expect(() => layer.apply(randomTensor([2, 4, 3], 1), { training: true, mask: tensor([[1, 0], [1, 1]]) })).toThrow("BatchNormalization 'bn': the mask must have the input's shape without its last axis, [2,4], got [2,2]");
  });
});
