import { describe, expect, it } from 'vitest';
import { Tensor, mean, square, sub, tensor } from '@minikeras/tensor';
import { expectClose } from '@minikeras/test-utils';
import {
  BinaryCrossentropy, BinaryFocalCrossentropy, CategoricalCrossentropy, CategoricalFocalCrossentropy, CosineSimilarity,
  Dice, Huber, LOSS_CLASSES, LOSS_NAME_LIST, Loss, LossFunctionWrapper, MeanSquaredError,
  SparseCategoricalCrossentropy, Tversky, deserializeLoss, getLoss, serializeLoss,
} from './index';
import type { LossName } from './index';

describe('getLoss', () => {
  it('resolves Keras names, aliases, tfjs camelCase names and class names', () => {
    const cases: [LossName, string][] = [
      ['mse', 'MeanSquaredError'], ['mean_squared_error', 'MeanSquaredError'], ['meanSquaredError', 'MeanSquaredError'],
      ['mae', 'MeanAbsoluteError'], ['mape', 'MeanAbsolutePercentageError'], ['msle', 'MeanSquaredLogarithmicError'],
      ['binary_crossentropy', 'BinaryCrossentropy'], ['binaryCrossentropy', 'BinaryCrossentropy'],
      ['categorical_crossentropy', 'CategoricalCrossentropy'], ['categoricalCrossentropy', 'CategoricalCrossentropy'],
      ['sparse_categorical_crossentropy', 'SparseCategoricalCrossentropy'], ['sparseCategoricalCrossentropy', 'SparseCategoricalCrossentropy'],
      ['kld', 'KLDivergence'], ['kl_divergence', 'KLDivergence'], ['kullbackLeiblerDivergence', 'KLDivergence'],
      ['huber', 'Huber'], ['log_cosh', 'LogCosh'], ['logcosh', 'LogCosh'], ['poisson', 'Poisson'], ['hinge', 'Hinge'],
      ['squared_hinge', 'SquaredHinge'], ['categorical_hinge', 'CategoricalHinge'], ['cosine_similarity', 'CosineSimilarity'],
      ['binary_focal_crossentropy', 'BinaryFocalCrossentropy'], ['CategoricalCrossentropy', 'CategoricalCrossentropy'],
    ];
    for (const [name, className] of cases) expect(getLoss(name).className, name).toBe(className);
  });
  it('every listed name builds a loss that computes', () => {
    for (const name of LOSS_NAME_LIST) {
      const loss = getLoss(name);
      expect(loss).toBeInstanceOf(Loss);
      const sparse = loss.className === 'SparseCategoricalCrossentropy' || loss.className === 'CategoricalGeneralizedCrossEntropy';
      const value = loss.compute(sparse ? [0, 1] : [[0, 1], [1, 0]], [[0.3, 0.7], [0.6, 0.4]]);
      expect(Number.isFinite(value.item()), name).toBe(true);
    }
  });
  it('passes Loss objects through and wraps functions', () => {
    const loss = new Huber({ delta: 2 });
    expect(getLoss(loss)).toBe(loss);
    const fn = function myLoss(t: Tensor, p: Tensor) { return mean(square(sub(t, p)), -1); };
    const wrapped = getLoss(fn);
    expect(wrapped).toBeInstanceOf(LossFunctionWrapper);
    expect(wrapped.name).toBe('myLoss');
    expectClose(wrapped.compute([[1, 2]], [[1, 4]]), 2, { rtol: 1e-6 });
  });
  it('rejects unknown names with the valid list and a suggestion', () => {
    expect(() => getLoss('mean_sqared_error' as LossName)).toThrow("Unknown loss 'mean_sqared_error'. Did you mean 'mean_squared_error'? Valid names: 'mean_squared_error', 'mse'");
    expect(() => getLoss('categorical_crossentropi' as LossName)).toThrow("Did you mean 'categorical_crossentropy'?");
    expect(() => getLoss('zzz' as LossName)).toThrow(/^Unknown loss 'zzz'\. Valid names: /);
    expect(() => getLoss(42 as unknown as LossName)).toThrow('getLoss: cannot interpret number 42 as a loss');
  });
});

