// Functional models between minikeras and TensorFlow.js 4.22 (tfjs-layers on the cpu backend): residual,
// multi-input/multi-output, shared-layer and nested models, each built in one library, saved, loaded by the
// other and predicting the same within 1e-5; plus a Keras 3 file (dict-form inbound_nodes) with its
// per-output losses and loss weights.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { Tensor, tensor } from '@minikeras/tensor';
import { expectClose } from '@minikeras/test-utils';
import { clearSession } from '../engine/layer';
import type { Layer } from '../engine/layer';
import type { SymbolicTensor } from '../engine/symbolic-tensor';
import type { Nested } from '../engine/structure';
import { Model } from '../models/model';
import { Functional } from '../models/functional';
import { Sequential } from '../models/sequential';
import { Activation, Dropout, Input } from '../layers/core';
import { Dense } from '../layers/dense';
import { Conv2D } from '../layers/conv2d';
import { MaxPooling2D } from '../layers/pooling';
import { GlobalAveragePooling2D } from '../layers/global-pooling';
import { BatchNormalization } from '../layers/batch-normalization';
import { Add, Average, Concatenate, Dot, Maximum, Multiply } from '../layers/merging';
import { toArtifacts } from './artifacts';
import { fromArtifacts, modelFromJSON } from './load-model';
import type { ModelArtifacts } from './artifacts';
import { loadModel } from './load-model';

// Keras 3's files and outputs, copied into the repo from ../shared/keras-fixtures (see fixtures/keras3/README.md).
const FIXTURES = new URL('./fixtures/keras3/', import.meta.url);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

let root: string;
beforeEach(() => {
  clearSession();
  root = mkdtempSync(join(tmpdir(), 'minikeras-functional-tfjs-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

// ---- helpers --------------------------------------------------------------------------------------------

/** Deterministic values in [-scale, scale). */
function values(n: number, seed: number, scale = 1): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const s = Math.sin(seed * 12.9898 + i * 78.233) * 43758.5453;
    v[i] = scale * (2 * (s - Math.floor(s)) - 1);
  }
  return v;
}

const sizeOf = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/** Gives every weight (biases included) distinct non-trivial values, so a swapped or zero weight shows. */
function setDeterministicWeights(model: Layer, seed: number): void {
  model.setWeights(model.weights.map((w, i) => {
    // BatchNormalization's moving variance must stay positive.
    const v = w.name.endsWith('moving_variance') ? values(w.size, seed + i, 0.5).map((x) => 1 + x) : values(w.size, seed + i, 0.6);
    return new Tensor(v, [...w.shape]);
  }));
}

function setDeterministicTfWeights(model: tfl.LayersModel, seed: number): void {
  model.setWeights(model.weights.map((w, i) => {
    const v = w.name.includes('moving_variance') ? values(sizeOf(w.shape as number[]), seed + i, 0.5).map((x) => 1 + x) : values(sizeOf(w.shape as number[]), seed + i, 0.6);
    return tf.tensor(v, w.shape as number[]);
  }));
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

/** What tfjs' `model.save` hands a save handler. */
async function tfjsSave(model: tfl.LayersModel): Promise<ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    captured = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }), { includeOptimizer: true });
  return captured as unknown as ModelArtifacts;
}

/** Named inputs: shapes (without the batch axis) of the model's inputs, in order. */
type InputSpec = number[][];

function makeInputs(spec: InputSpec, batch: number, seed: number): Float32Array[] {
  return spec.map((s, i) => values(batch * sizeOf(s), seed + 17 * i, 1.5));
}

const ours = (xs: Float32Array[], spec: InputSpec, batch: number) => xs.map((x, i) => new Tensor(x, [batch, ...spec[i]!]));
const theirs = (xs: Float32Array[], spec: InputSpec, batch: number) => xs.map((x, i) => tf.tensor(x, [batch, ...spec[i]!]));

/** Flat list of output arrays from our model (a tensor or a list/record of tensors). */
function ourOutputs(out: Nested<Tensor>): Tensor[] {
  if (out instanceof Tensor) return [out];
  if (Array.isArray(out)) return out as Tensor[];
  return Object.values(out as Record<string, Tensor>);
}

function tfOutputs(out: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(out) ? out : [out];
}

const worst = { value: 0, where: '' };

/** Both models predict the same outputs (same count, shapes and values within 1e-5) on the same inputs. */
function expectSamePredictions(model: Model, tfModel: tfl.LayersModel, spec: InputSpec, where: string, batch = 3): void {
  const xs = makeInputs(spec, batch, 5);
  const a = ourOutputs(model.predict(spec.length === 1 ? ours(xs, spec, batch)[0]! : ours(xs, spec, batch)));
  const b = tfOutputs(tfModel.predict(spec.length === 1 ? theirs(xs, spec, batch)[0]! : theirs(xs, spec, batch)) as tf.Tensor | tf.Tensor[]);
  expect(a.length, `${where}: number of outputs`).toBe(b.length);
  a.forEach((t, i) => {
    expect(t.shape, `${where}: shape of output ${i}`).toEqual(b[i]!.shape);
    const data = b[i]!.dataSync();
    let m = 0;
    for (let j = 0; j < data.length; j++) m = Math.max(m, Math.abs(t.values[j]! - data[j]!));
    if (m > worst.value) { worst.value = m; worst.where = `${where} output ${i}`; }
    expectClose(t, data, { atol: 1e-5, rtol: 0, label: `${where} output ${i}` });
    // Not a degenerate model: the outputs vary across the batch.
    expect(new Set(Array.from(t.values).map((v) => v.toFixed(5))).size, `${where}: output ${i} varies`).toBeGreaterThan(1);
  });
}

const layerNames = (m: { layers: { name: string }[] }) => m.layers.map((l) => l.name);
const classNames = (m: Model) => m.layers.map((l) => l.className);
const tfClassNames = (m: tfl.LayersModel) => m.layers.map((l) => l.getClassName());

// ---- the four architectures, in both libraries ------------------------------------------------------------

const RESIDUAL: InputSpec = [[8, 8, 3]];
const MULTI: InputSpec = [[6], [4], [3]];
const SHARED: InputSpec = [[5], [5]];
const NESTED: InputSpec = [[5], [5]];

