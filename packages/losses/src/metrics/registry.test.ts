import { describe, expect, it } from 'vitest';
import { Tensor, abs, mean, sub } from '@minikeras/tensor';
import { expectClose } from '@minikeras/test-utils';
import {
  AUC, AutoAccuracy, BinaryAccuracy, METRIC_CLASSES, METRIC_NAME_LIST, Mean, MeanMetricWrapper, Metric, Precision,
  TopKCategoricalAccuracy, accuracyVariantFor, deserializeMetric, getMetric, serializeMetric,
} from './index';
import type { MetricName } from './index';

describe("'accuracy' follows Keras 3 compile_utils: the variant comes from the shapes of the first batch", () => {
  it('yPred with one column is binary; lower-rank or single-column labels are sparse; otherwise categorical', () => {
    expect(accuracyVariantFor({ shape: [8, 1] }, { shape: [8, 1] })).toBe('binary_accuracy');
    expect(accuracyVariantFor({ shape: [8] }, { shape: [8, 1] })).toBe('binary_accuracy');
    expect(accuracyVariantFor({ shape: [8] }, { shape: [8, 10] })).toBe('sparse_categorical_accuracy');
    expect(accuracyVariantFor({ shape: [8, 1] }, { shape: [8, 10] })).toBe('sparse_categorical_accuracy');
    expect(accuracyVariantFor({ shape: [8, 10] }, { shape: [8, 10] })).toBe('categorical_accuracy');
  });
  it('keeps the name it was given and accumulates like the chosen metric', () => {
    const acc = getMetric('acc', { loss: 'sparse_categorical_crossentropy' }) as AutoAccuracy;
    expect(acc).toBeInstanceOf(AutoAccuracy);
    expect(acc.name).toBe('acc');
    expect(acc.variant).toBeNull();
    acc.updateState([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]]);
    expect(acc.variant).toBe('sparse_categorical_accuracy');
    acc.updateState([0], [[0.7, 0.2, 0.1]]);
    expectClose(acc.result(), 2 / 3, { rtol: 1e-7 });
    const binary = getMetric('accuracy') as AutoAccuracy;
    binary.updateState([[1], [0], [1]], [[0.9], [0.2], [0.3]]);
    expect(binary.variant).toBe('binary_accuracy');
    expectClose(binary.result(), 2 / 3, { rtol: 1e-7 });
    const categorical = getMetric('accuracy') as AutoAccuracy;
    categorical.updateState([[0, 1], [1, 0]], [[0.3, 0.7], [0.2, 0.8]]);
    expect(categorical.variant).toBe('categorical_accuracy');
    expect(categorical.name).toBe('accuracy');
    expectClose(categorical.result(), 0.5, { rtol: 1e-7 });
    expect(categorical.direction).toBe('up');
  });
});

describe('getMetric', () => {
  it('names metrics after their identifier, as Keras compile does', () => {
    expect(getMetric('mse').name).toBe('mse');
    expect(getMetric('mse').className).toBe('MeanSquaredError');
    expect(getMetric('mean_absolute_error').className).toBe('MeanAbsoluteError');
    expect(getMetric('sparseCategoricalAccuracy').className).toBe('SparseCategoricalAccuracy');
    expect(getMetric('auc')).toBeInstanceOf(AUC);
    expect(getMetric('precision')).toBeInstanceOf(Precision);
    expect((getMetric('top_k_categorical_accuracy') as TopKCategoricalAccuracy).k).toBe(5);
    expect(getMetric('Accuracy')).toBeInstanceOf(AutoAccuracy);
  });
  it('every listed name builds a metric that accumulates', () => {
    for (const name of METRIC_NAME_LIST) {
      const m = getMetric(name);
      expect(m).toBeInstanceOf(Metric);
      const sparse = /sparse/i.test(m.className);
      m.updateState(sparse ? [1, 0] : [[0, 1], [1, 0]], [[0.3, 0.7], [0.6, 0.4]]);
      expect(Number.isFinite(m.result()), name).toBe(true);
    }
  });
  it('passes metrics through and wraps per-sample functions', () => {
    const m = new BinaryAccuracy({ threshold: 0.7 });
    expect(getMetric(m)).toBe(m);
    const wrapped = getMetric(function meanAbs(t: Tensor, p: Tensor) { return mean(abs(sub(t, p)), -1); });
    expect(wrapped).toBeInstanceOf(MeanMetricWrapper);
    expect(wrapped.name).toBe('meanAbs');
    wrapped.updateState([[1, 2]], [[2, 2]]);
    expectClose(wrapped.result(), 0.5, { rtol: 1e-7 });
  });
  it('rejects unknown names with a suggestion', () => {
    expect(() => getMetric('acuracy' as MetricName)).toThrow("Unknown metric 'acuracy'. Did you mean 'accuracy'? Valid names: 'accuracy', 'acc'");
    expect(() => getMetric('sparse_categorical_acc' as MetricName)).toThrow("Did you mean 'sparse_categorical_accuracy'?");
  });
});

describe('metric Keras JSON', () => {
  it('serializes with snake_case keys and round-trips every class', () => {
    expect(serializeMetric(new BinaryAccuracy({ threshold: 0.7, name: 'bin' }))).toEqual({
      module: 'keras.metrics', class_name: 'BinaryAccuracy', config: { name: 'bin', threshold: 0.7, dtype: 'float32' }, registered_name: null,
    });
    const samples: Metric[] = [
      new AUC({ numThresholds: 50, curve: 'PR', multiLabel: true, numLabels: 3, fromLogits: true }),
      new Precision({ thresholds: [0.2, 0.7], classId: 1 }), new TopKCategoricalAccuracy({ k: 2 }),
      ...Object.values(METRIC_CLASSES).map((C) => new C()),
    ];
    for (const m of samples) {
      const back = deserializeMetric(JSON.parse(JSON.stringify(serializeMetric(m))));
      expect(back.className).toBe(m.className);
      expect(back.getConfig()).toEqual(m.getConfig());
    }
  });
  it('refuses what has no config', () => {
    expect(() => serializeMetric(getMetric('acc'))).toThrow("serializeMetric: 'acc' is chosen from the data; save the identifier 'acc' instead");
    expect(() => deserializeMetric({ class_name: 'Mean', config: {} })).toThrow('deserializeMetric: Mean is not a (yTrue, yPred) metric');
    expect(serializeMetric(new Mean({ name: 'loss' })).class_name).toBe('Mean');
  });
});
