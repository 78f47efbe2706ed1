/**
 * Callbacks driven by a fake model and hand-written log sequences. The expected stop epochs, learning
 * rates and saved paths are traced by hand from Keras 3's code (keras/src/callbacks/*.py) in the comments.
 */
import { Tensor, Variable, tensor } from '@minikeras/tensor';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Callback, CallbackList } from './callback';
import type { CallbackModel, Logs } from './callback';
import { EarlyStopping } from './early-stopping';
import { LambdaCallback } from './lambda-callback';
import { LearningRateScheduler } from './learning-rate-scheduler';
import { ModelCheckpoint } from './model-checkpoint';
import { inferMonitorMode } from './monitor';
import { ReduceLROnPlateau } from './reduce-lr-on-plateau';
import { TerminateOnNaN } from './terminate-on-nan';

/** Hands out its live variables (as a model may), so callbacks must copy what they keep. */
class FakeModel implements CallbackModel {
  stopTraining = false;
  optimizer = { learningRate: 0.1 };
  readonly weights = [new Variable(tensor([0, 0])), new Variable(tensor([0]))];
  getWeights(): Tensor[] { return this.weights; }
  setWeights(weights: readonly Tensor[]): void { weights.forEach((w, i) => this.weights[i]!.assign(w)); }
  /** "Training" during epoch e sets every weight to e. */
  train(epoch: number): void { for (const w of this.weights) w.values.fill(epoch); }
  weightValues(): number[][] { return this.weights.map((w) => Array.from(w.values)); }
}

class SavingModel extends FakeModel {
  saved: string[] = [];
  weightSaves: string[] = [];
  async save(path: string): Promise<void> { await Promise.resolve(); this.saved.push(path); }
  async saveWeights(path: string): Promise<void> { await Promise.resolve(); this.weightSaves.push(path); }
}

interface DriveOptions { batchLosses?: number[][] }

/** A minimal fit loop: epoch hooks with the given logs, optional batch hooks, stops on `stopTraining`. */
async function drive(callbacks: Callback<string>[], model: FakeModel, epochLogs: Logs[], options: DriveOptions = {}): Promise<Logs[]> {
  const list = new CallbackList(callbacks, model, { epochs: epochLogs.length, steps: options.batchLosses?.[0]?.length ?? 1, verbose: 0 });
  const seen: Logs[] = [];
  await list.trainBegin();
  for (let epoch = 0; epoch < epochLogs.length; epoch++) {
    await list.epochBegin(epoch);
    model.train(epoch);
    for (const [batch, loss] of (options.batchLosses?.[epoch] ?? []).entries()) {
      await list.batchBegin(batch);
      await list.batchEnd(batch, { loss });
      if (model.stopTraining) break;
    }
    const logs = { ...epochLogs[epoch] };
    await list.epochEnd(epoch, logs);
    seen.push(logs);
    if (model.stopTraining) break;
  }
  await list.trainEnd();
  return seen;
}

const valLoss = (...values: number[]): Logs[] => values.map((v) => ({ loss: v, val_loss: v }));

let log: ReturnType<typeof vi.spyOn>;
let warn: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  log = vi.spyOn(console, 'log').mockImplementation(() => {});
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

