/**
 * Confusion-matrix metrics (keras/src/metrics/confusion_metrics.py, metrics_utils.py): TruePositives & co,
 * Precision, Recall and AUC. A prediction is positive at threshold t when it is strictly above t. Counts are
 * accumulated in float64 over plain arrays (no graph).
 */
import { Tensor, broadcastTo, expandDims, formatShape, noGrad, sigmoid } from '@minikeras/tensor';
import type { TensorLike } from '@minikeras/tensor';
import { EPSILON, asFloat, squeezeOrExpandToSameRank } from '../shapes';
import { Metric } from './metric';
import type { MetricConfig, MetricOptions } from './metric';

/** Keras' NEG_INF: the threshold used with `topK`, and the score given to predictions outside the top k. */
const NEG_INF = -1e10;

interface Counts { tp?: Float64Array; fp?: Float64Array; tn?: Float64Array; fn?: Float64Array }

interface UpdateOptions {
  thresholds: readonly number[];
  evenlyDistributed: boolean;
  topK?: number | null;
  classId?: number | null;
  multiLabel?: boolean;
  /** Per-label weights, applied to the flattened data when not multi-label. */
  labelWeights?: readonly number[] | null;
}

function assertThresholdRange(owner: string, thresholds: readonly number[]): void {
  const bad = thresholds.filter((t) => !(typeof t === 'number' && t >= 0 && t <= 1));
  if (bad.length > 0) throw new Error(`${owner}: threshold values must be in [0, 1], got [${bad.join(', ')}]`);
}

/** Keras' `is_evenly_distributed_thresholds`: at least 3 values matching i / (n - 1) (np.allclose tolerances). */
function isEvenlyDistributed(thresholds: readonly number[]): boolean {
  const n = thresholds.length;
  if (n < 3) return false;
  return thresholds.every((t, i) => {
    const even = Math.fround(i / (n - 1));
    return Math.abs(t - even) <= EPSILON + 1e-5 * Math.abs(even);
  });
}

/** Keeps the k largest scores of each row (the lowest index wins ties, as top_k does); the rest become NEG_INF. */
function filterTopK(p: Tensor, k: number): Tensor {
  const n = p.shape[p.rank - 1]!;
  const rows = n === 0 ? 0 : p.size / n;
  const out = new Float32Array(p.size).fill(NEG_INF);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    order.sort((a, b) => p.values[o + b]! - p.values[o + a]! || a - b);
    for (let j = 0; j < Math.min(k, n); j++) out[o + order[j]!] = p.values[o + order[j]!]!;
  }
  return new Tensor(out, p.shape);
}

/** Column `classId` of the last axis, kept as a size-1 axis. */
function selectClass(owner: string, x: Tensor, classId: number): Tensor {
  const n = x.shape[x.rank - 1]!;
  if (!(Number.isInteger(classId) && classId >= 0 && classId < n)) {
    throw new Error(`${owner}: classId ${classId} is out of range for ${n} classes`);
  }
  const rows = x.size / n;
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) out[r] = x.values[r * n + classId]!;
  return new Tensor(out, [...x.shape.slice(0, -1), 1]);
}

