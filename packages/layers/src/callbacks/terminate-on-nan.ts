/**
 * Stops training at the end of the first batch whose loss is NaN or infinite (Keras 3 `TerminateOnNaN`),
 * printing `Batch 7: Invalid loss, terminating training`. `stoppedBatch`/`stoppedEpoch` say where.
 */
import { Callback } from './callback';
import type { Logs } from './callback';
import { printMessage, requireModel } from './monitor';

/** Options of {@link TerminateOnNaN}. */
export interface TerminateOnNaNOptions {
  /**
   * Throw instead of stopping gracefully: `fit` rejects at once and no later hook (`onTrainEnd` of other
   * callbacks, e.g. EarlyStopping's weight restore) runs. Default false.
   */
  raiseError?: boolean;
}

// Reads `loss`, which every compiled model logs, so it fits any typed model's callback list.
/** Stops training at the first batch whose loss is NaN or infinite (Keras 3 `keras.callbacks.TerminateOnNaN`). */
export class TerminateOnNaN extends Callback<never> {
  readonly raiseError: boolean;
  /** Zero-based batch index (within its epoch) whose loss was invalid; null while training is healthy. */
  stoppedBatch: number | null = null;
  /** Zero-based epoch of `stoppedBatch`. */
  stoppedEpoch: number | null = null;
  private epoch = 0;

  constructor(options: TerminateOnNaNOptions = {}) {
    super();
    this.raiseError = options.raiseError ?? false;
  }

  override onTrainBegin(_logs?: Logs): void {
    this.stoppedBatch = null;
    this.stoppedEpoch = null;
    this.epoch = 0;
  }

  override onEpochBegin(epoch: number, _logs?: Logs): void {
    this.epoch = epoch;
  }

  override onBatchEnd(batch: number, logs: Logs): void {
    const loss = logs['loss'];
    if (loss === undefined || Number.isFinite(loss)) return;
    this.stoppedBatch = batch;
    this.stoppedEpoch = this.epoch;
    if (this.raiseError) {
      throw new Error(`TerminateOnNaN: NaN or Inf loss encountered at batch ${batch} (epoch ${this.epoch + 1}). Loss value: ${loss}. Terminating training immediately.`);
    }
    printMessage(`Batch ${batch}: Invalid loss, terminating training`);
    requireModel('TerminateOnNaN', this.model).stopTraining = true;
  }
}
