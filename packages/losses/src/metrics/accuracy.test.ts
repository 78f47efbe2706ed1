import { describe, expect, it } from 'vitest';
import { tensor } from '@minikeras/tensor';
import { expectClose } from '@minikeras/test-utils';
import {
  Accuracy, BinaryAccuracy, CategoricalAccuracy, Mean, SparseCategoricalAccuracy, SparseTopKCategoricalAccuracy, Sum,
  TopKCategoricalAccuracy, sparseCategoricalAccuracy, topKCategoricalAccuracy,
} from './index';

const exact = { rtol: 1e-7, atol: 1e-7 };

describe('Mean and Sum (Keras docstrings)', () => {
  it('Mean of [1, 3, 5, 7] is 4; with weights [1, 1, 0, 0] it is 2', () => {
    const m = new Mean();
    m.updateState([1, 3, 5, 7]);
    expectClose(m.result(), 4, exact);
    m.resetState();
    m.updateState([1, 3, 5, 7], [1, 1, 0, 0]);
    expectClose(m.result(), 2, exact);
  });
  it('Mean accumulates scalars weighted by batch size, as the fit loss tracker does', () => {
    const m = new Mean({ name: 'loss' });
    m.updateState(0.5, 32);
    m.updateState(tensor(2), 8);
    expectClose(m.result(), (0.5 * 32 + 2 * 8) / 40, exact);
    expect(m.name).toBe('loss');
    expectClose(new Mean().result(), 0, exact);
  });
  it('Sum of [1, 3, 5, 7] is 16; with weights [1, 1, 0, 0] it is 4', () => {
    const s = new Sum();
    s.updateState([1, 3, 5, 7]);
    expectClose(s.result(), 16, exact);
    s.resetState();
    s.updateState([1, 3, 5, 7], [1, 1, 0, 0]);
    expectClose(s.result(), 4, exact);
  });
});

describe('accuracy metrics (Keras docstrings)', () => {
  it('Accuracy', () => {
    const m = new Accuracy();
    m.updateState([[1], [2], [3], [4]], [[0], [2], [3], [4]]);
    expectClose(m.result(), 0.75, exact);
    m.resetState();
    m.updateState([[1], [2], [3], [4]], [[0], [2], [3], [4]], [1, 1, 0, 0]);
    expectClose(m.result(), 0.5, exact);
  });
  it('BinaryAccuracy (threshold 0.5, strict)', () => {
    const m = new BinaryAccuracy();
    m.updateState([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]);
    expectClose(m.result(), 0.75, exact);
    m.resetState();
    m.updateState([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]], [1, 0, 0, 1]);
    expectClose(m.result(), 0.5, exact);
    m.resetState();
    m.updateState([1, 0], [0.5, 0.5]); // 0.5 is not above 0.5
    expectClose(m.result(), 0.5, exact);
    expect(() => new BinaryAccuracy({ threshold: 1 })).toThrow('BinaryAccuracy: threshold must be in (0, 1), got 1');
  });
  it('CategoricalAccuracy', () => {
    const m = new CategoricalAccuracy();
    m.updateState([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]);
    expectClose(m.result(), 0.5, exact);
    m.resetState();
    m.updateState([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], [0.7, 0.3]);
    expectClose(m.result(), 0.3, exact);
    expect(() => m.updateState([[2], [1]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])).toThrow('CategoricalAccuracy: yTrue shape [2,1] does not match yPred shape [2,3]; for integer labels use SparseCategoricalAccuracy');
  });
  it('SparseCategoricalAccuracy, labels [batch, 1] or [batch]', () => {
    const m = new SparseCategoricalAccuracy();
    m.updateState([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]]);
    expectClose(m.result(), 0.5, exact);
    m.resetState();
    m.updateState([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]], [0.7, 0.3]);
    expectClose(m.result(), 0.3, exact);
    expectClose(sparseCategoricalAccuracy([2, 1], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]]), [0, 1], exact);
  });
  it('TopKCategoricalAccuracy and SparseTopKCategoricalAccuracy (k = 1)', () => {
    const m = new TopKCategoricalAccuracy({ k: 1 });
    m.updateState([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]);
    expectClose(m.result(), 0.5, exact);
    m.resetState();
    m.updateState([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], [0.7, 0.3]);
    expectClose(m.result(), 0.3, exact);
    const s = new SparseTopKCategoricalAccuracy({ k: 1 });
    s.updateState([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]);
    expectClose(s.result(), 0.5, exact);
    s.resetState();
    s.updateState([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], [0.7, 0.3]);
    expectClose(s.result(), 0.3, exact);
    expect(new TopKCategoricalAccuracy().k).toBe(5);
  });
  it('top-k counts ties at the boundary as hits (TensorFlow in_top_k) and non-finite rows as misses', () => {
    // class 2 ties with class 1 for second place: fewer than 2 classes score strictly higher.
    expectClose(topKCategoricalAccuracy([[0, 0, 1]], [[0.5, 0.2, 0.2]], 2), [1], exact);
    expectClose(topKCategoricalAccuracy([[0, 0, 1]], [[0.5, 0.3, 0.2]], 2), [0], exact);
    expectClose(topKCategoricalAccuracy([[1, 0, 0]], [[0.9, NaN, 0.1]], 2), [0], exact);
  });
});

describe('epoch accumulation', () => {
  it('BinaryAccuracy over two weighted batches is the weighted mean over all samples', () => {
    const m = new BinaryAccuracy();
    // batch 1 matches [1, 0, 0, 1] with weights [1, 2, 1, 1] -> 2 of 5
    m.updateState([1, 0, 1, 0].map((v) => [v]), [0.9, 0.6, 0.4, 0.1].map((v) => [v]), [1, 2, 1, 1]);
    expectClose(m.result(), 2 / 5, exact);
    // batch 2 matches [1, 0] with weights [3, 1] -> 3 of 4; together 5 of 9
    m.updateState([[1], [1]], [[0.7], [0.2]], [3, 1]);
    expectClose(m.result(), 5 / 9, exact);
    m.resetState();
    expectClose(m.result(), 0, exact);
  });
  it('SparseCategoricalAccuracy over batches of different sizes', () => {
    const m = new SparseCategoricalAccuracy();
    m.updateState([0, 1, 2], [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.8, 0.1, 0.1]]); // 2 of 3
    m.updateState([1], tensor([[0.3, 0.6, 0.1]])); // 1 of 1
    expectClose(m.result(), 3 / 4, exact);
  });
  it('per-timestep weights average over the weighted timesteps', () => {
    const m = new SparseCategoricalAccuracy();
    // matches [[1, 0], [1, 1]] times weights [[1, 1], [0, 2]] = [[1, 0], [0, 2]]; Keras then averages both over
    // time: weighted values [0.5, 1], weights [1, 1], so the result is (0.5 + 1) / (1 + 1)
    m.updateState([[0, 1], [1, 1]], [[[0.9, 0.1], [0.8, 0.2]], [[0.1, 0.9], [0.3, 0.7]]], [[1, 1], [0, 2]]);
    expectClose(m.result(), ((1 * 1 + 0 * 1) / 2 + (1 * 0 + 1 * 2) / 2) / ((1 + 1) / 2 + (0 + 2) / 2), exact);
  });
});
