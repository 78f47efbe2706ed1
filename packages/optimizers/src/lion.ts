import { kernels } from '@minikeras/tensor';
import { Optimizer } from './optimizer';
import type { SlotSpec, StepInfo } from './optimizer';
import { BASE_DEFAULTS, Check, resolveOptions } from './options';
import type { BaseOptimizerConfig, OptimizerOptions } from './options';

/** The full configuration of {@link Lion}, as `getConfig()` returns it (Keras 3's options, camelCase). */
export type LionConfig = BaseOptimizerConfig & {
  /** Mixes the momentum and the current gradient inside the sign, in (0, 1]. */
  beta1: number;
  /** Decay rate of the momentum. */
  beta2: number;
};
/** What `new Lion(options)` takes: any subset of {@link LionConfig} (the rest are Keras 3's defaults), or `lr`. */
export type LionOptions = OptimizerOptions<LionConfig>;

export const LION_DEFAULTS: LionConfig = { name: 'lion', learningRate: 0.001, ...BASE_DEFAULTS, beta1: 0.9, beta2: 0.99 };

/**
 * Lion (Chen et al. 2023), Keras 3: a sign update, so every coordinate moves by exactly lr.
 *   w -= lr * sign(beta1 * m + (1 - beta1) * g);  m = beta2 * m + (1 - beta2) * g
 */
export class Lion extends Optimizer {
  readonly className = 'Lion';
  readonly beta1: number;
  readonly beta2: number;

  constructor(options: LionOptions = {}) {
    const o = resolveOptions('Lion', LION_DEFAULTS, options);
    super('Lion', o);
    const c = new Check('Lion');
    // beta1 = 0 would make Lion plain SignSGD, which Keras rejects.
    this.beta1 = c.number('beta1', o.beta1, 0, 1, { loOpen: true });
    this.beta2 = c.number('beta2', o.beta2, 0, 1);
  }

  protected slotSpecs(): SlotSpec[] {
    return [{ name: 'momentum' }];
  }

  protected updateStep(p: Float32Array, g: Float32Array, slots: Float32Array[], s: StepInfo): void {
    kernels().lionUpdate(p, g, slots[0]!, s.lr, this.beta1, this.beta2, s.keep, s.gscale);
  }

  override getConfig(): LionConfig {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2 };
  }
}
