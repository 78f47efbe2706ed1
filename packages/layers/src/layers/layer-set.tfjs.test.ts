// The layer set against TensorFlow.js 4.22 (tfjs-layers on the cpu backend, a test-only oracle), both ways
// through tfjs' Layers format: tfjs builds a one-layer model (random weights, random biases), saves it, we load
// it and must predict what tfjs predicts (within 1e-5); then we save our loaded model and tfjs must load that
// file and predict the same again.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { Tensor } from '@minikeras/tensor';
import { toArtifacts } from '../saving/artifacts';
import { fromArtifacts } from '../saving/load-model';
import type { Model } from '../models/model';
// The whole layer set and the model classes, registered for loading.
import './index';
import '../models/sequential';
import '../models/functional';
import { tfjsSave } from '../testing/tfjs-oracle';
import { maxDiff } from '@minikeras/test-utils';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Deterministic values in [-scale, scale) (whole numbers in [0, ids) with `ids`). */
export function values(n: number, seed: number, scale = 1, ids?: number): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const s = Math.sin(seed * 12.9898 + i * 78.233) * 43758.5453;
    const u = s - Math.floor(s);
    v[i] = ids ? Math.floor(u * ids) : scale * (2 * u - 1);
  }
  return v;
}

const rn = { className: 'RandomNormal', config: { mean: 0, stddev: 0.5, seed: 3 } } as const;

interface Case {
  /** The tfjs layer, with its input shape (no batch). */
  make: () => tfl.layers.Layer;
  /** Input shape with the batch axis. */
  shape: number[];
  /** Input scale (default 1) or category count for integer inputs. */
  scale?: number;
  ids?: number;
}

