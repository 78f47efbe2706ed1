// Real pretrained Keras models published in tfjs' Layers format inside an npm package (nsfwjs 4.3.0, a
// test-only devDependency, MIT): MobileNetV2 (224x224) and InceptionV3 (299x299) image classifiers that Keras
// 2.2.4 trained and tfjs-converter wrote with uint8-quantized weights, plus a graph model. TensorFlow.js 4.22
// (test-only oracle) loads the same artifacts; we must predict what it predicts within 1e-4.
import { beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { Tensor } from '@minikeras/tensor';
import { fromArtifacts } from './load-model';
import type { ModelArtifacts, WeightSpec } from './artifacts';
import type { Model } from '../models/model';
import '../layers/index';
import '../models/functional';
import '../models/sequential';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const require = createRequire(import.meta.url);
// The package's exports map hides its model files; they sit beside its entry point (dist/cjs/index.js).
const modelsDir = join(dirname(dirname(require.resolve('nsfwjs'))), 'models');

/** One of nsfwjs' bundled models: model.json and base64 weight shards wrapped in CommonJS modules. */
function bundledModel(name: string): ModelArtifacts {
  const json = require(join(modelsDir, name, 'model.min.js')) as { modelTopology: unknown; format?: string; weightsManifest: { paths: string[]; weights: WeightSpec[] }[] };
  const shards = json.weightsManifest.flatMap((g) => g.paths.map((p) => Buffer.from(require(join(modelsDir, name, `${p}.min.js`)) as string, 'base64')));
  const bytes = Buffer.concat(shards);
  return {
    ...(json.format ? { format: json.format } : {}),
    modelTopology: json.modelTopology as ModelArtifacts['modelTopology'],
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  };
}

function image(size: number, seed: number, n = 1): Float32Array {
  const v = new Float32Array(n * size * size * 3);
  for (let i = 0; i < v.length; i++) {
    const s = Math.sin(seed * 12.9898 + i * 78.233) * 43758.5453;
    v[i] = s - Math.floor(s);
  }
  return v;
}

describe.each([['mobilenet_v2', 224, 'MobileNetV2'], ['inception_v3', 299, 'InceptionV3']] as const)('the pretrained %s', (name, size, label) => {
  it(`(${label}, Keras 2.2.4, uint8) loads and predicts what tfjs predicts within 1e-4`, async () => {
    const artifacts = bundledModel(name);
    expect(artifacts.weightSpecs!.every((s) => (s.quantization as { dtype?: string } | undefined)?.dtype === 'uint8')).toBe(true);
    const ours = fromArtifacts(artifacts) as Model;
    const theirs = await tfl.loadLayersModel(tf.io.fromMemory(artifacts as unknown as tf.io.ModelArtifacts));
    expect(ours.countParams()).toBe(theirs.countParams());
    const x = image(size, 3);
    const expected = (theirs.predict(tf.tensor(x, [1, size, size, 3])) as tf.Tensor).dataSync();
    const got = (ours.predict(new Tensor(x, [1, size, size, 3])) as Tensor).values;
    let d = 0;
    for (let i = 0; i < expected.length; i++) d = Math.max(d, Math.abs(expected[i]! - got[i]!));
    console.log(`${label} (${ours.countParams()} parameters, uint8) vs tfjs: max |difference| of the 5 class probabilities ${d.toExponential(2)}`);
    expect(d).toBeLessThanOrEqual(1e-4);
  }, 240_000); // InceptionV3 is 6 GFLOPs per image, in tfjs' cpu backend too
});

describe('fine-tuning the pretrained MobileNetV2', () => {
  it('trains a new head on its features with the base frozen: base weights and BatchNormalization statistics do not change', async () => {
    const model = fromArtifacts(bundledModel('mobilenet_v2')) as Model;
    const head = model.layers.at(-1)!;
    for (const layer of model.layers) layer.trainable = layer === head;
    const before = new Map(model.weights.map((w) => [w.name, w.values.slice()]));
    model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy' });
    const y = new Tensor(Float32Array.from({ length: 10 }, (_, i) => (i % 5 === Math.floor(i / 5) ? 1 : 0)), [2, 5]);
    await model.fit(new Tensor(image(224, 5, 2), [2, 224, 224, 3]), y, { epochs: 1, batchSize: 2, verbose: 0 });
    let changed = 0;
    for (const w of model.weights) {
      const same = w.values.every((v, i) => v === before.get(w.name)![i]);
      if (head.weights.includes(w)) { expect(same, w.name).toBe(false); changed++; } else expect(same, w.name).toBe(true);
    }
    expect(changed).toBe(2);
    expect(model.weights.filter((w) => /moving_(mean|variance)/.test(w.name)).length).toBe(104);
  });
});

describe('the bundled graph model', () => {
  it('is refused with a message saying it is a graph model', () => {
    expect(() => fromArtifacts(bundledModel('mobilenet_v2_mid'))).toThrow(/format is 'graph-model'; minikeras loads TensorFlow.js 'layers-model' models \(a graph model has no Keras layers to rebuild\)/);
  });
});
