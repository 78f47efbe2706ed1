/**
 * A deterministic fuzz of the loaders over one small saved model, from a directory (model.json + shards) and
 * from in-memory artifacts: truncations at many offsets, byte flips, shape / dtype / manifest edits, keys of
 * every JS object (`__proto__`, `constructor`, ...) as class names and config keys, huge declared shapes and
 * swapped shards. Every case must end in a clear ModelFormatError naming the file (or load, where the edit
 * leaves a valid model), within a time bound, and without allocating more than a small bound.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor, setSeed } from '@minikeras/tensor';
import { Sequential } from '../models/sequential';
import { Dense } from '../layers/dense';
import { Dropout, Input } from '../layers/core';
import { Add } from '../layers/merging';
import { Functional } from '../models/functional';
import { toArtifacts } from './artifacts';
import type { ModelArtifacts } from './artifacts';
import { fromArtifacts, loadModel, modelFromJSON, saveModel } from './load-model';
import { ModelFormatError } from './errors';
import { toModelFiles } from './model-json';

/** mulberry32: the fuzz draws the same cases on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Messages of internal failures (a property of undefined, a typed array too long, ...): never "clear". */
const INTERNAL = /Cannot read propert|Cannot set propert|is not a function|is not iterable|is not a constructor|Invalid typed array length|Array buffer allocation failed|Maximum call stack|undefined is not|null is not|Cannot convert undefined|Cannot destructure/;
/** What one case may allocate (in ArrayBuffers): the model is ~1 KB; a 5000 x 5000 kernel would be 100 MB. */
const MEMORY_BOUND = 16 * 1024 * 1024;
/** What one case may take. */
const TIME_BOUND_MS = 2000;

type Outcome = 'error' | 'loaded';
interface Tally { cases: number; errors: number; loaded: number; maxGrowth: number; maxMs: number }
const tally: Record<string, Tally> = {};

/**
 * Runs one case: a ModelFormatError whose message names `file` and is not an internal failure, or (when
 * `mayLoad`) a model. Time and ArrayBuffer growth are bounded.
 */
async function check(kind: string, label: string, run: () => Promise<unknown> | unknown, file: RegExp, mayLoad = false): Promise<Outcome> {
  const t = (tally[kind] ??= { cases: 0, errors: 0, loaded: 0, maxGrowth: 0, maxMs: 0 });
  const before = process.memoryUsage().arrayBuffers;
  const t0 = performance.now();
  let error: unknown = null;
  let peak = 0;
  try {
    await run();
  } catch (e) {
    error = e;
  }
  peak = process.memoryUsage().arrayBuffers - before;
  const ms = performance.now() - t0;
  t.cases++;
  t.maxGrowth = Math.max(t.maxGrowth, peak);
  t.maxMs = Math.max(t.maxMs, ms);
  expect(peak, `${kind} / ${label}: ArrayBuffers grew by ${peak} bytes`).toBeLessThan(MEMORY_BOUND);
  expect(ms, `${kind} / ${label}: took ${ms.toFixed(0)} ms`).toBeLessThan(TIME_BOUND_MS);
  if (error === null) {
    expect(mayLoad, `${kind} / ${label}: loaded, but the input is invalid`).toBe(true);
    t.loaded++;
    return 'loaded';
  }
  const message = error instanceof Error ? error.message : String(error);
  expect(error, `${kind} / ${label}: threw ${String((error as Error)?.name)}: ${message}`).toBeInstanceOf(ModelFormatError);
  expect(message, `${kind} / ${label}`).not.toMatch(INTERNAL);
  expect(message, `${kind} / ${label}: the error does not name the file`).toMatch(file);
  t.errors++;
  return 'error';
}

let root: string;
let caseCounter = 0;
let model: Sequential;
let artifacts: ModelArtifacts;
/** The directory save: model.json text and its one shard. */
let savedJson: string;
let savedShard: Uint8Array;
/** The same model cut into 64-byte shards, with and without minikeras' shard record. */
let multi: { json: string; shards: { path: string; bytes: Uint8Array }[] };

