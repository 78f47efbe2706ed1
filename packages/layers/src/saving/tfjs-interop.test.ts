// Interoperability with TensorFlow.js 4.22 (tfjs-layers on the cpu backend, a test-only devDependency):
// each library loads what the other saved and predicts the same outputs on the same input.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { Tensor, setSeed } from '@minikeras/tensor';
import { expectClose } from '@minikeras/test-utils';
import { Adam } from '@minikeras/optimizers';
import { Sequential } from '../models/sequential';
import { Dense } from '../layers/dense';
import { Dropout, Flatten, InputLayer } from '../layers/core';
import { Conv2D } from '../layers/conv2d';
import { AveragePooling2D, MaxPooling2D } from '../layers/pooling';
import { GlobalAveragePooling2D } from '../layers/global-pooling';
import { BatchNormalization } from '../layers/batch-normalization';
import { Embedding } from '../layers/embedding';
import { toArtifacts } from './artifacts';
import { fromArtifacts } from './load-model';
import type { ModelArtifacts } from './artifacts';
import { loadModel, saveModel } from './load-model';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

let root: string;
beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'minikeras-tfjs-')); });
afterEach(() => { vi.restoreAllMocks(); rmSync(root, { recursive: true, force: true }); });

/** Deterministic values in [-1, 1) (or whole numbers in [0, ids) for Embedding input). */
function values(n: number, seed: number, ids?: number): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const s = Math.sin(seed * 12.9898 + i * 78.233) * 43758.5453;
    const u = s - Math.floor(s);
    v[i] = ids ? Math.floor(u * ids) : 2 * u - 1;
  }
  return v;
}

function oneHot(n: number, k: number, seed: number): Float32Array {
  const v = new Float32Array(n * k);
  for (let i = 0; i < n; i++) v[i * k + Math.floor(((Math.sin(seed + i) + 1) / 2) * k) % k] = 1;
  return v;
}

/** tfjs' own model.json parser over a directory we wrote: the on-disk format as tfjs reads it. */
function directoryHandler(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const modelJSON = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
        const buffers = manifest.flatMap((g) => g.paths.map((p) => {
          const b = readFileSync(join(dir, p));
          return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
        }));
        return [tf.io.getWeightSpecs(manifest), tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}

async function tfjsSave(model: tfl.LayersModel): Promise<ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    captured = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }), { includeOptimizer: true });
  return captured as unknown as ModelArtifacts;
}

const tfPredict = (m: tfl.LayersModel, x: Float32Array, shape: number[]) => (m.predict(tf.tensor(x, shape)) as tf.Tensor).dataSync();

describe('minikeras -> TensorFlow.js', () => {
  it('a trained convnet (Conv2D, BatchNormalization, pooling, Dropout, Flatten, Dense) saved to a directory predicts the same in tfjs', async () => {
    setSeed(5);
    const model = new Sequential({
      name: 'convnet', layers: [
        new Conv2D(4, 3, { inputShape: [8, 8, 2], padding: 'same', activation: 'relu', name: 'c1' }),
        new BatchNormalization({ name: 'bn' }),
        new MaxPooling2D({ poolSize: 2, name: 'mp' }),
        new Conv2D(3, [2, 2], { strides: 1, activation: 'tanh', name: 'c2' }),
        new AveragePooling2D({ poolSize: 2, strides: 1, name: 'ap' }),
        new Dropout(0.3, { name: 'drop' }),
        new Flatten({ name: 'flat' }),
        new Dense(5, { activation: 'softmax', name: 'out' }),
      ],
    });
    model.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'categorical_crossentropy', metrics: ['accuracy'] });
    await model.fit(new Tensor(values(16 * 128, 1), [16, 8, 8, 2]), new Tensor(oneHot(16, 5, 2), [16, 5]), { epochs: 2, batchSize: 8, verbose: 0 });
    // Training moved the moving statistics away from their initial 0 and 1.
    expect(model.layers[1]!.getWeights()[2]!.values.some((v) => v !== 0)).toBe(true);

    const dir = join(root, 'convnet');
    await saveModel(model, dir);
    const tfModel = await tfl.loadLayersModel(directoryHandler(dir));
    expect(tfModel.layers.map((l) => l.getClassName())).toEqual(['Conv2D', 'BatchNormalization', 'MaxPooling2D', 'Conv2D', 'AveragePooling2D', 'Dropout', 'Flatten', 'Dense']);
    // tfjs compiled it from our training config.
    expect(tfModel.optimizer.getClassName()).toBe('Adam');
    const x = values(3 * 128, 9);
    expectClose(tfPredict(tfModel, x, [3, 8, 8, 2]), model.predict(new Tensor(x, [3, 8, 8, 2])), { atol: 1e-6, rtol: 0 });
  });

  it('Embedding and GlobalAveragePooling2D models, with a Keras 3 style InputLayer, load in tfjs from memory', async () => {
    setSeed(6);
    const text = new Sequential({ name: 'text', layers: [new InputLayer({ shape: [5], name: 'ids' }), new Embedding(12, 4, { name: 'emb' }), new Flatten({ name: 'f' }), new Dense(3, { name: 'd' })] });
    const gap = new Sequential({ name: 'gap', layers: [new Conv2D(6, 3, { inputShape: [5, 5, 1], name: 'c' }), new GlobalAveragePooling2D({ name: 'g' }), new Dense(2, { activation: 'sigmoid', name: 'o' })] });
    const ids = values(4 * 5, 3, 12);
    const img = values(2 * 25, 4);
    const tfText = await tfl.loadLayersModel(tf.io.fromMemory(toArtifacts(text) as unknown as tf.io.ModelArtifacts));
    expectClose(tfPredict(tfText, ids, [4, 5]), text.predict(new Tensor(ids, [4, 5])), { atol: 1e-6, rtol: 0 });
    const tfGap = await tfl.loadLayersModel(tf.io.fromMemory(toArtifacts(gap) as unknown as tf.io.ModelArtifacts));
    expectClose(tfPredict(tfGap, img, [2, 5, 5, 1]), gap.predict(new Tensor(img, [2, 5, 5, 1])), { atol: 1e-6, rtol: 0 });
  });
});