/** Keras' `update_confusion_matrix_variables`, on plain arrays. Counts are laid out [threshold][label]. */
function updateConfusion(owner: string, counts: Counts, yTrue: TensorLike, yPred: TensorLike, sampleWeight: TensorLike | undefined, opts: UpdateOptions): void {
  noGrad(() => {
    let [p, t] = squeezeOrExpandToSameRank(asFloat(yPred), asFloat(yTrue));
    let w: Tensor | undefined;
    if (sampleWeight !== undefined) {
      [, w] = squeezeOrExpandToSameRank(t, expandDims(asFloat(sampleWeight), -1), false);
    }
    if (opts.topK !== undefined && opts.topK !== null) p = filterTopK(p, opts.topK);
    if (opts.classId !== undefined && opts.classId !== null) {
      if (p.rank < 2) {
        throw new Error(`${owner}: classId needs yPred of shape [numSamples, numClasses], got ${formatShape(p.shape)}`);
      }
      t = selectClass(owner, t, opts.classId);
      p = selectClass(owner, p, opts.classId);
    }
    if (t.size !== p.size || t.shape.some((d, i) => d !== p.shape[i])) {
      throw new Error(`${owner}: yTrue shape ${formatShape(t.shape)} does not match yPred shape ${formatShape(p.shape)}`);
    }
    const size = p.size;
    const numLabels = opts.multiLabel ? p.shape[p.rank - 1]! : 1;
    const weights = new Float64Array(size).fill(1);
    if (w) {
      let wb: Tensor;
      try {
        wb = broadcastTo(w, p.shape);
      } catch {
        throw new Error(`${owner}: sampleWeight of shape ${formatShape(w.shape)} cannot be broadcast to yPred shape ${formatShape(p.shape)}`);
      }
      for (let i = 0; i < size; i++) weights[i] = wb.values[i]!;
    }
    if (opts.labelWeights && !opts.multiLabel) {
      const lw = opts.labelWeights;
      const last = p.shape[p.rank - 1] ?? 1;
      if (lw.length !== last) throw new Error(`${owner}: labelWeights has ${lw.length} entries for ${last} labels`);
      for (let i = 0; i < size; i++) weights[i]! *= lw[i % last]!;
    }
    const thresholds = opts.thresholds;
    const numThresholds = thresholds.length;
    const tp = new Float64Array(numThresholds * numLabels), fp = new Float64Array(numThresholds * numLabels);
    const totalTrue = new Float64Array(numLabels), totalFalse = new Float64Array(numLabels);
    const pv = p.values, tv = t.values;
    if (opts.evenlyDistributed) {
      // Keras' bucketed O(N + T) path: p lands in bucket ceil(p (T - 1)) - 1 (computed in float32), a bucket
      // counts for every threshold at or below it, and with the ±epsilon end thresholds bucket -1 joins bucket 0.
      const withEpsilon = thresholds[0]! < 0 || thresholds[numThresholds - 1]! > 1;
      const scale = numThresholds - 1;
      for (let i = 0; i < size; i++) {
        const label = i % numLabels;
        const isTrue = tv[i] !== 0;
        const wt = weights[i]!;
        if (isTrue) totalTrue[label]! += wt; else totalFalse[label]! += wt;
        const clipped = Math.min(Math.max(pv[i]!, 0), 1);
        let bucket = Math.ceil(Math.fround(clipped * scale)) - 1;
        if (withEpsilon && bucket < 0) bucket = 0;
        if (bucket < 0 || bucket >= numThresholds) continue;
        if (isTrue) tp[bucket * numLabels + label]! += wt; else fp[bucket * numLabels + label]! += wt;
      }
      for (let th = numThresholds - 2; th >= 0; th--) {
        for (let l = 0; l < numLabels; l++) {
          tp[th * numLabels + l]! += tp[(th + 1) * numLabels + l]!;
          fp[th * numLabels + l]! += fp[(th + 1) * numLabels + l]!;
        }
      }
    } else {
      const th32 = thresholds.map((x) => Math.fround(x));
      for (let i = 0; i < size; i++) {
        const label = i % numLabels;
        const isTrue = tv[i] !== 0;
        const wt = weights[i]!;
        if (isTrue) totalTrue[label]! += wt; else totalFalse[label]! += wt;
        const score = pv[i]!;
        for (let th = 0; th < numThresholds; th++) {
          if (score > th32[th]!) {
            if (isTrue) tp[th * numLabels + label]! += wt; else fp[th * numLabels + label]! += wt;
          }
        }
      }
    }
    for (let th = 0; th < numThresholds; th++) {
      for (let l = 0; l < numLabels; l++) {
        const k = th * numLabels + l;
        if (counts.tp) counts.tp[k]! += tp[k]!;
        if (counts.fp) counts.fp[k]! += fp[k]!;
        if (counts.fn) counts.fn[k]! += totalTrue[l]! - tp[k]!;
        if (counts.tn) counts.tn[k]! += totalFalse[l]! - fp[k]!;
      }
    }
  });
}

const divideNoNan = (a: number, b: number): number => (b === 0 ? 0 : a / b);

