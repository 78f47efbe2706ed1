import { kernels } from '@minikeras/tensor';
import type { Variable } from '@minikeras/tensor';
import { Optimizer } from './optimizer';
import type { SlotSpec, StepInfo } from './optimizer';
import { BASE_DEFAULTS, Check, resolveOptions } from './options';
import type { BaseOptimizerConfig, OptimizerOptions } from './options';

/** The full configuration of {@link Adafactor}, as `getConfig()` returns it (Keras 3's options, camelCase). */
export type AdafactorConfig = BaseOptimizerConfig & {
  /** beta2_t = 1 - t^beta2Decay (<= 0). */
  beta2Decay: number;
  /** Added to g^2, keeps the second moment away from 0. */
  epsilon1: number;
  /** Floor of the parameter scale rms(w), so zero-initialized weights still move. */
  epsilon2: number;
  /** Update clipping threshold d of the paper (independent of clipnorm/clipvalue). */
  clipThreshold: number;
  /** Caps the learning rate at 1/sqrt(t) (Keras applies the cap in either case; kept for config compatibility). */
  relativeStep: boolean;
};
/** What `new Adafactor(options)` takes: any subset of {@link AdafactorConfig} (the rest are Keras 3's defaults), or `lr`. */
export type AdafactorOptions = OptimizerOptions<AdafactorConfig>;

export const ADAFACTOR_DEFAULTS: AdafactorConfig = {
  name: 'adafactor', learningRate: 0.001, ...BASE_DEFAULTS,
  beta2Decay: -0.8, epsilon1: 1e-30, epsilon2: 1e-3, clipThreshold: 1.0, relativeStep: true,
};

/**
 * Adafactor (Shazeer & Stern 2018), Keras 3. For variables of rank >= 2 the second moment of the last two axes
 * is factored into row and column averages (memory O(rows + cols)); smaller variables keep it unfactored.
 *   t = iterations + 1;  rho = min(lr, 1/sqrt(t));  alpha = max(epsilon2, rms(w)) * rho;  b = 1 - t^beta2Decay
 *   r = b r + (1-b) mean_cols(g^2 + eps1);  c = b c + (1-b) mean_rows(g^2 + eps1);  v = (r / mean(r)) c
 *   (rank < 2: v = b v + (1-b)(g^2 + eps1));  u = g / sqrt(v);  w -= alpha * u / max(1, rms(u) / clipThreshold)
 */
export class Adafactor extends Optimizer {
  readonly className = 'Adafactor';
  readonly beta2Decay: number;
  readonly epsilon1: number;
  readonly epsilon2: number;
  readonly clipThreshold: number;
  readonly relativeStep: boolean;

  constructor(options: AdafactorOptions = {}) {
    const o = resolveOptions('Adafactor', ADAFACTOR_DEFAULTS, options);
    super('Adafactor', o);
    const c = new Check('Adafactor');
    this.beta2Decay = c.number('beta2Decay', o.beta2Decay, -Infinity, 0);
    this.epsilon1 = c.positive('epsilon1', o.epsilon1);
    this.epsilon2 = c.positive('epsilon2', o.epsilon2);
    this.clipThreshold = c.positive('clipThreshold', o.clipThreshold);
    this.relativeStep = c.boolean('relativeStep', o.relativeStep);
  }

  /** Keras' r (shape[:-1]) and c (shape[:-2] + [last]); scalar placeholders below rank 2. Then the full v. */
  protected slotSpecs(v: Variable): SlotSpec[] {
    const s = v.shape;
    const factored = s.length >= 2;
    return [
      { name: 'r', shape: factored ? s.slice(0, -1) : [] },
      { name: 'c', shape: factored ? [...s.slice(0, -2), s[s.length - 1]!] : [] },
      { name: 'velocity' },
    ];
  }

  protected override slotGroups(): string[][] {
    return [['r', 'c', 'velocity']];
  }

  protected updateStep(p: Float32Array, g: Float32Array, slots: Float32Array[], s: StepInfo): void {
    const shape = s.variable.shape;
    const t = s.iteration + 1;
    const rhoT = Math.min(s.lr, 1 / Math.sqrt(t));
    const beta2T = 1 - Math.pow(t, this.beta2Decay);
    const factored = shape.length >= 2;
    const rows = factored ? shape[shape.length - 2]! : 1;
    const cols = factored ? shape[shape.length - 1]! : p.length;
    const batch = factored ? p.length / Math.max(1, rows * cols) : 1;
    kernels().adafactorUpdate(p, g, factored ? slots[0]! : null, factored ? slots[1]! : null, slots[2]!, batch, rows, cols, rhoT, beta2T, this.epsilon1, this.epsilon2, this.clipThreshold, s.keep, s.gscale);
  }

  override getConfig(): AdafactorConfig {
    return { ...super.getConfig(), beta2Decay: this.beta2Decay, epsilon1: this.epsilon1, epsilon2: this.epsilon2, clipThreshold: this.clipThreshold, relativeStep: this.relativeStep };
  }
}
