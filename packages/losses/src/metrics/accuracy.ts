/** Accuracy metrics (keras/src/metrics/accuracy_metrics.py): per-sample match functions and their running means. */
import { Tensor, argMax, equal, formatShape, greater, mean, reshape, scalar, squeeze } from '@minikeras/tensor';
import type { TensorLike } from '@minikeras/tensor';
import { asFloat, squeezeOrExpandToSameRank } from '../shapes';
import { MeanMetricWrapper } from './metric';
import type { MetricConfig, MetricOptions } from './metric';

/** 1 where `yPred` equals `yTrue` exactly, averaged over the last axis. */
export function accuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = squeezeOrExpandToSameRank(asFloat(yTrue), asFloat(yPred));
  return mean(equal(t, p), -1);
}

/** 1 where `yPred > threshold` agrees with the 0/1 label, averaged over the last axis. */
export function binaryAccuracy(yTrue: TensorLike, yPred: TensorLike, threshold = 0.5): Tensor {
  const [t, p] = squeezeOrExpandToSameRank(asFloat(yTrue), asFloat(yPred));
  return mean(equal(t, greater(p, scalar(threshold))), -1);
}

function assertClassAxis(name: string, t: Tensor, p: Tensor): void {
  if (t.rank !== p.rank || t.shape.some((d, i) => d !== p.shape[i])) {
    const hint = t.rank === p.rank - 1 || t.shape[t.rank - 1] === 1 ? `; for integer labels use Sparse${name}` : '';
    throw new Error(`${name}: yTrue shape ${formatShape(t.shape)} does not match yPred shape ${formatShape(p.shape)}${hint}`);
  }
}

/** 1 where the argmax of the one-hot label equals the argmax of the prediction (first index wins ties). */
export function categoricalAccuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const t = asFloat(yTrue), p = asFloat(yPred);
  assertClassAxis('CategoricalAccuracy', t, p);
  return equal(argMax(t, -1), argMax(p, -1));
}

/** 1 where the integer label equals the argmax of the prediction; labels may be `[batch]` or `[batch, 1]`. */
export function sparseCategoricalAccuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  let t = asFloat(yTrue);
  const p = asFloat(yPred);
  const originalShape = t.shape;
  let reshapeMatches = false;
  if (t.rank === p.rank && t.shape[t.rank - 1] === 1) {
    t = squeeze(t, [t.rank - 1]);
    reshapeMatches = true;
  }
  let matches = equal(t, argMax(p, -1));
  if (reshapeMatches) matches = reshape(matches, originalShape);
  if (matches.rank > 1 && matches.shape[matches.rank - 1] === 1) matches = squeeze(matches, [matches.rank - 1]);
  return matches;
}

/**
 * TensorFlow's `in_top_k`: the target is in the top k when fewer than k classes score strictly higher, so ties
 * at the boundary count as hits; a row with a non-finite score is a miss.
 */
function inTopK(targets: ArrayLike<number>, predictions: Tensor, k: number): Tensor {
  const numClasses = predictions.shape[predictions.rank - 1]!;
  const rows = numClasses === 0 ? 0 : predictions.size / numClasses;
  if (targets.length !== rows) {
    throw new Error(`inTopK: ${targets.length} targets for ${rows} prediction rows`);
  }
  const out = new Float32Array(rows);
  const v = predictions.values;
  for (let r = 0; r < rows; r++) {
    const target = targets[r]!;
    const o = r * numClasses;
    if (!(Number.isInteger(target) && target >= 0 && target < numClasses)) continue;
    const score = v[o + target]!;
    let higher = 0;
    let finite = true;
    for (let c = 0; c < numClasses; c++) {
      const s = v[o + c]!;
      if (!Number.isFinite(s)) { finite = false; break; }
      if (s > score) higher++;
    }
    out[r] = finite && higher < k ? 1 : 0;
  }
  return new Tensor(out, [rows]);
}

/** 1 where the one-hot target's class is among the `k` highest predictions. */
export function topKCategoricalAccuracy(yTrue: TensorLike, yPred: TensorLike, k = 5): Tensor {
  const t = asFloat(yTrue), p = asFloat(yPred);
  assertClassAxis('TopKCategoricalAccuracy', t, p);
  const targets = argMax(t, -1);
  return reshape(inTopK(targets.values, p, k), targets.shape);
}

