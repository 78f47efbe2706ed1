// Models as tfjs-converter publishes them: a MobileNetV2-style block written with Keras 2's markers
// (class 'Model', keras_version 2.x, Keras 2 layer keys), its weights uint8- or uint16-quantized in the
// manifest. TensorFlow.js 4.22 (test-only oracle) loads the same artifacts; we must predict what it predicts.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { Tensor } from '@minikeras/tensor';
import { toArtifacts } from './artifacts';
import { fromArtifacts } from './load-model';
import type { ModelArtifacts, WeightSpec } from './artifacts';
import type { Model } from '../models/model';
import '../layers/index';
import '../models/functional';
import '../models/sequential';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function values(n: number, seed: number): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const s = Math.sin(seed * 12.9898 + i * 78.233) * 43758.5453;
    v[i] = 2 * (s - Math.floor(s)) - 1;
  }
  return v;
}

/** A MobileNetV2 inverted-residual block with a classifier head, trained a little so BatchNorm statistics move. */
async function mobileNetBlock(): Promise<tfl.LayersModel> {
  const input = tfl.input({ shape: [9, 9, 3], name: 'input_1' });
  let x = tfl.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: 'Conv1_pad' }).apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, useBias: false, name: 'Conv1' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization({ name: 'bn_Conv1' }).apply(x) as tfl.SymbolicTensor;
  const stem = tfl.layers.reLU({ maxValue: 6, name: 'Conv1_relu' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.conv2d({ filters: 16, kernelSize: 1, useBias: false, name: 'expand' }).apply(stem) as tfl.SymbolicTensor;
  x = tfl.layers.reLU({ maxValue: 6, name: 'expand_relu' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false, name: 'depthwise' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization({ name: 'depthwise_BN' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reLU({ maxValue: 6, name: 'depthwise_relu' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.conv2d({ filters: 8, kernelSize: 1, useBias: false, name: 'project' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.add({ name: 'add' }).apply([stem, x]) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 4, activation: 'softmax', name: 'predictions' }).apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: out, name: 'mobilenet_block' });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], 'int32'), 4);
  await model.fit(tf.tensor(values(8 * 243, 1), [8, 9, 9, 3]), y, { epochs: 2, batchSize: 4, verbose: 0 });
  return model;
}

async function tfjsArtifacts(model: tfl.LayersModel): Promise<ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    captured = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return captured as unknown as ModelArtifacts;
}

/** tfjs-converter's affine quantization of every weight: q = round((w - min) / scale), stored as uint8/uint16. */
function quantize(artifacts: ModelArtifacts, dtype: 'uint8' | 'uint16'): ModelArtifacts {
  const floats = new Float32Array(artifacts.weightData as ArrayBuffer);
  const levels = dtype === 'uint8' ? 255 : 65535;
  const bytes: number[] = [];
  let offset = 0;
  const specs: WeightSpec[] = artifacts.weightSpecs!.map((spec) => {
    const size = spec.shape.reduce((p, d) => p * d, 1);
    const w = floats.subarray(offset, offset + size);
    offset += size;
    const min = Math.min(...w), max = Math.max(...w);
    const scale = max > min ? (max - min) / levels : 1;
    for (const v of w) {
      const q = Math.round((v - min) / scale);
      if (dtype === 'uint8') bytes.push(q);
      else bytes.push(q & 255, q >> 8);
    }
    // tfjs-converter writes { dtype, scale, min } (older versions { dtype, min, scale }).
    return { ...spec, quantization: dtype === 'uint8' ? { dtype, scale, min } : { dtype, min, scale } };
  });
  return { ...artifacts, weightSpecs: specs, weightData: new Uint8Array(bytes).buffer };
}

/** Keras 2's markers, as a Keras 2 model converted by tfjs-converter carries them. */
function asKeras2(artifacts: ModelArtifacts): ModelArtifacts {
  const topology = JSON.parse(JSON.stringify(artifacts.modelTopology)) as { keras_version: string; backend: string; class_name: string; config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
  topology.keras_version = '2.4.0';
  topology.backend = 'tensorflow';
  for (const layer of topology.config.layers) {
    if (layer.class_name === 'ReLU') Object.assign(layer.config, { negative_slope: 0.0, threshold: 0.0 });
    if (layer.class_name === 'DepthwiseConv2D') Object.assign(layer.config, { depthwise_constraint: null, bias_constraint: null, activity_regularizer: null });
  }
  return { ...artifacts, modelTopology: topology, generatedBy: 'keras v2.4.0', convertedBy: 'TensorFlow.js Converter v1.7.0' };
}

describe('a converted, quantized MobileNetV2-style model', () => {
  it.each(['uint8', 'uint16'] as const)('with %s weights loads and predicts what tfjs predicts (within 1e-5)', async (dtype) => {
    const tfModel = await mobileNetBlock();
    const artifacts = quantize(asKeras2(await tfjsArtifacts(tfModel)), dtype);
    // tfjs' own loader on the same artifacts is the oracle.
    const theirs = await tfl.loadLayersModel(tf.io.fromMemory(artifacts as unknown as tf.io.ModelArtifacts));
    const ours = fromArtifacts(artifacts) as Model;
    expect(ours.layers.map((l) => l.className)).toEqual(theirs.layers.map((l) => l.getClassName()));
    const x = values(3 * 243, 9);
    const expected = (theirs.predict(tf.tensor(x, [3, 9, 9, 3])) as tf.Tensor).dataSync();
    const got = ours.predict(new Tensor(x, [3, 9, 9, 3])) as Tensor;
    let d = 0;
    for (let i = 0; i < expected.length; i++) d = Math.max(d, Math.abs(expected[i]! - got.values[i]!));
    console.log(`${dtype}-quantized MobileNetV2 block vs tfjs: max |difference| ${d.toExponential(2)}`);
    expect(d).toBeLessThanOrEqual(1e-5);
    // Quantization changed the predictions a little, the dequantized values are tfjs' exactly.
    const theirWeights = new Map(theirs.weights.map((w) => [w.originalName, w.read().dataSync()]));
    expect(ours.weights.length).toBe(theirWeights.size);
    for (const w of ours.weights) expect(Array.from(w.values), w.name).toEqual(Array.from(theirWeights.get(w.name)!));
  });

  it('fine-tunes the head with the base frozen: base weights and BatchNormalization statistics stay put', async () => {
    const ours = fromArtifacts(quantize(asKeras2(await tfjsArtifacts(await mobileNetBlock())), 'uint8')) as Model;
    for (const layer of ours.layers.slice(0, -1)) layer.trainable = false;
    const before = new Map(ours.weights.map((w) => [w.name, Array.from(w.values)]));
    ours.compile({ optimizer: 'adam', loss: 'categorical_crossentropy' });
    const y = new Tensor(Float32Array.from({ length: 32 }, (_, i) => (i % 4 === Math.floor(i / 4) % 4 ? 1 : 0)), [8, 4]);
    await ours.fit(new Tensor(values(8 * 243, 4), [8, 9, 9, 3]), y, { epochs: 2, batchSize: 4, verbose: 0 });
    for (const w of ours.weights) {
      const changed = w.values.some((v, i) => v !== before.get(w.name)![i]);
      expect(changed, w.name).toBe(w.name.startsWith('predictions/'));
    }
  });

  it.each([['learning_rate', 'Adam'], ['lr', 'Adam'], ['learning_rate', 'Custom>Adam']])('loads a Keras 2 training config (optimizer %s, class %s, decay 0, name) compiled', async (lrKey, className) => {
    const tfModel = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3], activation: 'softmax' })] });
    const artifacts = asKeras2(await tfjsArtifacts(tfModel));
    artifacts.trainingConfig = {
      loss: 'categorical_crossentropy', metrics: ['accuracy'], weighted_metrics: null, loss_weights: null, sample_weight_mode: null,
      optimizer_config: { class_name: className, config: { name: 'Adam', [lrKey]: 0.005, decay: 0.0, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false } },
    } as unknown as ModelArtifacts['trainingConfig'];
    const ours = fromArtifacts(artifacts) as Model;
    expect(ours.optimizer.getConfig()).toMatchObject({ learningRate: 0.005, beta1: 0.9 });
  });

  it('reports a short quantized file by the stored bytes, and an unknown quantization clearly', async () => {
    const tfModel = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3] })] });
    const artifacts = quantize(await tfjsArtifacts(tfModel), 'uint8');
    const cut = { ...artifacts, weightData: (artifacts.weightData as ArrayBuffer).slice(0, 7) };
    expect(() => fromArtifacts(cut)).toThrow(/truncated: weight '.*\/bias' \(shape \[2\], uint8-quantized\) needs bytes 6..8 of the weight data, but there are only 7 bytes/);
    const f16 = { ...artifacts, weightSpecs: artifacts.weightSpecs!.map((s) => ({ ...s, quantization: { dtype: 'int4' } })) };
    expect(() => fromArtifacts(f16)).toThrow(/is quantized as \{"dtype":"int4"\}; minikeras dequantizes uint8 and uint16 weights/);
  });

  it("reads hard_sigmoid as the writer meant it: tfjs and Keras 2 clip(0.2x + 0.5, 0, 1), Keras 3 relu6(x + 3) / 6", async () => {
    const tfModel = tfl.sequential({ layers: [tfl.layers.dense({ units: 4, inputShape: [3], activation: 'hardSigmoid', biasInitializer: 'randomNormal' }), tfl.layers.activation({ activation: 'hardSigmoid' })] });
    const x = new Float32Array(values(6 * 3, 5).map((v) => 4 * v));
    const expected = (tfModel.predict(tf.tensor(x, [6, 3])) as tf.Tensor).dataSync();
    const artifacts = await tfjsArtifacts(tfModel);
    const maxDiff = (m: Model, ref: ArrayLike<number>) => {
      const y = (m.predict(new Tensor(x, [6, 3])) as Tensor).values;
      return Math.max(...Array.from(ref, (v, i) => Math.abs(v - y[i]!)));
    };
    for (const version of [(artifacts.modelTopology as { keras_version: string }).keras_version, '2.4.0']) {
      const ours = fromArtifacts({ ...artifacts, modelTopology: { ...(artifacts.modelTopology as object), keras_version: version } });
      expect(maxDiff(ours, expected), version).toBeLessThanOrEqual(1e-6);
      // Saved again it says 'hardSigmoid', which tfjs reads as the same function, and so do we.
      expect(JSON.stringify(toArtifacts(ours).modelTopology)).toContain('"activation":"hardSigmoid"');
      expect(maxDiff(fromArtifacts(toArtifacts(ours)), expected)).toBeLessThanOrEqual(1e-6);
      const back = await tfl.loadLayersModel(tf.io.fromMemory(toArtifacts(ours) as unknown as tf.io.ModelArtifacts));
      const again = (back.predict(tf.tensor(x, [6, 3])) as tf.Tensor).dataSync();
      expect(Math.max(...Array.from(again, (v, i) => Math.abs(v - expected[i]!)))).toBeLessThanOrEqual(1e-6);
    }
    // The same file marked as written by Keras 3 computes Keras 3's hard sigmoid, which differs.
    const keras3 = fromArtifacts({ ...artifacts, modelTopology: { ...(artifacts.modelTopology as object), keras_version: '3.5.0' } });
    expect(maxDiff(keras3, expected)).toBeGreaterThan(0.01);
  });

  it('refuses a tfjs graph model, saying what it is', () => {
    expect(() => fromArtifacts({ format: 'graph-model', modelTopology: { node: [] } } as unknown as ModelArtifacts)).toThrow(/format is 'graph-model'; minikeras loads TensorFlow.js 'layers-model' models \(a graph model has no Keras layers to rebuild\)/);
  });
});
