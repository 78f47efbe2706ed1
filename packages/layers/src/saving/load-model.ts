/**
 * `loadModel(url)` and the other loading entry points (`fromArtifacts`, `modelFromJSON`): each registers every
 * built-in class first (saving/builtins.ts), so any saved model can be rebuilt. Saving lives in save-model.ts,
 * which models import; loading is imported only from the package entry, so nothing imports back into models.
 * Keras' own files ('m.keras', 'm.h5', or their bytes) go to keras-io.ts.
 */
import type { Model } from '../models/model';
import { fromArtifacts as rebuildFromArtifacts, modelFromJSON as rebuildFromJSON } from './artifacts';
import type { ArtifactSource, LoadOptions, ModelArtifacts } from './artifacts';
import { checkUrl, isNode, schemeOf } from './save-model';
import type { IOHandler } from './save-model';
import { registerBuiltins } from './builtins';
import type { KerasFileSource } from './keras-io';

export { saveModel } from './save-model';
export type { IOHandler } from './save-model';

/**
 * Rebuilds a model from artifacts (ours, tfjs', or tfjs' converter's). Everything is checked before the model
 * is returned: the format, the Keras config, every weight's presence, shape, dtype and byte range; NaN
 * weights only warn. With a training config (and `compile` not false) the model comes back compiled with its
 * optimizer state restored.
 */
export function fromArtifacts(artifacts: ModelArtifacts, options: LoadOptions = {}, source?: ArtifactSource): Model {
  registerBuiltins();
  return rebuildFromArtifacts(artifacts, options, source);
}

/** Rebuilds an untrained model from `modelToJSON` output, a tfjs model topology or Keras 3 `to_json()` text. */
export function modelFromJSON(json: string | object): Model {
  registerBuiltins();
  return rebuildFromJSON(json);
}

/**
 * Loads a model saved by minikeras, by tfjs-layers (`model.save`) or by tfjs' converter from Keras. Every file
 * is checked before a model is returned; a saved training config gives a compiled model whose optimizer
 * continues where it stopped (`{ compile: false }` skips that).
 */
export async function loadModel(url: string | IOHandler | KerasFileSource, options: LoadOptions = {}): Promise<Model> {
  // Keras' own files: 'm.keras', 'm.h5', or a file's bytes (Uint8Array, ArrayBuffer, Blob).
  // (Their code, with h5wasm and fflate, is loaded on first use, so pages that never read them skip it.)
  if ((typeof url === 'string' && /\.(keras|h5|hdf5)$/i.test(url)) || isBytesSource(url)) {
    registerBuiltins();
    return (await import('./keras-io')).loadKerasFile(url as KerasFileSource, options);
  }
  let loaded: { artifacts: ModelArtifacts; source: ArtifactSource };
  if (typeof url === 'object' && url !== null) {
    if (typeof url.load !== 'function') throw new Error('loadModel: the IOHandler has no load() method');
    loaded = { artifacts: await url.load(), source: { file: 'IOHandler artifacts' } };
  } else {
    checkUrl(url, 'loadModel');
    const scheme = schemeOf(url);
    if (scheme === 'indexeddb') loaded = await (await import('./io-browser')).loadFromIndexedDB(url.slice('indexeddb://'.length));
    else if (scheme === 'http' || scheme === 'https') loaded = await (await import('./io-browser')).loadFromUrl(url);
    else if (scheme === null || scheme === 'file') {
      if (!isNode()) throw new Error(`loadModel: '${url}' is a file path, which needs Node; in a browser load from 'indexeddb://name' or an http(s):// URL of model.json`);
      loaded = await (await import('./io-node')).loadFromDirectory(url);
    } else {
      throw new Error(`loadModel: cannot load from '${url}': supported are a directory path, file://, indexeddb:// and http(s)://`);
    }
  }
  return fromArtifacts(loaded.artifacts, options, loaded.source);
}

function isBytesSource(value: unknown): value is Uint8Array | ArrayBuffer | Blob {
  return value instanceof Uint8Array || value instanceof ArrayBuffer || (typeof Blob !== 'undefined' && value instanceof Blob);
}
