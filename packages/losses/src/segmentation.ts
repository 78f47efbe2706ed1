/** Overlap losses for segmentation masks: Dice and Tversky. */
import { Tensor, add, div, mul, scalar, sub, sum } from '@minikeras/tensor';
import type { TensorLike } from '@minikeras/tensor';
import { Loss } from './loss';
import type { LossConfig, LossOptions } from './loss';
import { EPSILON, asFloat, assertSameShape } from './shapes';

/** `null` sums over every axis (one loss for the whole batch); a list keeps the other axes. */
export type OverlapAxis = number | readonly number[] | null;

function alignOverlap(name: string, yTrue: TensorLike, yPred: TensorLike): [Tensor, Tensor] {
  const t = asFloat(yTrue), p = asFloat(yPred);
  assertSameShape(name, t, p);
  return [t, p];
}

const axes = (axis: OverlapAxis): number | number[] | undefined => (axis === null ? undefined : typeof axis === 'number' ? axis : [...axis]);

/** `1 - 2 sum(yTrue yPred) / (sum(yTrue) + sum(yPred) + 1e-7)` over `axis` (default: all axes). */
export function dice(yTrue: TensorLike, yPred: TensorLike, axis: OverlapAxis = null): Tensor {
  const [t, p] = alignOverlap('Dice', yTrue, yPred);
  const ax = axes(axis);
  const intersection = sum(mul(t, p), ax);
  const denominator = add(add(sum(t, ax), sum(p, ax)), scalar(EPSILON));
  return sub(scalar(1), div(mul(scalar(2), intersection), denominator));
}

/**
 * Tversky loss (Salehi et al. 2017, https://arxiv.org/abs/1706.05721): `1 - TP / (TP + alpha FP + beta FN + 1e-7)`
 * with soft counts; `alpha = beta = 0.5` gives Dice.
 */
export function tversky(yTrue: TensorLike, yPred: TensorLike, alpha = 0.5, beta = 0.5, axis: OverlapAxis = null): Tensor {
  const [t, p] = alignOverlap('Tversky', yTrue, yPred);
  const ax = axes(axis);
  const one = scalar(1);
  const intersection = sum(mul(t, p), ax);
  const fp = sum(mul(sub(one, p), t), ax);
  const fn = sum(mul(p, sub(one, t)), ax);
  const denominator = add(add(add(intersection, mul(fp, scalar(alpha))), mul(fn, scalar(beta))), scalar(EPSILON));
  return sub(one, div(intersection, denominator));
}

export interface DiceOptions extends LossOptions { axis?: OverlapAxis }
export interface DiceConfig extends LossConfig { axis: number | number[] | null }

/** Dice loss `1 - 2|A∩B| / (|A| + |B|)` on soft masks. */
export class Dice extends Loss {
  readonly axis: OverlapAxis;
  constructor(options: DiceOptions = {}) {
    super('Dice', 'dice', options);
    this.axis = options.axis ?? null;
  }
  call(yTrue: Tensor, yPred: Tensor): Tensor { return dice(yTrue, yPred, this.axis); }
  override getConfig(): DiceConfig { return { ...super.getConfig(), axis: axes(this.axis) ?? null }; }
}

export interface TverskyOptions extends DiceOptions {
  /** Weight of false positives. Default 0.5. */
  alpha?: number;
  /** Weight of false negatives. Default 0.5. */
  beta?: number;
}
export interface TverskyConfig extends DiceConfig { alpha: number; beta: number }

/** Tversky loss: Dice with separate weights for false positives (`alpha`) and false negatives (`beta`). */
export class Tversky extends Loss {
  readonly alpha: number;
  readonly beta: number;
  readonly axis: OverlapAxis;
  constructor(options: TverskyOptions = {}) {
    super('Tversky', 'tversky', options);
    this.alpha = options.alpha ?? 0.5;
    this.beta = options.beta ?? 0.5;
    this.axis = options.axis ?? null;
  }
  call(yTrue: Tensor, yPred: Tensor): Tensor { return tversky(yTrue, yPred, this.alpha, this.beta, this.axis); }
  override getConfig(): TverskyConfig { return { ...super.getConfig(), axis: axes(this.axis) ?? null, alpha: this.alpha, beta: this.beta }; }
}