/** Keras' functional-API guide's toy ResNet, scaled down, with a Dense skip connection and BatchNormalization. */
function residualOurs(): Model {
  const image = Input({ shape: RESIDUAL[0]!, name: 'image' });
  const c1 = new Conv2D(6, 3, { activation: 'relu', name: 'c1' }).apply(image) as SymbolicTensor;
  const p1 = new MaxPooling2D({ poolSize: 2, name: 'p1' }).apply(c1) as SymbolicTensor;
  const c2 = new Conv2D(6, 3, { activation: 'relu', padding: 'same', name: 'c2' }).apply(p1) as SymbolicTensor;
  const c3 = new Conv2D(6, 3, { padding: 'same', name: 'c3' }).apply(c2) as SymbolicTensor;
  const bn = new BatchNormalization({ name: 'bn' }).apply(c3) as SymbolicTensor;
  const skip = new Add({ name: 'skip' }).apply([bn, p1]) as SymbolicTensor;
  const act = new Activation('relu', { name: 'act' }).apply(skip) as SymbolicTensor;
  const gap = new GlobalAveragePooling2D({ name: 'gap' }).apply(act) as SymbolicTensor;
  const d1 = new Dense(6, { activation: 'tanh', name: 'd1' }).apply(gap) as SymbolicTensor;
  const skip2 = new Add({ name: 'skip2' }).apply([gap, d1]) as SymbolicTensor;
  const drop = new Dropout(0.5, { name: 'drop' }).apply(skip2) as SymbolicTensor;
  const out = new Dense(4, { activation: 'softmax', name: 'out' }).apply(drop) as SymbolicTensor;
  return new Model({ inputs: image, outputs: out, name: 'toy_resnet' });
}

function residualTf(): tfl.LayersModel {
  const image = tfl.input({ shape: RESIDUAL[0]!, name: 'image' });
  const c1 = tfl.layers.conv2d({ filters: 6, kernelSize: 3, activation: 'relu', name: 'c1' }).apply(image) as tfl.SymbolicTensor;
  const p1 = tfl.layers.maxPooling2d({ poolSize: 2, name: 'p1' }).apply(c1) as tfl.SymbolicTensor;
  const c2 = tfl.layers.conv2d({ filters: 6, kernelSize: 3, activation: 'relu', padding: 'same', name: 'c2' }).apply(p1) as tfl.SymbolicTensor;
  const c3 = tfl.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', name: 'c3' }).apply(c2) as tfl.SymbolicTensor;
  const bn = tfl.layers.batchNormalization({ name: 'bn' }).apply(c3) as tfl.SymbolicTensor;
  const skip = tfl.layers.add({ name: 'skip' }).apply([bn, p1]) as tfl.SymbolicTensor;
  const act = tfl.layers.activation({ activation: 'relu', name: 'act' }).apply(skip) as tfl.SymbolicTensor;
  const gap = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(act) as tfl.SymbolicTensor;
  const d1 = tfl.layers.dense({ units: 6, activation: 'tanh', name: 'd1' }).apply(gap) as tfl.SymbolicTensor;
  const skip2 = tfl.layers.add({ name: 'skip2' }).apply([gap, d1]) as tfl.SymbolicTensor;
  const drop = tfl.layers.dropout({ rate: 0.5, name: 'drop' }).apply(skip2) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 4, activation: 'softmax', name: 'out' }).apply(drop) as tfl.SymbolicTensor;
  return tfl.model({ inputs: image, outputs: out, name: 'toy_resnet' });
}

/** Three inputs, joined, two outputs (a sigmoid score and a softmax class), as in the Keras guide. */
function multiOurs(): Model {
  const a = Input({ shape: MULTI[0]!, name: 'num_a' });
  const b = Input({ shape: MULTI[1]!, name: 'num_b' });
  const c = Input({ shape: MULTI[2]!, name: 'num_c' });
  const da = new Dense(8, { activation: 'relu', name: 'dense_a' }).apply(a) as SymbolicTensor;
  const db = new Dense(8, { activation: 'tanh', name: 'dense_b' }).apply(b) as SymbolicTensor;
  const cat = new Concatenate({ name: 'concat' }).apply([da, db, c]) as SymbolicTensor;
  const mix = new Dense(8, { activation: 'sigmoid', name: 'mix' }).apply(cat) as SymbolicTensor;
  const score = new Dense(1, { activation: 'sigmoid', name: 'score' }).apply(mix) as SymbolicTensor;
  const cls = new Dense(3, { activation: 'softmax', name: 'cls' }).apply(new Concatenate({ name: 'concat_cls' }).apply([mix, c]) as SymbolicTensor) as SymbolicTensor;
  return new Model({ inputs: [a, b, c], outputs: [score, cls], name: 'three_in_two_out' });
}

function multiTf(): tfl.LayersModel {
  const a = tfl.input({ shape: MULTI[0]!, name: 'num_a' });
  const b = tfl.input({ shape: MULTI[1]!, name: 'num_b' });
  const c = tfl.input({ shape: MULTI[2]!, name: 'num_c' });
  const da = tfl.layers.dense({ units: 8, activation: 'relu', name: 'dense_a' }).apply(a) as tfl.SymbolicTensor;
  const db = tfl.layers.dense({ units: 8, activation: 'tanh', name: 'dense_b' }).apply(b) as tfl.SymbolicTensor;
  const cat = tfl.layers.concatenate({ name: 'concat' }).apply([da, db, c]) as tfl.SymbolicTensor;
  const mix = tfl.layers.dense({ units: 8, activation: 'sigmoid', name: 'mix' }).apply(cat) as tfl.SymbolicTensor;
  const score = tfl.layers.dense({ units: 1, activation: 'sigmoid', name: 'score' }).apply(mix) as tfl.SymbolicTensor;
  const catCls = tfl.layers.concatenate({ name: 'concat_cls' }).apply([mix, c]) as tfl.SymbolicTensor;
  const cls = tfl.layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(catCls) as tfl.SymbolicTensor;
  return tfl.model({ inputs: [a, b, c], outputs: [score, cls], name: 'three_in_two_out' });
}

/**
 * One Dense applied to both inputs (the second time to a projection of the second input, so its nodes are
 * made in an order a loader has to respect), then merged five ways.
 */
function sharedOurs(): Model {
  const left = Input({ shape: SHARED[0]!, name: 'left' });
  const right = Input({ shape: SHARED[1]!, name: 'right' });
  const shared = new Dense(4, { activation: 'tanh', name: 'shared' });
  const proj = new Dense(5, { name: 'proj' }).apply(right) as SymbolicTensor;
  const h1 = shared.apply(left) as SymbolicTensor;
  const h2 = shared.apply(proj) as SymbolicTensor;
  const h3 = shared.apply(right) as SymbolicTensor;
  const merged = new Concatenate({ name: 'merged' }).apply([
    new Multiply({ name: 'mul' }).apply([h1, h2]) as SymbolicTensor,
    new Maximum({ name: 'max' }).apply([h1, h2, h3]) as SymbolicTensor,
    new Average({ name: 'avg' }).apply([h1, h3]) as SymbolicTensor,
    new Dot(1, { normalize: true, name: 'cos' }).apply([h1, h2]) as SymbolicTensor,
    h3,
  ]) as SymbolicTensor;
  const out = new Dense(2, { name: 'out' }).apply(merged) as SymbolicTensor;
  return new Model({ inputs: [left, right], outputs: out, name: 'siamese' });
}

