import { afterEach, describe, expect, it, vi } from 'vitest';
import { Callback } from './callback';
import type { Logs, TrainingParams } from './callback';
import { ProgbarLogger } from './progbar-logger';

const B = '\x1b[1m', R = '\x1b[0m', G = '\x1b[32m', W = '\x1b[37m', EOL = '\x1b[K';
const FULL = `${G}${'━'.repeat(20)}${R}${W}${R}`;

/**
 * Drives a ProgbarLogger like fit does, on a clock that advances 1 s per batch, so each line's timing
 * is known: step 1 ends at t=1, step 2 at t=2, ..., and the epoch ends 0.5 s after its last step.
 */
function run(options: { isTty: boolean; params: TrainingParams; batches: Logs[][]; epochLogs: Logs[] }): string[] {
  let t = 0;
  const out: string[] = [];
  const cb = new ProgbarLogger({ isTty: options.isTty, write: (s) => out.push(s), now: () => t });
  cb.setParams(options.params);
  cb.onTrainBegin({});
  options.batches.forEach((batchLogs, epoch) => {
    t = 100 * epoch;
    cb.onEpochBegin(epoch, {});
    batchLogs.forEach((logs, batch) => {
      t += 1;
      cb.onBatchBegin(batch, {});
      cb.onBatchEnd(batch, logs);
    });
    t += 0.5;
    cb.onEpochEnd(epoch, options.epochLogs[epoch]!);
  });
  cb.onTrainEnd({});
  return out;
}

const batches = [[{ loss: 0.9 }, { loss: 0.7 }, { loss: 0.6 }], [{ loss: 0.5 }, { loss: 0.45 }, { loss: 0.4 }]];
const epochLogs = [{ loss: 0.6, val_loss: 0.65 }, { loss: 0.4, val_loss: 0.5 }];

