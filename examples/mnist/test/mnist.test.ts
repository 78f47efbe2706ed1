/**
 * The accuracy bars of the examples, on the real data: the bundled MNIST digits with the default MLP,
 * Fashion-MNIST from Debian's dataset-fashion-mnist package (.ci/run installs it), and a one-epoch convnet.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from 'minikeras';
import { parseArgs, runMnist } from '../src/run';

const out = mkdtempSync(join(tmpdir(), 'mnist-example-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const quiet = () => {};

describe('examples/mnist', () => {
  it('the default MLP reaches >= 93% test accuracy on the bundled split, and its saved model reloads', async () => {
    const r = await runMnist(parseArgs(['--save', join(out, 'mlp')]), quiet, 0);
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0.93);
    const reloaded = await loadModel(r.saveDir);
    expect(reloaded.layers.map((l) => l.className)).toEqual(['Flatten', 'Dense', 'Dropout', 'Dense']);
  });

  it('Fashion-MNIST from Debian trains to >= 85% test accuracy', async () => {
    if (!existsSync('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz')) {
      throw new Error('Fashion-MNIST is not installed: apt-get install -y dataset-fashion-mnist (.ci/run does this)');
    }
    const r = await runMnist(parseArgs(['--dataset', 'fashion', '--epochs', '3', '--save', join(out, 'fashion')]), quiet, 0);
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0.85);
  });

  it('the Keras convnet learns in one epoch (>= 90%; six epochs, the default, pass 96%)', async () => {
    const r = await runMnist(parseArgs(['--model', 'cnn', '--epochs', '1', '--save', join(out, 'cnn')]), quiet, 0);
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0.9);
  });
});