describe('EarlyStopping', () => {
  it('stops after `patience` epochs without improvement', async () => {
    const model = new FakeModel();
    const es = new EarlyStopping({ patience: 2, verbose: 1 });
    // e0 1.0 best; e1 0.9 best; e2 0.95 wait=1; e3 0.94 wait=2 >= 2 -> stop at epoch 3 (4 epochs run).
    const run = await drive([es], model, valLoss(1.0, 0.9, 0.95, 0.94, 0.93, 0.5));
    expect(run).toHaveLength(4);
    expect(es.stoppedEpoch).toBe(3);
    expect(es.best).toBe(0.9);
    expect(log).toHaveBeenCalledWith('Epoch 4: early stopping');
  });

  it('never stops at epoch 0, even with patience 0 (Keras)', async () => {
    const model = new FakeModel();
    const es = new EarlyStopping({ monitor: 'loss' });
    // e0 NaN: no improvement, wait=1 >= 0 but epoch 0; e1 1.0 improves; e2 1.1 wait=1 -> stop.
    const run = await drive([es], model, valLoss(NaN, 1.0, 1.1, 0.1));
    expect(run).toHaveLength(3);
    expect(es.stoppedEpoch).toBe(2);
  });

  it('counts changes smaller than minDelta (sign ignored) as no improvement', async () => {
    // 0.95 + 0.1 < 1.0 is false -> wait=1 >= 1 at epoch 1. Without minDelta 0.95 would improve.
    const withDelta = new EarlyStopping({ minDelta: -0.1, patience: 1 });
    expect(await drive([withDelta], new FakeModel(), valLoss(1.0, 0.95, 0.85))).toHaveLength(2);
    const without = new EarlyStopping({ patience: 1 });
    expect(await drive([without], new FakeModel(), valLoss(1.0, 0.95, 0.85))).toHaveLength(3);
  });

  it('maximizes accuracy-like metrics in auto mode and honours explicit modes', async () => {
    const acc = (...v: number[]) => v.map((x) => ({ val_accuracy: x, val_score: x }));
    // max: e0 0.5; e1 0.6 best; e2 0.55 wait=1 >= 1 -> stop.
    const auto = new EarlyStopping({ monitor: 'val_accuracy', patience: 1 });
    expect(auto.mode).toBe('max');
    expect(await drive([auto], new FakeModel(), acc(0.5, 0.6, 0.55, 0.7))).toHaveLength(3);
    // Forced min on the same sequence: e1 0.6 is worse than 0.5 -> stop at epoch 1.
    const min = new EarlyStopping({ monitor: 'val_accuracy', mode: 'min', patience: 1 });
    expect(await drive([min], new FakeModel(), acc(0.5, 0.6, 0.55, 0.7))).toHaveLength(2);
    const custom = new EarlyStopping({ monitor: 'val_score', mode: 'max', patience: 1 });
    expect(await drive([custom], new FakeModel(), acc(0.5, 0.6, 0.55, 0.7))).toHaveLength(3);
  });

  it('infers the direction from Keras metric names and rejects names it cannot classify', () => {
    expect(inferMonitorMode('val_loss')).toBe('min');
    expect(inferMonitorMode('loss')).toBe('min');
    expect(inferMonitorMode('val_auc')).toBe('max');
    expect(inferMonitorMode('precision')).toBe('max');
    expect(inferMonitorMode('val_sparse_categorical_accuracy')).toBe('max');
    expect(inferMonitorMode('val_mean_squared_error')).toBe('min');
    expect(inferMonitorMode('val_mae')).toBe('min');
    expect(inferMonitorMode('cosine_similarity')).toBe('max');
    expect(inferMonitorMode('val_score')).toBeNull();
    expect(() => new EarlyStopping({ monitor: 'val_score' })).toThrow(
      "EarlyStopping: cannot tell from monitor='val_score' whether it should be maximized or minimized. Pass mode: 'max' to use the highest value, or mode: 'min' to use the lowest.",
    );
    // @ts-expect-error 'down' is not a mode
    expect(() => new EarlyStopping({ mode: 'down' })).toThrow(`EarlyStopping: mode must be 'auto', 'min' or 'max', got "down"`);
    expect(() => new EarlyStopping({ patience: -1 })).toThrow('EarlyStopping: patience must be a non-negative integer, got -1');
  });

  it('with a baseline, improvements that do not beat it keep the wait counting', async () => {
    // baseline 0.5: e0 0.9 improves on inf but not on 0.5 -> wait stays 1; e1 0.95 wait=2 >= 2 -> stop.
    const es = new EarlyStopping({ baseline: 0.5, patience: 2 });
    expect(await drive([es], new FakeModel(), valLoss(0.9, 0.95, 0.3))).toHaveLength(2);
    // Without the baseline e1 is only wait=1: training continues.
    expect(await drive([new EarlyStopping({ patience: 2 })], new FakeModel(), valLoss(0.9, 0.95, 0.3))).toHaveLength(3);
    // Beating the baseline resets the wait: e0 0.4 (wait 0), e1 wait 1, e2 wait 2 -> stop at epoch 2.
    expect(await drive([new EarlyStopping({ baseline: 0.5, patience: 2 })], new FakeModel(), valLoss(0.4, 0.45, 0.44, 0.1))).toHaveLength(3);
  });

  it('restoreBestWeights restores the best epoch when stopped by patience', async () => {
    const model = new FakeModel();
    const es = new EarlyStopping({ patience: 2, restoreBestWeights: true, verbose: 1 });
    // Best val_loss 0.5 at epoch 1 (weights all 1); stop at epoch 3 whose weights are all 3.
    await drive([es], model, valLoss(1.0, 0.5, 0.7, 0.8, 0.1));
    expect(es.stoppedEpoch).toBe(3);
    expect(model.weightValues()).toEqual([[1, 1], [1]]);
    expect(log).toHaveBeenCalledWith('Restoring model weights from the end of the best epoch: 2.');
  });

  it('restoreBestWeights also restores when training ends without stopping', async () => {
    const model = new FakeModel();
    const es = new EarlyStopping({ patience: 5, restoreBestWeights: true });
    await drive([es], model, valLoss(1.0, 0.2, 0.7));
    expect(es.stoppedEpoch).toBe(0);
    expect(model.weightValues()).toEqual([[1, 1], [1]]);
  });

  it('startFromEpoch ignores warm-up epochs', async () => {
    const model = new FakeModel();
    const es = new EarlyStopping({ patience: 1, startFromEpoch: 2, restoreBestWeights: true });
    // e0/e1 ignored (their 0.1/0.2 would otherwise be the best); e2 0.5 best; e3 0.6 wait=1 -> stop.
    const run = await drive([es], model, valLoss(0.1, 0.2, 0.5, 0.6, 0.7));
    expect(run).toHaveLength(4);
    expect(es.bestEpoch).toBe(2);
    expect(model.weightValues()).toEqual([[2, 2], [2]]);
  });

  it('warns once and never stops when the monitored key is missing', async () => {
    const es = new EarlyStopping({ monitor: 'val_loss', patience: 0 });
    const run = await drive([es], new FakeModel(), [{ loss: 1 }, { loss: 2 }, { loss: 3 }]);
    expect(run).toHaveLength(3);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith('EarlyStopping conditioned on metric `val_loss` which is not available. Available metrics are: loss');
  });

  it('starts fresh when reused in a second fit', async () => {
    const es = new EarlyStopping({ patience: 1 });
    await drive([es], new FakeModel(), valLoss(0.1, 0.2));
    expect(es.stoppedEpoch).toBe(1);
    // A kept best of 0.1 would stop this run at epoch 1; fresh, 1.0 then 0.9 improve.
    expect(await drive([es], new FakeModel(), valLoss(1.0, 0.9, 0.8))).toHaveLength(3);
  });
});