describe('ProgbarLogger', () => {
  it('on a TTY prints Epoch N/M and redraws the bar, ending with val_ metrics', () => {
    const out = run({ isTty: true, params: { epochs: 2, steps: 3, verbose: 1 }, batches, epochLogs });
    // Epoch 1: step 1 at t=1 (1 s/step, ETA 2 s), step 2 at t=2 ((2-1)/1 = 1 s/step, ETA 1 s), step 3 at
    // t=3 is the target -> not finalized by the batch (finalize=false), ETA 0 s; epoch end at t=3.5:
    // (3.5 - 1) / 2 = 1.25 s/step -> '1s/step', elapsed round(3.5) = 4 s (Python rounds half to even: 4).
    expect(out.slice(0, 5)).toEqual([
      'Epoch 1/2\n',
      `\r${B}1/3${R} ${G}${'━'.repeat(6)}${R}${W}${'━'.repeat(14)}${R} ${B}2s${R} 1s/step - loss: 0.9000${EOL}`,
      `\r${B}2/3${R} ${G}${'━'.repeat(13)}${R}${W}${'━'.repeat(7)}${R} ${B}1s${R} 1s/step - loss: 0.7000${EOL}`,
      `\r${B}3/3${R} ${FULL} ${B}0s${R} 1s/step - loss: 0.6000${EOL}`,
      `\r${B}3/3${R} ${FULL} ${B}4s${R} 1s/step - loss: 0.6000 - val_loss: 0.6500${EOL}\n`,
    ]);
    expect(out[5]).toBe('Epoch 2/2\n');
    expect(out[9]).toBe(`\r${B}3/3${R} ${FULL} ${B}4s${R} 1s/step - loss: 0.4000 - val_loss: 0.5000${EOL}\n`);
    expect(out).toHaveLength(10);
  });

  it('off a TTY prints exactly Epoch N/M plus one clean line per epoch', () => {
    const out = run({ isTty: false, params: { epochs: 2, steps: 3, verbose: 1 }, batches, epochLogs });
    // No batch hooks run (see below): (3.5 - 0) / 3 = 1.1667 s/step -> '1s/step'; elapsed 4 s.
    expect(out).toEqual([
      'Epoch 1/2\n',
      `3/3 ━━━━━━━━━━━━━━━━━━━━ 4s 1s/step - loss: 0.6000 - val_loss: 0.6500\n`,
      'Epoch 2/2\n',
      `3/3 ━━━━━━━━━━━━━━━━━━━━ 4s 1s/step - loss: 0.4000 - val_loss: 0.5000\n`,
    ]);
  });

  it('with verbose 2 prints one summary line per epoch', () => {
    const out = run({ isTty: true, params: { epochs: 2, steps: 3, verbose: 2 }, batches, epochLogs });
    expect(out).toEqual([
      'Epoch 1/2\n',
      '3/3 - 4s - 1s/step - loss: 0.6000 - val_loss: 0.6500\n',
      'Epoch 2/2\n',
      '3/3 - 4s - 1s/step - loss: 0.4000 - val_loss: 0.5000\n',
    ]);
  });

  it('omits the Epoch header for a single epoch, as Keras does', () => {
    const out = run({ isTty: false, params: { epochs: 1, steps: 3, verbose: 1 }, batches: batches.slice(0, 1), epochLogs });
    expect(out).toEqual([`3/3 ━━━━━━━━━━━━━━━━━━━━ 4s 1s/step - loss: 0.6000 - val_loss: 0.6500\n`]);
  });

  it('learns the step count of an iterable from its first epoch', () => {
    const out = run({ isTty: false, params: { epochs: 2, steps: null, verbose: 1 }, batches, epochLogs });
    expect(out[1]).toBe(`3/3 ━━━━━━━━━━━━━━━━━━━━ 4s 1s/step - loss: 0.6000 - val_loss: 0.6500\n`);
    expect(out[3]).toBe(`3/3 ━━━━━━━━━━━━━━━━━━━━ 4s 1s/step - loss: 0.4000 - val_loss: 0.5000\n`);
    const tty = run({ isTty: true, params: { epochs: 2, steps: null, verbose: 1 }, batches, epochLogs });
    expect(tty[1]).toBe(`\r      1/Unknown ${B}1s${R} 1s/step - loss: 0.9000${EOL}`);
    // The second epoch knows its length: a real bar.
    expect(tty[6]).toBe(`\r${B}1/3${R} ${G}${'━'.repeat(6)}${R}${W}${'━'.repeat(14)}${R} ${B}2s${R} 1s/step - loss: 0.5000${EOL}`);
  });

  it('its own verbose option overrides fit(verbose: 0)', () => {
    const out: string[] = [];
    const cb = new ProgbarLogger({ verbose: 2, isTty: true, write: (s) => out.push(s), now: () => 0 });
    cb.setParams({ epochs: 1, steps: 2, verbose: 0 });
    cb.onEpochBegin(0, {});
    cb.onEpochEnd(0, { loss: 0.5 });
    expect(out).toEqual(['2/2 - 0s - 0s/step - loss: 0.5000\n']);
  });

  it('asks the training loop for batch logs only when it draws per batch', () => {
    const wants = (isTty: boolean, params: TrainingParams) => {
      const cb = new ProgbarLogger({ isTty, write: () => {} });
      cb.setParams(params);
      return cb.onBatchEnd !== Callback.prototype.onBatchEnd;
    };
    expect(wants(true, { epochs: 1, steps: 10, verbose: 1 })).toBe(true);
    expect(wants(false, { epochs: 1, steps: 10, verbose: 1 })).toBe(false);
    expect(wants(true, { epochs: 1, steps: 10, verbose: 2 })).toBe(false);
    expect(wants(false, { epochs: 1, steps: null, verbose: 1 })).toBe(true);
  });

  it('shows evaluate progress when used outside fit, but stays silent for validation inside fit', () => {
    let t = 0;
    const out: string[] = [];
    const cb = new ProgbarLogger({ isTty: false, write: (s) => out.push(s), now: () => t });
    cb.setParams({ epochs: 1, steps: 2, verbose: 1 });
    cb.onTestBegin({});
    t = 1; cb.onTestBatchEnd(0, { loss: 0.3 });
    t = 2; cb.onTestBatchEnd(1, { loss: 0.2 });
    cb.onTestEnd({ loss: 0.2 });
    expect(out).toEqual(['2/2 ━━━━━━━━━━━━━━━━━━━━ 2s 1s/step - loss: 0.2000\n']);
    out.length = 0;
    cb.onTrainBegin({});
    cb.onTestBegin({});
    cb.onTestBatchEnd(0, { loss: 0.3 });
    cb.onTestEnd({ loss: 0.3 });
    expect(out).toEqual([]);
  });
});

describe('ProgbarLogger default sinks', () => {
  afterEach(() => { vi.unstubAllGlobals(); vi.restoreAllMocks(); });

  it('writes to process.stdout in Node', () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const cb = new ProgbarLogger({ isTty: false, now: () => 0 });
    cb.setParams({ epochs: 2, steps: 1, verbose: 2 });
    cb.onEpochBegin(0, {});
    cb.onEpochEnd(0, { loss: 0.5 });
    expect(write.mock.calls.map((c) => c[0])).toEqual(['Epoch 1/2\n', '1/1 - 0s - 0s/step - loss: 0.5000\n']);
  });

  it('logs whole lines with console.log where there is no process (browsers)', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.stubGlobal('process', undefined);
    const cb = new ProgbarLogger({ now: () => 0 });
    vi.unstubAllGlobals();
    expect(cb.isTty).toBe(false);
    cb.setParams({ epochs: 2, steps: 1, verbose: 1 });
    cb.onEpochBegin(0, {});
    cb.onBatchEnd(0, { loss: 0.5 });
    cb.onEpochEnd(0, { loss: 0.5 });
    expect(log.mock.calls).toEqual([['Epoch 1/2'], ['1/1 ━━━━━━━━━━━━━━━━━━━━ 0s 0s/step - loss: 0.5000']]);
  });
});
