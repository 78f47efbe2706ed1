import { kernels } from '@minikeras/tensor';
import { Optimizer } from './optimizer';
import type { SlotSpec, StepInfo } from './optimizer';
import { BASE_DEFAULTS, Check, resolveOptions } from './options';
import type { BaseOptimizerConfig, OptimizerOptions } from './options';

/** The full configuration of {@link Adam}, as `getConfig()` returns it (Keras 3's options, camelCase). */
export type AdamConfig = BaseOptimizerConfig & {
  /** Decay rate of the first-moment (mean) estimate. */
  beta1: number;
  /** Decay rate of the second-moment (uncentered variance) estimate. */
  beta2: number;
  /** "Epsilon hat" of Kingma & Ba, added to sqrt(v); Keras' default 1e-7. */
  epsilon: number;
  /** Use the AMSGrad variant (Reddi et al. 2018): the running maximum of v. */
  amsgrad: boolean;
};
/** What `new Adam(options)` takes: any subset of {@link AdamConfig} (the rest are Keras 3's defaults), or `lr`. */
export type AdamOptions = OptimizerOptions<AdamConfig>;

export const ADAM_DEFAULTS: AdamConfig = { name: 'adam', learningRate: 0.001, ...BASE_DEFAULTS, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false };

/**
 * Adam (Kingma & Ba 2014) as Keras 3 computes it, with the bias correction folded into the step size:
 *   t = iterations + 1;  alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t)
 *   m += (g - m) * (1 - beta1);  v += (g^2 - v) * (1 - beta2);  [amsgrad: vhat = max(vhat, v), v := vhat]
 *   w -= alpha * m / (sqrt(v) + epsilon)
 */
export class Adam extends Optimizer {
  protected static readonly kerasName: string = 'Adam';
  protected static readonly defaults: AdamConfig = ADAM_DEFAULTS;
  readonly className: string = 'Adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly amsgrad: boolean;
  private alpha = 0;

  constructor(options: AdamOptions = {}) {
    const cls = new.target as unknown as { kerasName: string; defaults: AdamConfig };
    const o = resolveOptions(cls.kerasName, cls.defaults, options);
    super(cls.kerasName, o);
    const c = new Check(cls.kerasName);
    this.beta1 = c.number('beta1', o.beta1, 0, 1, { hiOpen: true });
    this.beta2 = c.number('beta2', o.beta2, 0, 1, { hiOpen: true });
    this.epsilon = c.positive('epsilon', o.epsilon);
    this.amsgrad = c.boolean('amsgrad', o.amsgrad);
  }

  protected slotSpecs(): SlotSpec[] {
    const specs: SlotSpec[] = [{ name: 'momentum' }, { name: 'velocity' }];
    if (this.amsgrad) specs.push({ name: 'velocity_hat' });
    return specs;
  }

  protected override beginStep(lr: number, iteration: number): void {
    const t = iteration + 1;
    this.alpha = (lr * Math.sqrt(1 - Math.pow(this.beta2, t))) / (1 - Math.pow(this.beta1, t));
  }

  protected updateStep(p: Float32Array, g: Float32Array, slots: Float32Array[], s: StepInfo): void {
    kernels().adamUpdate(p, g, slots[0]!, slots[1]!, slots[2] ?? null, this.alpha, this.beta1, this.beta2, this.epsilon, s.keep, s.gscale);
  }

  override getConfig(): AdamConfig {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, amsgrad: this.amsgrad };
  }
}
