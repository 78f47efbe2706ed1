import { beforeEach, describe, expect, it } from 'vitest';
import { Tensor, randomNormal, randomUniform, setSeed, tensor } from '@minikeras/tensor';
import { Adam, RMSprop, SGD } from '@minikeras/optimizers';
import type { Optimizer } from '@minikeras/optimizers';
import { BinaryCrossentropy, MeanSquaredError } from '@minikeras/losses';
import { Sequential } from '../models/sequential';
import { Dense, Dropout, Input } from '../layers';
import type { DenseArgs } from '../layers/dense';
import { clearSession } from '../engine/layer';
import type { CompileArgs } from './compile';

beforeEach(() => clearSession());

interface Case {
  name: string;
  inputs: number;
  layers: [number, DenseArgs][];
  loss: CompileArgs['loss'];
  optimizer: () => Optimizer;
  labels: 'binary' | 'onehot' | 'real';
  metrics?: CompileArgs['metrics'];
}

function build(c: Case, jitCompile: boolean | 'auto'): Sequential {
  clearSession();
  setSeed(7);
  const model = new Sequential([Input({ shape: [c.inputs] }), ...c.layers.map(([units, args]) => new Dense(units, args))]);
  model.compile({ optimizer: c.optimizer(), loss: c.loss, metrics: c.metrics ?? [], jitCompile });
  return model;
}

function data(c: Case, rows: number, seed: number): { x: Tensor; y: Tensor } {
  setSeed(seed);
  const units = c.layers[c.layers.length - 1]![0];
  const x = randomNormal([rows, c.inputs]);
  let y: Tensor;
  if (c.labels === 'real') y = randomNormal([rows, units]);
  else if (c.labels === 'binary') y = tensor(Float32Array.from(randomUniform([rows, units]).values, (v) => (v > 0.5 ? 1 : 0)), [rows, units]);
  else {
    const oh = new Float32Array(rows * units);
    const u = randomUniform([rows]).values;
    for (let r = 0; r < rows; r++) oh[r * units + Math.min(units - 1, Math.floor(u[r]! * units))] = 1;
    y = tensor(oh, [rows, units]);
  }
  return { x, y };
}

const CASES: Case[] = [
  { name: 'XOR 2-8(tanh)-1(sigmoid), BCE, SGD', inputs: 2, layers: [[8, { activation: 'tanh' }], [1, { activation: 'sigmoid' }]], loss: 'binary_crossentropy', optimizer: () => new SGD({ learningRate: 0.1 }), labels: 'binary', metrics: ['accuracy'] },
  { name: '5-16(relu)-8(linear, no bias)-3(softmax), CCE, Adam', inputs: 5, layers: [[16, { activation: 'relu' }], [8, { useBias: false }], [3, { activation: 'softmax' }]], loss: 'categorical_crossentropy', optimizer: () => new Adam({ learningRate: 0.01 }), labels: 'onehot', metrics: ['accuracy', 'categorical_crossentropy'] },
  { name: '4-6(sigmoid)-2(linear), MSE, SGD momentum', inputs: 4, layers: [[6, { activation: 'sigmoid' }], [2, {}]], loss: 'mse', optimizer: () => new SGD({ learningRate: 0.05, momentum: 0.9 }), labels: 'real', metrics: ['mae'] },
  { name: '3-5(gelu)-4(swish)-2(tanh), MSE sum reduction, RMSprop', inputs: 3, layers: [[5, { activation: 'gelu' }], [4, { activation: 'swish' }], [2, { activation: 'tanh' }]], loss: new MeanSquaredError({ reduction: 'sum' }), optimizer: () => new RMSprop({ learningRate: 0.01 }), labels: 'real' },
  { name: '3-4(softmax)-3(softmax), MSE, Adam', inputs: 3, layers: [[4, { activation: 'softmax' }], [3, { activation: 'softmax' }]], loss: 'mean_squared_error', optimizer: () => new Adam(), labels: 'onehot' },
  { name: '6-3(sigmoid), BCE with clipped outputs, SGD', inputs: 6, layers: [[3, { activation: 'sigmoid', kernelInitializer: 'ones' }]], loss: 'binary_crossentropy', optimizer: () => new SGD({ learningRate: 1 }), labels: 'binary' },
];

