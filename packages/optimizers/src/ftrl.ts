import { kernels } from '@minikeras/tensor';
import { Optimizer } from './optimizer';
import type { SlotSpec, StepInfo } from './optimizer';
import { BASE_DEFAULTS, Check, resolveOptions } from './options';
import type { BaseOptimizerConfig, OptimizerOptions } from './options';

/** The full configuration of {@link Ftrl}, as `getConfig()` returns it (Keras 3's options, camelCase). */
export type FtrlConfig = BaseOptimizerConfig & {
  /** How the per-coordinate rate decays with the accumulated squared gradient (<= 0; 0 keeps it fixed). */
  learningRatePower: number;
  initialAccumulatorValue: number;
  l1RegularizationStrength: number;
  l2RegularizationStrength: number;
  /** L2 penalty added to the gradient (magnitude shrinkage), unlike the stabilizing l2 above. */
  l2ShrinkageRegularizationStrength: number;
  /** The paper's beta, folded into l2 as beta / (2 lr). */
  beta: number;
};
/** What `new Ftrl(options)` takes: any subset of {@link FtrlConfig} (the rest are Keras 3's defaults), or `lr`. */
export type FtrlOptions = OptimizerOptions<FtrlConfig>;

export const FTRL_DEFAULTS: FtrlConfig = {
  name: 'ftrl', learningRate: 0.001, ...BASE_DEFAULTS,
  learningRatePower: -0.5, initialAccumulatorValue: 0.1, l1RegularizationStrength: 0.0,
  l2RegularizationStrength: 0.0, l2ShrinkageRegularizationStrength: 0.0, beta: 0.0,
};

/**
 * FTRL-proximal (McMahan et al. 2013), Keras 3; p = learningRatePower:
 *   n' = n + g^2;  z += g + 2 * l2Shrinkage * w - (n'^-p - n^-p) / lr * w;  n = n'
 *   w = (clip(z, -l1, l1) - z) / (n^-p / lr + 2 * (l2 + beta / (2 lr)))
 */
export class Ftrl extends Optimizer {
  readonly className = 'Ftrl';
  readonly learningRatePower: number;
  readonly initialAccumulatorValue: number;
  readonly l1RegularizationStrength: number;
  readonly l2RegularizationStrength: number;
  readonly l2ShrinkageRegularizationStrength: number;
  readonly beta: number;

  constructor(options: FtrlOptions = {}) {
    const o = resolveOptions('Ftrl', FTRL_DEFAULTS, options);
    super('Ftrl', o);
    const c = new Check('Ftrl');
    this.learningRatePower = c.number('learningRatePower', o.learningRatePower, -Infinity, 0);
    this.initialAccumulatorValue = c.nonNegative('initialAccumulatorValue', o.initialAccumulatorValue);
    this.l1RegularizationStrength = c.nonNegative('l1RegularizationStrength', o.l1RegularizationStrength);
    this.l2RegularizationStrength = c.nonNegative('l2RegularizationStrength', o.l2RegularizationStrength);
    this.l2ShrinkageRegularizationStrength = c.nonNegative('l2ShrinkageRegularizationStrength', o.l2ShrinkageRegularizationStrength);
    this.beta = c.finite('beta', o.beta);
  }

  protected slotSpecs(): SlotSpec[] {
    return [{ name: 'accumulator', init: this.initialAccumulatorValue }, { name: 'linear' }];
  }

  /** Keras creates accumulator and linear interleaved per variable. */
  protected override slotGroups(): string[][] {
    return [['accumulator', 'linear']];
  }

  protected updateStep(p: Float32Array, g: Float32Array, slots: Float32Array[], s: StepInfo): void {
    const l2 = this.l2RegularizationStrength + this.beta / (2 * s.lr);
    kernels().ftrlUpdate(p, g, slots[0]!, slots[1]!, s.lr, this.learningRatePower, this.l1RegularizationStrength, l2, this.l2ShrinkageRegularizationStrength, s.keep, s.gscale);
  }

  override getConfig(): FtrlConfig {
    return {
      ...super.getConfig(),
      learningRatePower: this.learningRatePower,
      initialAccumulatorValue: this.initialAccumulatorValue,
      l1RegularizationStrength: this.l1RegularizationStrength,
      l2RegularizationStrength: this.l2RegularizationStrength,
      l2ShrinkageRegularizationStrength: this.l2ShrinkageRegularizationStrength,
      beta: this.beta,
    };
  }
}
