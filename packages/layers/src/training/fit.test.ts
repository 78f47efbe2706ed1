/** fit with the real callbacks and progress display (the callbacks' own unit tests use a fake model). */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { Tensor, setSeed, tensor, randomNormal } from '@minikeras/tensor';
import { SGD } from '@minikeras/optimizers';
import { Sequential } from '../models/sequential';
import { Dense } from '../layers';
import { clearSession } from '../engine/layer';
import { EarlyStopping, ProgbarLogger, ReduceLROnPlateau, TerminateOnNaN, LambdaCallback } from '../callbacks';

/** y = 2x + 1 with noise-free data: the loss keeps falling under SGD. */
function line(n: number): { x: Tensor; y: Tensor } {
  setSeed(0);
  const x = randomNormal([n, 1]);
  return { x, y: tensor(Float32Array.from(x.values, (v) => 2 * v + 1), [n, 1]) };
}

function linearModel(): Sequential {
  return new Sequential([new Dense(1, { inputShape: [1], kernelInitializer: 'zeros' })]);
}

beforeEach(() => clearSession());

describe('fit with callbacks', () => {
  it('EarlyStopping stops after `patience` epochs without improvement and restores the best weights', async () => {
    const { x, y } = line(32);
    const model = linearModel();
    model.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: 'mse' });
    // Validation on data the model can never fit (y = -x): val_loss gets worse as training fits y = 2x + 1.
    const vy = tensor(Float32Array.from(x.values, (v) => -v), [32, 1]);
    const weightsAtEpoch: number[] = [];
    const recorder = new LambdaCallback({ onEpochEnd: () => { weightsAtEpoch.push(model.getWeights()[0]!.values[0]!); } });
    const stopper = new EarlyStopping({ monitor: 'val_loss', patience: 2, restoreBestWeights: true });
    const h = await model.fit(x, y, { epochs: 50, batchSize: 32, shuffle: false, validationData: [x, vy], verbose: 0, callbacks: [recorder, stopper] });
    const val = h.history.val_loss!;
    const best = val.indexOf(Math.min(...val));
    // Stopped exactly `patience` epochs after the best epoch.
    expect(val).toHaveLength(best + 3);
    expect(stopper.stoppedEpoch).toBe(best + 2);
    // The restored kernel is the one recorded at the end of the best epoch.
    expect(model.getWeights()[0]!.values[0]).toBe(weightsAtEpoch[best]);
    expect(model.getWeights()[0]!.values[0]).not.toBe(weightsAtEpoch.at(-1));
  });

  it('ReduceLROnPlateau lowers the optimizer learning rate on a plateau, and History records learning_rate', async () => {
    const { x, y } = line(16);
    const m2 = linearModel();
    // lr 1e-12: the weights effectively never move, so the loss plateaus from the first epoch.
    m2.compile({ optimizer: new SGD({ learningRate: 1e-12 }), loss: 'mse' });
    const r2 = new ReduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 1, minDelta: 1e-3 });
    const seen: number[] = [];
    const h = await m2.fit(x, y, { epochs: 4, batchSize: 16, verbose: 0, callbacks: [r2, new LambdaCallback({ onEpochEnd: () => { seen.push(m2.optimizer.learningRate); } })] });
    // epoch 0 sets the best; epoch 1 waits 1 >= patience 1 -> halve; cooldown 0 -> epoch 2 halves again, ...
    expect(seen[0]).toBeCloseTo(1e-12, 20);
    expect(seen[1]).toBeCloseTo(0.5e-12, 20);
    expect(seen[2]).toBeCloseTo(0.25e-12, 20);
    expect(h.history.learning_rate).toBeDefined();
  });

  it('TerminateOnNaN stops at the batch where the loss became NaN and says so', async () => {
    const { x, y } = line(64);
    const model = linearModel();
    model.compile({ optimizer: new SGD({ learningRate: 1e6 }), loss: 'mse' }); // diverges to Infinity/NaN within a few steps
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const nan = new TerminateOnNaN();
    const h = await model.fit(x, y, { epochs: 20, batchSize: 8, shuffle: false, verbose: 0, callbacks: [nan] });
    const messages = log.mock.calls.map((c) => String(c[0]));
    log.mockRestore();
    expect(nan.stoppedBatch).not.toBeNull();
    expect(h.history.loss!.length).toBeLessThan(20);
    expect(messages.some((m) => /Batch \d+: Invalid loss, terminating training/.test(m))).toBe(true);
    expect(messages.some((m) => m.includes(`Batch ${nan.stoppedBatch}:`))).toBe(true);
  });
});

