/** Weight regularizers: their penalty is added to the training loss (Keras 3 defaults). */
import { abs, add, mul, square, sum } from '@minikeras/tensor';
import type { Tensor } from '@minikeras/tensor';

/**
 * A weight penalty `l1 * sum(|w|) + l2 * sum(w^2)` added to the training loss (Keras 3 `keras.regularizers.L1`,
 * `L2` and `L1L2`, told apart by `className`).
 */
export class Regularizer {
  readonly className: string;
  readonly l1: number;
  readonly l2: number;
  constructor(className: string, l1: number, l2: number) {
    for (const [k, v] of [['l1', l1], ['l2', l2]] as const) {
      if (!(v >= 0) || !Number.isFinite(v)) throw new Error(`${className}: ${k} must be a non-negative finite number, got ${v}`);
    }
    this.className = className;
    this.l1 = l1;
    this.l2 = l2;
  }
  /** l1 * sum(|w|) + l2 * sum(w^2). */
  penalty(weight: Tensor): Tensor {
    let out: Tensor | null = null;
    if (this.l1 !== 0) out = mul(sum(abs(weight)), this.l1);
    if (this.l2 !== 0) { const p = mul(sum(square(weight)), this.l2); out = out ? add(out, p) : p; }
    return out ?? mul(sum(weight), 0);
  }
  /** The factors, as saved in a layer's config: `{ l1 }`, `{ l2 }` or both. */
  getConfig(): Record<string, number> {
    if (this.className === 'L1') return { l1: this.l1 };
    if (this.className === 'L2') return { l2: this.l2 };
    return { l1: this.l1, l2: this.l2 };
  }
}

/** An L1 penalty `value * sum(|w|)`, default 0.01 (Keras 3 `keras.regularizers.L1`). */
export const l1 = (value = 0.01): Regularizer => new Regularizer('L1', value, 0);
/** An L2 penalty `value * sum(w^2)`, default 0.01 (Keras 3 `keras.regularizers.L2`). */
export const l2 = (value = 0.01): Regularizer => new Regularizer('L2', 0, value);
/** Both penalties, each factor default 0 (Keras 3 `keras.regularizers.L1L2`). */
export const l1l2 = (options: { l1?: number; l2?: number } = {}): Regularizer => new Regularizer('L1L2', options.l1 ?? 0, options.l2 ?? 0);

/** The names `getRegularizer` accepts: `'l1'`, `'l2'`, and `'l1l2'` or `'l1_l2'` for both. */
export type RegularizerName = 'l1' | 'l2' | 'l1l2' | 'l1_l2';
/** A regularizer given by name or as an instance. */
export type RegularizerIdentifier = RegularizerName | Regularizer;

/**
 * Resolves a name to a regularizer with factors 0.01, or returns the instance given (Keras 3
 * `keras.regularizers.get`). An unknown name throws, naming `owner`.
 */
export function getRegularizer(identifier: RegularizerIdentifier, owner = 'regularizer'): Regularizer {
  if (identifier instanceof Regularizer) return identifier;
  switch (identifier) {
    case 'l1': return l1();
    case 'l2': return l2();
    case 'l1l2': case 'l1_l2': return l1l2({ l1: 0.01, l2: 0.01 });
    default: throw new Error(`${owner}: unknown regularizer '${String(identifier)}'; valid regularizers are l1, l2, l1l2`);
  }
}
