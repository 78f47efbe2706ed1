/**
 * Type-level tests (compiled by the root `tsc`): a callback's monitored key must be one the model logs.
 */
import type { Callback } from './callback';
import { CSVLogger } from './csv-logger';
import { EarlyStopping } from './early-stopping';
import { LambdaCallback } from './lambda-callback';
import { LearningRateScheduler } from './learning-rate-scheduler';
import { ModelCheckpoint } from './model-checkpoint';
import { ProgbarLogger } from './progbar-logger';
import { ReduceLROnPlateau } from './reduce-lr-on-plateau';
import { TerminateOnNaN } from './terminate-on-nan';

type AccuracyLogs = 'loss' | 'val_loss' | 'accuracy' | 'val_accuracy';

export const ok: Callback<AccuracyLogs>[] = [
  new EarlyStopping({ monitor: 'val_accuracy' }),
  new EarlyStopping(),
  new EarlyStopping({ monitor: 'loss', patience: 3 }),
  new ReduceLROnPlateau({ monitor: 'val_accuracy' }),
  new ReduceLROnPlateau(),
  new ModelCheckpoint('best-{epoch}', { monitor: 'val_accuracy', saveBestOnly: true }),
  new ModelCheckpoint('last'),
  // Callbacks that read no monitored key fit any list.
  new TerminateOnNaN(),
  new LearningRateScheduler((_epoch, lr) => lr),
  new CSVLogger('log.csv'),
  new LambdaCallback({ onEpochEnd: () => {} }),
  new ProgbarLogger(),
];

// @ts-expect-error 'val_acc' is not logged when the metric is named 'accuracy'
export const badEarlyStopping: Callback<AccuracyLogs>[] = [new EarlyStopping({ monitor: 'val_acc' })];

// @ts-expect-error the same for ReduceLROnPlateau
export const badReduce: Callback<AccuracyLogs>[] = [new ReduceLROnPlateau({ monitor: 'val_acc' })];

// @ts-expect-error and for ModelCheckpoint
export const badCheckpoint: Callback<AccuracyLogs>[] = [new ModelCheckpoint('m', { monitor: 'val_acc' })];

// @ts-expect-error a model without validation data logs no 'val_loss', EarlyStopping's default monitor
export const noValidation: Callback<'loss'>[] = [new EarlyStopping()];

export const trainOnly: Callback<'loss'>[] = [new TerminateOnNaN(), new EarlyStopping({ monitor: 'loss' })];

// The monitored key is kept as a literal type.
export const monitor: 'val_accuracy' = new EarlyStopping({ monitor: 'val_accuracy' }).monitor;

// @ts-expect-error patience is a number
export const badOption = new EarlyStopping({ patience: '3' });

// @ts-expect-error verbose is 0 or 1
export const badVerbose = new ReduceLROnPlateau({ verbose: 3 });

// @ts-expect-error saveFreq is 'epoch' or a number
export const badFreq = new ModelCheckpoint('m', { saveFreq: 'batch' });
