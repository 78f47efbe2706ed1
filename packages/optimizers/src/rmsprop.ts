import { kernels } from '@minikeras/tensor';
import { Optimizer } from './optimizer';
import type { SlotSpec, StepInfo } from './optimizer';
import { BASE_DEFAULTS, Check, resolveOptions } from './options';
import type { BaseOptimizerConfig, OptimizerOptions } from './options';

/** The full configuration of {@link RMSprop}, as `getConfig()` returns it (Keras 3's options, camelCase). */
export type RMSpropConfig = BaseOptimizerConfig & {
  /** Discount factor of the moving average of squared gradients. */
  rho: number;
  /** Plain (not Nesterov) momentum on the scaled step; 0 disables it. */
  momentum: number;
  epsilon: number;
  /** Normalize by the estimated variance (subtract the squared mean gradient) instead of the raw second moment. */
  centered: boolean;
};
/** What `new RMSprop(options)` takes: any subset of {@link RMSpropConfig} (the rest are Keras 3's defaults), or `lr`. */
export type RMSpropOptions = OptimizerOptions<RMSpropConfig>;

export const RMSPROP_DEFAULTS: RMSpropConfig = { name: 'rmsprop', learningRate: 0.001, ...BASE_DEFAULTS, rho: 0.9, momentum: 0.0, epsilon: 1e-7, centered: false };

/**
 * RMSprop (Hinton 2012), Keras 3:
 *   v = rho * v + (1 - rho) * g^2;  [centered: a = rho * a + (1 - rho) * g, denominator v - a^2 + eps]
 *   step = lr * g / sqrt(v + eps);  momentum > 0: mom = momentum * mom + step, w -= mom;  else w -= step
 */
export class RMSprop extends Optimizer {
  readonly className = 'RMSprop';
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;

  constructor(options: RMSpropOptions = {}) {
    const o = resolveOptions('RMSprop', RMSPROP_DEFAULTS, options);
    super('RMSprop', o);
    const c = new Check('RMSprop');
    this.rho = c.number('rho', o.rho, 0, 1);
    this.momentum = c.number('momentum', o.momentum, 0, 1);
    this.epsilon = c.positive('epsilon', o.epsilon);
    this.centered = c.boolean('centered', o.centered);
  }

  protected slotSpecs(): SlotSpec[] {
    const specs: SlotSpec[] = [{ name: 'velocity' }];
    if (this.momentum > 0) specs.push({ name: 'momentum' });
    if (this.centered) specs.push({ name: 'average_gradient' });
    return specs;
  }

  protected updateStep(p: Float32Array, g: Float32Array, slots: Float32Array[], s: StepInfo): void {
    const mom = this.momentum > 0 ? slots[1]! : null;
    const avg = this.centered ? slots[slots.length - 1]! : null;
    kernels().rmspropUpdate(p, g, slots[0]!, mom, avg, s.lr, this.rho, this.momentum, this.epsilon, s.keep, s.gscale);
  }

  override getConfig(): RMSpropConfig {
    return { ...super.getConfig(), rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered };
  }
}
