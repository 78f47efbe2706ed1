import { kernels } from '@minikeras/tensor';
import { Optimizer } from './optimizer';
import type { SlotSpec, StepInfo } from './optimizer';
import { BASE_DEFAULTS, Check, resolveOptions } from './options';
import type { BaseOptimizerConfig, OptimizerOptions } from './options';

/** The full configuration of {@link Adamax}, as `getConfig()` returns it (Keras 3's options, camelCase). */
export type AdamaxConfig = BaseOptimizerConfig & {
  beta1: number;
  /** Decay rate of the exponentially weighted infinity norm. */
  beta2: number;
  epsilon: number;
};
/** What `new Adamax(options)` takes: any subset of {@link AdamaxConfig} (the rest are Keras 3's defaults), or `lr`. */
export type AdamaxOptions = OptimizerOptions<AdamaxConfig>;

export const ADAMAX_DEFAULTS: AdamaxConfig = { name: 'adamax', learningRate: 0.001, ...BASE_DEFAULTS, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

/**
 * Adamax (Kingma & Ba 2014, section 7.1), Adam with the infinity norm, Keras 3:
 *   m += (g - m) * (1 - beta1);  u = max(beta2 * u, |g|);  w -= lr / (1 - beta1^t) * m / (u + epsilon)
 */
export class Adamax extends Optimizer {
  readonly className = 'Adamax';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private lrOverBias = 0;

  constructor(options: AdamaxOptions = {}) {
    const o = resolveOptions('Adamax', ADAMAX_DEFAULTS, options);
    super('Adamax', o);
    const c = new Check('Adamax');
    this.beta1 = c.number('beta1', o.beta1, 0, 1, { hiOpen: true });
    this.beta2 = c.number('beta2', o.beta2, 0, 1, { hiOpen: true });
    this.epsilon = c.positive('epsilon', o.epsilon);
  }

  protected slotSpecs(): SlotSpec[] {
    return [{ name: 'momentum' }, { name: 'norm' }];
  }

  /** Keras creates momentum and norm interleaved per variable. */
  protected override slotGroups(): string[][] {
    return [['momentum', 'norm']];
  }

  protected override beginStep(lr: number, iteration: number): void {
    this.lrOverBias = lr / (1 - Math.pow(this.beta1, iteration + 1));
  }

  protected updateStep(p: Float32Array, g: Float32Array, slots: Float32Array[], s: StepInfo): void {
    kernels().adamaxUpdate(p, g, slots[0]!, slots[1]!, this.lrOverBias, this.beta1, this.beta2, this.epsilon, s.keep, s.gscale);
  }

  override getConfig(): AdamaxConfig {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}