function sharedTf(): tfl.LayersModel {
  const left = tfl.input({ shape: SHARED[0]!, name: 'left' });
  const right = tfl.input({ shape: SHARED[1]!, name: 'right' });
  const shared = tfl.layers.dense({ units: 4, activation: 'tanh', name: 'shared' });
  const proj = tfl.layers.dense({ units: 5, name: 'proj' }).apply(right) as tfl.SymbolicTensor;
  const h1 = shared.apply(left) as tfl.SymbolicTensor;
  const h2 = shared.apply(proj) as tfl.SymbolicTensor;
  const h3 = shared.apply(right) as tfl.SymbolicTensor;
  const merged = tfl.layers.concatenate({ name: 'merged' }).apply([
    tfl.layers.multiply({ name: 'mul' }).apply([h1, h2]) as tfl.SymbolicTensor,
    tfl.layers.maximum({ name: 'max' }).apply([h1, h2, h3]) as tfl.SymbolicTensor,
    tfl.layers.average({ name: 'avg' }).apply([h1, h3]) as tfl.SymbolicTensor,
    tfl.layers.dot({ axes: 1, normalize: true, name: 'cos' }).apply([h1, h2]) as tfl.SymbolicTensor,
    h3,
  ]) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 2, name: 'out' }).apply(merged) as tfl.SymbolicTensor;
  return tfl.model({ inputs: [left, right], outputs: out, name: 'siamese' });
}

/**
 * Nested models: a Sequential encoder applied to both inputs (a shared nested model) and a functional
 * residual block (itself holding a nested Sequential) applied to their sum.
 */
function nestedOurs(): Model {
  const encoder = new Sequential({
    name: 'encoder',
    layers: [new Dense(6, { activation: 'relu', inputShape: [5], name: 'enc_1' }), new Dense(3, { name: 'enc_2' })],
  });
  const blockIn = Input({ shape: [3], name: 'block_in' });
  const inner = new Sequential({ name: 'inner', layers: [new Dense(4, { activation: 'tanh', inputShape: [3], name: 'inner_1' }), new Dense(3, { name: 'inner_2' })] });
  const blockOut = new Add({ name: 'block_add' }).apply([blockIn, inner.apply(blockIn) as SymbolicTensor]) as SymbolicTensor;
  const block = new Model({ inputs: blockIn, outputs: blockOut, name: 'block' });

  const x1 = Input({ shape: NESTED[0]!, name: 'x1' });
  const x2 = Input({ shape: NESTED[1]!, name: 'x2' });
  const e1 = encoder.apply(x1) as SymbolicTensor;
  const e2 = encoder.apply(x2) as SymbolicTensor;
  const b = block.apply(new Add({ name: 'sum' }).apply([e1, e2]) as SymbolicTensor) as SymbolicTensor;
  const out = new Dense(2, { activation: 'sigmoid', name: 'head' }).apply(new Concatenate({ name: 'cat' }).apply([b, e1]) as SymbolicTensor) as SymbolicTensor;
  return new Model({ inputs: [x1, x2], outputs: out, name: 'nested' });
}

function nestedTf(): tfl.LayersModel {
  const encoder = tfl.sequential({
    name: 'encoder',
    layers: [tfl.layers.dense({ units: 6, activation: 'relu', inputShape: [5], name: 'enc_1' }), tfl.layers.dense({ units: 3, name: 'enc_2' })],
  });
  const blockIn = tfl.input({ shape: [3], name: 'block_in' });
  const inner = tfl.sequential({ name: 'inner', layers: [tfl.layers.dense({ units: 4, activation: 'tanh', inputShape: [3], name: 'inner_1' }), tfl.layers.dense({ units: 3, name: 'inner_2' })] });
  const blockOut = tfl.layers.add({ name: 'block_add' }).apply([blockIn, inner.apply(blockIn) as tfl.SymbolicTensor]) as tfl.SymbolicTensor;
  const block = tfl.model({ inputs: blockIn, outputs: blockOut, name: 'block' });

  const x1 = tfl.input({ shape: NESTED[0]!, name: 'x1' });
  const x2 = tfl.input({ shape: NESTED[1]!, name: 'x2' });
  const e1 = encoder.apply(x1) as tfl.SymbolicTensor;
  const e2 = encoder.apply(x2) as tfl.SymbolicTensor;
  const b = block.apply(tfl.layers.add({ name: 'sum' }).apply([e1, e2]) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
  const cat = tfl.layers.concatenate({ name: 'cat' }).apply([b, e1]) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 2, activation: 'sigmoid', name: 'head' }).apply(cat) as tfl.SymbolicTensor;
  return tfl.model({ inputs: [x1, x2], outputs: out, name: 'nested' });
}

const CASES: { what: string; spec: InputSpec; ours: () => Model; theirs: () => tfl.LayersModel; layers: string[] }[] = [
  { what: 'residual (Conv2D, BatchNormalization, Add skips, Dense skip)', spec: RESIDUAL, ours: residualOurs, theirs: residualTf, layers: ['image', 'c1', 'p1', 'c2', 'c3', 'bn', 'skip', 'act', 'gap', 'd1', 'skip2', 'drop', 'out'] },
  { what: 'three inputs, two outputs (Concatenate)', spec: MULTI, ours: multiOurs, theirs: multiTf, layers: ['num_a', 'num_b', 'dense_a', 'dense_b', 'num_c', 'concat', 'mix', 'concat_cls', 'score', 'cls'] },
  { what: 'shared layer (one Dense at three nodes, merged)', spec: SHARED, ours: sharedOurs, theirs: sharedTf, layers: ['right', 'left', 'proj', 'shared', 'mul', 'max', 'avg', 'cos', 'merged', 'out'] },
  { what: 'nested models (a shared Sequential and a functional block holding a Sequential)', spec: NESTED, ours: nestedOurs, theirs: nestedTf, layers: ['x1', 'x2', 'encoder', 'sum', 'block', 'cat', 'head'] },
];

