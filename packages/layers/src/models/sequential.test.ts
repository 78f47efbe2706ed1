import { beforeEach, describe, expect, it } from 'vitest';
import { Tensor, setSeed, tensor, randomNormal, argMax } from '@minikeras/tensor';
import { Adadelta, Adagrad, Adam, RMSprop, SGD } from '@minikeras/optimizers';
import { Sequential } from './sequential';
import { Dense, Dropout, Input, Flatten } from '../layers';
import { clearSession } from '../engine/layer';
import { Callback } from '../callbacks/callback';
import type { Logs } from '../callbacks/callback';

const XOR_X = [[0, 0], [0, 1], [1, 0], [1, 1]];
const XOR_Y = [[0], [1], [1], [0]];

function xorModel(): Sequential {
  return new Sequential([
    new Dense(8, { activation: 'tanh', inputShape: [2] }),
    new Dense(1, { activation: 'sigmoid' }),
  ]);
}

/** A toy 3-class problem: the class is the index of the largest of three features. */
function blobs(n: number, seed: number): { x: Tensor; y: Tensor; oneHot: Tensor } {
  setSeed(seed);
  const x = randomNormal([n, 3]);
  const y = argMax(x, -1);
  const oh = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) oh[i * 3 + y.values[i]!] = 1;
  return { x, y: tensor(Float32Array.from(y.values), [n]), oneHot: new Tensor(oh, [n, 3]) };
}

beforeEach(() => clearSession());

