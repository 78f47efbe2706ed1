/**
 * Prints Keras' training progress: `Epoch 3/10` and a live bar per epoch (`verbose: 1`), or one line per
 * epoch (`verbose: 2`). `fit` adds one automatically when `verbose > 0`, after the user's callbacks (as
 * Keras does) so the final line includes what they added to the logs, e.g. `learning_rate`.
 *
 * Output goes to `process.stdout` in Node, redrawn in place when it is a TTY and one clean line per epoch
 * otherwise (CI logs, pipes). In a browser (no `process`) each finished line goes to `console.log`.
 */
import { Callback } from './callback';
import type { Logs, TrainingParams } from './callback';
import { Progbar } from '../training/progbar';

/** Options of {@link ProgbarLogger}: the output sink, clock and display mode. */
export interface ProgbarLoggerOptions {
  /** Output sink; receives raw text with newlines. Default: `process.stdout.write`, or `console.log` per line. */
  write?: (s: string) => void;
  /** Redraw in place with ANSI colors. Default: `process.stdout.isTTY` in Node, false elsewhere. */
  isTty?: boolean;
  /** Clock in seconds (for tests). */
  now?: () => number;
  /** Bar width. Default 20. */
  width?: number;
  /** Display mode regardless of `fit({ verbose })`, e.g. a custom sink with `verbose: 0`. Default: fit's. */
  verbose?: 1 | 2;
}

interface NodeStdout { isTTY?: boolean; write(s: string): unknown }

function nodeStdout(): NodeStdout | null {
  const proc = (globalThis as { process?: { stdout?: NodeStdout } }).process;
  return proc?.stdout && typeof proc.stdout.write === 'function' ? proc.stdout : null;
}

/**
 * Prints `fit`'s progress, a live bar or one line per epoch (Keras 3 `keras.callbacks.ProgbarLogger`); `fit` adds
 * one itself when `verbose > 0`.
 */
export class ProgbarLogger extends Callback<never> {
  /** Steps per epoch; learned from the first epoch when the data is an iterable of unknown length. */
  target: number | null = null;
  verbose: 0 | 1 | 2 = 1;
  epochs = 1;
  /** Steps seen in the current epoch (one-based index of the last finished step). */
  seen = 0;
  progbar: Progbar | null = null;
  readonly isTty: boolean;
  private readonly write: (s: string) => void;
  private readonly now: (() => number) | undefined;
  private readonly width: number | undefined;
  private readonly verboseOverride: 1 | 2 | undefined;
  private calledInFit = false;

  constructor(options: ProgbarLoggerOptions = {}) {
    super();
    const stdout = nodeStdout();
    this.isTty = options.isTty ?? stdout?.isTTY === true;
    this.write = options.write ?? (stdout ? (s) => { stdout.write(s); } : consoleSink());
    this.now = options.now;
    this.width = options.width;
    this.verboseOverride = options.verbose;
    if (this.verboseOverride !== undefined) this.verbose = this.verboseOverride;
    this.onBatchEnd = this.trainBatchEnd;
  }

  override setParams(params: TrainingParams): void {
    super.setParams(params);
    this.verbose = this.verboseOverride ?? params.verbose;
    this.epochs = params.epochs;
    this.target = params.steps;
    // Batch hooks cost the training loop per-batch logs; only a live bar or an unknown step count needs
    // them. The loop decides from `onBatchEnd !== Callback.prototype.onBatchEnd` (CallbackList.wantsBatchHooks).
    const needsBatches = (this.verbose === 1 && this.isTty) || this.target === null;
    this.onBatchEnd = needsBatches ? this.trainBatchEnd : Callback.prototype.onBatchEnd;
  }

  override onTrainBegin(_logs?: Logs): void {
    // Inside fit, validation runs silently under the epoch's bar.
    this.calledInFit = true;
  }

  override onTrainEnd(_logs?: Logs): void {
    this.calledInFit = false;
  }

  override onEpochBegin(epoch: number, _logs?: Logs): void {
    this.resetProgbar();
    this.maybeInitProgbar();
    if (this.verbose && this.epochs > 1) this.write(`Epoch ${epoch + 1}/${this.epochs}\n`);
  }

  override onEpochEnd(_epoch: number, logs: Logs): void {
    this.finalizeProgbar(logs);
  }

  private readonly trainBatchEnd = (batch: number, logs: Logs): void => {
    this.updateProgbar(batch, logs);
  };

  override onTestBegin(_logs?: Logs): void {
    if (!this.calledInFit) {
      this.resetProgbar();
      this.maybeInitProgbar();
    }
  }

  override onTestBatchEnd(batch: number, logs: Logs): void {
    if (!this.calledInFit) this.updateProgbar(batch, logs);
  }

  override onTestEnd(logs: Logs): void {
    if (!this.calledInFit) this.finalizeProgbar(logs);
  }

  override onPredictBegin(_logs?: Logs): void {
    this.resetProgbar();
    this.maybeInitProgbar();
  }

  override onPredictBatchEnd(batch: number, _logs?: Logs): void {
    // Predictions are not logs: the bar shows progress only.
    this.updateProgbar(batch, {});
  }

  override onPredictEnd(_logs?: Logs): void {
    this.finalizeProgbar({});
  }

  private resetProgbar(): void {
    this.seen = 0;
    this.progbar = null;
  }

  private maybeInitProgbar(): Progbar {
    if (this.progbar === null) {
      this.progbar = new Progbar({
        target: this.target,
        verbose: this.verbose,
        isTty: this.isTty,
        write: this.write,
        ...(this.now ? { now: this.now } : {}),
        ...(this.width !== undefined ? { width: this.width } : {}),
      });
    }
    return this.progbar;
  }

  private updateProgbar(batch: number, logs: Logs): void {
    const progbar = this.maybeInitProgbar();
    this.seen = batch + 1;
    if (this.verbose === 1) progbar.update(this.seen, logs, false);
  }

  private finalizeProgbar(logs: Logs): void {
    const progbar = this.maybeInitProgbar();
    if (this.target === null) {
      this.target = this.seen;
      progbar.target = this.seen;
    }
    progbar.update(this.target, logs, true);
  }
}

/** Browser sink: one `console.log` per finished line (there is no way to redraw a console line). */
function consoleSink(): (s: string) => void {
  let pending = '';
  return (s) => {
    pending += s;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      console.log(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
    }
  };
}
