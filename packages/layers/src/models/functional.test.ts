// The functional API, subclassing, nesting and transfer learning, as keras.io's guides write them.
import { beforeEach, describe, expect, it } from 'vitest';
import { Tensor, argMax, randomNormal, randomUniform, setSeed, tensor, floor, mul } from '@minikeras/tensor';
import { Adam, SGD } from '@minikeras/optimizers';
import { Model } from './model';
import { Functional } from './functional';
import { Sequential } from './sequential';
import {
  Add, BatchNormalization, Concatenate, Conv2D, Dense, Dropout, Embedding, Flatten, GlobalAveragePooling2D, Input, MaxPooling2D,
} from '../layers';
import { Layer, clearSession } from '../engine/layer';
import type { CallContext } from '../engine/layer';
import { registerClass } from '../engine/registry';
import { SymbolicTensor } from '../engine/symbolic-tensor';
import { modelToJSON } from '../saving/artifacts';
import { modelFromJSON } from '../saving/load-model';
import { Callback } from '../callbacks/callback';
import type { Logs } from '../callbacks/callback';

beforeEach(() => clearSession());

const bits = (t: Tensor) => Array.from(new Uint32Array(Float32Array.from(t.values).buffer));

/** A 3-class toy problem on 2 features: class = quadrant-ish rule, learnable by a small net. */
function toyClasses(n: number, seed: number, features = 4): { x: Tensor; y: Tensor; labels: Tensor } {
  setSeed(seed);
  const x = randomNormal([n, features]);
  const labels = argMax(x.reshape([n, features]).slice([0, 0], [n, 3]), -1);
  const oh = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) oh[i * 3 + labels.values[i]!] = 1;
  return { x, y: new Tensor(oh, [n, 3]), labels: tensor(Float32Array.from(labels.values), [n]) };
}