describe('minikeras -> TensorFlow.js: functional models saved to a directory load in tfjs and predict the same', () => {
  for (const c of CASES) {
    it(c.what, async () => {
      const model = c.ours();
      setDeterministicWeights(model, 3);
      // Frozen nested models (a Sequential and a functional one) stay frozen (their configs say trainable: false).
      const frozen = c.spec === NESTED ? [model.getLayer('encoder'), model.getLayer('block')] : [];
      for (const f of frozen) f.trainable = false;
      const dir = join(root, 'model');
      await model.save(dir);
      const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { modelTopology: { class_name: string; config: { layers: { name: string }[] } } };
      expect(json.modelTopology.class_name).toBe('Functional');
      // The layers are listed as Keras and tfjs list them (by depth), which tfjs' loader relies on.
      expect(json.modelTopology.config.layers.map((l) => l.name)).toEqual(c.layers);
      expect(json.modelTopology.config.layers.map((l) => l.name)).toEqual((c.theirs().toJSON(null, false) as unknown as { config: { layers: { name: string }[] } }).config.layers.map((l) => l.name));
      const tfModel = await tfl.loadLayersModel(directoryHandler(dir));
      expect(new Set(layerNames(tfModel))).toEqual(new Set(c.layers));
      expect(tfModel.inputs.map((t) => t.shape)).toEqual(model.inputs.map((t) => [...t.shape]));
      expect(tfModel.outputs.map((t) => t.shape)).toEqual(model.outputs.map((t) => [...t.shape]));
      expect(tfModel.countParams()).toBe(model.countParams());
      expectSamePredictions(model, tfModel, c.spec, `ours->tfjs ${c.what}`);
      expect(tfModel.trainableWeights.length).toBe(model.trainableWeights.length);
      // (tfjs freezes the weights inside; its Container.fromConfig does not restore a nested model's own flag.)
      for (const f of frozen) {
        expect(json.modelTopology.config.layers.find((l) => l.name === f.name)).toMatchObject({ config: { trainable: false } });
        expect(tfModel.getLayer(f.name).trainableWeights).toHaveLength(0);
      }
      if (frozen.length > 0) expect(model.trainableWeights.map((w) => w.name)).toEqual(['head/kernel', 'head/bias']);
      // Our own loader reads the same directory back to the same model, bit for bit.
      const again = await loadModel(dir);
      expect(again.layers.map((l) => l.name)).toEqual(layerNames(model));
      expect(again.layers.map((l) => l.trainable)).toEqual(model.layers.map((l) => l.trainable));
      expect(again.trainableWeights.map((w) => w.name)).toEqual(model.trainableWeights.map((w) => w.name));
      const xs = ours(makeInputs(c.spec, 2, 8), c.spec, 2);
      ourOutputs(again.predict(xs)).forEach((t, i) => expectClose(t, ourOutputs(model.predict(xs))[i]!, { atol: 0, rtol: 0 }));
      // And from memory (tf.io.fromMemory over toArtifacts), the path a browser takes.
      const fromMemory = await tfl.loadLayersModel(tf.io.fromMemory(toArtifacts(model) as unknown as tf.io.ModelArtifacts));
      expectSamePredictions(model, fromMemory, c.spec, `ours->tfjs (memory) ${c.what}`);
    });
  }
});

describe('TensorFlow.js -> minikeras: functional models saved by tfjs load and predict the same', () => {
  for (const c of CASES) {
    it(c.what, async () => {
      const tfModel = c.theirs();
      setDeterministicTfWeights(tfModel, 7);
      const artifacts = await tfjsSave(tfModel);
      expect(artifacts.generatedBy).toMatch(/tfjs-layers/);
      const model = fromArtifacts(artifacts);
      expect(model).toBeInstanceOf(Functional);
      const byName = (names: string[], classes: string[]) => Object.fromEntries(names.map((n, i) => [n, classes[i] === 'Model' ? 'Functional' : classes[i]]));
      expect(byName(layerNames(model), classNames(model))).toEqual(byName(layerNames(tfModel), tfClassNames(tfModel)));
      expect(model.countParams()).toBe(tfModel.countParams());
      expect(model.inputNames).toEqual(tfModel.inputNames);
      expect(model.outputs.map((t) => [...t.shape])).toEqual(tfModel.outputs.map((t) => t.shape));
      expectSamePredictions(model, tfModel, c.spec, `tfjs->ours ${c.what}`);
      // Through our directory format and back.
      const dir = join(root, 'again');
      await model.save(dir);
      expectSamePredictions(await loadModel(dir), tfModel, c.spec, `tfjs->ours->dir ${c.what}`);
    });
  }

  it('auto-named tfjs layers (dense_Dense1, ...) and a nested model keep their weights apart', async () => {
    const base = tfl.sequential({ layers: [tfl.layers.dense({ units: 4, activation: 'relu', inputShape: [3] }), tfl.layers.dense({ units: 4 })] });
    const x = tfl.input({ shape: [3] });
    const y = tfl.input({ shape: [3] });
    const both = tfl.layers.concatenate().apply([base.apply(x) as tfl.SymbolicTensor, base.apply(y) as tfl.SymbolicTensor]) as tfl.SymbolicTensor;
    const tfModel = tfl.model({ inputs: [x, y], outputs: tfl.layers.dense({ units: 2 }).apply(both) as tfl.SymbolicTensor });
    setDeterministicTfWeights(tfModel, 11);
    const model = fromArtifacts(await tfjsSave(tfModel));
    expect(model.layers.map((l) => l.name)).toEqual(layerNames(tfModel));
    expectSamePredictions(model, tfModel, [[3], [3]], 'auto-named');
  });
});

/**
 * [total, loss of output 1, ...] from tfjs' `evaluate` of a model with `outputs` outputs. tfjs 4.22's test
 * function pushes the running total after each output's loss (one value per output, the last the total)
 * before the per-output losses, so it returns 2 * outputs values while `metricsNames` lists outputs + 1.
 */
function tfjsEvaluateLosses(values: number[], outputs: number): number[] {
  expect(values).toHaveLength(2 * outputs);
  return [values[outputs - 1]!, ...values.slice(outputs)];
}

describe('a layer shared at two depths (A(B(A(x))), Keras\' hardest case for node order)', () => {
  const build = () => {
    const x = Input({ shape: [4], name: 'x' });
    const a = new Dense(4, { activation: 'tanh', name: 'a' });
    const b = new Dense(4, { activation: 'relu', name: 'b' });
    const out = a.apply(b.apply(a.apply(x) as SymbolicTensor) as SymbolicTensor) as SymbolicTensor;
    return new Model({ inputs: x, outputs: out, name: 'aba' });
  };
  const buildTf = () => {
    const x = tfl.input({ shape: [4], name: 'x' });
    const a = tfl.layers.dense({ units: 4, activation: 'tanh', name: 'a' });
    const b = tfl.layers.dense({ units: 4, activation: 'relu', name: 'b' });
    return tfl.model({ inputs: x, outputs: a.apply(b.apply(a.apply(x))) as tfl.SymbolicTensor, name: 'aba' });
  };

  it('minikeras -> tfjs', async () => {
    const model = build();
    setDeterministicWeights(model, 13);
    const artifacts = toArtifacts(model);
    const layers = (artifacts.modelTopology as { config: { layers: { name: string; inbound_nodes: unknown[] }[] } }).config.layers;
    expect(layers.map((l) => [l.name, l.inbound_nodes])).toEqual([['x', []], ['a', [[['x', 0, 0, {}]], [['b', 0, 0, {}]]]], ['b', [[['a', 0, 0, {}]]]]]);
    expectSamePredictions(model, await tfl.loadLayersModel(tf.io.fromMemory(artifacts as unknown as tf.io.ModelArtifacts)), [[4]], 'ours->tfjs A(B(A(x)))');
    const again = fromArtifacts(artifacts);
    const x = ours(makeInputs([[4]], 3, 2), [[4]], 3)[0]!;
    expectClose(again.predict(x) as Tensor, model.predict(x) as Tensor, { atol: 0, rtol: 0 });
  });

  it('tfjs -> minikeras', async () => {
    const tfModel = buildTf();
    setDeterministicTfWeights(tfModel, 14);
    const model = fromArtifacts(await tfjsSave(tfModel));
    expect(model.getLayer('a').inboundNodes).toHaveLength(2);
    expectSamePredictions(model, tfModel, [[4]], 'tfjs->ours A(B(A(x)))');
  });
});

