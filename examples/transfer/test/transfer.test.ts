/**
 * The transfer example end to end on the bundled digits (offline): the pretrained model is saved and
 * reloaded, the frozen base (BatchNormalization statistics included) does not change while the new head learns
 * the new classes from 20 examples each, and the fine-tuned model saves and reloads.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from 'minikeras';
import { parseArgs, runTransfer } from '../src/run';

const out = mkdtempSync(join(tmpdir(), 'transfer-example-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('examples/transfer', () => {
  it('pretrains on digits 0-4, reloads, freezes and learns digits 5-9 from 20 examples each', async () => {
    const r = await runTransfer(parseArgs(['--pretrain-epochs', '2', '--finetune-epochs', '30', '--save', out]), () => {}, 0);
    expect(r.pretrainAccuracy).toBeGreaterThan(0.93);
    expect(r.baseUnchanged).toBe(true);
    // 5 classes: chance is 20%; the seeded run reaches about 87%, the same convnet from scratch about 86%.
    expect(r.transferAccuracy).toBeGreaterThan(0.8);
    expect(r.scratchAccuracy).toBeGreaterThan(0.5);
    const reloaded = await loadModel(r.transferredDir);
    expect(reloaded.layers.at(-1)!.name).toBe('new_head');
    expect(reloaded.getLayer('conv1').trainable).toBe(false);
    // Trains two convnets on 2 cores: about 30 s alone, more beside the other test files; the limit only catches a hang.
  }, 180_000);

  it('rejects bad arguments', () => {
    expect(() => parseArgs(['--target', 'cifar'])).toThrow('--target must be digits or fashion, got cifar');
    expect(() => parseArgs(['--shots', '0'])).toThrow('--shots must be a positive integer');
  });
});
