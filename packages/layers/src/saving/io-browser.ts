/**
 * Browser storage in TensorFlow.js' own layout, so each library loads what the other saved:
 * - `indexeddb://name`: database 'tensorflowjs' (version 1), stores 'models_store' and 'model_info_store'
 *   keyed by `modelPath`, records `{ modelPath, modelArtifacts, modelArtifactsInfo }`. Both stores are
 *   written in one transaction, so a save is all or nothing.
 * - `downloads://name`: the browser downloads `name.json` and `name.weights.bin` (one weights file, as tfjs).
 * - `http(s)://.../model.json`: loading with fetch, weight paths resolved against the model.json URL.
 */
import { ModelFormatError } from './errors';
import type { ArtifactSource, ModelArtifacts } from './artifacts';
import { artifactsFromModelJSON, parseModelJSON, saveResultFor, toModelFiles } from './model-json';
import type { SaveResult } from './model-json';

const DATABASE_NAME = 'tensorflowjs';
const DATABASE_VERSION = 1;
const MODEL_STORE = 'models_store';
const INFO_STORE = 'model_info_store';

function indexedDBFactory(): IDBFactory {
  const factory = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!factory) throw new Error('indexeddb:// needs IndexedDB, which this environment does not have (in Node, save to a directory instead)');
  return factory;
}

function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDBFactory().open(DATABASE_NAME, DATABASE_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(MODEL_STORE)) db.createObjectStore(MODEL_STORE, { keyPath: 'modelPath' });
      if (!db.objectStoreNames.contains(INFO_STORE)) db.createObjectStore(INFO_STORE, { keyPath: 'modelPath' });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function joinWeights(data: ModelArtifacts['weightData']): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  if (data instanceof ArrayBuffer) return data;
  const total = data.reduce((p, b) => p + b.byteLength, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const b of data) { out.set(new Uint8Array(b), o); o += b.byteLength; }
  return out.buffer;
}

export async function saveToIndexedDB(artifacts: ModelArtifacts, modelPath: string): Promise<SaveResult> {
  const stored: ModelArtifacts = { ...artifacts, weightData: joinWeights(artifacts.weightData) };
  const result = saveResultFor(stored);
  const db = await openDatabase();
  try {
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction([INFO_STORE, MODEL_STORE], 'readwrite');
      tx.objectStore(INFO_STORE).put({ modelPath, modelArtifactsInfo: result.modelArtifactsInfo });
      tx.objectStore(MODEL_STORE).put({ modelPath, modelArtifacts: stored, modelArtifactsInfo: result.modelArtifactsInfo });
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
    });
  } catch (e) {
    throw new Error(`saveModel: could not save to indexeddb://${modelPath}: ${(e as Error)?.message ?? String(e)}. The previous save there is unchanged.`);
  } finally {
    db.close();
  }
  return result;
}

export async function loadFromIndexedDB(modelPath: string): Promise<{ artifacts: ModelArtifacts; source: ArtifactSource }> {
  const file = `indexeddb://${modelPath}`;
  const db = await openDatabase();
  try {
    const record = await new Promise<{ modelArtifacts?: ModelArtifacts } | undefined>((resolve, reject) => {
      const request = db.transaction(MODEL_STORE, 'readonly').objectStore(MODEL_STORE).get(modelPath);
      request.onsuccess = () => resolve(request.result as { modelArtifacts?: ModelArtifacts } | undefined);
      request.onerror = () => reject(request.error);
    });
    if (!record) throw new ModelFormatError(file, `missing: no model is saved under '${modelPath}' in IndexedDB`);
    if (typeof record.modelArtifacts !== 'object' || record.modelArtifacts === null) throw new ModelFormatError(file, 'the stored record has no modelArtifacts');
    return { artifacts: record.modelArtifacts, source: { file } };
  } finally {
    db.close();
  }
}

/** Triggers downloads of `<prefix>.json` and `<prefix>.weights.bin`, as tfjs' `downloads://` does. */
export async function saveToDownloads(artifacts: ModelArtifacts, prefix: string): Promise<SaveResult> {
  const doc = (globalThis as { document?: Document }).document;
  if (!doc) throw new Error('downloads:// needs a browser document; in Node, save to a directory instead');
  const name = prefix === '' ? 'model' : prefix;
  const weightsName = `${name}.weights.bin`;
  const { modelJSON } = toModelFiles(artifacts);
  const weights = joinWeights(artifacts.weightData);
  if (modelJSON.weightsManifest[0]) modelJSON.weightsManifest[0].paths = [`./${weightsName}`];
  const jsonUrl = URL.createObjectURL(new Blob([JSON.stringify(modelJSON)], { type: 'application/json' }));
  const weightsUrl = URL.createObjectURL(new Blob([weights], { type: 'application/octet-stream' }));
  const click = (href: string, download: string) => {
    const a = doc.createElement('a');
    a.download = download;
    a.href = href;
    a.click();
  };
  click(jsonUrl, `${name}.json`);
  if (modelJSON.weightsManifest.length > 0) click(weightsUrl, weightsName);
  return saveResultFor(artifacts);
}

/** Loads model.json from a URL and each shard it lists, relative to that URL. */
export async function loadFromUrl(modelUrl: string, fetchFn: typeof fetch = fetch): Promise<{ artifacts: ModelArtifacts; source: ArtifactSource }> {
  const response = await fetchFn(modelUrl);
  if (!response.ok) throw new ModelFormatError(modelUrl, `request failed with HTTP ${response.status}${response.status === 404 ? ' (missing)' : ''}`);
  const mj = parseModelJSON(await response.text(), modelUrl);
  return artifactsFromModelJSON(mj, modelUrl, async (p) => {
    const shardUrl = new URL(p, modelUrl).href;
    const r = await fetchFn(shardUrl);
    if (r.status === 404) return null;
    if (!r.ok) throw new ModelFormatError(shardUrl, `request failed with HTTP ${r.status}`);
    return new Uint8Array(await r.arrayBuffer());
  }, (p) => new URL(p, modelUrl).href);
}