describe('progress display through fit', () => {
  async function runWith(isTty: boolean, verbose: 1 | 2): Promise<string> {
    const { x, y } = line(64);
    const model = linearModel();
    model.compile({ optimizer: new SGD({ learningRate: 0.05 }), loss: 'mse', metrics: ['mae'] });
    let out = '';
    let t = 0;
    const bar = new ProgbarLogger({ write: (s) => { out += s; }, isTty, now: () => (t += 0.01) });
    await model.fit(x, y, { epochs: 2, batchSize: 16, verbose, callbacks: [bar] });
    return out;
  }

  it('non-TTY: one clean line per epoch, no carriage returns or ANSI codes', async () => {
    const out = await runWith(false, 1);
    expect(out).not.toMatch(/\r|\x1b\[/);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe('Epoch 1/2');
    expect(lines[1]).toMatch(/^4\/4 ━{20} \S+ \S+\/step - loss: \d\.\d{4} - mae: \d\.\d{4}$/);
    expect(lines[2]).toBe('Epoch 2/2');
  });

  it('TTY: redraws the bar in place with \\r, colours, and ends each epoch with a newline', async () => {
    const out = await runWith(true, 1);
    expect(out).toContain('\r');
    expect(out).toMatch(/\x1b\[32m━+/); // completed part of the bar in green, as Keras
    expect(out.split('\n').filter((l) => l.includes('Epoch'))).toHaveLength(2);
  });

  it('verbose 2: one line per epoch without a bar', async () => {
    const out = await runWith(false, 2);
    const lines = out.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('Epoch'))).toHaveLength(2);
    expect(lines[1]).toMatch(/^4\/4 - \S+ - \S+\/step - loss: \d\.\d{4} - mae: \d\.\d{4}$/);
    expect(out).not.toContain('━');
  });
});

describe('fit with ModelCheckpoint and real saving', () => {
  it('saveBestOnly keeps the best epoch on disk; the saved model reloads compiled with those weights', async () => {
    const { mkdtempSync, rmSync, readdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { ModelCheckpoint } = await import('../callbacks');
    const { loadModel } = await import('../saving');
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    try {
      const { x, y } = line(32);
      const vy = tensor(Float32Array.from(x.values, (v) => -v), [32, 1]); // val_loss rises as training proceeds
      const model = linearModel();
      model.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: 'mse' });
      const kernels: number[] = [];
      const recorder = new LambdaCallback({ onEpochEnd: () => { kernels.push(model.getWeights()[0]!.values[0]!); } });
      const ckpt = new ModelCheckpoint(join(dir, 'best'), { monitor: 'val_loss', saveBestOnly: true });
      const h = await model.fit(x, y, { epochs: 6, batchSize: 32, shuffle: false, validationData: [x, vy], verbose: 0, callbacks: [recorder, ckpt] });
      const val = h.history.val_loss!;
      const best = val.indexOf(Math.min(...val));
      const restored = (await loadModel(join(dir, 'best')) as Sequential);
      expect(restored.isCompiled).toBe(true);
      expect(restored.getWeights()[0]!.values[0]).toBe(kernels[best]);
      expect(readdirSync(dir)).toEqual(['best']); // one directory, replaced in place, no temp leftovers

      const every = new ModelCheckpoint(join(dir, 'epoch-{epoch:02d}'), { saveFreq: 'epoch' });
      await model.fit(x, y, { epochs: 2, batchSize: 32, verbose: 0, callbacks: [every] });
      expect(readdirSync(dir).sort()).toEqual(['best', 'epoch-01', 'epoch-02']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('labels that do not fit the loss, through fit', () => {
  it('sparse labels >= the number of classes, and one-hot labels of the wrong width', async () => {
    const model = new Sequential([new Dense(10, { activation: 'softmax', inputShape: [4] })]);
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    const x = new Tensor(new Float32Array(16), [4, 4]);
    await expect(model.fit(x, [1, 2, 10, 3], { shuffle: false, verbose: 0 })).rejects.toThrow(/label 10 at index 2 is out of range for 10 classes/);
    model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy' });
    await expect(model.fit(x, new Tensor(new Float32Array(20), [4, 5]), { verbose: 0 })).rejects.toThrow(/yTrue shape \[4,5\] does not match yPred shape \[4,10\]/);
  });
});
