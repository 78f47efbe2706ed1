import { kernels } from '@minikeras/tensor';
import { Optimizer } from './optimizer';
import type { SlotSpec, StepInfo } from './optimizer';
import { BASE_DEFAULTS, Check, resolveOptions } from './options';
import type { BaseOptimizerConfig, OptimizerOptions } from './options';

/** The full configuration of {@link Adagrad}, as `getConfig()` returns it (Keras 3's options, camelCase). */
export type AdagradConfig = BaseOptimizerConfig & {
  /** Starting value of the per-parameter sum of squared gradients (>= 0). */
  initialAccumulatorValue: number;
  epsilon: number;
};
/** What `new Adagrad(options)` takes: any subset of {@link AdagradConfig} (the rest are Keras 3's defaults), or `lr`. */
export type AdagradOptions = OptimizerOptions<AdagradConfig>;

export const ADAGRAD_DEFAULTS: AdagradConfig = { name: 'adagrad', learningRate: 0.001, ...BASE_DEFAULTS, initialAccumulatorValue: 0.1, epsilon: 1e-7 };

/**
 * Adagrad (Duchi et al. 2011), Keras 3: per-parameter rates that shrink with the parameter's gradient history.
 *   acc += g^2;  w -= lr * g / sqrt(acc + epsilon)
 */
export class Adagrad extends Optimizer {
  readonly className = 'Adagrad';
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;

  constructor(options: AdagradOptions = {}) {
    const o = resolveOptions('Adagrad', ADAGRAD_DEFAULTS, options);
    super('Adagrad', o);
    const c = new Check('Adagrad');
    this.initialAccumulatorValue = c.nonNegative('initialAccumulatorValue', o.initialAccumulatorValue);
    this.epsilon = c.positive('epsilon', o.epsilon);
  }

  protected slotSpecs(): SlotSpec[] {
    return [{ name: 'accumulator', init: this.initialAccumulatorValue }];
  }

  protected updateStep(p: Float32Array, g: Float32Array, slots: Float32Array[], s: StepInfo): void {
    kernels().adagradUpdate(p, g, slots[0]!, s.lr, this.epsilon, s.keep, s.gscale);
  }

  override getConfig(): AdagradConfig {
    return { ...super.getConfig(), initialAccumulatorValue: this.initialAccumulatorValue, epsilon: this.epsilon };
  }
}