describe('per-output losses and loss weights in the training config', () => {
  const ys = (batch: number) => {
    const score = new Float32Array(batch).map((_, i) => (i % 2 === 0 ? 1 : 0));
    const cls = new Float32Array(batch * 3);
    for (let i = 0; i < batch; i++) cls[i * 3 + (i % 3)] = 1;
    return { score, cls };
  };

  it('a compiled minikeras model: tfjs compiles from our training config and evaluates the same loss', async () => {
    const model = multiOurs();
    setDeterministicWeights(model, 3);
    model.compile({
      optimizer: 'adam',
      loss: { score: 'binary_crossentropy', cls: 'categorical_crossentropy' },
      lossWeights: { score: 0.5, cls: 2 },
    });
    const batch = 6;
    const xs = makeInputs(MULTI, batch, 9);
    const y = ys(batch);
    const ourLosses = model.evaluate(ours(xs, MULTI, batch), [new Tensor(y.score, [batch, 1]), new Tensor(y.cls, [batch, 3])]) as number[];
    expect(model.metricsNames).toEqual(['loss', 'score_loss', 'cls_loss']);

    const artifacts = toArtifacts(model);
    expect(artifacts.trainingConfig).toMatchObject({ loss: { score: 'binary_crossentropy', cls: 'categorical_crossentropy' }, loss_weights: { score: 0.5, cls: 2 } });
    // tfjs 4.22 refuses loss_weights in a training config ("Loading loss_weights is not supported yet"), so it
    // gets the same file without them: it compiles the per-output losses by name, unweighted.
    await expect(tfl.loadLayersModel(tf.io.fromMemory(artifacts as unknown as tf.io.ModelArtifacts))).rejects.toThrow(/loss_weights/);
    const { loss_weights: _weights, ...unweighted } = artifacts.trainingConfig!;
    const tfModel = await tfl.loadLayersModel(tf.io.fromMemory({ ...artifacts, trainingConfig: unweighted } as unknown as tf.io.ModelArtifacts));
    const tfLosses = (tfModel.evaluate(theirs(xs, MULTI, batch), [tf.tensor(y.score, [batch, 1]), tf.tensor(y.cls, [batch, 3])]) as tf.Scalar[]).map((t) => t.dataSync()[0]!);
    // Unweighted in tfjs here; ours is Keras' weighted total.
    const [tfTotal, tfScore, tfCls] = tfjsEvaluateLosses(tfLosses, 2);
    expectClose(tfTotal, tfScore + tfCls, { atol: 1e-6, rtol: 1e-6, label: 'tfjs total' });
    expectClose(ourLosses[0]!, 0.5 * tfScore + 2 * tfCls, { atol: 1e-5, rtol: 1e-5, label: 'weighted total' });

    // Round trip through our own format keeps the losses and weights.
    const again = fromArtifacts(artifacts);
    expect(again.metricsNames).toEqual(['loss', 'score_loss', 'cls_loss']);
    expectClose(again.evaluate(ours(xs, MULTI, batch), [new Tensor(y.score, [batch, 1]), new Tensor(y.cls, [batch, 3])]) as number[], ourLosses, { atol: 1e-6, rtol: 1e-6 });
  });

  it('tfjs\' Adam slots go to the variables they belong to, though tfjs lists the layers in another order', async () => {
    // tfjs orders this graph's layers by depth (x, b, a, c), so its slots come as b, a, c.
    const build = () => {
      const x = tfl.input({ shape: [4], name: 'x' });
      const a = tfl.layers.dense({ units: 4, name: 'slot_a' }).apply(x) as tfl.SymbolicTensor;
      const b = tfl.layers.dense({ units: 4, name: 'slot_b' }).apply(x) as tfl.SymbolicTensor;
      const c = tfl.layers.dense({ units: 2, name: 'slot_c' }).apply(b) as tfl.SymbolicTensor;
      return tfl.model({ inputs: x, outputs: [a, c] });
    };
    build();
    // The second model's variables are 'slot_b/kernel_1', ... in tfjs' registry, and so are its slot names.
    const tfModel = build();
    setDeterministicTfWeights(tfModel, 5);
    tfModel.compile({ optimizer: tf.train.adam(0.05), loss: ['meanSquaredError', 'meanSquaredError'] });
    const xs = tf.tensor(values(8 * 4, 1), [8, 4]);
    await tfModel.fit(xs, [tf.tensor(values(8 * 4, 2), [8, 4]), tf.tensor(values(8 * 2, 3), [8, 2])], { epochs: 2, batchSize: 4, verbose: 0 });
    const tfSlots = (await tfModel.optimizer.getWeights()).map((w) => ({ name: w.name, values: w.tensor.dataSync() }));
    expect(tfSlots.map((w) => w.name).slice(1, 3)).toEqual(['slot_b/kernel_1/m', 'slot_b/bias_1/m']);
    const slot = (variable: string, kind: string) => tfSlots.find((w) => new RegExp(`^${variable}(_\\d+)?/${kind}$`).test(w.name))!.values;

    const model = fromArtifacts(await tfjsSave(tfModel));
    expect(model.optimizer.iterations).toBe(4);
    // Our layers come in Keras' and tfjs' depth order too (x, b, a, c); the slots are still matched by name.
    expect(model.trainableWeights.map((w) => w.name)[0]).toBe('slot_b/kernel');
    const state = new Map(model.optimizer.getState().map((e) => [e.name, e.value]));
    for (const w of model.trainableWeights) {
      const key = w.name.replace('/', '_');
      expectClose(state.get(`${key}_momentum`)!, slot(w.name, 'm'), { atol: 0, rtol: 0, label: `${w.name} m` });
      expectClose(state.get(`${key}_velocity`)!, slot(w.name, 'v'), { atol: 0, rtol: 0, label: `${w.name} v` });
    }
  });

  it('a tfjs model compiled with a loss per output loads compiled and evaluates the same', async () => {
    const tfModel = multiTf();
    setDeterministicTfWeights(tfModel, 4);
    // (tfjs 4.22 does not save lossWeights, so none are given here.)
    tfModel.compile({ optimizer: tf.train.adam(0.01), loss: ['binaryCrossentropy', 'categoricalCrossentropy'] });
    const batch = 6;
    const xs = makeInputs(MULTI, batch, 2);
    const y = ys(batch);
    await tfModel.fit(theirs(xs, MULTI, batch), [tf.tensor(y.score, [batch, 1]), tf.tensor(y.cls, [batch, 3])], { epochs: 2, batchSize: 3, verbose: 0 });
    const tfLosses = (tfModel.evaluate(theirs(xs, MULTI, batch), [tf.tensor(y.score, [batch, 1]), tf.tensor(y.cls, [batch, 3])]) as tf.Scalar[]).map((t) => t.dataSync()[0]!);
    const artifacts = await tfjsSave(tfModel);
    expect(artifacts.trainingConfig!.loss).toEqual(['binary_crossentropy', 'categorical_crossentropy']);
    const model = fromArtifacts(artifacts);
    expect(model.isCompiled).toBe(true);
    expect(model.optimizer.iterations).toBe(4);
    const ourLosses = model.evaluate(ours(xs, MULTI, batch), [new Tensor(y.score, [batch, 1]), new Tensor(y.cls, [batch, 3])]) as number[];
    expect(model.metricsNames).toEqual(['loss', 'score_loss', 'cls_loss']);
    expectClose(ourLosses, tfjsEvaluateLosses(tfLosses, 2), { atol: 1e-5, rtol: 1e-5, label: 'total and per-output losses' });
    expectSamePredictions(model, tfModel, MULTI, 'tfjs compiled multi-output');
  });
});

