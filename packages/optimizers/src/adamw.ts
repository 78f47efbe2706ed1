import { Adam } from './adam';
import type { AdamConfig } from './adam';
import type { OptimizerOptions } from './options';
import { ADAM_DEFAULTS } from './adam';

/** The full configuration of {@link AdamW}, as `getConfig()` returns it (Keras 3's options, camelCase). */
export type AdamWConfig = AdamConfig & {
  /** Decoupled weight decay (Loshchilov & Hutter 2019); required, default 0.004. */
  weightDecay: number;
};
/** What `new AdamW(options)` takes: any subset of {@link AdamWConfig} (the rest are Keras 3's defaults), or `lr`. */
export type AdamWOptions = OptimizerOptions<AdamWConfig>;

export const ADAMW_DEFAULTS: AdamWConfig = { ...ADAM_DEFAULTS, name: 'adamw', weightDecay: 0.004 };

/**
 * AdamW: Adam plus decoupled weight decay, applied before each update as Keras does:
 *   w -= w * weightDecay * lr;  then the Adam step.
 */
export class AdamW extends Adam {
  protected static override readonly kerasName: string = 'AdamW';
  protected static override readonly defaults: AdamWConfig = ADAMW_DEFAULTS;
  override readonly className: string = 'AdamW';
  declare readonly weightDecay: number;

  constructor(options: AdamWOptions = {}) {
    super(options);
    if (this.weightDecay === null) throw new Error("AdamW: 'weightDecay' must be a number, got null");
  }

  override getConfig(): AdamWConfig {
    return { ...super.getConfig(), weightDecay: this.weightDecay };
  }
}