describe('ReduceLROnPlateau', () => {
  const lrs = (run: Logs[]) => run.map((l) => l['learning_rate']);

  it('multiplies the learning rate by factor after patience epochs, logging the rate of each epoch', async () => {
    const model = new FakeModel();
    const cb = new ReduceLROnPlateau({ factor: 0.5, patience: 1, minDelta: 0 });
    // e0 improves; e1, e2, e3 flat: wait hits 1 each epoch -> 0.1 * 0.5^3.
    const run = await drive([cb], model, valLoss(1, 1, 1, 1));
    // learning_rate is logged before the epoch's reduction, as in Keras.
    expect(lrs(run)).toEqual([0.1, 0.1, 0.05, 0.025]);
    expect(model.optimizer.learningRate).toBe(0.0125);
  });

  it('waits `cooldown` epochs after a reduction', async () => {
    const model = new FakeModel();
    const cb = new ReduceLROnPlateau({ factor: 0.5, patience: 1, cooldown: 2, minDelta: 0 });
    // e1 reduce (counter=2); e2 counter->1; e3 counter->0, wait=1 -> reduce (counter=2); e4 counter->1;
    // e5 counter->0, reduce.
    const run = await drive([cb], model, valLoss(1, 1, 1, 1, 1, 1));
    expect(lrs(run)).toEqual([0.1, 0.1, 0.05, 0.05, 0.025, 0.025]);
    expect(model.optimizer.learningRate).toBe(0.0125);
  });

  it('never goes below minLr and stops announcing once there', async () => {
    const model = new FakeModel();
    const cb = new ReduceLROnPlateau({ factor: 0.1, patience: 1, minLr: 0.005, verbose: 1 });
    // e1: 0.1 * 0.1 = 0.010000000000000002 (float64, as in Python); e2: max(0.001, 0.005) = 0.005; e3: at the floor.
    await drive([cb], model, valLoss(1, 1, 1, 1));
    expect(model.optimizer.learningRate).toBe(0.005);
    expect(log.mock.calls).toEqual([
      ['\nEpoch 2: ReduceLROnPlateau reducing learning rate to 0.010000000000000002.'],
      ['\nEpoch 3: ReduceLROnPlateau reducing learning rate to 0.005.'],
    ]);
  });

  it('treats changes within the default minDelta 1e-4 as a plateau', async () => {
    const model = new FakeModel();
    // 0.99995 < 1 - 1e-4 is false -> plateau -> reduce at e1.
    await drive([new ReduceLROnPlateau({ patience: 1 })], model, valLoss(1, 0.99995));
    expect(model.optimizer.learningRate).toBeCloseTo(0.01, 15);
    const model2 = new FakeModel();
    await drive([new ReduceLROnPlateau({ patience: 1 })], model2, valLoss(1, 0.9998));
    expect(model2.optimizer.learningRate).toBe(0.1);
  });

  it('maximizes accuracy in auto mode', async () => {
    const model = new FakeModel();
    const cb = new ReduceLROnPlateau({ monitor: 'val_accuracy', patience: 1 });
    await drive([cb], model, [{ val_accuracy: 0.5 }, { val_accuracy: 0.6 }, { val_accuracy: 0.7 }]);
    expect(model.optimizer.learningRate).toBe(0.1);
    await drive([cb], model, [{ val_accuracy: 0.5 }, { val_accuracy: 0.4 }]);
    expect(model.optimizer.learningRate).toBeCloseTo(0.01, 15);
  });

  it('rejects a factor outside [0, 1)', () => {
    expect(() => new ReduceLROnPlateau({ factor: 1 })).toThrow('ReduceLROnPlateau does not support a factor outside [0, 1). Received factor=1');
  });
});