describe('Keras JSON', () => {
  it('serializes with snake_case keys as keras.saving.serialize_keras_object does', () => {
    expect(serializeLoss(new BinaryCrossentropy({ fromLogits: true, labelSmoothing: 0.1, name: 'bce' }))).toEqual({
      module: 'keras.losses',
      class_name: 'BinaryCrossentropy',
      config: { name: 'bce', reduction: 'sum_over_batch_size', from_logits: true, label_smoothing: 0.1, axis: -1 },
      registered_name: null,
    });
    expect(serializeLoss(new SparseCategoricalCrossentropy({ ignoreClass: 255 })).config).toEqual({
      name: 'sparse_categorical_crossentropy', reduction: 'sum_over_batch_size', from_logits: false, ignore_class: 255,
    });
  });
  it('round-trips every built-in class through JSON and through getConfig', () => {
    const samples: Loss[] = [
      new BinaryFocalCrossentropy({ applyClassBalancing: true, alpha: 0.4, gamma: 3, fromLogits: true, reduction: 'sum' }),
      new CategoricalCrossentropy({ labelSmoothing: 0.2, axis: 1, name: 'cce' }),
      new CategoricalFocalCrossentropy({ alpha: [0.2, 0.8], gamma: 1 }),
      new Huber({ delta: 0.3 }), new CosineSimilarity({ axis: 0 }), new Dice({ axis: [1, 2] }),
      new Tversky({ alpha: 0.1, beta: 0.9 }), new MeanSquaredError({ reduction: 'none' }),
      ...Object.values(LOSS_CLASSES).map((C) => new C()),
    ];
    for (const loss of samples) {
      const json = JSON.parse(JSON.stringify(serializeLoss(loss)));
      const back = deserializeLoss(json);
      expect(back.className).toBe(loss.className);
      expect(back.getConfig()).toEqual(loss.getConfig());
      const Cls = loss.constructor as new (o: object) => Loss;
      expect(new Cls(loss.getConfig()).getConfig()).toEqual(loss.getConfig());
    }
  });
  it('reads Keras-written JSON: reduction null, tf.keras "auto", dtype, string names', () => {
    const loss = deserializeLoss({ module: 'keras.losses', class_name: 'CategoricalCrossentropy', config: { name: 'cce', reduction: null, from_logits: true, label_smoothing: 0, axis: -1, dtype: null }, registered_name: null });
    expect(loss.getConfig()).toEqual({ name: 'cce', reduction: 'none', fromLogits: true, labelSmoothing: 0, axis: -1 });
    expect(deserializeLoss({ class_name: 'MeanSquaredError', config: { reduction: 'auto' } }).reduction).toBe('sum_over_batch_size');
    expect(deserializeLoss('mse').className).toBe('MeanSquaredError');
    expect(deserializeLoss({ class_name: 'function', config: 'binary_crossentropy' } as never).className).toBe('BinaryCrossentropy');
    expect(getLoss({ class_name: 'Huber', config: { delta: 3 } }).getConfig()).toEqual({ name: 'huber_loss', reduction: 'sum_over_batch_size', delta: 3 });
  });
  it('rejects unknown classes and keys, and plain-function losses', () => {
    expect(() => deserializeLoss({ class_name: 'MeanSquaredErrr', config: {} })).toThrow("Unknown loss class 'MeanSquaredErrr'. Did you mean 'MeanSquaredError'?");
    expect(() => deserializeLoss({ class_name: 'Huber', config: { dleta: 1 } })).toThrow("Huber: unknown config key 'dleta'; expected one of 'name', 'reduction', 'delta'");
    expect(() => serializeLoss(new LossFunctionWrapper((t) => t, { name: 'identity' }))).toThrow("serializeLoss: 'identity' wraps a plain function");
  });
  it('custom Loss subclasses round-trip through customObjects', () => {
    class Scaled extends Loss {
      readonly scale: number;
      constructor(options: { scale?: number; name?: string } = {}) { super('Scaled', 'scaled', options); this.scale = options.scale ?? 1; }
      call(t: Tensor, p: Tensor) { return mean(square(sub(t, p)), -1).mul(this.scale); }
      override getConfig() { return { ...super.getConfig(), scale: this.scale }; }
    }
    const json = serializeLoss(new Scaled({ scale: 3 }));
    expect(json).toMatchObject({ class_name: 'Scaled', registered_name: 'Scaled', config: { scale: 3 } });
    const back = deserializeLoss(json, { Scaled: Scaled as never });
    expectClose(back.compute(tensor([[0]]), tensor([[2]])), 12, { rtol: 1e-6 });
  });
});