describe('compiled Dense step (jitCompile)', () => {
  for (const c of CASES) {
    it(`gives the autograd step's numbers bit for bit: ${c.name}`, async () => {
      const general = build(c, false), compiled = build(c, 'auto');
      const general2 = build(c, false), compiled2 = build(c, 'auto');
      // trainOnBatch with two batch sizes, then a shuffled fit with a partial last batch.
      for (let step = 0; step < 6; step++) {
        const { x, y } = data(c, step % 2 === 0 ? 8 : 3, 100 + step);
        const a = general.trainOnBatch(x, y), b = compiled.trainOnBatch(x, y);
        expect(b).toEqual(a);
      }
      expect(compiled.requireCompiled('test').compiledStep).not.toBeNull();
      expect(general.requireCompiled('test').compiledStep).toBeNull();
      for (let i = 0; i < general.weights.length; i++) expect(compiled.weights[i]!.values).toEqual(general.weights[i]!.values);

      const { x, y } = data(c, 23, 200);
      const h1 = await general2.fit(x, y, { epochs: 3, batchSize: 5, verbose: 0 });
      const h2 = await compiled2.fit(x, y, { epochs: 3, batchSize: 5, verbose: 0 });
      expect(h2.history).toEqual(h1.history);
      for (let i = 0; i < general2.weights.length; i++) expect(compiled2.weights[i]!.values).toEqual(general2.weights[i]!.values);
      // Training moved the weights (the comparison above is not of two untouched models).
      expect(compiled2.weights[0]!.values).not.toEqual(build(c, false).weights[0]!.values);
    });
  }

  it('trains XOR to zero error through the compiled step', async () => {
    setSeed(3);
    const model = new Sequential([Input({ shape: [2] }), new Dense(8, { activation: 'tanh' }), new Dense(1, { activation: 'sigmoid' })]);
    model.compile({ optimizer: new Adam({ learningRate: 0.05 }), loss: 'binary_crossentropy', jitCompile: true });
    const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]), y = tensor([[0], [1], [1], [0]]);
    for (let i = 0; i < 400; i++) model.trainOnBatch(x, y);
    expect(Array.from(model.predict(x).values, (v) => (v > 0.5 ? 1 : 0))).toEqual([0, 1, 1, 0]);
  });

  it("falls back to autograd under 'auto' for what it does not compile, and names it under jitCompile: true", () => {
    const x = randomNormal([4, 3]), y = tensor([[1], [0], [1], [0]]);
    const make = (layers: Dense[] | (Dense | Dropout)[], loss: CompileArgs['loss'], jit: boolean | 'auto') => {
      const m = new Sequential([Input({ shape: [3] }), ...layers]);
      m.compile({ optimizer: 'sgd', loss, jitCompile: jit });
      return m;
    };
    const variants: [() => (Dense | Dropout)[], CompileArgs['loss'], RegExp][] = [
      [() => [new Dense(4, { activation: 'relu' }), new Dropout(0.5), new Dense(1, { activation: 'sigmoid' })], 'binary_crossentropy', /layer 'dropout' \(Dropout\) is not a Dense layer/],
      [() => [new Dense(1, { activation: 'sigmoid', kernelRegularizer: 'l2' })], 'binary_crossentropy', /layer 'dense(_\d+)?' \(Dense\) has a weight regularizer/],
      [() => [new Dense(1, { activation: (t: Tensor) => t })], 'mse', /has an activation the compiled step does not run/],
      [() => [new Dense(1, { activation: 'elu' })], 'mse', /has an activation the compiled step does not run \(elu\)/],
      [() => [new Dense(1)], 'binary_crossentropy', /binary crossentropy runs compiled only on a sigmoid output/],
      [() => [new Dense(1, { activation: 'sigmoid' })], new BinaryCrossentropy({ labelSmoothing: 0.1 }), /without fromLogits or labelSmoothing/],
      [() => [new Dense(1, { activation: 'sigmoid' })], 'hinge', /the loss Hinge 'hinge' is not one the compiled step runs/],
    ];
    for (const [layers, loss, message] of variants) {
      clearSession();
      const auto = make(layers(), loss, 'auto');
      const before = auto.weights[0]!.values.slice();
      expect(() => auto.trainOnBatch(x, y)).not.toThrow();
      expect(auto.requireCompiled('test').compiledStep).toBeNull();
      expect(auto.weights[0]!.values).not.toEqual(before);
      clearSession();
      expect(() => make(layers(), loss, true).trainOnBatch(x, y)).toThrow(message);
    }
    const strict = make([new Dense(1, { activation: 'sigmoid' })], 'binary_crossentropy', true);
    expect(() => strict.trainOnBatch(x, y, { sampleWeight: [1, 1, 2, 2] })).toThrow(/jitCompile: true cannot compile the train step: sample and class weights are not supported/);
    expect(() => strict.trainOnBatch(x, tensor([1, 0, 1, 0]))).toThrow(/labels of shape \[rows, 1\], got float32 \[4,3\] and float32 \[4\]/);
    // The same labels of shape [4] train under 'auto' (the autograd path aligns them).
    const auto = make([new Dense(1, { activation: 'sigmoid' })], 'binary_crossentropy', 'auto');
    expect(typeof auto.trainOnBatch(x, tensor([1, 0, 1, 0]))).toBe('number');
  });

  it('re-plans when a layer is frozen or added, and a frozen layer stays put', () => {
    const c = CASES[1]!;
    const model = build(c, 'auto');
    const { x, y } = data(c, 8, 1);
    model.trainOnBatch(x, y);
    const first = model.requireCompiled('test').compiledStep;
    expect(first).not.toBeNull();
    const frozen = model.layers.find((l) => l instanceof Dense)!;
    frozen.trainable = false;
    const kernel = frozen.weights[0]!.values.slice();
    model.trainOnBatch(x, y);
    expect(frozen.weights[0]!.values).toEqual(kernel);
    expect(model.requireCompiled('test').compiledStep).toBeNull();
    frozen.trainable = true;
    model.trainOnBatch(x, y);
    const replanned = model.requireCompiled('test').compiledStep;
    expect(replanned).not.toBeNull();
    expect(replanned).not.toBe(first);
    expect(frozen.weights[0]!.values).not.toEqual(kernel);
  });

  it('rejects a bad jitCompile value', () => {
    const model = new Sequential([Input({ shape: [2] }), new Dense(1)]);
    expect(() => model.compile({ optimizer: 'sgd', loss: 'mse', jitCompile: 'yes' as unknown as boolean })).toThrow("Sequential 'sequential'.compile: jitCompile must be true, false or 'auto', got \"yes\"");
  });
});
