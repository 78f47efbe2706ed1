/** Hinge losses for maximum-margin classification (labels -1/1; 0/1 labels are converted). */
import { Tensor, add, max, maximum, mean, mul, scalar, square, sub, sum } from '@minikeras/tensor';
import type { TensorLike } from '@minikeras/tensor';
import { Loss } from './loss';
import type { LossOptions } from './loss';
import { alignElementwise } from './regression';

/** Keras' `convert_binary_labels_to_hinge`: 0/1 labels become -1/1; any other labels are used as given. */
function toHingeLabels(t: Tensor): Tensor {
  for (let i = 0; i < t.size; i++) {
    const v = t.values[i]!;
    if (v !== 0 && v !== 1) return t;
  }
  return sub(mul(t, scalar(2)), scalar(1));
}

/** `mean(max(1 - yTrue * yPred, 0))` over the last axis. */
export function hinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = alignElementwise('Hinge', yTrue, yPred);
  return mean(maximum(sub(scalar(1), mul(toHingeLabels(t), p)), scalar(0)), -1);
}

/** `mean(max(1 - yTrue * yPred, 0)^2)` over the last axis. */
export function squaredHinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = alignElementwise('SquaredHinge', yTrue, yPred);
  return mean(square(maximum(sub(scalar(1), mul(toHingeLabels(t), p)), scalar(0))), -1);
}

/** `max(neg - pos + 1, 0)` with `pos = sum(yTrue * yPred)` and `neg = max((1 - yTrue) * yPred)` over the last axis. */
export function categoricalHinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = alignElementwise('CategoricalHinge', yTrue, yPred);
  const pos = sum(mul(t, p), -1);
  const neg = max(mul(sub(scalar(1), t), p), -1);
  return maximum(add(sub(neg, pos), scalar(1)), scalar(0));
}

/** Hinge loss `max(1 - yTrue * yPred, 0)`, labels -1/1 (0/1 labels are converted). */
export class Hinge extends Loss {
  constructor(options: LossOptions = {}) { super('Hinge', 'hinge', options); }
  call(yTrue: Tensor, yPred: Tensor): Tensor { return hinge(yTrue, yPred); }
}

/** Squared hinge loss `max(1 - yTrue * yPred, 0)^2`, labels -1/1 (0/1 labels are converted). */
export class SquaredHinge extends Loss {
  constructor(options: LossOptions = {}) { super('SquaredHinge', 'squared_hinge', options); }
  call(yTrue: Tensor, yPred: Tensor): Tensor { return squaredHinge(yTrue, yPred); }
}

/** Categorical hinge loss for one-hot labels: the margin between the true class and the best wrong class. */
export class CategoricalHinge extends Loss {
  constructor(options: LossOptions = {}) { super('CategoricalHinge', 'categorical_hinge', options); }
  call(yTrue: Tensor, yPred: Tensor): Tensor { return categoricalHinge(yTrue, yPred); }
}