const x = new Tensor(Float32Array.from({ length: 8 }, (_, i) => i / 4 - 1), [2, 4]);
const y = new Tensor(Float32Array.from([0.5, -0.5, 0.25, 1]), [2, 2]);

beforeAll(async () => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  root = mkdtempSync(join(tmpdir(), 'minikeras-fuzz-'));
  setSeed(11);
  model = new Sequential({ name: 'fz', layers: [new Dense(3, { inputShape: [4], activation: 'relu', name: 'a' }), new Dropout(0.25, { name: 'drop' }), new Dense(2, { name: 'b' })] });
  model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['mae'] });
  await model.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0 });
  const dir = join(root, 'saved');
  await saveModel(model, dir);
  savedJson = await readFile(join(dir, 'model.json'), 'utf8');
  savedShard = new Uint8Array(await readFile(join(dir, 'group1-shard1of1.bin')));
  artifacts = toArtifacts(model);
  const files = toModelFiles(artifacts, 64, { integrity: true });
  multi = { json: JSON.stringify(files.modelJSON), shards: files.shards.map((s) => ({ path: s.path, bytes: s.bytes.slice() })) };
});

afterAll(() => {
  vi.restoreAllMocks();
  rmSync(root, { recursive: true, force: true });
  const rows = Object.entries(tally).map(([k, t]) => `${k}: ${t.cases} cases (${t.errors} errors, ${t.loaded} loaded), max ${t.maxMs.toFixed(0)} ms, max +${(t.maxGrowth / 1024).toFixed(0)} KiB`);
  console.log(`loader fuzz: ${Object.values(tally).reduce((p, t) => p + t.cases, 0)} cases\n  ${rows.join('\n  ')}`);
});