describe('LearningRateScheduler', () => {
  it('reproduces the Keras docstring example: 0.01 kept for 10 epochs, then * exp(-0.1) -> 0.00607 after 15', async () => {
    const model = new FakeModel();
    model.optimizer.learningRate = 0.01;
    const cb = new LearningRateScheduler((epoch, lr) => (epoch < 10 ? lr : lr * Math.exp(-0.1)));
    const run = await drive([cb], model, Array.from({ length: 15 }, () => ({ loss: 1 })));
    // 0.01 * exp(-0.5) = 0.0060653 -> round(, 5) = 0.00607 (Keras doc).
    expect(Math.round(model.optimizer.learningRate * 1e5) / 1e5).toBe(0.00607);
    expect(run[9]!['learning_rate']).toBe(0.01);
    expect(run[10]!['learning_rate']).toBeCloseTo(0.01 * Math.exp(-0.1), 15);
  });

  it('passes the zero-based epoch, prints with verbose, and rejects a non-number', async () => {
    const model = new FakeModel();
    const epochs: number[] = [];
    await drive([new LearningRateScheduler((epoch) => { epochs.push(epoch); return 0.5 / (epoch + 1); }, { verbose: 1 })], model, [{ loss: 1 }, { loss: 1 }]);
    expect(epochs).toEqual([0, 1]);
    expect(log.mock.calls).toEqual([
      ['\nEpoch 1: LearningRateScheduler setting learning rate to 0.5.'],
      ['\nEpoch 2: LearningRateScheduler setting learning rate to 0.25.'],
    ]);
    const bad = new LearningRateScheduler(() => NaN);
    await expect(drive([bad], new FakeModel(), [{ loss: 1 }])).rejects.toThrow('LearningRateScheduler: the schedule function must return a finite number, got NaN at epoch 0');
  });
});

