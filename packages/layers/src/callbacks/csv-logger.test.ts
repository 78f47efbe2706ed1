import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensor } from '@minikeras/tensor';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallbackModel, Logs } from './callback';
import { CSVLogger } from './csv-logger';

const model: CallbackModel = {
  stopTraining: false,
  optimizer: { learningRate: 0.1 },
  getWeights: () => [tensor([1])],
  setWeights: () => {},
};

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'minikeras-csv-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

function train(cb: CSVLogger, epochLogs: Logs[], afterEpoch?: (epoch: number) => void): void {
  cb.setModel(model);
  cb.onTrainBegin({});
  epochLogs.forEach((logs, epoch) => {
    cb.onEpochEnd(epoch, logs);
    afterEpoch?.(epoch);
  });
  cb.onTrainEnd({});
}

describe('CSVLogger', () => {
  it('writes a sorted header and one row per epoch, as Python csv would', () => {
    const file = join(dir, 'log.csv');
    // Keras: keys sorted, 'epoch' first, floats via repr (1.0, 1e-05, nan), "\r\n" row ends.
    train(new CSVLogger(file), [
      { val_loss: 0.25, loss: 0.5, accuracy: 1 },
      { val_loss: 1e-5, loss: NaN, accuracy: 0.75 },
    ]);
    expect(readFileSync(file, 'utf8')).toBe('epoch,accuracy,loss,val_loss\r\n0,1.0,0.5,0.25\r\n1,0.75,nan,1e-05\r\n');
  });

  it('flushes every epoch, so the file is complete while training continues', () => {
    const file = join(dir, 'log.csv');
    const seen: string[] = [];
    train(new CSVLogger(file), [{ loss: 0.5 }, { loss: 0.25 }], () => seen.push(readFileSync(file, 'utf8')));
    expect(seen).toEqual(['epoch,loss\r\n0,0.5\r\n', 'epoch,loss\r\n0,0.5\r\n1,0.25\r\n']);
  });

  it('writes NA for a key missing in a later epoch and ignores keys that appear later', () => {
    const file = join(dir, 'log.csv');
    train(new CSVLogger(file), [{ loss: 0.5, val_loss: 0.5 }, { loss: 0.25, learning_rate: 0.1 }]);
    expect(readFileSync(file, 'utf8')).toBe('epoch,loss,val_loss\r\n0,0.5,0.5\r\n1,0.25,NA\r\n');
  });

  it('overwrites by default and appends without a second header with append: true', () => {
    const file = join(dir, 'log.csv');
    writeFileSync(file, 'old contents\n');
    const cb = new CSVLogger(file, { separator: ';' });
    train(cb, [{ loss: 0.5 }]);
    expect(readFileSync(file, 'utf8')).toBe('epoch;loss\r\n0;0.5\r\n');
    train(new CSVLogger(file, { separator: ';', append: true }), [{ loss: 0.25 }]);
    expect(readFileSync(file, 'utf8')).toBe('epoch;loss\r\n0;0.5\r\n0;0.25\r\n');
  });

  it('appending to a missing or empty file writes the header', () => {
    const file = join(dir, 'new.csv');
    train(new CSVLogger(file, { append: true }), [{ loss: 0.5 }]);
    expect(readFileSync(file, 'utf8')).toBe('epoch,loss\r\n0,0.5\r\n');
  });

  it('quotes a field holding the separator', () => {
    const file = join(dir, 'log.csv');
    train(new CSVLogger(file), [{ 'a,b': 1 }]);
    expect(readFileSync(file, 'utf8')).toBe('epoch,"a,b"\r\n0,1.0\r\n');
  });

  it('names the file when it cannot be opened, and rejects bad options', () => {
    const cb = new CSVLogger(join(dir, 'missing-dir', 'log.csv'));
    cb.setModel(model);
    expect(() => cb.onTrainBegin({})).toThrow(/^CSVLogger: cannot open '.*missing-dir.log\.csv' for writing: ENOENT/);
    expect(() => new CSVLogger('x.csv', { separator: ', ' })).toThrow('CSVLogger: separator must be a single character, got ", "');
  });
});