function thresholdList(thresholds: number | readonly number[] | null | undefined, fallback: number): number[] {
  if (thresholds === undefined || thresholds === null) return [fallback];
  return typeof thresholds === 'number' ? [thresholds] : [...thresholds];
}

/** Options of {@link TruePositives}, {@link FalsePositives}, {@link TrueNegatives} and {@link FalseNegatives}. */
export interface ConfusionCountOptions extends MetricOptions {
  /** A threshold in [0, 1] or a list of them (one result each). Default 0.5. */
  thresholds?: number | readonly number[];
}
/** The configuration of the confusion counts, as `getConfig()` returns it. */
export interface ConfusionCountConfig extends MetricConfig { thresholds: number | number[] | null }

/** Shared by the threshold metrics: one value per threshold; `result()` needs exactly one threshold. */
abstract class ThresholdMetric extends Metric {
  readonly thresholds: readonly number[];

  protected constructor(className: string, defaultName: string, options: MetricOptions, thresholds: readonly number[], direction?: 'up' | 'down') {
    super(className, defaultName, options, direction);
    this.thresholds = thresholds;
  }

  /** One value per threshold. */
  abstract resultPerThreshold(): number[];

  result(): number {
    const all = this.resultPerThreshold();
    if (all.length !== 1) {
      throw new Error(`${this.className} '${this.name}' has ${all.length} thresholds and so ${all.length} values: read them with resultPerThreshold()`);
    }
    return all[0]!;
  }
}

abstract class ConfusionCount extends ThresholdMetric {
  private readonly initThresholds: number | readonly number[] | null;
  private readonly evenly: boolean;
  private readonly accumulator: Float64Array;
  private readonly which: keyof Counts;

  protected constructor(className: string, which: keyof Counts, defaultName: string, options: ConfusionCountOptions) {
    const thresholds = thresholdList(options.thresholds, 0.5);
    assertThresholdRange(className, thresholds);
    super(className, defaultName, options, thresholds);
    this.initThresholds = options.thresholds ?? null;
    this.evenly = isEvenlyDistributed(thresholds);
    this.accumulator = new Float64Array(thresholds.length);
    this.which = which;
  }

  updateState(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike): void {
    updateConfusion(this.className, { [this.which]: this.accumulator }, yTrue, yPred, sampleWeight, { thresholds: this.thresholds, evenlyDistributed: this.evenly });
  }

  resultPerThreshold(): number[] { return Array.from(this.accumulator); }
  resetState(): void { this.accumulator.fill(0); }
  override getConfig(): ConfusionCountConfig {
    const t = this.initThresholds;
    return { ...super.getConfig(), thresholds: t === null ? null : typeof t === 'number' ? t : [...t] };
  }
}

/** The (weighted) number of true positives. */
export class TruePositives extends ConfusionCount {
  constructor(options: ConfusionCountOptions = {}) { super('TruePositives', 'tp', 'true_positives', options); }
}
/** The (weighted) number of false positives. */
export class FalsePositives extends ConfusionCount {
  constructor(options: ConfusionCountOptions = {}) { super('FalsePositives', 'fp', 'false_positives', options); }
}
/** The (weighted) number of true negatives. */
export class TrueNegatives extends ConfusionCount {
  constructor(options: ConfusionCountOptions = {}) { super('TrueNegatives', 'tn', 'true_negatives', options); }
}
/** The (weighted) number of false negatives. */
export class FalseNegatives extends ConfusionCount {
  constructor(options: ConfusionCountOptions = {}) { super('FalseNegatives', 'fn', 'false_negatives', options); }
}

/** Options of {@link Precision} and {@link Recall}. */
export interface PrecisionRecallOptions extends MetricOptions {
  /** Threshold(s) in [0, 1]. Default 0.5, or none (every top-k prediction counts) when `topK` is set. */
  thresholds?: number | readonly number[];
  /** Count only the k highest predictions of each sample as positive. */
  topK?: number | null;
  /** Compute the binary metric for this class column only. */
  classId?: number | null;
}
/** The configuration of {@link Precision} and {@link Recall}, as `getConfig()` returns it. */
export interface PrecisionRecallConfig extends MetricConfig {
  thresholds: number | number[] | null;
  topK: number | null;
  classId: number | null;
}