describe('TerminateOnNaN', () => {
  it('stops at the first NaN batch loss and names the batch', async () => {
    const model = new FakeModel();
    const cb = new TerminateOnNaN();
    const run = await drive([cb], model, [{ loss: 1 }, { loss: 1 }, { loss: 1 }], { batchLosses: [[0.5, 0.4, 0.3], [0.2, NaN, NaN], [0.1, 0.1, 0.1]] });
    expect(run).toHaveLength(2);
    expect(model.stopTraining).toBe(true);
    expect(cb.stoppedBatch).toBe(1);
    expect(cb.stoppedEpoch).toBe(1);
    expect(log).toHaveBeenCalledTimes(1);
    expect(log).toHaveBeenCalledWith('Batch 1: Invalid loss, terminating training');
  });

  it('treats an infinite loss as invalid, and can throw instead', async () => {
    const inf = new TerminateOnNaN();
    await drive([inf], new FakeModel(), [{ loss: 1 }], { batchLosses: [[Infinity]] });
    expect(inf.stoppedBatch).toBe(0);
    const strict = new TerminateOnNaN({ raiseError: true });
    await expect(drive([strict], new FakeModel(), [{ loss: 1 }], { batchLosses: [[0.3, -Infinity]] })).rejects.toThrow(
      'TerminateOnNaN: NaN or Inf loss encountered at batch 1 (epoch 1). Loss value: -Infinity. Terminating training immediately.',
    );
  });

  it('leaves healthy training alone', async () => {
    const model = new FakeModel();
    const cb = new TerminateOnNaN();
    await drive([cb], model, [{ loss: 1 }], { batchLosses: [[0.5, 0.4]] });
    expect(model.stopTraining).toBe(false);
    expect(cb.stoppedBatch).toBeNull();
  });
});

describe('LambdaCallback', () => {
  it('calls the given functions with Keras arguments, awaiting async ones', async () => {
    const calls: string[] = [];
    const cb = new LambdaCallback({
      onTrainBegin: () => { calls.push('trainBegin'); },
      onEpochBegin: (epoch) => { calls.push(`epochBegin ${epoch}`); },
      onBatchEnd: async (batch, logs) => { await Promise.resolve(); calls.push(`batchEnd ${batch} ${logs['loss']}`); },
      onEpochEnd: (epoch, logs) => { calls.push(`epochEnd ${epoch} ${logs['loss']}`); },
      onTrainEnd: () => { calls.push('trainEnd'); },
    });
    await drive([cb], new FakeModel(), [{ loss: 0.5 }], { batchLosses: [[0.7, 0.6]] });
    expect(calls).toEqual(['trainBegin', 'epochBegin 0', 'batchEnd 0 0.7', 'batchEnd 1 0.6', 'epochEnd 0 0.5', 'trainEnd']);
  });

  it('installs only the given hooks, so the loop can skip batch logs', () => {
    const model = new FakeModel();
    const params = { epochs: 1, steps: 1, verbose: 0 as const };
    expect(new CallbackList([new LambdaCallback({ onEpochEnd: () => {} })], model, params).wantsBatchHooks).toBe(false);
    expect(new CallbackList([new LambdaCallback({ onBatchBegin: () => {} })], model, params).wantsBatchHooks).toBe(true);
  });

  it('rejects unknown hook names', () => {
    // @ts-expect-error Keras' on_train_batch_end is onBatchEnd here
    expect(() => new LambdaCallback({ onTrainBatchEnd: () => {} })).toThrow("LambdaCallback: unknown option 'onTrainBatchEnd'; expected one of onEpochBegin, onEpochEnd, onBatchBegin, onBatchEnd, onTrainBegin, onTrainEnd");
  });
});