describe("the functional API guide's toy ResNet", () => {
  function toyResnet(): Model {
    const inputs = Input({ shape: [12, 12, 3], name: 'img' });
    let x = new Conv2D(8, 3, { activation: 'relu' }).apply(inputs);
    x = new Conv2D(16, 3, { activation: 'relu' }).apply(x);
    const block1 = new MaxPooling2D({ poolSize: 2 }).apply(x);
    x = new Conv2D(16, 3, { activation: 'relu', padding: 'same' }).apply(block1);
    x = new Conv2D(16, 3, { activation: 'relu', padding: 'same' }).apply(x);
    const block2 = new Add().apply([x, block1]);
    x = new Conv2D(16, 3, { activation: 'relu', padding: 'same' }).apply(block2);
    x = new Conv2D(16, 3, { activation: 'relu', padding: 'same' }).apply(x);
    const block3 = new Add().apply([x, block2]);
    x = new Conv2D(16, 3, { activation: 'relu' }).apply(block3);
    x = new GlobalAveragePooling2D().apply(x);
    x = new Dense(32, { activation: 'relu' }).apply(x);
    x = new Dropout(0.5).apply(x);
    const outputs = new Dense(3, { activation: 'softmax' }).apply(x);
    return new Model({ inputs, outputs, name: 'toy_resnet' });
  }

  it('builds with the shapes and the "Connected to" column Keras shows, and trains', async () => {
    setSeed(7);
    const model = toyResnet();
    expect(model).toBeInstanceOf(Functional);
    expect(model.layers.map((l) => l.className)).toEqual([
      'InputLayer', 'Conv2D', 'Conv2D', 'MaxPooling2D', 'Conv2D', 'Conv2D', 'Add', 'Conv2D', 'Conv2D', 'Add', 'Conv2D', 'GlobalAveragePooling2D', 'Dense', 'Dropout', 'Dense',
    ]);
    expect((model.outputs[0] as SymbolicTensor).shape).toEqual([null, 3]);
    // conv 3*3*3*8+8, 3*3*8*16+16, four 3*3*16*16+16, one more, dense 16*32+32, 32*3+3
    expect(model.countParams()).toBe(224 + 1168 + 5 * 2320 + 544 + 99);
    const lines: string[] = [];
    model.summary(undefined, (s) => lines.push(...s.split('\n')));
    const text = lines.join('\n');
    expect(text).toMatch(/┃ Layer \(type\) +┃ Output Shape +┃ +Param # ┃ Connected to +┃/);
    expect(text).toMatch(/│ add \(Add\) +│ \(None, 4, 4, 16\) +│ +0 │ conv2d_3\[0\]\[0\], +│/);
    expect(text).toMatch(/│ +│ +│ +│ max_pooling2d\[0\]\[0\] +│/);
    expect(text).toMatch(/│ img \(InputLayer\) +│ \(None, 12, 12, 3\) +│ +0 │ - +│/);

    setSeed(8);
    // The label is the channel that is brighter everywhere: learnable from the pooled features.
    const noise = randomUniform([64, 12, 12, 3]);
    const values = Float32Array.from(noise.values);
    const labels = Array.from({ length: 64 }, (_, i) => i % 3);
    for (let i = 0; i < values.length; i++) if (i % 3 === labels[Math.floor(i / 432)]) values[i]! += 0.5;
    const x = new Tensor(values, [64, 12, 12, 3]);
    model.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
    const h = await model.fit(x, tensor(labels, [64]), { epochs: 12, batchSize: 16, verbose: 0 });
    const loss = h.history.loss!;
    expect(loss[loss.length - 1]!).toBeLessThan(loss[0]! * 0.8);
    const pred = model.predict(x) as Tensor;
    expect(pred.shape).toEqual([64, 3]);
  });

  it('round-trips through its Keras config with identical predictions', () => {
    setSeed(9);
    const model = toyResnet();
    const json = JSON.parse(JSON.stringify(modelToJSON(model)));
    expect(json.class_name).toBe('Functional');
    const add = json.config.layers.find((l: { name: string }) => l.name === 'add');
    expect(add.inbound_nodes).toEqual([[['conv2d_3', 0, 0, {}], ['max_pooling2d', 0, 0, {}]]]);
    expect(json.config.input_layers).toEqual([['img', 0, 0]]);
    clearSession();
    const back = modelFromJSON(json);
    expect(back).toBeInstanceOf(Functional);
    back.setWeights(model.getWeights());
    const x = randomUniform([3, 12, 12, 3]);
    expect(bits(back.predict(x) as Tensor)).toEqual(bits(model.predict(x) as Tensor));
    expect(back.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
  });
});

describe('a 3-input, 2-output model with per-output losses and loss weights (the guide\'s ticket classifier)', () => {
  function ticketModel(): Model {
    const title = Input({ shape: [6], name: 'title' });
    const body = Input({ shape: [10], name: 'body' });
    const tags = Input({ shape: [5], name: 'tags' });
    const titleFeatures = new Flatten().apply(new Embedding(20, 4).apply(title));
    const bodyFeatures = new Flatten().apply(new Embedding(20, 3).apply(body));
    const x = new Concatenate().apply([titleFeatures, bodyFeatures, tags]);
    const priority = new Dense(1, { activation: 'sigmoid', name: 'priority' }).apply(x);
    const department = new Dense(3, { activation: 'softmax', name: 'department' }).apply(x);
    return new Model({ inputs: [title, body, tags], outputs: [priority, department] });
  }

  function ticketData(n: number) {
    setSeed(21);
    const title = floor(mul(randomUniform([n, 6]), 20));
    const body = floor(mul(randomUniform([n, 10]), 20));
    const tags = floor(mul(randomUniform([n, 5]), 2));
    // Learnable targets: priority from the tags, department from the title's first token.
    const priority = new Tensor(Float32Array.from({ length: n }, (_, i) => (tags.values[i * 5]! + tags.values[i * 5 + 1]! >= 1 ? 1 : 0)), [n, 1]);
    const dep = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) dep[i * 3 + (title.values[i * 6]! % 3)] = 1;
    return { title, body, tags, priority, department: new Tensor(dep, [n, 3]) };
  }

  it('trains from records by input and output name, logging Keras\' per-output keys', async () => {
    setSeed(22);
    const model = ticketModel();
    expect(model.inputNames).toEqual(['title', 'body', 'tags']);
    expect(model.outputNames).toEqual(['priority', 'department']);
    const typed = model.compile({
      optimizer: new Adam({ learningRate: 0.02 }),
      loss: { priority: 'binary_crossentropy', department: 'categorical_crossentropy' },
      lossWeights: { priority: 1.0, department: 0.2 },
      metrics: { department: ['accuracy'] },
    });
    const d = ticketData(96);
    const h = await typed.fit({ title: d.title, body: d.body, tags: d.tags }, { priority: d.priority, department: d.department }, { epochs: 15, batchSize: 16, verbose: 0, validationSplit: 0.25 });
    expect(Object.keys(h.history).sort()).toEqual([
      'department_accuracy', 'department_loss', 'loss', 'priority_loss',
      'val_department_accuracy', 'val_department_loss', 'val_loss', 'val_priority_loss',
    ]);
    const acc = h.history.department_accuracy!;
    expect(acc[acc.length - 1]!).toBeGreaterThan(0.8);
    expect(h.history.priority_loss![14]!).toBeLessThan(h.history.priority_loss![0]!);
    // 'loss' is the weighted sum of the outputs' losses; each output's own loss is logged unweighted (Keras 3).
    const [loss, pLoss, dLoss] = model.evaluate([d.title, d.body, d.tags], [d.priority, d.department], { batchSize: 96 }) as number[];
    expect(model.metricsNames).toEqual(['loss', 'priority_loss', 'department_loss', 'department_accuracy']);
    expect(loss!).toBeCloseTo(pLoss! + 0.2 * dLoss!, 5);
    const alone = new Model({ inputs: model.inputs, outputs: model.outputs[1]! });
    alone.compile({ loss: 'categorical_crossentropy' });
    expect(dLoss!).toBeCloseTo(alone.evaluate([d.title, d.body, d.tags], d.department, { batchSize: 96 }) as number, 5);
    const [p, dep] = model.predict({ title: d.title, body: d.body, tags: d.tags }) as Tensor[];
    expect(p!.shape).toEqual([96, 1]);
    expect(dep!.shape).toEqual([96, 3]);
  });

  it('names what is missing or misnamed', async () => {
    const model = ticketModel();
    model.compile({ loss: ['binary_crossentropy', 'categorical_crossentropy'] });
    const d = ticketData(8);
    await expect(model.fit({ title: d.title, body: d.body }, [d.priority, d.department], { verbose: 0 })).rejects.toThrow(/fit: x: no data for input 'tags' \(the model's inputs are title, body, tags\)/);
    await expect(model.fit([d.title, d.body, d.tags], { priority: d.priority, dept: d.department }, { verbose: 0 })).rejects.toThrow(/fit: y: the model has no output named 'dept'; its outputs are priority, department/);
    await expect(model.fit([d.title, d.body, d.tags], [d.priority], { verbose: 0 })).rejects.toThrow(/the model has 2 outputs \(priority, department\)/);
    expect(() => model.compile({ loss: { priority: 'mse', departement: 'mse' } as never })).toThrow(/loss names an output 'departement' \(did you mean 'department'\?\)/);
    expect(() => model.compile({ loss: 'mse', metrics: ['mae'] })).toThrow(/give metrics as a record by output name or a list of lists/);
  });
});

describe('shared layers', () => {
  it('a layer called twice has one set of weights and two nodes, and its gradient sums both uses', async () => {
    setSeed(31);
    const a = Input({ shape: [4], name: 'a' });
    const b = Input({ shape: [4], name: 'b' });
    const shared = new Dense(3, { name: 'shared' });
    const out = new Dense(1, { name: 'out' }).apply(new Concatenate().apply([shared.apply(a), shared.apply(b)]));
    const model = new Model({ inputs: [a, b], outputs: out });
    expect(shared.inboundNodes).toHaveLength(2);
    expect(model.weights.map((w) => w.name)).toEqual(['shared/kernel', 'shared/bias', 'out/kernel', 'out/bias']);
    expect(() => shared.output).toThrow(/called 2 times.*getOutputAt/);
    expect((shared.getOutputAt(1) as SymbolicTensor).shape).toEqual([null, 3]);
    const xa = randomNormal([16, 4]), xb = randomNormal([16, 4]), y = randomNormal([16, 1]);
    model.compile({ optimizer: new SGD({ learningRate: 0.05 }), loss: 'mse' });
    const before = model.evaluate([xa, xb], y) as number;
    await model.fit([xa, xb], y, { epochs: 20, batchSize: 16, verbose: 0 });
    expect(model.evaluate([xa, xb], y) as number).toBeLessThan(before);
  });
});

describe('subclassed models', () => {
  class TwoLayer extends Model {
    static override readonly className = 'TwoLayer';
    readonly hidden = new Dense(16, { activation: 'relu' });
    readonly head = new Dense(3, { activation: 'softmax' });
    readonly drop = new Dropout(0.1);
    override call(inputs: Tensor, ctx: CallContext): Tensor {
      return this.head.apply(this.drop.apply(this.hidden.apply(inputs), ctx), ctx);
    }
  }

  it('are built on their first call, find their sublayers\' weights and train', async () => {
    setSeed(41);
    const model = new TwoLayer();
    expect(model.weights).toEqual([]);
    const { x, y } = toyClasses(128, 42);
    model.compile({ optimizer: new Adam({ learningRate: 0.02 }), loss: 'categorical_crossentropy', metrics: ['accuracy'] });
    const h = await model.fit(x, y, { epochs: 20, batchSize: 32, verbose: 0 });
    expect(model.layers).toEqual([model.hidden, model.head, model.drop]);
    expect(model.weights.map((w) => w.shape)).toEqual([[4, 16], [16], [16, 3], [3]]);
    expect(h.history.accuracy![19]!).toBeGreaterThan(0.85);
    // Freezing the model freezes every sublayer.
    model.trainable = false;
    expect(model.trainableWeights).toEqual([]);
    expect(model.hidden.trainable).toBe(false);
  });

  it('nest in a functional model like any layer', () => {
    setSeed(43);
    const inner = new TwoLayer();
    const inputs = Input({ shape: [4] });
    const outputs = new Dense(1).apply(inner.apply(inputs));
    const model = new Model({ inputs, outputs });
    expect((model.outputs[0] as SymbolicTensor).shape).toEqual([null, 1]);
    expect(model.weights).toHaveLength(6);
    expect((model.predict(randomNormal([5, 4])) as Tensor).shape).toEqual([5, 1]);
  });

  it('say what to do when call is missing', () => {
    class Empty extends Model {}
    expect(() => new Empty().predict([[1, 2]])).toThrow(/a subclassed Model must implement call\(inputs, ctx\)/);
  });
});

describe('transfer learning: a pretrained model nested, frozen, then fine-tuned', () => {
  it('trains only the head while frozen (BatchNormalization statistics untouched), then fine-tunes everything', async () => {
    setSeed(51);
    // "Pretrain" a base on one task.
    const base = new Sequential({ name: 'base', layers: [Input({ shape: [4] }), new Dense(16, { activation: 'relu', name: 'features' }), new BatchNormalization({ name: 'bn' })] });
    const pretrain = new Sequential([base, new Dense(3, { activation: 'softmax' })]);
    const taskA = toyClasses(128, 52);
    pretrain.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'categorical_crossentropy' });
    await pretrain.fit(taskA.x, taskA.y, { epochs: 5, batchSize: 32, verbose: 0 });

    // New head on the frozen base, called in inference mode as the guide writes it.
    base.trainable = false;
    const inputs = Input({ shape: [4] });
    const features = base.apply(inputs, { training: false });
    const outputs = new Dense(1, { activation: 'sigmoid', name: 'new_head' }).apply(features);
    const model = new Model({ inputs, outputs });
    expect(model.trainableWeights.map((w) => w.name)).toEqual(['new_head/kernel', 'new_head/bias']);
    setSeed(53);
    const xb = randomNormal([96, 4]);
    const yb = new Tensor(Float32Array.from({ length: 96 }, (_, i) => (xb.values[i * 4]! + xb.values[i * 4 + 3]! > 0 ? 1 : 0)), [96, 1]);
    const baseBefore = base.getWeights().map(bits);
    model.compile({ optimizer: new Adam({ learningRate: 0.02 }), loss: 'binary_crossentropy', metrics: ['accuracy'] });
    const frozen = await model.fit(xb, yb, { epochs: 10, batchSize: 32, verbose: 0 });
    expect(base.getWeights().map(bits)).toEqual(baseBefore); // kernels and moving mean/variance alike
    const acc = frozen.history.accuracy!;
    expect(acc[acc.length - 1]!).toBeGreaterThan(acc[0]!);

    // Unfreeze and fine-tune at a low learning rate: now the base moves too.
    base.trainable = true;
    expect(model.trainableWeights).toHaveLength(2 + 2 + 2); // features kernel/bias, bn gamma/beta, head
    model.compile({ optimizer: new Adam({ learningRate: 1e-4 }), loss: 'binary_crossentropy', metrics: ['accuracy'] });
    const tuned = await model.fit(xb, yb, { epochs: 3, batchSize: 32, verbose: 0 });
    expect(base.getWeights().map(bits)).not.toEqual(baseBefore);
    expect(tuned.history.loss![2]!).toBeLessThanOrEqual(frozen.history.loss![9]! + 0.02);
  });

  it('a frozen BatchNormalization runs in inference mode during fit (Keras 3)', async () => {
    setSeed(54);
    const bn = new BatchNormalization();
    const model = new Sequential([Input({ shape: [3] }), bn, new Dense(1)]);
    bn.trainable = false;
    const x = mul(randomNormal([32, 3]), 5);
    const y = randomNormal([32, 1]);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const inference = bn.apply(x, { training: false });
    const training = bn.apply(x, { training: true });
    expect(bits(training)).toEqual(bits(inference));
    const stats = bn.getWeights().map(bits);
    await model.fit(x, y, { epochs: 2, verbose: 0 });
    expect(bn.getWeights().map(bits)).toEqual(stats);
  });
});

describe('feature extraction and model introspection', () => {
  it('a model over intermediate layer outputs returns their activations', () => {
    setSeed(61);
    const model = new Sequential([Input({ shape: [5] }), new Dense(4, { activation: 'relu', name: 'h1' }), new Dense(3, { name: 'h2' }), new Dense(2, { name: 'out' })]);
    const extractor = new Model({ inputs: model.inputs, outputs: [model.getLayer('h1').output as SymbolicTensor, model.getLayer('h2').output as SymbolicTensor] });
    const x = randomNormal([6, 5]);
    const [h1, h2] = extractor.predict(x) as Tensor[];
    expect(bits(h1!)).toEqual(bits(model.getLayer('h1').apply(x)));
    expect(bits(h2!)).toEqual(bits(model.getLayer('h2').apply(h1!)));
    expect(model.getLayer(2).name).toBe('out');
    expect(() => model.getLayer('h3')).toThrow(/no layer named 'h3'; the layers are h1, h2, out/);
  });
});

describe('errors at construction', () => {
  it('calling a layer on incompatible symbolic shapes names the layer, the input and both shapes', () => {
    const a = Input({ shape: [4], name: 'a' });
    const dense = new Dense(2, { name: 'd' });
    dense.apply(a);
    const b = Input({ shape: [5], name: 'b' });
    expect(() => dense.apply(b)).toThrow(/Dense 'd' cannot be called on 'b' of shape \(None, 5\): .*expects last dimension 4, got 5/);
    const c = Input({ shape: [3], name: 'c' });
    expect(() => new Add({ name: 'sum' }).apply([a, c])).toThrow(/Add 'sum' cannot be called on 'a' of shape \(None, 4\), 'c' of shape \(None, 3\): .*incompatible shapes/);
  });

  it('a disconnected graph, an unused input and duplicate layer names are errors at new Model', () => {
    const a = Input({ shape: [4], name: 'a' });
    const b = Input({ shape: [4], name: 'b' });
    const out = new Dense(1).apply(new Add().apply([a, b]));
    expect(() => new Model({ inputs: a, outputs: out })).toThrow(/graph disconnected: cannot obtain the value of input 'b' needed by layer 'add'/);
    const c = Input({ shape: [4], name: 'c' });
    expect(() => new Model({ inputs: [a, b, c], outputs: out })).toThrow(/input 'c' is not connected to any output/);
    const x = new Dense(2, { name: 'twin' }).apply(a);
    const y = new Dense(2, { name: 'twin' }).apply(x);
    expect(() => new Model({ inputs: a, outputs: y })).toThrow(/two layers are named 'twin'/);
    expect(() => new Model({ inputs: a, outputs: [] })).toThrow(/at least one output/);
    expect(() => new Model({ inputs: out as SymbolicTensor, outputs: out })).toThrow(/model inputs must come from Input/);
  });

  it('predict with the wrong input shape names the input', () => {
    const a = Input({ shape: [4], name: 'a' });
    const model = new Model({ inputs: a, outputs: new Dense(1).apply(a) });
    expect(() => model.predict(randomNormal([2, 5]))).toThrow(/input 'a' should have shape \(None, 4\), got \[2, 5\]/);
  });
});

describe('serialization of models and custom classes through one registry', () => {
  class Scale extends Layer {
    static override readonly className = 'Scale';
    readonly factor: number;
    constructor(args: { factor?: number; name?: string } = {}) {
      const { factor, ...rest } = args;
      super(rest);
      this.factor = factor ?? 2;
    }
    call(x: Tensor): Tensor { return mul(x, this.factor); }
    override getConfig() { return { ...super.getConfig(), factor: this.factor }; }
  }
  registerClass(Scale);

  it('getConfig/fromConfig on layers, Sequential and Functional, with a registered custom layer', () => {
    setSeed(71);
    const dense = Dense.fromConfig({ units: 3, activation: 'relu', name: 'dd' });
    expect([dense.units, dense.activation, dense.name]).toEqual([3, 'relu', 'dd']);
    const inputs = Input({ shape: [2] });
    const model = new Model({ inputs, outputs: new Dense(2).apply(new Scale({ factor: 3 }).apply(inputs)) });
    const seq = new Sequential([Input({ shape: [2] }), new Scale({ factor: 0.5 }), new Dense(1)]);
    const seq2 = Sequential.fromConfig(JSON.parse(JSON.stringify(seq.getConfig()))) as Sequential;
    expect(seq2.layers.map((l) => l.className)).toEqual(['Scale', 'Dense']);
    expect((seq2.layers[0] as Scale).factor).toBe(0.5);
    clearSession();
    const back = modelFromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    back.setWeights(model.getWeights());
    const x = randomNormal([4, 2]);
    expect(bits(back.predict(x) as Tensor)).toEqual(bits(model.predict(x) as Tensor));
  });

  it('an unregistered custom layer cannot be saved, and says how to fix it', () => {
    // A class that names itself registers on its first instance; one that does not cannot be found by a loader.
    class Unnamed extends Layer {
      call(x: Tensor): Tensor { return x; }
    }
    const inputs = Input({ shape: [2] });
    const model = new Model({ inputs, outputs: new Unnamed({ name: 'unnamed' }).apply(inputs) });
    expect(() => model.toJSON()).toThrow(/Layer 'unnamed': cannot be saved: no class is registered as 'Layer'; give the class a static className and call registerClass\(Unnamed\)/);
  });
});

describe('the compiled Dense step never changes results', () => {
  class ScaledDense extends Dense {
    override call(x: Tensor, ctx: CallContext): Tensor {
      return mul(super.call(x, ctx), 2);
    }
  }

  async function lossesOf(make: () => Model, jitCompile: boolean | 'auto'): Promise<number[]> {
    clearSession();
    setSeed(81);
    const model = make();
    model.compile({ optimizer: new SGD({ learningRate: 0.05 }), loss: 'mse', jitCompile });
    setSeed(82);
    const x = randomNormal([32, 4]), y = randomNormal([32, 2]);
    return (await model.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0, shuffle: false })).history.loss!;
  }

  it('a Dense subclass that overrides call trains as autograd does', async () => {
    const make = () => new Sequential([Input({ shape: [4] }), new ScaledDense(8, { activation: 'relu' }), new Dense(2)]);
    expect(await lossesOf(make, 'auto')).toEqual(await lossesOf(make, false));
    await expect(lossesOf(make, true)).rejects.toThrow(/jitCompile: true cannot compile the train step/);
  });

  it('a Sequential subclass and a graph model take autograd', async () => {
    class MySequential extends Sequential {}
    const makeSub = () => new MySequential([Input({ shape: [4] }), new Dense(8, { activation: 'relu' }), new Dense(2)]);
    await expect(lossesOf(makeSub, true)).rejects.toThrow(/only a Sequential model \(not a subclass\) of Dense layers/);
    const makeGraph = () => {
      const inputs = Input({ shape: [4] });
      return new Model({ inputs, outputs: new Dense(2).apply(new Dense(8, { activation: 'relu' }).apply(inputs)) });
    };
    await expect(lossesOf(makeGraph, true)).rejects.toThrow(/only a Sequential model/);
    // The same architecture as a plain Sequential (compiled) and as a graph (autograd) train identically.
    const makeSeq = () => new Sequential([Input({ shape: [4] }), new Dense(8, { activation: 'relu' }), new Dense(2)]);
    expect(await lossesOf(makeGraph, 'auto')).toEqual(await lossesOf(makeSeq, 'auto'));
  });
});

