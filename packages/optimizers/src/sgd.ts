import { kernels } from '@minikeras/tensor';
import { Optimizer } from './optimizer';
import type { SlotSpec, StepInfo } from './optimizer';
import { BASE_DEFAULTS, Check, resolveOptions } from './options';
import type { BaseOptimizerConfig, OptimizerOptions } from './options';

/** The full configuration of {@link SGD}, as `getConfig()` returns it (Keras 3's options, camelCase). */
export type SGDConfig = BaseOptimizerConfig & {
  /** Accelerates descent along consistent directions and damps oscillation; 0 is plain gradient descent. */
  momentum: number;
  nesterov: boolean;
};
/** What `new SGD(options)` takes: any subset of {@link SGDConfig} (the rest are Keras 3's defaults), or `lr`. */
export type SGDOptions = OptimizerOptions<SGDConfig>;

export const SGD_DEFAULTS: SGDConfig = { name: 'SGD', learningRate: 0.01, ...BASE_DEFAULTS, momentum: 0.0, nesterov: false };

/**
 * Gradient descent with optional (Nesterov) momentum, Keras 3 `SGD`:
 *   momentum 0:  w -= lr * g
 *   otherwise:   m = momentum * m - lr * g;  w += m   (Nesterov: w += momentum * m - lr * g)
 */
export class SGD extends Optimizer {
  readonly className = 'SGD';
  readonly momentum: number;
  readonly nesterov: boolean;

  constructor(options: SGDOptions = {}) {
    const o = resolveOptions('SGD', SGD_DEFAULTS, options);
    super('SGD', o);
    const c = new Check('SGD');
    this.momentum = c.number('momentum', o.momentum, 0, 1);
    this.nesterov = c.boolean('nesterov', o.nesterov);
  }

  protected slotSpecs(): SlotSpec[] {
    return this.momentum !== 0 ? [{ name: 'momentum' }] : [];
  }

  protected updateStep(p: Float32Array, g: Float32Array, slots: Float32Array[], s: StepInfo): void {
    kernels().sgdUpdate(p, g, slots[0] ?? null, s.lr, this.momentum, this.nesterov, s.keep, s.gscale);
  }

  override getConfig(): SGDConfig {
    return { ...super.getConfig(), momentum: this.momentum, nesterov: this.nesterov };
  }
}