/** Writes a model directory from its files and loads it. */
async function loadFiles(files: Record<string, string | Uint8Array>): Promise<unknown> {
  const dir = join(root, `case-${caseCounter++}`);
  mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  try {
    return await loadModel(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const NAMES_FILE = /model\.json|group1-shard\d+of\d+\.bin/;
const ARTIFACTS = /model artifacts/;
const OBJECT_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__'];

/** A deep copy of the model.json object. */
const savedObject = () => JSON.parse(savedJson) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const withJson = (json: unknown) => loadFiles({ 'model.json': JSON.stringify(json), 'group1-shard1of1.bin': savedShard });
/** In-memory artifacts with an edited topology / specs (everything else as saved). */
const topology = () => JSON.parse(JSON.stringify(artifacts.modelTopology)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const specsCopy = () => JSON.parse(JSON.stringify(artifacts.weightSpecs)) as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A Sequential topology with one Dense of `units` on inputs of `inputs` features. */
function denseTopology(inputs: number, units: number): Record<string, unknown> {
  return {
    class_name: 'Sequential',
    config: { name: 'huge', layers: [{ class_name: 'Dense', config: { name: 'big', units, batch_input_shape: [null, inputs], use_bias: false } }] },
    keras_version: 'minikeras 0.1.0',
    backend: 'minikeras',
  };
}

describe('loader fuzz', () => {
  it('the fixture loads, and the allocation probe sees a 32 MB buffer', async () => {
    const back = await loadFiles({ 'model.json': savedJson, 'group1-shard1of1.bin': savedShard }) as Sequential;
    expect(Array.from(back.predict(x).values)).toEqual(Array.from(model.predict(x).values));
    expect(JSON.parse(savedJson).weightsManifest[0].shardIntegrity).toEqual([{ byteLength: savedShard.length, fnv1a: expect.stringMatching(/^[0-9a-f]{8}$/) }]);
    const multiBack = await loadFiles({ 'model.json': multi.json, ...Object.fromEntries(multi.shards.map((s) => [s.path, s.bytes])) }) as Sequential;
    expect(Array.from(multiBack.predict(x).values)).toEqual(Array.from(model.predict(x).values));
    expect(multi.shards.length).toBeGreaterThanOrEqual(5);
    // The bound means something: a buffer of the size a 5000 x 5000 kernel's third would be is seen.
    const before = process.memoryUsage().arrayBuffers;
    const big = new Float32Array(8 * 1024 * 1024);
    expect(process.memoryUsage().arrayBuffers - before).toBeGreaterThanOrEqual(MEMORY_BOUND);
    expect(big.length).toBe(8 * 1024 * 1024);
  });

  it('truncations of model.json and of the shard at many offsets', async () => {
    const json = new TextEncoder().encode(savedJson);
    for (let i = 0; i < 40; i++) {
      const at = Math.floor((i / 40) * json.length);
      await check('truncate model.json', `at ${at}`, () => loadFiles({ 'model.json': json.subarray(0, at), 'group1-shard1of1.bin': savedShard }), /model\.json/);
    }
    for (let at = 0; at < savedShard.length; at += 7) {
      await check('truncate shard', `at ${at}`, () => loadFiles({ 'model.json': savedJson, 'group1-shard1of1.bin': savedShard.subarray(0, at) }), /group1-shard1of1\.bin: truncated/);
    }
    // Longer than saved.
    await check('truncate shard', 'one byte more', () => loadFiles({ 'model.json': savedJson, 'group1-shard1of1.bin': new Uint8Array([...savedShard, 0]) }), /group1-shard1of1\.bin: too long/);
    const data = new Uint8Array(artifacts.weightData as ArrayBuffer);
    for (let at = 0; at < data.length; at += 5) {
      await check('truncate artifacts', `at ${at}`, () => fromArtifacts({ ...artifacts, weightData: data.slice(0, at).buffer }), /model artifacts: truncated: weight '[^']+' \(shape \[[\d, ]*\], (float32|int32)\) needs bytes/);
    }
  });

  it('byte flips: every flip in a checksummed shard is an error; flips in model.json load or fail cleanly', async () => {
    const draw = rng(1);
    for (let i = 0; i < 60; i++) {
      const bytes = savedShard.slice();
      const at = Math.floor(draw() * bytes.length);
      bytes[at]! ^= 1 + Math.floor(draw() * 255);
      await check('flip shard', `byte ${at}`, () => loadFiles({ 'model.json': savedJson, 'group1-shard1of1.bin': bytes }), /group1-shard1of1\.bin: corrupt: its FNV-1a checksum is [0-9a-f]{8} but .*model\.json recorded [0-9a-f]{8}/);
    }
    const json = new TextEncoder().encode(savedJson);
    for (let i = 0; i < 60; i++) {
      const bytes = json.slice();
      const at = Math.floor(draw() * bytes.length);
      bytes[at]! ^= 1 + Math.floor(draw() * 127);
      await check('flip model.json', `byte ${at}`, () => loadFiles({ 'model.json': bytes, 'group1-shard1of1.bin': savedShard }), NAMES_FILE, true);
    }
  });

  it('structural edits: any value of model.json replaced by a hostile one', async () => {
    const draw = rng(2);
    const hostile: unknown[] = [null, -1, 0, 1.5, 2 ** 32, 1e300, 'x', '', [], [null], {}, true, '__proto__', 'constructor', [2 ** 31, 2 ** 31], { class_name: 'constructor', config: {} }];
    // Every path to a value in model.json.
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, path: (string | number)[]) => {
      paths.push(path);
      if (Array.isArray(v)) v.forEach((c, i) => walk(c, [...path, i]));
      else if (typeof v === 'object' && v !== null) for (const [k, c] of Object.entries(v)) walk(c, [...path, k]);
    };
    walk(savedObject(), []);
    for (let i = 0; i < 120; i++) {
      const path = paths[1 + Math.floor(draw() * (paths.length - 1))]!;
      const value = hostile[Math.floor(draw() * hostile.length)];
      const json = savedObject();
      let parent = json;
      for (const k of path.slice(0, -1)) parent = parent[k];
      parent[path[path.length - 1]!] = value;
      await check('edit model.json', `${path.join('.')} = ${JSON.stringify(value)}`, () => withJson(json), NAMES_FILE, true);
    }
  });

  it('shape, dtype and manifest edits', async () => {
    const shapes: unknown[] = [[], [-1, 3], [1.5, 2], ['4', 3], null, 'shape', [2 ** 32], [1e300, 1e300], [65536, 65536], [5000, 5000], [0, 3], [3, 4], [4, 3, 1], [NaN]];
    const dtypes: unknown[] = ['float16', 'bool', 'string', 'complex64', 'int32', null, 7, ...OBJECT_KEYS];
    const n = (JSON.parse(savedJson).weightsManifest[0].weights as unknown[]).length;
    for (let w = 0; w < n; w++) {
      const original = JSON.stringify(JSON.parse(savedJson).weightsManifest[0].weights[w].shape);
      for (const shape of shapes) {
        if (JSON.stringify(shape) === original) continue;
        const json = savedObject();
        json.weightsManifest[0].weights[w].shape = shape;
        await check('manifest shape', `weight ${w} shape ${JSON.stringify(shape)}`, () => withJson(json), /model\.json/);
        const specs = specsCopy();
        specs[w]!.shape = shape;
        await check('artifacts shape', `weight ${w} shape ${JSON.stringify(shape)}`, () => fromArtifacts({ ...artifacts, weightSpecs: specs as never }), ARTIFACTS);
      }
      for (const dtype of dtypes) {
        const json = savedObject();
        const spec = json.weightsManifest[0].weights[w];
        spec.dtype = dtype;
        // The optimizer's iteration count may be int32 (tfjs writes it so): its bits then read as another count.
        const mayLoad = spec.group === 'optimizer' && dtype === 'int32';
        await check('manifest dtype', `weight ${w} dtype ${JSON.stringify(dtype)}`, () => withJson(json), /model\.json/, mayLoad);
      }
    }
    const edits: [string, (j: Record<string, any>) => void][] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
      ['no weightsManifest', (j) => { delete j.weightsManifest; }],
      ['weightsManifest an object', (j) => { j.weightsManifest = {}; }],
      ['a null group', (j) => { j.weightsManifest = [null]; }],
      ['paths not strings', (j) => { j.weightsManifest[0].paths = [7]; }],
      ['no paths', (j) => { j.weightsManifest[0].paths = []; }],
      ['a missing shard', (j) => { j.weightsManifest[0].paths = ['nowhere.bin']; }],
      ['a path out of the directory', (j) => { j.weightsManifest[0].paths = ['../group1-shard1of1.bin']; }],
      ['the shard twice', (j) => { j.weightsManifest[0].paths.push(j.weightsManifest[0].paths[0]); }],
      ['a weight removed', (j) => { j.weightsManifest[0].weights.splice(1, 1); }],
      ['a weight added', (j) => { j.weightsManifest[0].weights.push({ name: 'extra', shape: [1], dtype: 'float32' }); }],
      ['a weight listed twice', (j) => { j.weightsManifest[0].weights[1] = { ...j.weightsManifest[0].weights[0] }; }],
      ['a weight renamed', (j) => { j.weightsManifest[0].weights[0].name = 'a/kernel_x'; }],
      ['a weight without a name', (j) => { j.weightsManifest[0].weights[0].name = ''; }],
      ['a spec that is a string', (j) => { j.weightsManifest[0].weights[0] = 'a/kernel'; }],
      ['a quantized weight', (j) => { j.weightsManifest[0].weights[0].quantization = { dtype: 'uint8', scale: 1, min: 0 }; }],
      ['an unknown group', (j) => { j.weightsManifest[0].weights[0].group = 'other'; }],
      ['a model weight marked optimizer', (j) => { j.weightsManifest[0].weights[0].group = 'optimizer'; }],
      ['two weights\' shapes exchanged', (j) => { const ws = j.weightsManifest[0].weights; [ws[0].shape, ws[2].shape] = [ws[2].shape, ws[0].shape]; }],
      ['shardIntegrity length off by one', (j) => { j.weightsManifest[0].shardIntegrity[0].byteLength += 1; }],
      ['shardIntegrity checksum edited', (j) => { j.weightsManifest[0].shardIntegrity[0].fnv1a = '00000000'; }],
      ['shardIntegrity not a list', (j) => { j.weightsManifest[0].shardIntegrity = { byteLength: 1 }; }],
      ['shardIntegrity for two files', (j) => { j.weightsManifest[0].shardIntegrity.push({ byteLength: 0, fnv1a: '811c9dc5' }); }],
      ['a second group for the same shard', (j) => { j.weightsManifest.push({ paths: j.weightsManifest[0].paths, weights: [] }); }],
      ['format graph-model', (j) => { j.format = 'graph-model'; }],
      ['no modelTopology', (j) => { delete j.modelTopology; }],
      ['seed generator state for no layer', (j) => { j.userDefinedMetadata = { minikeras: { seedGenerators: [{ name: 'nope', state: [1, 0] }] } }; }],
      ['seed generator state out of range', (j) => { j.userDefinedMetadata.minikeras.seedGenerators[0].state = [-1, 2 ** 40]; }],
      ['the optimizer iteration a matrix', (j) => { j.weightsManifest[0].weights.find((w: { group?: string }) => w.group === 'optimizer').shape = [1, 1]; }],
    ];
    for (const [label, edit] of edits) {
      const json = savedObject();
      edit(json);
      await check('manifest edit', label, () => withJson(json), NAMES_FILE);
    }
    // Removing minikeras' shard record leaves a file as tfjs writes it: it loads.
    const plain = savedObject();
    delete plain.weightsManifest[0].shardIntegrity;
    expect(await check('manifest edit', 'no shardIntegrity (a tfjs file)', () => withJson(plain), NAMES_FILE, true)).toBe('loaded');
  });

  it('keys of every JS object as class names and config keys', async () => {
    const places: [string, (t: Record<string, any>, key: string) => void][] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
      ['model class_name', (t, k) => { t.class_name = k; }],
      ['layer class_name', (t, k) => { t.config.layers[2].class_name = k; }],
      ['initializer class_name', (t, k) => { t.config.layers[0].config.kernel_initializer = { class_name: k, config: {} }; }],
      ['initializer name', (t, k) => { t.config.layers[0].config.kernel_initializer = k; }],
      ['regularizer class_name', (t, k) => { t.config.layers[0].config.kernel_regularizer = { class_name: k, config: {} }; }],
      ['activation', (t, k) => { t.config.layers[0].config.activation = k; }],
      ['layer config key', (t, k) => { Object.defineProperty(t.config.layers[2].config, k, { value: { units: 9 }, enumerable: true, configurable: true, writable: true }); }],
      ['Dropout config key', (t, k) => { Object.defineProperty(t.config.layers[1].config, k, { value: 0.5, enumerable: true, configurable: true, writable: true }); }],
      ['model config key', (t, k) => { Object.defineProperty(t.config, k, { value: { layers: [] }, enumerable: true, configurable: true, writable: true }); }],
      ['initializer config key', (t, k) => { t.config.layers[0].config.kernel_initializer = { class_name: 'GlorotUniform', config: Object.defineProperty({}, k, { value: 1, enumerable: true }) }; }],
      ['layer name', (t, k) => { t.config.layers[2].config.name = k; }],
    ];
    for (const key of OBJECT_KEYS) {
      for (const [place, edit] of places) {
        const t = topology();
        edit(t, key);
        const mayLoad = place === 'layer name';
        // Through JSON, as a model.json is read (JSON.parse makes '__proto__' an own key) and as artifacts.
        await check('object keys (artifacts)', `${place} '${key}'`, () => fromArtifacts({ ...artifacts, modelTopology: JSON.parse(JSON.stringify(t)) }), ARTIFACTS, mayLoad);
        const json = savedObject();
        json.modelTopology = t;
        await check('object keys (model.json)', `${place} '${key}'`, () => withJson(json), /model\.json/, mayLoad);
      }
      const tc: [string, (c: Record<string, any>) => void][] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
        ['optimizer class_name', (c) => { c.optimizer_config.class_name = key; }],
        ['loss', (c) => { c.loss = key; }],
        ['loss class_name', (c) => { c.loss = { class_name: key, config: {} }; }],
        ['metric', (c) => { c.metrics = [key]; }],
        ['optimizer config key', (c) => { Object.defineProperty(c.optimizer_config.config, key, { value: 1, enumerable: true, configurable: true, writable: true }); }],
      ];
      for (const [place, edit] of tc) {
        const json = savedObject();
        edit(json.trainingConfig);
        await check('object keys (trainingConfig)', `${place} '${key}'`, () => withJson(json), /model\.json/);
      }
      const specs = specsCopy();
      specs[0]!.name = key;
      await check('object keys (weight names)', `'${key}'`, () => fromArtifacts({ ...artifacts, weightSpecs: specs as never }), ARTIFACTS);
    }
  });

  it('keys of every JS object in a functional model config', async () => {
    setSeed(5);
    const input = Input({ shape: [4], name: 'in' });
    const h = new Dense(3, { name: 'h' }).apply(input);
    const out = new Add({ name: 'sum' }).apply([new Dense(3, { name: 'p' }).apply(h), h]);
    const fn = new Functional({ inputs: input, outputs: out, name: 'fn' });
    const base = toArtifacts(fn);
    const json = JSON.stringify(base.modelTopology);
    const define = (o: object, k: string, v: unknown) => Object.defineProperty(o, k, { value: v, enumerable: true, configurable: true, writable: true });
    const places: [string, (t: Record<string, any>, key: string) => void][] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
      ['layer class_name', (t, k) => { t.config.layers[1].class_name = k; }],
      ['layer list name', (t, k) => { t.config.layers[1].name = k; }],
      ['inbound layer name', (t, k) => { t.config.layers[2].inbound_nodes[0][0][0] = k; }],
      ['inbound kwargs key', (t, k) => { define(t.config.layers[2].inbound_nodes[0][0][3], k, 1); }],
      ['output_layers name', (t, k) => { t.config.output_layers[0][0] = k; }],
      ['input_layers a record', (t, k) => { t.config.input_layers = define({}, k, ['in', 0, 0]); }],
      ['output_layers a record', (t, k) => { t.config.output_layers = define({}, k, ['sum', 0, 0]); }],
      ['Keras 3 call kwargs key', (t, k) => { t.config.layers[2].inbound_nodes = [{ args: [{ class_name: '__keras_tensor__', config: { keras_history: ['in', 0, 0] } }], kwargs: define({}, k, 1) }]; }],
      ['Keras 3 call args record', (t, k) => { t.config.layers[3].inbound_nodes = [{ args: [define({}, k, { class_name: '__keras_tensor__', config: { keras_history: ['h', 0, 0] } })], kwargs: {} }]; }],
      ['model config key', (t, k) => { define(t.config, k, { layers: [] }); }],
    ];
    // A name is only a name: where the key is one, the model may load (or fail for another reason, cleanly).
    const mayLoad = new Set(['layer list name']);
    for (const key of OBJECT_KEYS) {
      for (const [place, edit] of places) {
        const t = JSON.parse(json);
        edit(t, key);
        await check('object keys (functional)', `${place} '${key}'`, () => fromArtifacts({ ...base, modelTopology: JSON.parse(JSON.stringify(t)) }), ARTIFACTS, mayLoad.has(place));
      }
    }
  });

  it('huge declared shapes fail before anything of their size is allocated', async () => {
    const tiny = new Uint8Array(16);
    for (const [inputs, units] of [[5000, 5000], [16000, 16000], [65536, 65536], [2 ** 31, 4]] as const) {
      const label = `Dense ${inputs} x ${units}`;
      // The manifest declares the kernel honestly; the shard has 16 bytes.
      const manifest = [{ paths: ['w.bin'], weights: [{ name: 'big/kernel', shape: [inputs, units], dtype: 'float32' }] }];
      const json = { format: 'layers-model', modelTopology: denseTopology(inputs, units), weightsManifest: manifest };
      const over = inputs * units > 2 ** 31 - 1;
      await check('huge shapes', `${label}, manifest and config agree`, () => loadFiles({ 'model.json': JSON.stringify(json), 'w.bin': tiny }),
        over ? /model\.json: weight 'big\/kernel' \(weightsManifest\[0\]\.weights\[0\]\) has shape \[\d+, \d+\], [\d.e+]+ values; a weight may hold at most 2\^31 - 1/
          : /w\.bin: truncated: expected \d+ bytes \(from the weightsManifest in .*model\.json\) but the file has 16/);
      // The manifest matches the 16-byte shard (a [2, 2] kernel); the config declares the huge layer.
      const small = [{ paths: ['w.bin'], weights: [{ name: 'big/kernel', shape: [2, 2], dtype: 'float32' }] }];
      await check('huge shapes', `${label}, config only`, () => loadFiles({ 'model.json': JSON.stringify({ ...json, weightsManifest: small }), 'w.bin': tiny }),
        over ? /model\.json: .*Dense 'big': the model config gives it a weight 'big\/kernel' that has shape \[\d+, \d+\], [\d.e+]+ values; a weight may hold at most 2\^31 - 1/
          : /model\.json: weight 'big\/kernel' has shape \[2, 2\] in the weights manifest, but the model config gives the layer a weight of shape \[\d+, \d+\]/);
      // Another weight name: the budget of the manifest's values stops it.
      const other = [{ paths: ['w.bin'], weights: [{ name: 'other/kernel', shape: [2, 2], dtype: 'float32' }] }];
      await check('huge shapes', `${label}, unlisted`, () => loadFiles({ 'model.json': JSON.stringify({ ...json, weightsManifest: other }), 'w.bin': tiny }),
        over ? /model\.json: .*Dense 'big'.*a weight may hold at most/ : /model\.json: Dense 'big': the model config gives it a weight 'big\/kernel' of shape \[\d+, \d+\] \(\d+ values\), bringing the model's weights to \d+ values, but the weights manifest describes 4/);
      // In memory, with and without weight data.
      await check('huge shapes', `${label}, artifacts`, () => fromArtifacts({ modelTopology: denseTopology(inputs, units), weightSpecs: manifest[0]!.weights as never, weightData: tiny.buffer }), ARTIFACTS);
      if (over) {
        await check('huge shapes', `${label}, topology only`, () => fromArtifacts({ modelTopology: denseTopology(inputs, units) }), ARTIFACTS);
        await check('huge shapes', `${label}, modelFromJSON`, () => modelFromJSON(denseTopology(inputs, units)), /model JSON: Dense 'big': the model config gives it a weight 'big\/kernel' that has shape/);
      }
    }
    // A shard far longer than its manifest says is refused from its size on disk, before it is read.
    const dir = join(root, 'oversized');
    mkdirSync(dir);
    writeFileSync(join(dir, 'model.json'), savedJson);
    writeFileSync(join(dir, 'group1-shard1of1.bin'), new Uint8Array(2 * MEMORY_BOUND));
    await check('huge shapes', 'a 32 MiB shard where 148 bytes are expected', () => loadModel(dir), /group1-shard1of1\.bin: too long: expected \d+ bytes \(recorded in .*model\.json when it was saved\) but the file has 33554432/);
    rmSync(dir, { recursive: true, force: true });
    // Many moderate weights that together exceed the per-model limit (2 x 2^31 - 1 float32 values > 4 GiB).
    const many = Array.from({ length: 3 }, (_, i) => ({ name: `w${i}`, shape: [2 ** 31 - 1], dtype: 'float32' }));
    await check('huge shapes', 'three 2^31 - 1 weights', () => fromArtifacts({ modelTopology: denseTopology(2, 2), weightSpecs: many as never, weightData: tiny.buffer }), /model artifacts: weight 'w\d' .* a model may declare at most 4294967296 \(4 GiB\)/);
  });

  it('swapped, duplicated and missing shards', async () => {
    const { json, shards } = multi;
    const files = (order: number[], withRecord = true) => {
      const out: Record<string, string | Uint8Array> = {};
      const mj = JSON.parse(json);
      if (!withRecord) delete mj.weightsManifest[0].shardIntegrity;
      out['model.json'] = JSON.stringify(mj);
      shards.forEach((s, i) => { out[s.path] = shards[order[i]!]!.bytes; });
      return out;
    };
    const count = shards.length;
    const identity = shards.map((_, i) => i);
    for (let i = 0; i < count; i++) {
      for (let j = i + 1; j < count; j++) {
        const order = [...identity];
        [order[i], order[j]] = [order[j]!, order[i]!];
        const sameSize = shards[i]!.bytes.length === shards[j]!.bytes.length;
        await check('swapped shards (minikeras)', `${i} <-> ${j}`, () => loadFiles(files(order)),
          sameSize ? new RegExp(`group1-shard${i + 1}of${count}\\.bin: corrupt: .*saved as 'group1-shard${j + 1}of${count}\\.bin', so the shard files are swapped`)
            : new RegExp(`group1-shard${i + 1}of${count}\\.bin: (truncated|too long): expected \\d+ bytes \\(recorded in .*model\\.json when it was saved\\)`));
        // tfjs' files have no checksums: a swap is seen when the sizes differ (the short last shard moved).
        if (!sameSize) {
          await check('swapped shards (tfjs)', `${i} <-> ${j}`, () => loadFiles(files(order, false)), /group1-shard\d+of\d+\.bin: has \d+ bytes, which does not fit the shard layout of weightsManifest\[0\]/);
        }
      }
    }
    // A writer that puts each weight in a file of its own (sizes differ, boundaries on weights) loads; out of
    // order, it does not.
    const mj = JSON.parse(json);
    delete mj.weightsManifest[0].shardIntegrity;
    const data = new Uint8Array(artifacts.weightData as ArrayBuffer);
    const perWeight: { path: string; bytes: Uint8Array }[] = [];
    let offset = 0;
    for (const [i, w] of (mj.weightsManifest[0].weights as { shape: number[] }[]).entries()) {
      const n = 4 * w.shape.reduce((p, d) => p * d, 1);
      perWeight.push({ path: `w${i}.bin`, bytes: data.slice(offset, offset + n) });
      offset += n;
    }
    mj.weightsManifest[0].paths = perWeight.map((f) => f.path);
    const perWeightFiles = (order: number[]) => ({ 'model.json': JSON.stringify(mj), ...Object.fromEntries(perWeight.map((f, i) => [f.path, perWeight[order[i]!]!.bytes])) });
    const back = await loadFiles(perWeightFiles(perWeight.map((_, i) => i))) as Sequential;
    expect(Array.from(back.predict(x).values)).toEqual(Array.from(model.predict(x).values));
    // a/kernel (48 bytes) and a/bias (12 bytes) exchanged.
    await check('swapped shards (tfjs)', 'one file per weight, two exchanged', () => loadFiles(perWeightFiles([1, 0, ...perWeight.slice(2).map((_, i) => i + 2)])), /w0\.bin: has 12 bytes and so ends at byte 12 of weightsManifest\[0\]'s data, inside weight 'a\/kernel' \(bytes 0\.\.48\)/);
    const duplicated = [...identity];
    duplicated[1] = 0;
    await check('swapped shards (minikeras)', 'shard 1 copied over shard 2', () => loadFiles(files(duplicated)), /group1-shard2of\d+\.bin: corrupt: .*saved as 'group1-shard1of\d+\.bin'/);
    const missing = files(identity);
    delete missing[shards[3]!.path];
    await check('swapped shards (minikeras)', 'shard 4 missing', () => loadFiles(missing), /group1-shard4of\d+\.bin: missing: .*model\.json lists it in weightsManifest\[0\]\.paths/);
  });

  it('stays within its budget', () => {
    const total = Object.values(tally).reduce((p, t) => p + t.cases, 0);
    expect(total).toBeGreaterThan(600);
  });
});
