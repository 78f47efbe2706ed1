// The keras.io examples the layer set enables, on small synthetic data: each model is built with the
// functional API as the example builds it, trains with fit (loss must drop clearly, accuracy must be high
// where the task is easy), and survives a save -> load round trip predicting the same.
import { beforeEach, describe, expect, it } from 'vitest';
import { Random, Tensor, setSeed } from '@minikeras/tensor';
import { clearSession } from '../engine/layer';
import { Input } from './core';
import { Dense, Dropout, Embedding, Conv2D, MaxPooling2D, BatchNormalization, Add, Flatten } from './index';
import {
  AlphaDropout, CategoryEncoding, Conv1D, Conv2DTranspose, DepthwiseConv2D, ELU, GaussianNoise, GlobalAveragePooling1D, GlobalMaxPooling1D, LeakyReLU,
  Normalization, PReLU, ReLU, Rescaling, Resizing, SeparableConv2D, SpatialDropout1D, UpSampling2D, ZeroPadding2D, Softmax, Concatenate,
} from './index';
import { GlobalAveragePooling2D } from './global-pooling';
import { Model } from '../models/model';
import '../models/functional';
import { toArtifacts } from '../saving/artifacts';
import { fromArtifacts } from '../saving/load-model';

// Each example's data and weights are the same whether it runs alone or after the others.
let rng = new Random(3);
beforeEach(() => {
  clearSession();
  setSeed(7);
  rng = new Random(3);
});

const uniform = (n: number, lo = -1, hi = 1) => Float32Array.from({ length: n }, () => lo + (hi - lo) * rng.uniform());
const oneHot = (labels: number[], k: number) => new Tensor(Float32Array.from({ length: labels.length * k }, (_, i) => (labels[Math.floor(i / k)] === i % k ? 1 : 0)), [labels.length, k]);

async function trains(model: Model, x: Tensor | Tensor[], y: Tensor, loss: string, epochs: number, metrics: string[] = []): Promise<Record<string, number[]>> {
  model.compile({ optimizer: 'adam', loss: loss as never, metrics: metrics as never });
  const h = await model.fit(x as never, y, { epochs, batchSize: 16, verbose: 0 });
  const losses = h.history.loss as number[];
  expect(losses.at(-1)!).toBeLessThan(0.7 * losses[0]!);
  return h.history as Record<string, number[]>;
}

function roundTrip(model: Model, x: Tensor | Tensor[]): void {
  const loaded = fromArtifacts(toArtifacts(model));
  const a = model.predict(x as never) as Tensor, b = loaded.predict(x as never) as Tensor;
  expect(Array.from(b.values)).toEqual(Array.from(a.values));
}

