/** The layers of this folder inside a Sequential model: Keras' shapes and parameter counts, and training. */
import { beforeEach, describe, expect, it } from 'vitest';
import { setSeed } from '@minikeras/tensor';
import { randomTensor } from '@minikeras/test-utils';
import { Sequential } from '../models/sequential';
import { clearSession } from '../engine/layer';
import { Dense } from './dense';
import { Dropout, Flatten, Input } from './core';
import { Conv2D } from './conv2d';
import { AveragePooling2D, MaxPooling2D } from './pooling';
import { GlobalAveragePooling2D } from './global-pooling';
import { BatchNormalization } from './batch-normalization';
import { LayerNormalization } from './layer-normalization';
import { Embedding } from './embedding';

beforeEach(() => clearSession());

describe('convolutional layers in a Sequential model', () => {
  it("match Keras' output shapes and parameter counts", () => {
    const model = new Sequential([
      Input({ shape: [28, 28, 1] }),
      new Conv2D(32, 3, { activation: 'relu' }), // 3*3*1*32 + 32 = 320 params, 26x26
      new MaxPooling2D(2), //                                            13x13
      new BatchNormalization(), //                 4 * 32 = 128 params (64 non-trainable)
      new Conv2D(16, 3, { strides: 2, padding: 'same' }), // 3*3*32*16 + 16 = 4624 params, ceil(13/2) = 7
      new AveragePooling2D(2, { padding: 'same' }), //                       ceil(7/2) = 4
      new Flatten(), //                                                      4*4*16 = 256
      new Dropout(0.5),
      new Dense(10, { activation: 'softmax' }), // 256*10 + 10 = 2570 params
    ]);
    expect(model.outputShape).toEqual([null, 10]);
    expect(model.layers.map((l) => l.name)).toEqual([
      'conv2d', 'max_pooling2d', 'batch_normalization', 'conv2d_1', 'average_pooling2d', 'flatten', 'dropout', 'dense',
    ]);
    expect(model.layers.map((l) => l.countParams())).toEqual([320, 0, 128, 4624, 0, 0, 0, 2570]);
    expect(model.nonTrainableWeights.map((w) => w.name)).toEqual(['batch_normalization/moving_mean', 'batch_normalization/moving_variance']);
  });

  it('train: a few Adam steps on one batch lower the loss', () => {
    setSeed(1);
    const model = new Sequential([
      Input({ shape: [8, 8, 1] }),
      new Conv2D(4, 3, { activation: 'relu', padding: 'same' }),
      new BatchNormalization(),
      new MaxPooling2D(2),
      new GlobalAveragePooling2D(),
      new LayerNormalization(),
      new Dense(3, { activation: 'softmax' }),
    ]);
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    const x = randomTensor([6, 8, 8, 1], 2);
    const y = [0, 1, 2, 0, 1, 2];
    const first = model.trainOnBatch(x, y) as number;
    let last = first;
    for (let i = 0; i < 30; i++) last = model.trainOnBatch(x, y) as number;
    expect(last).toBeLessThan(first * 0.9);
  });

  it('an Embedding model trains on integer ids', () => {
    setSeed(2);
    const model = new Sequential([Input({ shape: [4] }), new Embedding(10, 8), new Flatten(), new Dense(2, { activation: 'softmax' })]);
    expect(model.outputShape).toEqual([null, 2]);
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    const x = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 0, 1, 2], [3, 4, 5, 6]];
    const y = [0, 1, 0, 1];
    const first = model.trainOnBatch(x, y) as number;
    let last = first;
    for (let i = 0; i < 30; i++) last = model.trainOnBatch(x, y) as number;
    expect(last).toBeLessThan(first * 0.9);
  });
});