// ---- a Keras 3 file: dict-form inbound_nodes ------------------------------------------------------------

/** A member of a zip archive whose entries are stored uncompressed (the .keras files Keras writes). */
function storedZipMember(bytes: Uint8Array, name: string): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 0;
  while (o + 30 <= bytes.length && view.getUint32(o, true) === 0x04034b50) {
    const flags = view.getUint16(o + 6, true);
    const method = view.getUint16(o + 8, true);
    const size = view.getUint32(o + 18, true);
    const nameLength = view.getUint16(o + 26, true);
    const extraLength = view.getUint16(o + 28, true);
    const entry = new TextDecoder().decode(bytes.subarray(o + 30, o + 30 + nameLength));
    const start = o + 30 + nameLength + extraLength;
    if (flags & 0x08) throw new Error(`zip entry ${entry} has a data descriptor; this reader needs sizes in the local header`);
    if (entry === name) {
      if (method !== 0) throw new Error(`zip entry ${entry} is compressed (method ${method})`);
      return bytes.subarray(start, start + size);
    }
    o = start + size;
  }
  throw new Error(`no zip entry ${name}`);
}

interface FixtureWeight { path: string; shape: number[]; sum: number; abs_sum: number; first_values: number[] }
interface Fixture {
  inputs: { name: string; shape: number[]; values: number[][] }[];
  predict_outputs: { name: string; shape: number[]; values: number[][] }[];
  weights: FixtureWeight[];
}

/**
 * A weight's values from the .weights.h5 file: h5py stores these small datasets contiguously, little-endian,
 * so the dataset is where its first values (from the fixture JSON) occur, exactly once; the sum and absolute
 * sum the JSON records confirm the whole dataset was read.
 */
function fixtureWeight(h5: Uint8Array, w: FixtureWeight): Float32Array {
  const size = sizeOf(w.shape);
  const first = new Uint8Array(Float32Array.from(w.first_values).buffer);
  const hits: number[] = [];
  for (let i = h5.indexOf(first[0]!); i >= 0 && i + first.length <= h5.length; i = h5.indexOf(first[0]!, i + 1)) {
    let ok = true;
    for (let k = 1; k < first.length && ok; k++) ok = h5[i + k] === first[k];
    if (ok) hits.push(i);
  }
  expect(hits, `dataset of ${w.path}`).toHaveLength(1);
  const out = new Float32Array(h5.slice(hits[0]!, hits[0]! + size * 4).buffer);
  expect(out.reduce((p, v) => p + v, 0)).toBeCloseTo(w.sum, 4);
  expect(out.reduce((p, v) => p + Math.abs(v), 0)).toBeCloseTo(w.abs_sum, 4);
  return out;
}

describe('a Keras 3 functional model (functional_two_inputs.keras: dict-form inbound_nodes, __keras_tensor__ history)', () => {
  const read = (name: string) => new Uint8Array(readFileSync(new URL(name, FIXTURES)));
  const fixture = JSON.parse(new TextDecoder().decode(read('functional_two_inputs.json'))) as Fixture;
  const kerasFile = JSON.parse(new TextDecoder().decode(storedZipMember(read('functional_two_inputs.keras'), 'config.json'))) as {
    class_name: string;
    config: { layers: { inbound_nodes: unknown[] }[] };
    compile_config: { loss: Record<string, string>; loss_weights: Record<string, number>; optimizer: { class_name: string; config: Record<string, unknown> } };
  };
  const { compile_config: compileConfig, ...kerasConfig } = kerasFile;
  const h5 = read('functional_two_inputs.weights.h5');
  const inputs = () => fixture.inputs.map((i) => new Tensor(Float32Array.from(i.values.flat()), i.shape));

  afterAll(() => clearSession());

  it('the config is Keras 3\'s dict form', () => {
    expect(kerasConfig.class_name).toBe('Functional');
    const dense = kerasConfig.config.layers.find((l) => (l as unknown as { name: string }).name === 'concat')!;
    expect(dense.inbound_nodes[0]).toMatchObject({ args: [[{ class_name: '__keras_tensor__' }, { class_name: '__keras_tensor__' }]], kwargs: {} });
  });

  it('loads: topology, layer classes and shapes, then Keras\' own predictions within 1e-5 with the saved weights', () => {
    const model = modelFromJSON(kerasConfig) as Model;
    expect(model).toBeInstanceOf(Functional);
    expect(model.name).toBe('functional_two_inputs');
    expect(model.layers.map((l) => [l.name, l.className])).toEqual([
      ['num_a', 'InputLayer'], ['num_b', 'InputLayer'], ['dense_a', 'Dense'], ['dense_b', 'Dense'],
      ['concat', 'Concatenate'], ['mix', 'Dense'], ['score', 'Dense'], ['cls', 'Dense'],
    ]);
    expect(model.inputNames).toEqual(['num_a', 'num_b']);
    expect(model.outputNames).toEqual(['score', 'cls']);
    expect(model.inputs.map((t) => t.shape)).toEqual([[null, 6], [null, 4]]);
    expect(model.outputs.map((t) => t.shape)).toEqual([[null, 1], [null, 3]]);
    expect((model.getLayer('concat').output as SymbolicTensor).shape).toEqual([null, 16]);
    expect(model.getLayer('concat').inboundNodes[0]!.inputTensors.map((t) => t.node.layer.name)).toEqual(['dense_a', 'dense_b']);
    // Keras' model.weights order is ours: the weights by Keras path.
    expect(model.weights.map((w) => w.name)).toEqual(fixture.weights.map((w) => w.path));
    model.setWeights(fixture.weights.map((w) => new Tensor(fixtureWeight(h5, w), w.shape)));
    const out = ourOutputs(model.predict(inputs()));
    fixture.predict_outputs.forEach((expected, i) => {
      expect(out[i]!.shape).toEqual(expected.shape);
      expectClose(out[i]!, expected.values.flat(), { atol: 1e-5, rtol: 0, label: expected.name });
    });
  });

  it('with its compile config as a training config: per-output losses and loss weights as Keras computes them', () => {
    const model = fromArtifacts({
      modelTopology: kerasConfig,
      weightSpecs: fixture.weights.map((w) => ({ name: w.path, shape: w.shape, dtype: 'float32' as const })),
      weightData: Float32Array.from(fixture.weights.flatMap((w) => Array.from(fixtureWeight(h5, w)))).buffer,
      trainingConfig: {
        optimizer_config: compileConfig.optimizer,
        loss: compileConfig.loss,
        loss_weights: compileConfig.loss_weights,
        metrics: null,
      },
    });
    expect(model.isCompiled).toBe(true);
    expect(model.optimizer.className).toBe('RMSprop');
    expect(model.metricsNames).toEqual(['loss', 'score_loss', 'cls_loss']);
    const yScore = [[1], [0], [0], [1]];
    const yCls = [[0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0]];
    const losses = model.evaluate(inputs(), [tensor(yScore), tensor(yCls)]) as number[];
    // Keras' formulas in float64 over Keras' own predictions: mean binary / categorical cross-entropy
    // (probabilities clipped to [1e-7, 1 - 1e-7]), weighted 0.5 and 1.0.
    const clip = (p: number) => Math.min(Math.max(p, 1e-7), 1 - 1e-7);
    const [score, cls] = fixture.predict_outputs;
    const bce = score!.values.reduce((s, [p], i) => s - (yScore[i]![0]! * Math.log(clip(p!)) + (1 - yScore[i]![0]!) * Math.log(1 - clip(p!))), 0) / 4;
    const cce = cls!.values.reduce((s, row, i) => s - row.reduce((t, p, k) => t + yCls[i]![k]! * Math.log(clip(p)), 0), 0) / 4;
    expectClose(losses[0]!, 0.5 * bce + cce, { atol: 1e-5, rtol: 1e-5, label: 'weighted total' });
    expectClose(losses[2]!, cce, { atol: 1e-5, rtol: 1e-5, label: 'cls_loss (weight 1)' });
  });
});