describe('Sequential training', () => {
  it('trains XOR (2-8-1) to 100% accuracy', async () => {
    setSeed(3);
    const model = xorModel();
    model.compile({ optimizer: new Adam({ learningRate: 0.05 }), loss: 'binary_crossentropy', metrics: ['accuracy'] });
    const history = await model.fit(XOR_X, XOR_Y, { epochs: 300, batchSize: 4, verbose: 0 });
    const losses = history.history.loss!;
    expect(losses[losses.length - 1]!).toBeLessThan(0.1);
    expect(history.history.accuracy![losses.length - 1]).toBe(1);
    const p = model.predict(XOR_X).values;
    expect(Array.from(p, (v) => (v > 0.5 ? 1 : 0))).toEqual([0, 1, 1, 0]);
  });

  it('reports Keras log keys (sorted) with validation, and evaluate returns [loss, metric]', async () => {
    const { x, y } = blobs(200, 1);
    const model = new Sequential([new Dense(16, { activation: 'relu', inputShape: [3] }), new Dense(3, { activation: 'softmax' })]);
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
    let batchLogs: Logs | null = null;
    class Spy extends Callback { override onBatchEnd(_b: number, logs: Logs) { batchLogs = logs; } }
    const history = await model.fit(x, y, { epochs: 3, validationSplit: 0.25, verbose: 0, callbacks: [new Spy()] });
    expect(Object.keys(history.history)).toEqual(['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    expect(history.history.loss).toHaveLength(3);
    expect(history.epoch).toEqual([0, 1, 2]);
    expect(Object.keys(batchLogs!)).toEqual(['accuracy', 'loss']);
    // validationSplit holds out the last 25% (Keras takes it from the end, before shuffling).
    const [loss, acc] = model.evaluate(x.slice([150, 0], [50, 3]), y.slice([150], [50])) as number[];
    expect(loss).toBeCloseTo(history.history.val_loss![2]!, 5);
    expect(acc).toBeCloseTo(history.history.val_accuracy![2]!, 5);
    expect(model.metricsNames).toEqual(['loss', 'accuracy']);
  });

  it('is reproducible bit for bit after setSeed (init, shuffle, dropout)', async () => {
    const run = async () => {
      clearSession();
      const { x, oneHot } = blobs(64, 5);
      setSeed(11);
      const model = new Sequential([new Dense(8, { activation: 'relu', inputShape: [3] }), new Dropout(0.3), new Dense(3, { activation: 'softmax' })]);
      model.compile({ optimizer: 'sgd', loss: 'categorical_crossentropy' });
      await model.fit(x, oneHot, { epochs: 2, batchSize: 8, verbose: 0 });
      return model.getWeights().map((w) => Array.from(w.values));
    };
    expect(await run()).toEqual(await run());
  });

  it('trains from an iterable of batches, and from an async generator with stepsPerEpoch', async () => {
    const { x, oneHot } = blobs(96, 2);
    const batches = [0, 32, 64].map((s) => ({ x: x.slice([s, 0], [32, 3]), y: oneHot.slice([s, 0], [32, 3]) }));
    setSeed(4);
    const model = new Sequential([new Dense(3, { activation: 'softmax', inputShape: [3] })]);
    model.compile({ optimizer: new Adam({ learningRate: 0.05 }), loss: 'categorical_crossentropy' });
    const h = await model.fit(batches, { epochs: 5, verbose: 0 });
    expect(h.history.loss![4]!).toBeLessThan(h.history.loss![0]!);
    async function* forever() { for (let i = 0; ; i++) yield batches[i % 3]!; }
    const h2 = await model.fit(forever(), { epochs: 2, stepsPerEpoch: 3, verbose: 0 });
    expect(h2.history.loss).toHaveLength(2);
  });

  it('trainOnBatch, testOnBatch, predictOnBatch and predict agree with the model', () => {
    const { x, oneHot } = blobs(40, 3);
    const model = new Sequential([new Dense(3, { activation: 'softmax', inputShape: [3] })]);
    model.compile({ optimizer: new SGD({ learningRate: 0.5 }), loss: 'categorical_crossentropy' });
    const before = model.testOnBatch(x, oneHot) as number;
    const first = model.trainOnBatch(x, oneHot) as number;
    expect(first).toBeCloseTo(before, 6); // the loss is computed before the update
    for (let i = 0; i < 20; i++) model.trainOnBatch(x, oneHot);
    expect(model.testOnBatch(x, oneHot) as number).toBeLessThan(before);
    // Batches of 7 and one batch of 40 may take different kernels (tiny products stay in TS): equal to float32 rounding.
    const batched = model.predict(x, { batchSize: 7 });
    const whole = model.predictOnBatch(x);
    expect(batched.shape).toEqual([40, 3]);
    batched.values.forEach((v, i) => expect(v).toBeCloseTo(whole.values[i]!, 6));
  });

  it('sampleWeight and classWeight scale the loss as Keras does', () => {
    const x = tensor([[1, 2], [3, 4]]);
    const y = tensor([[1], [0]]);
    const model = new Sequential([new Dense(1, { inputShape: [2], kernelInitializer: 'ones', biasInitializer: 'zeros' })]);
    model.compile({ optimizer: new SGD({ learningRate: 0 }), loss: 'mse' });
    // predictions 3 and 7: squared errors 4 and 49; sum_over_batch_size with weights [1, 0] = (4 + 0) / 2
    expect(model.testOnBatch(x, y, { sampleWeight: [1, 0] })).toBeCloseTo(2, 5);
    expect(model.testOnBatch(x, y)).toBeCloseTo(26.5, 5);
  });

  it('getWeights/setWeights round-trip and check shapes', () => {
    const model = xorModel();
    const w = model.getWeights();
    expect(w.map((t) => t.shape)).toEqual([[2, 8], [8], [8, 1], [1]]);
    const changed = w.map((t) => tensor(new Float32Array(t.size).fill(0.5), t.shape));
    model.setWeights(changed);
    expect(Array.from(model.getWeights()[0]!.values)).toEqual(new Array(16).fill(0.5));
    expect(() => model.setWeights(w.slice(1))).toThrow(/expected 4 arrays, got 3/);
    expect(() => model.setWeights([w[1]!, w[0]!, w[2]!, w[3]!])).toThrow(/has shape \[2,8\], got \[8\]/);
  });
});

describe('Sequential bad input', () => {
  it('fit before compile', async () => {
    await expect(xorModel().fit(XOR_X, XOR_Y)).rejects.toThrow(/must call compile\(\) before fit\(\)/);
  });

  it('x and y with different sample counts', async () => {
    const model = xorModel();
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    await expect(model.fit(XOR_X, [[0], [1], [1]], { verbose: 0 })).rejects.toThrow(/x has 4 samples but y has 3/);
  });

  it('input whose shape does not match the first layer', async () => {
    const declared = new Sequential([Input({ shape: [784] }), new Dense(10)]);
    declared.compile({ optimizer: 'sgd', loss: 'mse' });
    await expect(declared.fit(new Tensor(new Float32Array(4 * 28), [4, 28]), new Tensor(new Float32Array(40), [4, 10]), { verbose: 0 }))
      .rejects.toThrow(/expected input of shape \(None, 784\), got \[4,28\]/);
    const lazy = new Sequential([new Dense(10)]);
    lazy.predict(new Tensor(new Float32Array(784), [1, 784]));
    expect(() => lazy.layers[0]!.apply(new Tensor(new Float32Array(28), [1, 28]))).toThrow(/Dense 'dense_\d+' expects last dimension 784, got 28/);
  });

  it('NaN in the data is reported with its sample index', async () => {
    const model = xorModel();
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    await expect(model.fit([[0, 0], [0, 1], [NaN, 0], [1, 1]], XOR_Y, { verbose: 0 })).rejects.toThrow(/x contains NaN at sample 2/);
  });

  it('unknown fit and compile options are named', async () => {
    const model = xorModel();
    expect(() => model.compile({ optimizer: 'sgd', loss: 'mse', metric: ['accuracy'] } as never)).toThrow(/unknown option 'metric'/);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    await expect(model.fit(XOR_X, XOR_Y, { epoch: 3 } as never)).rejects.toThrow(/unknown option 'epoch'/);
    await expect(model.fit(XOR_X, XOR_Y, { batchSize: 0 })).rejects.toThrow(/batchSize must be an integer >= 1, got 0/);
  });

  it('duplicate layer names are rejected', () => {
    expect(() => new Sequential([new Dense(2, { name: 'a' }), new Dense(2, { name: 'a' })])).toThrow(/layer named 'a' is already in the model/);
  });
});

describe('the seed tutorial, in TypeScript', () => {
  // One-to-one twins of the five Keras snippets in the seed document (also shown in docs/optimizers.md).
  async function lossFalls(compileWith: (m: Sequential) => void, oneHotTargets: boolean, binary = false): Promise<void> {
    const { x, oneHot } = blobs(64, 9);
    setSeed(21);
    const model = new Sequential([
      new Dense(16, { activation: 'relu', inputShape: [3] }),
      new Dense(binary ? 1 : 3, { activation: binary ? 'sigmoid' : 'softmax' }),
    ]);
    compileWith(model);
    const y = binary ? tensor(Array.from({ length: 64 }, (_, i) => [oneHot.values[i * 3]!])) : oneHotTargets ? oneHot : oneHot;
    const h = await model.fit(x, y, { epochs: 8, batchSize: 16, verbose: 0 });
    const l = h.history.loss!;
    expect(l[l.length - 1]!).toBeLessThan(l[0]!);
  }

  it('SGD(lr=0.01, momentum=0.9) with mse', async () => {
    await lossFalls((model) => {
      const sgd = new SGD({ lr: 0.01, momentum: 0.9 });
      model.compile({ optimizer: sgd, loss: 'mse' });
    }, true);
  });
  it('Adam(lr=0.001) with categorical_crossentropy', async () => {
    await lossFalls((model) => {
      const adam = new Adam({ lr: 0.001 });
      model.compile({ optimizer: adam, loss: 'categorical_crossentropy' });
    }, true);
  });
  it('RMSprop(lr=0.001) with binary_crossentropy', async () => {
    await lossFalls((model) => {
      const rmsprop = new RMSprop({ lr: 0.001 });
      model.compile({ optimizer: rmsprop, loss: 'binary_crossentropy' });
    }, false, true);
  });
  it('Adagrad(lr=0.01) with mse', async () => {
    await lossFalls((model) => {
      const adagrad = new Adagrad({ lr: 0.01 });
      model.compile({ optimizer: adagrad, loss: 'mse' });
    }, true);
  });
  it('Adadelta() with mse', async () => {
    await lossFalls((model) => {
      const adadelta = new Adadelta();
      model.compile({ optimizer: adadelta, loss: 'mse' });
    }, true);
  });
});

describe('summary', () => {
  it("prints Keras' table for a 784-128-10 MLP", () => {
    const model = new Sequential([Input({ shape: [28, 28] }), new Flatten(), new Dense(128, { activation: 'relu' }), new Dense(10, { activation: 'softmax' })]);
    const lines: string[] = [];
    model.summary(undefined, (s) => lines.push(...s.split('\n')));
    expect(lines[0]).toBe('Model: "sequential"');
    // Keras 3 leaves the InputLayer out of a Sequential's summary: three rows.
    expect(lines.every((l, i) => i === 0 || i > 9 || [...l].length === 88)).toBe(true);
    const body = lines.join('\n');
    expect(body).toMatch(/┃ Layer \(type\) +┃ Output Shape +┃ +Param # ┃/);
    expect(body).toMatch(/│ flatten \(Flatten\) +│ \(None, 784\) +│ +0 │/);
    expect(body).toMatch(/│ dense \(Dense\) +│ \(None, 128\) +│ +100,480 │/);
    expect(body).toMatch(/│ dense_1 \(Dense\) +│ \(None, 10\) +│ +1,290 │/);
    // 101,770 float32 values = 407,080 bytes = 397.54 KB
    expect(lines.slice(-3)).toEqual([' Total params: 101,770 (397.54 KB)', ' Trainable params: 101,770 (397.54 KB)', ' Non-trainable params: 0 (0.00 B)']);
  });
});
