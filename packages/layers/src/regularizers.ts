/** Weight regularizers: their penalty is added to the training loss (Keras 3 defaults). */
import { abs, add, mul, square, sum } from '@minikeras/tensor';
import type { Tensor } from '@minikeras/tensor';

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
  getConfig(): Record<string, number> {
    if (this.className === 'L1') return { l1: this.l1 };
    if (this.className === 'L2') return { l2: this.l2 };
    return { l1: this.l1, l2: this.l2 };
  }
}

export const l1 = (value = 0.01): Regularizer => new Regularizer('L1', value, 0);
export const l2 = (value = 0.01): Regularizer => new Regularizer('L2', 0, value);
export const l1l2 = (options: { l1?: number; l2?: number } = {}): Regularizer => new Regularizer('L1L2', options.l1 ?? 0, options.l2 ?? 0);

export type RegularizerName = 'l1' | 'l2' | 'l1l2' | 'l1_l2';
export type RegularizerIdentifier = RegularizerName | Regularizer;

export function getRegularizer(identifier: RegularizerIdentifier, owner = 'regularizer'): Regularizer {
  if (identifier instanceof Regularizer) return identifier;
  switch (identifier) {
    case 'l1': return l1();
    case 'l2': return l2();
    case 'l1l2': case 'l1_l2': return l1l2({ l1: 0.01, l2: 0.01 });
    default: throw new Error(`${owner}: unknown regularizer '${String(identifier)}'; valid regularizers are l1, l2, l1l2`);
  }
}