describe('Keras 3 node numbering of nested models (dict-form inbound_nodes)', () => {
  // Keras 3's get_config: a nested Functional starts with a node of its own, so its calls are numbered from 1;
  // a nested Sequential has none (numbered from 0). Keras 3 module-style objects, written out by hand.
  const dtype = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
  const kt = (layer: string, node: number, shape: (number | null)[]) => ({ class_name: '__keras_tensor__', config: { shape, dtype: 'float32', keras_history: [layer, node, 0] } });
  const call = (...args: unknown[]) => ({ args, kwargs: {} });
  const input = (name: string, shape: number[]) => ({
    module: 'keras.layers', class_name: 'InputLayer', registered_name: null, name, inbound_nodes: [],
    config: { batch_shape: [null, ...shape], dtype: 'float32', sparse: false, ragged: false, name, optional: false },
  });
  const dense = (name: string, units: number, activation: string, inputDim: number, inbound?: unknown[]) => ({
    module: 'keras.layers', class_name: 'Dense', registered_name: null, build_config: { input_shape: [null, inputDim] },
    config: {
      name, trainable: true, dtype, units, activation, use_bias: true,
      kernel_initializer: { module: 'keras.initializers', class_name: 'GlorotUniform', config: { seed: null, input_axes: null, output_axes: null }, registered_name: null },
      bias_initializer: { module: 'keras.initializers', class_name: 'Zeros', config: {}, registered_name: null },
      kernel_regularizer: null, bias_regularizer: null, kernel_constraint: null, bias_constraint: null, quantization_config: null,
    },
    ...(inbound ? { name, inbound_nodes: inbound } : {}),
  });
  const merge = (className: string, name: string, inbound: unknown[]) => ({ module: 'keras.layers', class_name: className, registered_name: null, config: { name, trainable: true, dtype, ...(className === 'Concatenate' ? { axis: -1 } : {}) }, name, inbound_nodes: inbound });
  const config = {
    module: 'keras.src.models.functional', class_name: 'Functional', registered_name: 'Functional',
    config: {
      name: 'keras3_nested', trainable: true,
      layers: [
        input('x1', [5]),
        input('x2', [5]),
        {
          module: 'keras', class_name: 'Sequential', registered_name: null, build_config: { input_shape: [null, 5] },
          config: { name: 'enc', trainable: true, dtype, layers: [input('enc_input', [5]), dense('enc_1', 6, 'relu', 5), dense('enc_2', 3, 'linear', 6)], build_input_shape: [null, 5] },
          name: 'enc', inbound_nodes: [call(kt('x1', 0, [null, 5])), call(kt('x2', 0, [null, 5]))],
        },
        merge('Add', 'sum', [call([kt('enc', 0, [null, 3]), kt('enc', 1, [null, 3])])]),
        {
          module: 'keras.src.models.functional', class_name: 'Functional', registered_name: 'Functional', build_config: { input_shape: [null, 3] },
          config: {
            name: 'blk', trainable: false,
            layers: [
              input('blk_in', [3]),
              dense('blk_dense', 3, 'tanh', 3, [call(kt('blk_in', 0, [null, 3]))]),
              merge('Add', 'blk_add', [call([kt('blk_in', 0, [null, 3]), kt('blk_dense', 0, [null, 3])])]),
            ],
            input_layers: [['blk_in', 0, 0]], output_layers: [['blk_add', 0, 0]],
          },
          name: 'blk', inbound_nodes: [call(kt('sum', 0, [null, 3]))],
        },
        merge('Concatenate', 'cat', [call([kt('blk', 1, [null, 3]), kt('enc', 1, [null, 3])])]),
        dense('head', 2, 'sigmoid', 6, [call(kt('cat', 0, [null, 6]))]),
      ],
      input_layers: [['x1', 0, 0], ['x2', 0, 0]],
      output_layers: [['head', 0, 0], ['blk', 1, 0]],
    },
  };

  it('loads with the calls wired as numbered and computes what the same graph built in code computes', () => {
    const model = modelFromJSON(config) as Model;
    expect(model.layers.map((l) => [l.name, l.className])).toEqual(expect.arrayContaining([['enc', 'Sequential'], ['blk', 'Functional'], ['cat', 'Concatenate']]));
    expect(model.getLayer('enc').inboundNodes).toHaveLength(2);
    expect(model.getLayer('blk').inboundNodes).toHaveLength(1);
    expect(model.getLayer('blk').trainable).toBe(false);
    expect(model.trainableWeights.map((w) => w.name)).toEqual(['enc_1/kernel', 'enc_1/bias', 'enc_2/kernel', 'enc_2/bias', 'head/kernel', 'head/bias']);
    expect(model.outputs.map((t) => [...t.shape])).toEqual([[null, 2], [null, 3]]);
    // cat reads the second call of enc (x2), not the first.
    expect(model.getLayer('cat').inboundNodes[0]!.inputTensors[1]!.node).toBe(model.getLayer('enc').inboundNodes[1]);
    setDeterministicWeights(model, 21);

    clearSession();
    const enc = new Sequential({ name: 'enc', layers: [Input({ shape: [5] }), new Dense(6, { activation: 'relu', name: 'enc_1' }), new Dense(3, { name: 'enc_2' })] });
    const blkIn = Input({ shape: [3], name: 'blk_in' });
    const blk = new Model({ inputs: blkIn, outputs: new Add({ name: 'blk_add' }).apply([blkIn, new Dense(3, { activation: 'tanh', name: 'blk_dense' }).apply(blkIn) as SymbolicTensor]) as SymbolicTensor, name: 'blk' });
    const x1 = Input({ shape: [5], name: 'x1' });
    const x2 = Input({ shape: [5], name: 'x2' });
    const e1 = enc.apply(x1) as SymbolicTensor;
    const e2 = enc.apply(x2) as SymbolicTensor;
    const b = blk.apply(new Add({ name: 'sum' }).apply([e1, e2]) as SymbolicTensor) as SymbolicTensor;
    const head = new Dense(2, { activation: 'sigmoid', name: 'head' }).apply(new Concatenate({ name: 'cat' }).apply([b, e2]) as SymbolicTensor) as SymbolicTensor;
    const reference = new Model({ inputs: [x1, x2], outputs: [head, b] });
    const values = new Map(model.weights.map((w) => [w.name, w]));
    reference.setWeights(reference.weights.map((w) => new Tensor(values.get(w.name)!.values.slice(), [...w.shape])));
    const xs = ours(makeInputs(NESTED, 3, 4), NESTED, 3);
    const got = ourOutputs(model.predict(xs));
    const want = ourOutputs(reference.predict(xs));
    expect(got).toHaveLength(2);
    got.forEach((t, i) => expectClose(t, want[i]!, { atol: 0, rtol: 0, label: `output ${i}` }));
  });

  it('a reference to a nested Functional\'s own node 0 is an error naming it', () => {
    const bad = JSON.parse(JSON.stringify(config)) as typeof config;
    bad.config.output_layers[1] = ['blk', 0, 0];
    expect(() => modelFromJSON(bad)).toThrow(/output_layers reads node 0 of the nested model 'blk'.*numbered from 1/);
  });
});