abstract class PrecisionRecallBase extends ThresholdMetric {
  readonly topK: number | null;
  readonly classId: number | null;
  private readonly initThresholds: number | readonly number[] | null;
  private readonly evenly: boolean;
  protected readonly tp: Float64Array;
  protected readonly other: Float64Array;
  private readonly otherKind: 'fp' | 'fn';

  protected constructor(className: string, defaultName: string, otherKind: 'fp' | 'fn', options: PrecisionRecallOptions) {
    const topK = options.topK ?? null;
    if (topK !== null && !(Number.isInteger(topK) && topK >= 1)) throw new Error(`${className}: topK must be a positive integer, got ${topK}`);
    if (options.thresholds !== undefined && options.thresholds !== null) assertThresholdRange(className, thresholdList(options.thresholds, 0.5));
    const thresholds = thresholdList(options.thresholds, topK === null ? 0.5 : NEG_INF);
    super(className, defaultName, options, thresholds, 'up');
    this.topK = topK;
    this.classId = options.classId ?? null;
    this.initThresholds = options.thresholds ?? null;
    this.evenly = isEvenlyDistributed(thresholds);
    this.tp = new Float64Array(thresholds.length);
    this.other = new Float64Array(thresholds.length);
    this.otherKind = otherKind;
  }

  updateState(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike): void {
    updateConfusion(this.className, { tp: this.tp, [this.otherKind]: this.other }, yTrue, yPred, sampleWeight, {
      thresholds: this.thresholds, evenlyDistributed: this.evenly, topK: this.topK, classId: this.classId,
    });
  }

  resultPerThreshold(): number[] {
    return Array.from(this.tp, (tp, i) => divideNoNan(tp, tp + this.other[i]!));
  }

  resetState(): void {
    this.tp.fill(0);
    this.other.fill(0);
  }

  override getConfig(): PrecisionRecallConfig {
    const t = this.initThresholds;
    return { ...super.getConfig(), thresholds: t === null ? null : typeof t === 'number' ? t : [...t], topK: this.topK, classId: this.classId };
  }
}

/** `tp / (tp + fp)`: of the samples predicted positive, the fraction that are. */
export class Precision extends PrecisionRecallBase {
  constructor(options: PrecisionRecallOptions = {}) { super('Precision', 'precision', 'fp', options); }
}

/** `tp / (tp + fn)`: of the positive samples, the fraction predicted positive. */
export class Recall extends PrecisionRecallBase {
  constructor(options: PrecisionRecallOptions = {}) { super('Recall', 'recall', 'fn', options); }
}

/** The curve {@link AUC} integrates: `'ROC'` (true against false positive rate) or `'PR'` (precision against recall). */
export type AUCCurve = 'ROC' | 'PR';
/** How {@link AUC} sums the area between thresholds (Keras' `summation_method`). */
export type AUCSummationMethod = 'interpolation' | 'minoring' | 'majoring';

/** Options of {@link AUC}. */
export interface AUCOptions extends MetricOptions {
  /** Number of thresholds discretizing the curve, > 1. Default 200. Ignored when `thresholds` is given. */
  numThresholds?: number;
  /** `'ROC'` (default) or `'PR'` (precision-recall). */
  curve?: AUCCurve;
  /** Riemann sum: `'interpolation'` (default; Davis & Goadrich for PR), `'minoring'` or `'majoring'`. */
  summationMethod?: AUCSummationMethod;
  /** Explicit inner thresholds in [0, 1]; -1e-7 and 1 + 1e-7 are added at the ends. */
  thresholds?: readonly number[] | null;
  /** Compute one AUC per label (last axis of `[batch, numLabels]`) and average them. Default false. */
  multiLabel?: boolean;
  /** Number of labels when `multiLabel` (otherwise taken from the first batch). */
  numLabels?: number | null;
  /** Non-negative weights: of the label AUCs when `multiLabel`, else of the flattened label columns. */
  labelWeights?: readonly number[] | null;
  /** Whether predictions are logits (a sigmoid is applied first). Default false. */
  fromLogits?: boolean;
}
/** The configuration of {@link AUC}, as `getConfig()` returns it. */
export interface AUCConfig extends MetricConfig {
  numThresholds: number;
  curve: AUCCurve;
  summationMethod: AUCSummationMethod;
  multiLabel: boolean;
  numLabels: number | null;
  labelWeights: number[] | null;
  fromLogits: boolean;
  thresholds?: number[];
}