/** 1 where the integer target is among the `k` highest predictions; labels may be `[batch]` or `[batch, 1]`. */
export function sparseTopKCategoricalAccuracy(yTrue: TensorLike, yPred: TensorLike, k = 5): Tensor {
  const t = asFloat(yTrue), p = asFloat(yPred);
  return reshape(inTopK(t.values, p, k), t.shape);
}

/** How often predictions equal labels exactly. */
export class Accuracy extends MeanMetricWrapper {
  constructor(options: MetricOptions = {}) {
    super(accuracy, options, 'Accuracy', 'accuracy', 'up');
  }
}

/** Options of {@link BinaryAccuracy}. */
export interface BinaryAccuracyOptions extends MetricOptions {
  /** A prediction counts as class 1 when it is strictly above this value, in (0, 1). Default 0.5. */
  threshold?: number;
}
/** The configuration of {@link BinaryAccuracy}, as `getConfig()` returns it. */
export interface BinaryAccuracyConfig extends MetricConfig { threshold: number }

/** How often `yPred > threshold` matches 0/1 labels. */
export class BinaryAccuracy extends MeanMetricWrapper {
  readonly threshold: number;
  constructor(options: BinaryAccuracyOptions = {}) {
    const threshold = options.threshold ?? 0.5;
    if (!(threshold > 0 && threshold < 1)) {
      throw new Error(`BinaryAccuracy: threshold must be in (0, 1), got ${threshold}`);
    }
    super((t, p) => binaryAccuracy(t, p, threshold), options, 'BinaryAccuracy', 'binary_accuracy', 'up');
    this.threshold = threshold;
  }
  override getConfig(): BinaryAccuracyConfig { return { ...super.getConfig(), threshold: this.threshold }; }
}

/** How often the argmax of the prediction matches one-hot labels. */
export class CategoricalAccuracy extends MeanMetricWrapper {
  constructor(options: MetricOptions = {}) {
    super(categoricalAccuracy, options, 'CategoricalAccuracy', 'categorical_accuracy', 'up');
  }
}

/** How often the argmax of the prediction matches integer labels. */
export class SparseCategoricalAccuracy extends MeanMetricWrapper {
  constructor(options: MetricOptions = {}) {
    super(sparseCategoricalAccuracy, options, 'SparseCategoricalAccuracy', 'sparse_categorical_accuracy', 'up');
  }
}

/** Options of {@link TopKCategoricalAccuracy} and {@link SparseTopKCategoricalAccuracy}. */
export interface TopKOptions extends MetricOptions {
  /** How many of the highest predictions count as a hit. Default 5. */
  k?: number;
}
/** The configuration of the top-k accuracies, as `getConfig()` returns it. */
export interface TopKConfig extends MetricConfig { k: number }

function checkK(name: string, k: number): number {
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`${name}: k must be a positive integer, got ${k}`);
  return k;
}

/** How often the one-hot target is among the top `k` predictions. */
export class TopKCategoricalAccuracy extends MeanMetricWrapper {
  readonly k: number;
  constructor(options: TopKOptions = {}) {
    const k = checkK('TopKCategoricalAccuracy', options.k ?? 5);
    super((t, p) => topKCategoricalAccuracy(t, p, k), options, 'TopKCategoricalAccuracy', 'top_k_categorical_accuracy', 'up');
    this.k = k;
  }
  override getConfig(): TopKConfig { return { ...super.getConfig(), k: this.k }; }
}

/** How often the integer target is among the top `k` predictions. */
export class SparseTopKCategoricalAccuracy extends MeanMetricWrapper {
  readonly k: number;
  constructor(options: TopKOptions = {}) {
    const k = checkK('SparseTopKCategoricalAccuracy', options.k ?? 5);
    super((t, p) => sparseTopKCategoricalAccuracy(t, p, k), options, 'SparseTopKCategoricalAccuracy', 'sparse_top_k_categorical_accuracy', 'up');
    this.k = k;
  }
  override getConfig(): TopKConfig { return { ...super.getConfig(), k: this.k }; }
}