describe('ModelCheckpoint', () => {
  it('keeps the best weights in memory when the model cannot save', async () => {
    const model = new FakeModel();
    const cb = new ModelCheckpoint('ckpt-{epoch:02d}-{val_loss:.2f}', { saveBestOnly: true });
    // Best val_loss 0.4 at epoch 1 (weights all 1); later epochs do not improve.
    await drive([cb], model, valLoss(0.5, 0.4, 0.6));
    expect(cb.bestEpoch).toBe(1);
    expect(cb.lastSavedPath).toBe('ckpt-02-0.40');
    expect(cb.bestWeights!.map((w) => Array.from(w.values))).toEqual([[1, 1], [1]]);
    expect(model.weightValues()).toEqual([[2, 2], [2]]);
    model.setWeights(cb.bestWeights!);
    expect(model.weightValues()).toEqual([[1, 1], [1]]);
  });

  it('calls model.save with the formatted path every epoch, awaiting it', async () => {
    const model = new SavingModel();
    const cb = new ModelCheckpoint('out/m-{epoch}', { verbose: 1 });
    await drive([cb], model, valLoss(0.5, 0.4, 0.6));
    expect(model.saved).toEqual(['out/m-1', 'out/m-2', 'out/m-3']);
    expect(cb.bestWeights).toBeNull();
    expect(log.mock.calls.slice(0, 2)).toEqual([['\nEpoch 1: saving model to out/m-1'], ['\nEpoch 1: finished saving model to out/m-1']]);
  });

  it('with saveBestOnly saves only improvements and says so', async () => {
    const model = new SavingModel();
    const cb = new ModelCheckpoint('best', { saveBestOnly: true, monitor: 'val_accuracy', verbose: 1 });
    await drive([cb], model, [{ val_accuracy: 0.5 }, { val_accuracy: 0.4 }, { val_accuracy: 0.75 }]);
    expect(model.saved).toEqual(['best', 'best']);
    expect(log.mock.calls).toEqual([
      ['\nEpoch 1: val_accuracy improved from -inf to 0.50000, saving model to best'],
      ['\nEpoch 1: finished saving model to best'],
      ['\nEpoch 2: val_accuracy did not improve from 0.50000'],
      ['\nEpoch 3: val_accuracy improved from 0.50000 to 0.75000, saving model to best'],
      ['\nEpoch 3: finished saving model to best'],
    ]);
  });

  it('initialValueThreshold skips models not better than it', async () => {
    const model = new SavingModel();
    await drive([new ModelCheckpoint('m{epoch}', { saveBestOnly: true, initialValueThreshold: 0.3 })], model, valLoss(0.5, 0.4, 0.2));
    expect(model.saved).toEqual(['m3']);
  });

  it('uses saveWeights with saveWeightsOnly', async () => {
    const model = new SavingModel();
    await drive([new ModelCheckpoint('w{epoch}', { saveWeightsOnly: true })], model, valLoss(0.5));
    expect(model.weightSaves).toEqual(['w1']);
    expect(model.saved).toEqual([]);
  });

  it('saves every saveFreq batches, counting across epochs', async () => {
    const model = new SavingModel();
    const cb = new ModelCheckpoint('m-{epoch}-{batch}', { saveFreq: 2 });
    // 5 batches per epoch; a save every 2nd batch seen: epoch 1 batches 2, 4; the count carries over,
    // so epoch 2 saves after batches 1, 3, 5 (batch numbers are one-based in the path, as in Keras).
    await drive([cb], model, valLoss(0.5, 0.4), { batchLosses: [[1, 1, 1, 1, 1], [1, 1, 1, 1, 1]] });
    expect(model.saved).toEqual(['m-1-2', 'm-1-4', 'm-2-1', 'm-2-3', 'm-2-5']);
  });

  it('warns and saves anyway when saveBestOnly lacks the monitored key', async () => {
    const model = new SavingModel();
    await drive([new ModelCheckpoint('m{epoch}', { saveBestOnly: true })], model, [{ loss: 1 }, { loss: 2 }]);
    expect(model.saved).toEqual(['m1', 'm2']);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('rejects a bad saveFreq and a filepath naming a missing key', async () => {
    expect(() => new ModelCheckpoint('m', { saveFreq: 0 })).toThrow("ModelCheckpoint: saveFreq must be 'epoch' or a positive integer number of batches, got 0");
    await expect(drive([new ModelCheckpoint('m-{val_acc:.2f}')], new FakeModel(), valLoss(0.5))).rejects.toThrow(/no value for '\{val_acc\}'/);
  });
});