/**
 * Area under the ROC (default) or PR curve, approximated by a Riemann sum over `numThresholds` thresholds
 * (Keras defaults: 200, ROC, interpolation), from TP/FP/TN/FN counts accumulated per threshold.
 */
export class AUC extends Metric {
  readonly numThresholds: number;
  readonly curve: AUCCurve;
  readonly summationMethod: AUCSummationMethod;
  readonly multiLabel: boolean;
  readonly numLabels: number | null;
  readonly labelWeights: readonly number[] | null;
  readonly fromLogits: boolean;
  /** All thresholds, including the ±epsilon end points. */
  readonly thresholds: readonly number[];
  private readonly initThresholds: readonly number[] | null;
  private readonly evenly: boolean;
  private labels: number | null = null;
  private tp = new Float64Array(0);
  private fp = new Float64Array(0);
  private tn = new Float64Array(0);
  private fn = new Float64Array(0);

  constructor(options: AUCOptions = {}) {
    super('AUC', 'auc', options, 'up');
    const curve = options.curve ?? 'ROC';
    if (curve !== 'ROC' && curve !== 'PR') throw new Error(`AUC: invalid curve '${String(curve)}'; expected 'ROC' or 'PR'`);
    const method = options.summationMethod ?? 'interpolation';
    if (method !== 'interpolation' && method !== 'minoring' && method !== 'majoring') {
      throw new Error(`AUC: invalid summationMethod '${String(method)}'; expected 'interpolation', 'minoring' or 'majoring'`);
    }
    this.curve = curve;
    this.summationMethod = method;
    let inner: number[];
    if (options.thresholds !== undefined && options.thresholds !== null) {
      inner = [...options.thresholds].sort((a, b) => a - b);
      this.numThresholds = inner.length + 2;
      this.evenly = isEvenlyDistributed([0, ...inner, 1]);
      this.initThresholds = inner;
    } else {
      const n = options.numThresholds ?? 200;
      if (!(Number.isInteger(n) && n > 1)) throw new Error(`AUC: numThresholds must be an integer > 1, got ${n}`);
      this.numThresholds = n;
      inner = Array.from({ length: n - 2 }, (_, i) => (i + 1) / (n - 1));
      this.evenly = true;
      this.initThresholds = null;
    }
    this.thresholds = [0 - EPSILON, ...inner, 1 + EPSILON];
    this.multiLabel = options.multiLabel ?? false;
    this.numLabels = options.numLabels ?? null;
    this.labelWeights = options.labelWeights ? [...options.labelWeights] : null;
    if (this.labelWeights?.some((w) => !(w >= 0))) throw new Error('AUC: labelWeights must be non-negative');
    this.fromLogits = options.fromLogits ?? false;
    if (!this.multiLabel && this.numLabels !== null) throw new Error('AUC: numLabels is needed only when multiLabel is true');
    if (this.multiLabel) {
      if (this.numLabels !== null) this.build(this.numLabels);
    } else {
      this.build(1);
    }
  }

  private build(labels: number): void {
    this.labels = labels;
    const n = this.numThresholds * labels;
    this.tp = new Float64Array(n);
    this.fp = new Float64Array(n);
    this.tn = new Float64Array(n);
    this.fn = new Float64Array(n);
  }