describe('TensorFlow.js -> minikeras', () => {
  it('a convnet built, trained and saved by tfjs (with its Adam state) loads compiled and predicts the same', async () => {
    const tfModel = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [8, 8, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
        tfl.layers.batchNormalization(),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.averagePooling2d({ poolSize: 2, strides: 1 }),
        tfl.layers.dropout({ rate: 0.25 }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 5, activation: 'softmax' }),
      ],
    });
    tfModel.compile({ optimizer: tf.train.adam(0.02), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    await tfModel.fit(tf.tensor(values(16 * 128, 1), [16, 8, 8, 2]), tf.tensor(oneHot(16, 5, 3), [16, 5]), { epochs: 3, batchSize: 8, verbose: 0 });
    const artifacts = await tfjsSave(tfModel);
    expect(artifacts.generatedBy).toMatch(/tfjs-layers/);

    const model = (fromArtifacts(artifacts) as Sequential);
    expect(model.layers.map((l) => l.className)).toEqual(['Conv2D', 'BatchNormalization', 'MaxPooling2D', 'AveragePooling2D', 'Dropout', 'Flatten', 'Dense']);
    const x = values(3 * 128, 7);
    expectClose(model.predict(new Tensor(x, [3, 8, 8, 2])), tfPredict(tfModel, x, [3, 8, 8, 2]), { atol: 1e-6, rtol: 0 });
    // tfjs' camelCase Adam config became ours; its iteration count and moments (same layout) were restored.
    expect(model.optimizer).toBeInstanceOf(Adam);
    expect(model.optimizer.getConfig()).toMatchObject({ learningRate: 0.02, beta1: 0.9, beta2: 0.999 });
    expect(model.optimizer.iterations).toBe(6); // 3 epochs of 2 batches
    const saved = artifacts.weightSpecs!.filter((s) => s.group === 'optimizer');
    const firstMoment = saved.findIndex((s) => s.name.endsWith('/m'));
    const state = model.optimizer.getState();
    const ours = state.find((e) => e.name.endsWith('_momentum'))!;
    const theirs = (await tfModel.optimizer.getWeights())[firstMoment]!.tensor.dataSync();
    expectClose(ours.value, theirs, { atol: 0, rtol: 0 });
    expect(model.metricsNames).toEqual(['loss', 'accuracy']);
  });

  it('an Embedding model from tfjs loads and predicts the same, also after a round trip through our directory format', async () => {
    const tfModel = tfl.sequential({
      layers: [
        tfl.layers.embedding({ inputDim: 12, outputDim: 4, inputLength: 5 }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 3, activation: 'relu' }),
        tfl.layers.dense({ units: 1 }),
      ],
    });
    const artifacts = await tfjsSave(tfModel);
    const model = (fromArtifacts(artifacts) as Sequential);
    const ids = values(6 * 5, 2, 12);
    expectClose(model.predict(new Tensor(ids, [6, 5])), tfPredict(tfModel, ids, [6, 5]), { atol: 1e-6, rtol: 0 });
    const dir = join(root, 'from-tfjs');
    await saveModel(model, dir);
    expectClose(((await loadModel(dir) as Sequential)).predict(new Tensor(ids, [6, 5])), tfPredict(tfModel, ids, [6, 5]), { atol: 1e-6, rtol: 0 });
  });
});