describe('callbacks and History keep working on graph models', () => {
  it('sees the per-output keys', async () => {
    const a = Input({ shape: [3], name: 'a' });
    const h = new Dense(4).apply(a);
    const model = new Model({ inputs: a, outputs: [new Dense(1, { name: 'u' }).apply(h), new Dense(1, { name: 'v' }).apply(h)] });
    model.compile({ optimizer: 'adam', loss: ['mse', 'mae'] });
    const seen: Logs[] = [];
    class Spy extends Callback { override onEpochEnd(_e: number, logs: Logs) { seen.push(logs); } }
    await model.fit(randomNormal([8, 3]), [randomNormal([8, 1]), randomNormal([8, 1])], { epochs: 2, verbose: 0, callbacks: [new Spy()] });
    expect(Object.keys(seen[1]!)).toEqual(['loss', 'u_loss', 'v_loss']);
  });
});

describe('Keras conventions for graphs', () => {
  it('lists layers by depth from the outputs, as Keras and tfjs do', () => {
    const x = Input({ shape: [3], name: 'x' });
    const a = new Dense(2, { name: 'a' }).apply(x);
    const c = new Dense(2, { name: 'c' }).apply(new Dense(2, { name: 'b' }).apply(x));
    const model = new Model({ inputs: x, outputs: [a, c] });
    expect(model.layers.map((l) => l.name)).toEqual(['x', 'b', 'a', 'c']);
  });

  it('a record of inputs is fed by its keys', () => {
    const first = Input({ shape: [3], name: 'in_a' });
    const second = Input({ shape: [2], name: 'in_b' });
    const model = new Model({ inputs: { first, second }, outputs: new Dense(1).apply(new Concatenate().apply([first, second])) });
    expect(model.inputNames).toEqual(['first', 'second']);
    const out = model.predict({ first: randomNormal([4, 3]), second: randomNormal([4, 2]) }) as Tensor;
    expect(out.shape).toEqual([4, 1]);
    expect(() => model.predict({ in_a: randomNormal([4, 3]), in_b: randomNormal([4, 2]) })).toThrow(/the model has no input named 'in_a'; its inputs are first, second/);
  });

  it('logs each output\'s loss unweighted and the weighted total as loss (Keras 3)', () => {
    const x = Input({ shape: [2] });
    const a = new Dense(1, { name: 'a', kernelInitializer: 'ones' }).apply(x);
    const b = new Dense(1, { name: 'b', kernelInitializer: 'ones' }).apply(x);
    const model = new Model({ inputs: x, outputs: [a, b] });
    model.compile({ optimizer: 'sgd', loss: ['mse', 'mse'], lossWeights: [2, 1] });
    // Both outputs predict 2 for [1, 1]: mse 4 each; total 2 * 4 + 4.
    expect(model.evaluate([[1, 1]], [[[0]], [[0]]])).toEqual([12, 4, 4]);
  });
});
