import { kernels } from '@minikeras/tensor';
import { Optimizer } from './optimizer';
import type { SlotSpec, StepInfo } from './optimizer';
import { BASE_DEFAULTS, Check, resolveOptions } from './options';
import type { BaseOptimizerConfig, OptimizerOptions } from './options';

/** The full configuration of {@link Adadelta}, as `getConfig()` returns it (Keras 3's options, camelCase). */
export type AdadeltaConfig = BaseOptimizerConfig & {
  /** Decay rate of both running averages. */
  rho: number;
  epsilon: number;
};
/** What `new Adadelta(options)` takes: any subset of {@link AdadeltaConfig} (the rest are Keras 3's defaults), or `lr`. */
export type AdadeltaOptions = OptimizerOptions<AdadeltaConfig>;

/** Keras 3's default learning rate is 0.001 (the paper's form is learningRate 1.0). */
export const ADADELTA_DEFAULTS: AdadeltaConfig = { name: 'adadelta', learningRate: 0.001, ...BASE_DEFAULTS, rho: 0.95, epsilon: 1e-7 };

/**
 * Adadelta (Zeiler 2012), Keras 3: the step size comes from the ratio of two running RMS values, so the
 * learning rate matters little.
 *   Eg = rho * Eg + (1 - rho) * g^2;  d = -sqrt(Ed + eps) / sqrt(Eg + eps) * g
 *   Ed = rho * Ed + (1 - rho) * d^2;  w += lr * d
 */
export class Adadelta extends Optimizer {
  readonly className = 'Adadelta';
  readonly rho: number;
  readonly epsilon: number;

  constructor(options: AdadeltaOptions = {}) {
    const o = resolveOptions('Adadelta', ADADELTA_DEFAULTS, options);
    super('Adadelta', o);
    const c = new Check('Adadelta');
    this.rho = c.number('rho', o.rho, 0, 1);
    this.epsilon = c.positive('epsilon', o.epsilon);
  }

  protected slotSpecs(): SlotSpec[] {
    return [{ name: 'accumulated_grad' }, { name: 'accumulated_delta_var' }];
  }

  protected updateStep(p: Float32Array, g: Float32Array, slots: Float32Array[], s: StepInfo): void {
    kernels().adadeltaUpdate(p, g, slots[0]!, slots[1]!, s.lr, this.rho, this.epsilon, s.keep, s.gscale);
  }

  override getConfig(): AdadeltaConfig {
    return { ...super.getConfig(), rho: this.rho, epsilon: this.epsilon };
  }
}
