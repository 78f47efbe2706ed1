/**
 * `saveModel(model, url)` and `loadModel(url)`: pick the storage from the URL, go through artifacts.
 *
 * | destination                          | save | load | where               |
 * | ------------------------------------ | ---- | ---- | ------------------- |
 * | `'dir/path'`, `'file:///abs/dir'`     | yes  | yes  | Node                |
 * | `'indexeddb://name'`                 | yes  | yes  | browser (IndexedDB) |
 * | `'downloads://name'`                 | yes  | no   | browser             |
 * | `'https://host/model.json'`          | no   | yes  | anywhere with fetch |
 * | a tfjs IOHandler `{ save }`/`{ load }` | yes  | yes  | anywhere            |
 * | `'m.keras'`, `'m.h5'` (Keras' files)  | yes  | yes  | Node; bytes/Blob and downloads:// anywhere |
 */
import type { Model } from '../models/model';
import { toArtifacts } from './artifacts';
import type { ModelArtifacts, SaveOptions } from './artifacts';
import type { SaveResult } from './model-json';

/** tfjs' IOHandler shape: `tf.io.withSaveHandler(...)`, `tf.io.fromMemory(...)` and your own work here. */
export interface IOHandler {
  save?(artifacts: ModelArtifacts): Promise<unknown>;
  load?(): Promise<ModelArtifacts>;
}

export function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

export function schemeOf(url: string): string | null {
  const m = SCHEME.exec(url);
  return m ? m[1]!.toLowerCase() : null;
}

export function checkUrl(url: unknown, owner: string): asserts url is string {
  if (typeof url !== 'string' || url === '') {
    throw new Error(`${owner}: expected a directory path, a file://, indexeddb://, downloads:// or http(s):// URL, or a tfjs IOHandler; got ${JSON.stringify(url)}`);
  }
}

/**
 * Saves the model (Keras config, weights and, by default, the optimizer and training config) in
 * TensorFlow.js' Layers format. Resolves once everything is written; a failed save leaves any previous save
 * at the same place intact.
 */
export async function saveModel(model: Model, url: string | IOHandler, options: SaveOptions = {}): Promise<SaveResult> {
  // Keras' own formats by file name: 'm.keras' (Keras 3), 'm.h5' (legacy).
  // Keras' own formats load their code (and h5wasm/fflate) on first use, so pages that never write them skip it.
  if (typeof url === 'string' && /\.(keras|h5|hdf5)$/i.test(url)) return (await import('./keras-io')).saveKerasFile(model, url, options);
  if (typeof url === 'object' && url !== null) {
    if (typeof url.save !== 'function') throw new Error('saveModel: the IOHandler has no save() method');
    return (await url.save(toArtifacts(model, options))) as SaveResult;
  }
  checkUrl(url, 'saveModel');
  const artifacts = toArtifacts(model, options);
  const scheme = schemeOf(url);
  if (scheme === 'indexeddb') return (await import('./io-browser')).saveToIndexedDB(artifacts, url.slice('indexeddb://'.length));
  if (scheme === 'downloads') return (await import('./io-browser')).saveToDownloads(artifacts, url.slice('downloads://'.length));
  if (scheme === null || scheme === 'file') {
    if (!isNode()) throw new Error(`saveModel: '${url}' is a file path, which needs Node; in a browser use 'indexeddb://name' or 'downloads://name'`);
    return (await import('./io-node')).saveToDirectory(artifacts, url);
  }
  throw new Error(`saveModel: cannot save to '${url}': supported are a directory path, file://, indexeddb:// and downloads://${scheme === 'http' || scheme === 'https' ? ' (to upload, save with downloads:// or pass an IOHandler whose save() sends the artifacts)' : ''}`);
}