const CASES: Record<string, Case> = {
  // activations
  'ReLU': { make: () => tfl.layers.reLU({ inputShape: [5, 4] }), shape: [2, 5, 4] },
  'ReLU maxValue 6': { make: () => tfl.layers.reLU({ maxValue: 6, inputShape: [5, 4] }), shape: [2, 5, 4], scale: 9 },
  'LeakyReLU': { make: () => tfl.layers.leakyReLU({ inputShape: [6] }), shape: [3, 6] },
  'LeakyReLU alpha 0.1': { make: () => tfl.layers.leakyReLU({ alpha: 0.1, inputShape: [6] }), shape: [3, 6] },
  'PReLU': { make: () => tfl.layers.prelu({ alphaInitializer: tfl.initializers.randomNormal({ stddev: 0.5, seed: 1 }), inputShape: [3, 4] }), shape: [2, 3, 4] },
  'PReLU sharedAxes [1]': { make: () => tfl.layers.prelu({ alphaInitializer: tfl.initializers.randomNormal({ stddev: 0.5, seed: 2 }), sharedAxes: [1], inputShape: [3, 4] }), shape: [2, 3, 4] },
  // tfjs' ELU layer supports alpha 1 only (other alphas: the float64 reference in activations.test.ts).
  'ELU': { make: () => tfl.layers.elu({ inputShape: [7] }), shape: [2, 7], scale: 3 },
  // tfjs' softmax supports the last axis only (its layer's default axis is 1); other axes: activations.test.ts.
  'Softmax': { make: () => tfl.layers.softmax({ inputShape: [5] }), shape: [3, 5], scale: 4 },
  'Softmax axis -1': { make: () => tfl.layers.softmax({ axis: -1, inputShape: [3, 5] }), shape: [2, 3, 5], scale: 4 },
  'ThresholdedReLU theta 0.3': { make: () => tfl.layers.thresholdedReLU({ theta: 0.3, inputShape: [8] }), shape: [2, 8] },
  // convolutions
  'Conv1D same stride 2': { make: () => tfl.layers.conv1d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', biasInitializer: 'randomNormal', inputShape: [9, 2] }), shape: [2, 9, 2] },
  'Conv1D valid dilation 2 relu': { make: () => tfl.layers.conv1d({ filters: 4, kernelSize: 3, dilationRate: 2, activation: 'relu', biasInitializer: 'randomNormal', inputShape: [10, 3] }), shape: [2, 10, 3] },
  'Conv3D same stride 2': { make: () => tfl.layers.conv3d({ filters: 2, kernelSize: 2, strides: 2, padding: 'same', biasInitializer: 'randomNormal', inputShape: [5, 4, 3, 2] }), shape: [2, 5, 4, 3, 2] },
  'Conv3D valid dilation [1, 2, 1]': { make: () => tfl.layers.conv3d({ filters: 3, kernelSize: [2, 2, 3], dilationRate: [1, 2, 1], biasInitializer: 'randomNormal', inputShape: [4, 5, 4, 2] }), shape: [1, 4, 5, 4, 2] },
  'Conv2DTranspose same stride 2': { make: () => tfl.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', biasInitializer: 'randomNormal', inputShape: [4, 3, 2] }), shape: [2, 4, 3, 2] },
  'Conv2DTranspose valid stride [2, 3] kernel [3, 2]': { make: () => tfl.layers.conv2dTranspose({ filters: 2, kernelSize: [3, 2], strides: [2, 3], biasInitializer: 'randomNormal', inputShape: [3, 4, 3] }), shape: [2, 3, 4, 3] },
  'Conv2DTranspose valid stride 1': { make: () => tfl.layers.conv2dTranspose({ filters: 2, kernelSize: 3, activation: 'tanh', inputShape: [3, 3, 2] }), shape: [1, 3, 3, 2] },
  'Conv3DTranspose valid stride 2': { make: () => tfl.layers.conv3dTranspose({ filters: 2, kernelSize: 2, strides: 2, biasInitializer: 'randomNormal', inputShape: [2, 3, 2, 3] }), shape: [2, 2, 3, 2, 3] },
  'Conv3DTranspose same stride [1, 2, 2]': { make: () => tfl.layers.conv3dTranspose({ filters: 3, kernelSize: 3, strides: [1, 2, 2], padding: 'same', inputShape: [2, 3, 2, 2] }), shape: [1, 2, 3, 2, 2] },
  'DepthwiseConv2D same stride 2 multiplier 2': { make: () => tfl.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', depthMultiplier: 2, biasInitializer: 'randomNormal', inputShape: [7, 6, 3] }), shape: [2, 7, 6, 3] },
  // tfjs' DepthwiseConv2D layer ignores dilationRate (dilation: convolutional.test.ts, against tf.depthwiseConv2d).
  'DepthwiseConv2D valid kernel [3, 2]': { make: () => tfl.layers.depthwiseConv2d({ kernelSize: [3, 2], biasInitializer: 'randomNormal', inputShape: [7, 6, 2] }), shape: [2, 7, 6, 2] },
  'DepthwiseConv2D relu6 (MobileNet)': { make: () => tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false, activation: 'relu6', inputShape: [5, 5, 4] }), shape: [1, 5, 5, 4], scale: 6 },
  // tfjs does not write depth_multiplier into SeparableConv2D configs (multiplier 2: convolutional.test.ts).
  'SeparableConv2D same': { make: () => tfl.layers.separableConv2d({ filters: 4, kernelSize: 3, padding: 'same', biasInitializer: 'randomNormal', inputShape: [6, 5, 3] }), shape: [2, 6, 5, 3] },
  'SeparableConv2D valid stride 2': { make: () => tfl.layers.separableConv2d({ filters: 3, kernelSize: 2, strides: 2, activation: 'relu', inputShape: [7, 7, 2] }), shape: [2, 7, 7, 2] },
  // pooling
  'MaxPooling1D same pool 3 stride 2': { make: () => tfl.layers.maxPooling1d({ poolSize: 3, strides: 2, padding: 'same', inputShape: [8, 3] }), shape: [2, 8, 3] },
  'MaxPooling1D valid': { make: () => tfl.layers.maxPooling1d({ poolSize: 2, inputShape: [7, 3] }), shape: [2, 7, 3] },
  'AveragePooling1D same pool 3 stride 2': { make: () => tfl.layers.averagePooling1d({ poolSize: 3, strides: 2, padding: 'same', inputShape: [8, 3] }), shape: [2, 8, 3] },
  'AveragePooling1D valid stride 1': { make: () => tfl.layers.averagePooling1d({ poolSize: 3, strides: 1, inputShape: [6, 2] }), shape: [2, 6, 2] },
  'MaxPooling3D same': { make: () => tfl.layers.maxPooling3d({ poolSize: [2, 3, 2], padding: 'same', inputShape: [3, 5, 4, 2] }), shape: [2, 3, 5, 4, 2] },
  'MaxPooling3D valid stride 1': { make: () => tfl.layers.maxPooling3d({ poolSize: 2, strides: 1, inputShape: [3, 3, 4, 2] }), shape: [1, 3, 3, 4, 2] },
  'AveragePooling3D same': { make: () => tfl.layers.averagePooling3d({ poolSize: 2, padding: 'same', inputShape: [3, 5, 3, 2] }), shape: [2, 3, 5, 3, 2] },
  'AveragePooling3D valid': { make: () => tfl.layers.averagePooling3d({ poolSize: [2, 2, 3], strides: [1, 2, 1], inputShape: [4, 4, 4, 1] }), shape: [1, 4, 4, 4, 1] },
  'GlobalAveragePooling1D': { make: () => tfl.layers.globalAveragePooling1d({ inputShape: [5, 3] }), shape: [2, 5, 3] },
  'GlobalMaxPooling1D': { make: () => tfl.layers.globalMaxPooling1d({ inputShape: [5, 3] }), shape: [2, 5, 3] },
  // reshaping
  'ZeroPadding2D [[1, 2], [0, 3]]': { make: () => tfl.layers.zeroPadding2d({ padding: [[1, 2], [0, 3]], inputShape: [3, 2, 2] }), shape: [2, 3, 2, 2] },
  'ZeroPadding2D 1 (MobileNet)': { make: () => tfl.layers.zeroPadding2d({ inputShape: [3, 3, 1] }), shape: [1, 3, 3, 1] },
  'Cropping2D [[1, 0], [2, 1]]': { make: () => tfl.layers.cropping2D({ cropping: [[1, 0], [2, 1]], inputShape: [4, 5, 2] }), shape: [2, 4, 5, 2] },
  'UpSampling2D nearest [2, 3]': { make: () => tfl.layers.upSampling2d({ size: [2, 3], inputShape: [3, 2, 2] }), shape: [2, 3, 2, 2] },
  'Permute [2, 1]': { make: () => tfl.layers.permute({ dims: [2, 1], inputShape: [3, 4] }), shape: [2, 3, 4] },
  'Permute [3, 1, 2]': { make: () => tfl.layers.permute({ dims: [3, 1, 2], inputShape: [2, 3, 4] }), shape: [2, 2, 3, 4] },
  'RepeatVector 3': { make: () => tfl.layers.repeatVector({ n: 3, inputShape: [4] }), shape: [2, 4] },
  'Flatten of a 3-D input': { make: () => tfl.layers.flatten({ inputShape: [2, 3, 2] }), shape: [2, 2, 3, 2] },
  'Reshape with -1': { make: () => tfl.layers.reshape({ targetShape: [-1, 2], inputShape: [3, 4] }), shape: [2, 3, 4] },
  // regularization (the identity at inference; the configs must load both ways)
  'SpatialDropout1D': { make: () => tfl.layers.spatialDropout1d({ rate: 0.3, inputShape: [4, 3] }), shape: [2, 4, 3] },
  'GaussianNoise': { make: () => tfl.layers.gaussianNoise({ stddev: 0.2, inputShape: [5] }), shape: [2, 5] },
  'GaussianDropout': { make: () => tfl.layers.gaussianDropout({ rate: 0.2, inputShape: [5] }), shape: [2, 5] },
  'AlphaDropout': { make: () => tfl.layers.alphaDropout({ rate: 0.2, inputShape: [5] }), shape: [2, 5] },
  // preprocessing
  'Rescaling': { make: () => tfl.layers.rescaling({ scale: 1 / 127.5, offset: -1, inputShape: [3, 3, 1] }), shape: [2, 3, 3, 1], scale: 255 },
  'CenterCrop even to odd': { make: () => tfl.layers.centerCrop({ height: 3, width: 2 }), shape: [2, 6, 5, 2] },
  // Ids from 0..2 in rows of 4: every row repeats an id, so multi-hot and count differ.
  'CategoryEncoding multi_hot': { make: () => tfl.layers.categoryEncoding({ numTokens: 6, outputMode: 'multiHot' }), shape: [3, 4], ids: 3 },
  'CategoryEncoding count': { make: () => tfl.layers.categoryEncoding({ numTokens: 6, outputMode: 'count' }), shape: [3, 4], ids: 3 },
  'CategoryEncoding one_hot': { make: () => tfl.layers.categoryEncoding({ numTokens: 5, outputMode: 'oneHot' }), shape: [4, 1], ids: 5 },
  'Masking': { make: () => tfl.layers.masking({ maskValue: 0, inputShape: [4, 3] }), shape: [2, 4, 3] },
};

/** The largest difference from tfjs seen in this file, reported at the end. */
let worst = 0;

describe('the layer set against tfjs-layers 4.22, through tfjs Layers files both ways', () => {
  it.each(Object.entries(CASES))('%s', async (_name, c) => {
    // A functional model: tfjs' Sequential infers a wrong input shape for its preprocessing layers.
    const input = tfl.input({ shape: c.shape.slice(1) });
    const layer = c.make();
    const tfModel = tfl.model({ inputs: input, outputs: layer.apply(input) as tfl.SymbolicTensor });
    const n = c.shape.reduce((p, d) => p * d, 1);
    const x = values(n, 11, c.scale ?? 1, c.ids);
    if (c.make.toString().includes('masking')) for (let i = 0; i < 3; i++) x[3 + i] = 0; // one fully masked step
    // The layer applied eagerly: tfjs' CenterCrop and CategoryEncoding models cannot predict (their
    // computeOutputShape overwrites the model's input shape), their layers can.
    const expected = (layer.apply(tf.tensor(x, c.shape)) as tf.Tensor).dataSync();

    // tfjs -> minikeras: tfjs' config and weights load and compute the same.
    const artifacts = await tfjsSave(tfModel);
    // tfjs' CenterCrop and CategoryEncoding overwrite their model's input shape with their output shape
    // (computeOutputShape edits its argument), so tfjs writes a wrong InputLayer shape: put the real one back.
    const topology = artifacts.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    topology.config.layers[0]!.config.batch_input_shape = [null, ...c.shape.slice(1)];
    const ours = fromArtifacts(artifacts) as Model;
    expect(ours.layers.at(-1)!.className).toBe(layer.getClassName());
    const got = ours.predict(new Tensor(x, c.shape)) as Tensor;
    const d1 = maxDiff(got.values, expected);
    expect(d1).toBeLessThanOrEqual(1e-5);

    // minikeras -> tfjs: the file we write loads in tfjs and computes the same.
    const back = await tfl.loadLayersModel(tf.io.fromMemory(toArtifacts(ours) as unknown as tf.io.ModelArtifacts));
    expect(back.layers.at(-1)!.getClassName()).toBe(layer.getClassName());
    const d2 = maxDiff((back.layers.at(-1)!.apply(tf.tensor(x, c.shape)) as tf.Tensor).dataSync(), expected);
    expect(d2).toBeLessThanOrEqual(1e-5);
    worst = Math.max(worst, d1, d2);
  });

  it('stays within 1e-5 of tfjs on every case (max difference printed)', () => {
    console.log(`layer set vs tfjs-layers 4.22: ${Object.keys(CASES).length} cases, max |difference| ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(1e-5);
  });
});