  updateState(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike): void {
    let p = asFloat(yPred);
    if (this.multiLabel) {
      if (p.rank !== 2) throw new Error(`AUC: yPred must have rank 2 ([batch, numLabels]) when multiLabel is true, got shape ${formatShape(p.shape)}`);
      const labels = p.shape[1]!;
      if (this.labels === null) this.build(labels);
      else if (labels !== this.labels) throw new Error(`AUC: expected ${this.labels} labels, got yPred of shape ${formatShape(p.shape)}`);
    }
    if (this.fromLogits) p = noGrad(() => sigmoid(p));
    updateConfusion(this.className, { tp: this.tp, fp: this.fp, tn: this.tn, fn: this.fn }, yTrue, p, sampleWeight, {
      thresholds: this.thresholds, evenlyDistributed: this.evenly, multiLabel: this.multiLabel,
      labelWeights: this.multiLabel ? null : this.labelWeights,
    });
  }

  /** Per-label areas, then their (weighted) mean. */
  result(): number {
    const labels = this.labels ?? 0;
    if (labels === 0) return 0;
    const byLabel = new Float64Array(labels);
    for (let l = 0; l < labels; l++) byLabel[l] = this.curve === 'PR' && this.summationMethod === 'interpolation' ? this.interpolatePrAuc(l, labels) : this.riemannAuc(l, labels);
    if (!this.multiLabel) return byLabel[0]!;
    if (!this.labelWeights) return byLabel.reduce((a, b) => a + b, 0) / labels;
    let num = 0, den = 0;
    for (let l = 0; l < labels; l++) { num += byLabel[l]! * this.labelWeights[l]!; den += this.labelWeights[l]!; }
    return divideNoNan(num, den);
  }

  private riemannAuc(label: number, labels: number): number {
    const n = this.numThresholds;
    const at = (a: Float64Array, i: number) => a[i * labels + label]!;
    const x = new Float64Array(n), y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const tp = at(this.tp, i), fp = at(this.fp, i), tn = at(this.tn, i), fn = at(this.fn, i);
      const recall = divideNoNan(tp, tp + fn);
      if (this.curve === 'ROC') { x[i] = divideNoNan(fp, fp + tn); y[i] = recall; } else { x[i] = recall; y[i] = divideNoNan(tp, tp + fp); }
    }
    let area = 0;
    for (let i = 0; i < n - 1; i++) {
      const height = this.summationMethod === 'interpolation' ? (y[i]! + y[i + 1]!) / 2
        : this.summationMethod === 'minoring' ? Math.min(y[i]!, y[i + 1]!) : Math.max(y[i]!, y[i + 1]!);
      area += (x[i]! - x[i + 1]!) * height;
    }
    return area;
  }

  /**
   * PR-AUC with TP and FP interpolated linearly between thresholds (Davis & Goadrich 2006,
   * https://www.biostat.wisc.edu/~page/rocpr.pdf): each interval adds
   * slope * (dTP + intercept * log(P_a / P_b)) / (TP_b + FN_b), in Keras' closed form.
   */
  private interpolatePrAuc(label: number, labels: number): number {
    const n = this.numThresholds;
    const at = (a: Float64Array, i: number) => a[i * labels + label]!;
    let area = 0;
    for (let i = 0; i < n - 1; i++) {
      const tpA = at(this.tp, i), tpB = at(this.tp, i + 1);
      const pA = tpA + at(this.fp, i), pB = tpB + at(this.fp, i + 1);
      const dtp = tpA - tpB;
      const dp = pA - pB;
      const slope = divideNoNan(dtp, Math.max(dp, 0));
      const intercept = tpB - slope * pB;
      const ratio = pA > 0 && pB > 0 ? divideNoNan(pA, Math.max(pB, 0)) : 1;
      area += divideNoNan(slope * (dtp + intercept * Math.log(ratio)), Math.max(tpB + at(this.fn, i + 1), 0));
    }
    return area;
  }

  resetState(): void {
    this.tp.fill(0);
    this.fp.fill(0);
    this.tn.fill(0);
    this.fn.fill(0);
  }

  override getConfig(): AUCConfig {
    const config: AUCConfig = {
      ...super.getConfig(), numThresholds: this.numThresholds, curve: this.curve, summationMethod: this.summationMethod,
      multiLabel: this.multiLabel, numLabels: this.numLabels, labelWeights: this.labelWeights ? [...this.labelWeights] : null,
      fromLogits: this.fromLogits,
    };
    if (this.initThresholds) config.thresholds = [...this.initThresholds];
    return config;
  }
}
