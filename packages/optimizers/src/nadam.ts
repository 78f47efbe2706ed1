import { kernels } from '@minikeras/tensor';
import { Optimizer } from './optimizer';
import type { SlotSpec, StepInfo } from './optimizer';
import { BASE_DEFAULTS, Check, resolveOptions } from './options';
import type { BaseOptimizerConfig, OptimizerOptions } from './options';

/** The full configuration of {@link Nadam}, as `getConfig()` returns it (Keras 3's options, camelCase). */
export type NadamConfig = BaseOptimizerConfig & {
  beta1: number;
  beta2: number;
  epsilon: number;
};
/** What `new Nadam(options)` takes: any subset of {@link NadamConfig} (the rest are Keras 3's defaults), or `lr`. */
export type NadamOptions = OptimizerOptions<NadamConfig>;

export const NADAM_DEFAULTS: NadamConfig = { name: 'nadam', learningRate: 0.001, ...BASE_DEFAULTS, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

/**
 * Nadam (Dozat 2015): Adam with Nesterov momentum and the 0.96 momentum-decay schedule, as Keras 3 computes it:
 *   u_t = beta1 * (1 - 0.5 * 0.96^t);  P_t = P_{t-1} * u_t  (P_0 = 1)
 *   m += (g - m) * (1 - beta1);  v += (g^2 - v) * (1 - beta2)
 *   mhat = u_{t+1} * m / (1 - P_t * u_{t+1}) + (1 - u_t) * g / (1 - P_t);  vhat = v / (1 - beta2^t)
 *   w -= lr * mhat / (sqrt(vhat) + epsilon)
 */
export class Nadam extends Optimizer {
  readonly className = 'Nadam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** P_t, kept in float32 like Keras' variable so that exported state restores exactly. */
  private uProduct = 1;
  private cM = 0;
  private cG = 0;
  private vScale = 1;

  constructor(options: NadamOptions = {}) {
    const o = resolveOptions('Nadam', NADAM_DEFAULTS, options);
    super('Nadam', o);
    const c = new Check('Nadam');
    this.beta1 = c.number('beta1', o.beta1, 0, 1, { hiOpen: true });
    this.beta2 = c.number('beta2', o.beta2, 0, 1, { hiOpen: true });
    this.epsilon = c.positive('epsilon', o.epsilon);
  }

  protected slotSpecs(): SlotSpec[] {
    return [{ name: 'momentum' }, { name: 'velocity' }];
  }

  protected override extraState(): { name: string; get: () => number; set: (v: number) => void }[] {
    return [{ name: 'u_product', get: () => this.uProduct, set: (v) => { this.uProduct = Math.fround(v); } }];
  }

  protected override beginStep(_lr: number, iteration: number): void {
    const t = iteration + 1;
    const uT = this.beta1 * (1 - 0.5 * Math.pow(0.96, t));
    const uNext = this.beta1 * (1 - 0.5 * Math.pow(0.96, t + 1));
    this.uProduct = Math.fround(this.uProduct * uT);
    this.cM = uNext / (1 - this.uProduct * uNext);
    this.cG = (1 - uT) / (1 - this.uProduct);
    this.vScale = 1 / (1 - Math.pow(this.beta2, t));
  }

  protected updateStep(p: Float32Array, g: Float32Array, slots: Float32Array[], s: StepInfo): void {
    kernels().nadamUpdate(p, g, slots[0]!, slots[1]!, s.lr, this.beta1, this.beta2, this.epsilon, this.cM, this.cG, this.vScale, s.keep, s.gscale);
  }

  override getConfig(): NadamConfig {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}