describe('a nested model called with training: false (transfer learning)', () => {
  it('keeps the call argument in the saved node, for tfjs and for us', async () => {
    const base = new Sequential({ name: 'base', layers: [new Dense(5, { activation: 'relu', inputShape: [4], name: 'base_dense' }), new BatchNormalization({ name: 'base_bn' })] });
    const x = Input({ shape: [4], name: 'x' });
    const features = base.apply(x, { training: false }) as SymbolicTensor;
    const model = new Model({ inputs: x, outputs: new Dense(2, { name: 'head' }).apply(features) as SymbolicTensor, name: 'transfer' });
    setDeterministicWeights(model, 12);
    base.trainable = false;
    const artifacts = toArtifacts(model);
    const entry = (artifacts.modelTopology as { config: { layers: { name: string; inbound_nodes: unknown[] }[] } }).config.layers.find((l) => l.name === 'base')!;
    expect(entry.inbound_nodes).toEqual([[['x', 0, 0, { training: false }]]]);
    expectSamePredictions(model, await tfl.loadLayersModel(tf.io.fromMemory(artifacts as unknown as tf.io.ModelArtifacts)), [[4]], 'training: false');
    const again = fromArtifacts(artifacts);
    expect(again.getLayer('base').inboundNodes[0]!.kwargs).toEqual({ training: false });
    expect(again.getLayer('base').trainable).toBe(false);
    expect(again.trainableWeights.map((w) => w.name)).toEqual(['head/kernel', 'head/bias']);
  });
});

describe('records of inputs and outputs (Keras 3 structures) survive a save', () => {
  it('input_layers / output_layers keep the record keys, which losses and outputs are named by', () => {
    const a = Input({ shape: [3], name: 'in_a' });
    const b = Input({ shape: [2], name: 'in_b' });
    const score = new Dense(1, { activation: 'sigmoid', name: 'score' }).apply(new Concatenate({ name: 'both' }).apply([a, b]) as SymbolicTensor) as SymbolicTensor;
    const cls = new Dense(2, { activation: 'softmax', name: 'cls' }).apply(b) as SymbolicTensor;
    const model = new Model({ inputs: { first: a, second: b }, outputs: { prob: score, klass: cls }, name: 'records' });
    setDeterministicWeights(model, 8);
    model.compile({ optimizer: 'sgd', loss: { prob: 'binary_crossentropy', klass: 'categorical_crossentropy' }, lossWeights: { prob: 2, klass: 1 } });
    expect(model.outputNames).toEqual(['prob', 'klass']);

    const artifacts = toArtifacts(model);
    const config = (artifacts.modelTopology as { config: Record<string, unknown> }).config;
    expect(config.input_layers).toEqual({ first: ['in_a', 0, 0], second: ['in_b', 0, 0] });
    expect(config.output_layers).toEqual({ prob: ['score', 0, 0], klass: ['cls', 0, 0] });
    const again = fromArtifacts(artifacts);
    expect(again.outputNames).toEqual(['prob', 'klass']);
    expect(again.metricsNames).toEqual(model.metricsNames);
    const x = { first: new Tensor(values(4 * 3, 1), [4, 3]), second: new Tensor(values(4 * 2, 2), [4, 2]) };
    const y = { prob: tensor([[1], [0], [1], [0]]), klass: tensor([[1, 0], [0, 1], [0, 1], [1, 0]]) };
    const before = model.predict(x) as Record<string, Tensor>;
    const after = again.predict(x) as Record<string, Tensor>;
    expect(Object.keys(after)).toEqual(['prob', 'klass']);
    for (const k of ['prob', 'klass']) expectClose(after[k]!, before[k]!, { atol: 0, rtol: 0, label: k });
    expectClose(again.evaluate(x, y) as number[], model.evaluate(x, y) as number[], { atol: 1e-7, rtol: 1e-7 });
  });
});

describe('summary of the comparisons', () => {
  it('every prediction above matched tfjs within 1e-5', () => {
    expect(worst.value).toBeLessThanOrEqual(1e-5);
    console.log(`functional-tfjs: max |minikeras - tfjs| = ${worst.value.toExponential(2)} (${worst.where})`);
  });
});
