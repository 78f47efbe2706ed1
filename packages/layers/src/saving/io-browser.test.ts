// Browser backends under Node: IndexedDB from fake-indexeddb (a test-only devDependency implementing the
// IndexedDB API in memory), a stub document for downloads, a local HTTP server for URLs. tfjs' own
// IndexedDB handler checks that each library reads the other's records.
import 'fake-indexeddb/auto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { resolveObjectURL } from 'node:buffer';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { Tensor, setSeed } from '@minikeras/tensor';
import { expectClose } from '@minikeras/test-utils';
import { Sequential } from '../models/sequential';
import { Dense } from '../layers/dense';
import { loadModel, saveModel } from './load-model';
import { toArtifacts } from './artifacts';
import { toModelFiles } from './model-json';

function model(seed: number): Sequential {
  setSeed(seed);
  const m = new Sequential({ name: 'web', layers: [new Dense(4, { inputShape: [3], activation: 'relu', name: 'h' }), new Dense(2, { name: 'o' })] });
  m.compile({ optimizer: 'adam', loss: 'mse' });
  return m;
}
const x = new Tensor(Float32Array.from([0.1, -0.2, 0.3, 0.9, 0.5, -1]), [2, 3]);
const out = (m: Sequential) => Array.from(m.predict(x).values);

beforeAll(async () => { await tf.setBackend('cpu'); });
afterEach(() => vi.restoreAllMocks());

describe('indexeddb://', () => {
  it('saves and loads in the tfjs database layout, and a second save replaces the first', async () => {
    const a = model(1);
    await a.fit(x, new Tensor(new Float32Array(4), [2, 2]), { epochs: 1, verbose: 0 });
    const result = await saveModel(a, 'indexeddb://my-model');
    expect(result.modelArtifactsInfo.weightDataBytes).toBeGreaterThan(0);
    const back = (await loadModel('indexeddb://my-model') as Sequential);
    expect(out(back)).toEqual(out(a));
    expect(back.optimizer.iterations).toBe(1);
    const b = model(2);
    await saveModel(b, 'indexeddb://my-model');
    expect(out((await loadModel('indexeddb://my-model') as Sequential))).toEqual(out(b));
    await expect(loadModel('indexeddb://nothing-here')).rejects.toThrow(/indexeddb:\/\/nothing-here: missing: no model is saved under 'nothing-here'/);
  });

  it('tfjs loads what we stored, and we load what tfjs stored', async () => {
    const ours = model(3);
    await saveModel(ours, 'indexeddb://shared');
    // tfjs only looks for IndexedDB in a browser; let it find fake-indexeddb on the global object.
    const g = globalThis as { self?: unknown };
    const hadSelf = 'self' in g;
    const previous = tf.env().getBool('IS_BROWSER');
    g.self ??= globalThis;
    tf.env().set('IS_BROWSER', true);
    try {
      const tfModel = await tfl.loadLayersModel('indexeddb://shared');
      expectClose((tfModel.predict(tf.tensor(x.values, [2, 3])) as tf.Tensor).dataSync(), ours.predict(x), { atol: 1e-6, rtol: 0 });
      const theirs = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3], activation: 'sigmoid' })] });
      await theirs.save('indexeddb://from-tfjs');
      const loaded = (await loadModel('indexeddb://from-tfjs') as Sequential);
      expectClose(loaded.predict(x), (theirs.predict(tf.tensor(x.values, [2, 3])) as tf.Tensor).dataSync(), { atol: 1e-6, rtol: 0 });
    } finally {
      tf.env().set('IS_BROWSER', previous);
      if (!hadSelf) delete g.self;
    }
  });
});

describe('downloads://', () => {
  it('downloads name.json and name.weights.bin, which load back', async () => {
    const m = model(4);
    const clicks: { download: string; href: string }[] = [];
    const anchor = () => ({ download: '', href: '', click() { clicks.push({ download: this.download, href: this.href }); } });
    vi.stubGlobal('document', { createElement: (tag: string) => (tag === 'a' ? anchor() : null) });
    await saveModel(m, 'downloads://my-model');
    vi.unstubAllGlobals();
    expect(clicks.map((c) => c.download)).toEqual(['my-model.json', 'my-model.weights.bin']);
    const json = JSON.parse(await resolveObjectURL(clicks[0]!.href)!.text());
    expect(json.weightsManifest[0].paths).toEqual(['./my-model.weights.bin']);
    const weights = await resolveObjectURL(clicks[1]!.href)!.arrayBuffer();
    const back = await loadModel({ load: async () => ({ ...json, weightSpecs: json.weightsManifest[0].weights, weightData: weights }) }) as Sequential;
    expect(out(back)).toEqual(out(m));
  });

  it('is an error outside a browser', async () => {
    await expect(saveModel(model(5), 'downloads://x')).rejects.toThrow(/downloads:\/\/ needs a browser document/);
  });
});

describe('http(s):// loading', () => {
  let server: Server;
  let base = '';
  const files = new Map<string, Uint8Array>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      const body = files.get(req.url ?? '');
      if (!body) { res.statusCode = 404; res.end(); return; }
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('fetches model.json and its shards relative to it; a missing shard is named', async () => {
    const m = model(6);
    const { modelJSON, shards } = toModelFiles(toArtifacts(m));
    files.set('/models/web/model.json', new TextEncoder().encode(JSON.stringify(modelJSON)));
    for (const s of shards) files.set(`/models/web/${s.path}`, s.bytes);
    expect(out((await loadModel(`${base}/models/web/model.json`) as Sequential))).toEqual(out(m));
    files.delete('/models/web/group1-shard1of1.bin');
    await expect(loadModel(`${base}/models/web/model.json`)).rejects.toThrow(/\/models\/web\/group1-shard1of1\.bin: missing/);
    await expect(loadModel(`${base}/nope/model.json`)).rejects.toThrow(/nope\/model\.json: request failed with HTTP 404 \(missing\)/);
  });

  it('saving to http is refused with a pointer to what works', async () => {
    await expect(saveModel(model(7), 'https://example.com/upload')).rejects.toThrow(/cannot save to 'https:\/\/example\.com\/upload'.*IOHandler/);
  });
});
