/** Shape alignment and label checks shared by losses and metrics. */
import { Tensor, cast, expandDims, formatShape, shapesEqual, squeeze, toTensor } from '@minikeras/tensor';
import type { TensorLike } from '@minikeras/tensor';

/** Keras' `backend.epsilon()`: the clip margin for probabilities and the floor for divisors. */
export const EPSILON = 1e-7;

/** Converts to a float32 tensor (labels may arrive as int32 or nested arrays). */
export function asFloat(x: TensorLike): Tensor {
  const t = toTensor(x);
  return t.dtype === 'float32' ? t : cast(t, 'float32');
}

/**
 * Keras' `squeeze_or_expand_to_same_rank`: when the ranks differ by exactly one and the longer tensor ends in a
 * size-1 axis, squeeze that axis, or expand the rank-1 tensor instead (so `[3]` vs `[3,1]` gives `[3,1]` twice).
 */
export function squeezeOrExpandToSameRank(x1: Tensor, x2: Tensor, expandRank1 = true): [Tensor, Tensor] {
  const r1 = x1.rank, r2 = x2.rank;
  if (r1 === r2) return [x1, x2];
  if (r1 === r2 + 1 && x1.shape[r1 - 1] === 1) {
    if (r2 === 1 && expandRank1) x2 = expandDims(x2, -1);
    else x1 = squeeze(x1, [r1 - 1]);
  }
  if (r2 === r1 + 1 && x2.shape[r2 - 1] === 1) {
    if (r1 === 1 && expandRank1) x1 = expandDims(x1, -1);
    else x2 = squeeze(x2, [r2 - 1]);
  }
  return [x1, x2];
}

/** Throws `Name: yTrue shape [a,b] does not match yPred shape [c,d]` (plus a hint) unless the shapes are equal. */
export function assertSameShape(name: string, yTrue: Tensor, yPred: Tensor, hint = ''): void {
  if (!shapesEqual(yTrue.shape, yPred.shape)) {
    throw new Error(`${name}: yTrue shape ${formatShape(yTrue.shape)} does not match yPred shape ${formatShape(yPred.shape)}${hint}`);
  }
}

/** The hint added when one-hot and integer labels seem to have been mixed up. */
export function sparseHint(yTrue: Tensor, yPred: Tensor): string {
  const looksSparse = yPred.rank >= 1 && yPred.shape[yPred.rank - 1]! > 1
    && (yTrue.rank === yPred.rank - 1 || (yTrue.rank === yPred.rank && yTrue.shape[yTrue.rank - 1] === 1));
  return looksSparse ? '; for integer class labels use SparseCategoricalCrossentropy' : '';
}

/**
 * Checks integer class labels against `numClasses`: each must be a whole number in [0, numClasses), except the
 * `ignoreClass` value. Runs over the label values only (no graph), so it costs one pass per batch.
 */
export function assertSparseLabels(name: string, labels: Tensor, numClasses: number, ignoreClass?: number | null): void {
  const v = labels.values;
  for (let i = 0; i < v.length; i++) {
    const y = v[i]!;
    if (ignoreClass !== undefined && ignoreClass !== null && y === ignoreClass) continue;
    if (!Number.isInteger(y)) {
      throw new Error(`${name}: label ${y} at index ${i} is not an integer class index`);
    }
    if (y < 0 || y >= numClasses) {
      throw new Error(`${name}: label ${y} at index ${i} is out of range for ${numClasses} classes`);
    }
  }
}

/** Normalizes a possibly negative axis, naming the loss in the error. */
export function resolveAxis(name: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new Error(`${name}: axis ${axis} is out of range for yPred of rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}