describe('keras.io examples on small data', () => {
  it('timeseries classification from scratch (Conv1D, BatchNormalization, ReLU, GlobalAveragePooling1D)', async () => {
    // Class 0: a noisy sine, class 1: a noisy square wave, 32 steps.
    const n = 64, steps = 32;
    const labels = Array.from({ length: n }, (_, i) => i % 2);
    const xs = new Float32Array(n * steps);
    labels.forEach((c, i) => {
      const phase = rng.uniform() * 6.28;
      for (let t = 0; t < steps; t++) {
        const s = Math.sin(t / 3 + phase);
        xs[i * steps + t] = (c === 0 ? s : Math.sign(s)) + 0.1 * (rng.uniform() - 0.5);
      }
    });
    const inputs = Input({ shape: [steps, 1] });
    let x = inputs;
    for (const filters of [8, 8]) {
      x = new Conv1D(filters, 3, { padding: 'same' }).apply(x);
      x = new BatchNormalization().apply(x);
      x = new ReLU().apply(x);
    }
    x = new GlobalAveragePooling1D().apply(x);
    const model = new Model({ inputs, outputs: new Dense(2, { activation: 'softmax' }).apply(x) });
    const X = new Tensor(xs, [n, steps, 1]);
    const h = await trains(model, X, oneHot(labels, 2), 'categorical_crossentropy', 25, ['accuracy']);
    expect(h.accuracy!.at(-1)!).toBeGreaterThan(0.9);
    roundTrip(model, X);
  });

  it('text classification with a Conv1D over embeddings (Embedding, SpatialDropout1D, Conv1D, GlobalMaxPooling1D)', async () => {
    // Label: whether token 7 occurs in the sequence of 12 ids from a vocabulary of 20.
    const n = 96, len = 12;
    const ids = Float32Array.from({ length: n * len }, () => 1 + Math.floor(rng.uniform() * 19));
    const labels = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : 0));
    labels.forEach((l, i) => {
      for (let t = 0; t < len; t++) if (ids[i * len + t] === 7) ids[i * len + t] = 8;
      if (l) ids[i * len + Math.floor(rng.uniform() * len)] = 7;
    });
    const inputs = Input({ shape: [len], dtype: 'int32' });
    let x = new Embedding(20, 8).apply(inputs);
    x = new SpatialDropout1D(0.1).apply(x);
    x = new Conv1D(16, 3, { activation: 'relu', strides: 1 }).apply(x);
    x = new GlobalMaxPooling1D().apply(x);
    x = new Dropout(0.1).apply(x);
    const model = new Model({ inputs, outputs: new Dense(1, { activation: 'sigmoid' }).apply(x) });
    const X = new Tensor(ids, [n, len]);
    const h = await trains(model, X, new Tensor(Float32Array.from(labels), [n, 1]), 'binary_crossentropy', 30, ['accuracy']);
    expect(h.accuracy!.at(-1)!).toBeGreaterThan(0.9);
    roundTrip(model, X);
  });

  it('a convolutional autoencoder (Conv2D, MaxPooling2D, Conv2DTranspose, UpSampling2D)', async () => {
    // 8x8 images of a bright square at a random place.
    const n = 48;
    const xs = new Float32Array(n * 64);
    for (let i = 0; i < n; i++) {
      const r = Math.floor(rng.uniform() * 5), c = Math.floor(rng.uniform() * 5);
      for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) xs[i * 64 + (r + a) * 8 + c + b] = 1;
    }
    const inputs = Input({ shape: [8, 8, 1] });
    let x = new Conv2D(8, 3, { activation: 'relu', padding: 'same' }).apply(inputs);
    x = new MaxPooling2D(2, { padding: 'same' }).apply(x);
    x = new Conv2DTranspose(8, 3, { strides: 2, activation: 'relu', padding: 'same' }).apply(x);
    const skip = new UpSampling2D(2).apply(new MaxPooling2D(2).apply(inputs));
    x = new Concatenate().apply([x, skip]);
    const model = new Model({ inputs, outputs: new Conv2D(1, 3, { activation: 'sigmoid', padding: 'same' }).apply(x) });
    const X = new Tensor(xs, [n, 8, 8, 1]);
    await trains(model, X, X, 'binary_crossentropy', 30);
    roundTrip(model, X);
  });

  it('MobileNetV2 and Xception blocks (ZeroPadding2D, DepthwiseConv2D, ReLU(6), SeparableConv2D, Add)', async () => {
    const n = 32;
    const labels = Array.from({ length: n }, (_, i) => i % 3);
    // Class k: a brighter k-th third of the image.
    const xs = new Float32Array(n * 9 * 9 * 3);
    labels.forEach((k, i) => { for (let p = 0; p < 243; p++) xs[i * 243 + p] = 0.2 * rng.uniform() + (Math.floor((p / 3) / 27) === k ? 1 : 0); });
    const inputs = Input({ shape: [9, 9, 3] });
    let x = new ZeroPadding2D([[0, 1], [0, 1]]).apply(inputs);
    x = new Conv2D(8, 3, { strides: 2, useBias: false }).apply(x);
    x = new BatchNormalization().apply(x);
    const stem = new ReLU({ maxValue: 6 }).apply(x);
    // MobileNetV2 inverted residual: expand, depthwise, project, add.
    x = new ReLU({ maxValue: 6 }).apply(new Conv2D(16, 1, { useBias: false }).apply(stem));
    x = new ReLU({ maxValue: 6 }).apply(new BatchNormalization().apply(new DepthwiseConv2D(3, { padding: 'same', useBias: false }).apply(x)));
    x = new Add().apply([stem, new Conv2D(8, 1, { useBias: false }).apply(x)]);
    // Xception entry-flow block: separable convs with a strided 1x1 shortcut.
    const shortcut = new Conv2D(16, 1, { strides: 2, padding: 'same' }).apply(x);
    x = new SeparableConv2D(16, 3, { padding: 'same', activation: 'relu' }).apply(x);
    x = new MaxPooling2D(3, { strides: 2, padding: 'same' }).apply(new SeparableConv2D(16, 3, { padding: 'same' }).apply(x));
    x = new Add().apply([x, shortcut]);
    x = new GlobalAveragePooling2D().apply(x);
    const model = new Model({ inputs, outputs: new Dense(3, { activation: 'softmax' }).apply(x) });
    const X = new Tensor(xs, [n, 9, 9, 3]);
    const h = await trains(model, X, oneHot(labels, 3), 'categorical_crossentropy', 25, ['accuracy']);
    expect(h.accuracy!.at(-1)!).toBeGreaterThan(0.9);
    roundTrip(model, X);
  });

  it('the preprocessing guide: Normalization.adapt, Rescaling, Resizing, CategoryEncoding inside a model', async () => {
    const n = 64;
    // Inputs: 4x4 "images" in [0, 255] and a category id in [0, 4); target: mean brightness + category effect.
    const pix = uniform(n * 16, 0, 255);
    const cats = Float32Array.from({ length: n }, () => Math.floor(rng.uniform() * 4));
    const num = uniform(n * 2, 100, 300);
    const target = Float32Array.from({ length: n }, (_, i) => {
      let m = 0;
      for (let p = 0; p < 16; p++) m += pix[i * 16 + p]! / 255 / 16;
      return m + [0, 1, -1, 0.5][cats[i]!]! + (num[2 * i]! - 200) / 100;
    });
    const image = Input({ shape: [4, 4, 1], name: 'image' });
    const category = Input({ shape: [1], name: 'category' });
    const numeric = Input({ shape: [2], name: 'numeric' });
    const norm = new Normalization();
    norm.adapt(new Tensor(num, [n, 2]));
    const a = new Flatten().apply(new Resizing(2, 2).apply(new Rescaling(1 / 255).apply(image)));
    const b = new CategoryEncoding({ numTokens: 4, outputMode: 'one_hot' }).apply(category);
    const c = norm.apply(numeric);
    const model = new Model({ inputs: [image, category, numeric], outputs: new Dense(1).apply(new Concatenate().apply([a, b, c])) });
    const X = [new Tensor(pix, [n, 4, 4, 1]), new Tensor(cats, [n, 1]), new Tensor(num, [n, 2])];
    await trains(model, X, new Tensor(target, [n, 1]), 'mse', 40);
    roundTrip(model, X);
  });

  it('the activation layers in a classifier (LeakyReLU, PReLU, ELU, Softmax, GaussianNoise, AlphaDropout)', async () => {
    const n = 64;
    const xs = uniform(n * 4);
    const labels = Array.from({ length: n }, (_, i) => (xs[i * 4]! + xs[i * 4 + 1]! > 0 ? 1 : 0) + (xs[i * 4 + 2]! > 0 ? 1 : 0));
    const inputs = Input({ shape: [4] });
    let x = new GaussianNoise(0.05).apply(inputs);
    x = new LeakyReLU().apply(new Dense(16).apply(x));
    x = new PReLU().apply(new Dense(16).apply(x));
    x = new AlphaDropout(0.05).apply(new ELU().apply(new Dense(16).apply(x)));
    const model = new Model({ inputs, outputs: new Softmax().apply(new Dense(3).apply(x)) });
    const X = new Tensor(xs, [n, 4]);
    const h = await trains(model, X, oneHot(labels, 3), 'categorical_crossentropy', 120, ['accuracy']);
    expect(h.accuracy!.at(-1)!).toBeGreaterThan(0.8);
    roundTrip(model, X);
  });
});
