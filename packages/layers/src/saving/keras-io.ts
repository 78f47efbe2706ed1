/**
 * Keras files as files: Node paths (written atomically, see io-node.ts), `downloads://name.keras` in a
 * browser, http(s) URLs (loading), and in-memory bytes (Uint8Array, ArrayBuffer, Blob/File).
 *
 * NOTE: only the libraries (h5wasm in h5.ts, fflate in zip.ts) and the Node file back-end are loaded with
 * import(). Our own format modules are imported statically: a bundler initializes whatever a dynamically
 * imported module imports lazily, and this code reaches the model classes (see errors.ts).
 */
import type { Model } from '../models/model';
import type { LoadOptions, SaveOptions } from './artifacts';
import { ModelFormatError } from './errors';
import type { SaveResult } from './model-json';
import { groupAt, isHdf5, readH5 } from './h5';
import { isZip, unzip } from './zip';
import { applyWeightsTree, modelFromKeras, modelToKeras, weightsFromH5, weightsToH5 } from './keras-format';
import { legacyWeightsFromH5, modelFromLegacyH5, modelToLegacyH5 } from './legacy-h5';

/** Where a Keras file's bytes come from: a path or URL, or the bytes themselves. */
export type KerasFileSource = string | Uint8Array | ArrayBuffer | Blob;

/**
 * The result of writing a Keras file: where it went and its size; `modelArtifactsInfo` (tfjs' SaveResult)
 * counts the whole file as weight data.
 */
export interface KerasSaveResult extends SaveResult {
  path: string;
  bytes: number;
}

const KERAS = /\.keras$/i;
const WEIGHTS_H5 = /\.weights\.h5$/i;
const H5 = /\.(h5|hdf5)$/i;

export function isKerasFileName(url: unknown): boolean {
  return typeof url === 'string' && (KERAS.test(url) || H5.test(url));
}

export function isBytesSource(value: unknown): value is Uint8Array | ArrayBuffer | Blob {
  return value instanceof Uint8Array || value instanceof ArrayBuffer || (typeof Blob !== 'undefined' && value instanceof Blob);
}

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/** The bytes of a source and the name errors give it. */
export async function readSource(source: KerasFileSource, owner: string): Promise<{ bytes: Uint8Array; file: string }> {
  if (source instanceof Uint8Array) return { bytes: source, file: 'the given bytes' };
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source), file: 'the given bytes' };
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    const name = (source as { name?: unknown }).name;
    return { bytes: new Uint8Array(await source.arrayBuffer()), file: typeof name === 'string' && name ? name : 'the given Blob' };
  }
  if (typeof source !== 'string' || source === '') throw new Error(`${owner}: expected a file path, an http(s):// URL, or the file's bytes (Uint8Array, ArrayBuffer, Blob); got ${JSON.stringify(source)}`);
  const scheme = SCHEME.exec(source)?.[1]?.toLowerCase() ?? null;
  if (scheme === 'http' || scheme === 'https') {
    const response = await fetch(source);
    if (!response.ok) throw new ModelFormatError(source, `request failed with HTTP ${response.status} ${response.statusText}`);
    return { bytes: new Uint8Array(await response.arrayBuffer()), file: source };
  }
  if (scheme !== null && scheme !== 'file') throw new Error(`${owner}: cannot read '${source}': a Keras file is read from a path, an http(s):// URL or bytes`);
  if (!isNode() && scheme === null && typeof location !== 'undefined') {
    // In a page, a relative name is a URL next to the page.
    const href = new URL(source, location.href).href;
    const response = await fetch(href);
    if (!response.ok) throw new ModelFormatError(href, `request failed with HTTP ${response.status} ${response.statusText}`);
    return { bytes: new Uint8Array(await response.arrayBuffer()), file: source };
  }
  if (!isNode()) throw new Error(`${owner}: '${source}' is a file path, which needs Node; in a browser pass the file's bytes (e.g. a File from an <input type="file">) or an http(s):// URL`);
  const { readFileBytes } = await import('./io-node');
  return readFileBytes(source);
}

/** Writes bytes to a Node path (atomically) or, in a browser, `downloads://name` (the browser downloads it). */
async function writeTarget(target: string, bytes: Uint8Array, owner: string): Promise<KerasSaveResult> {
  const scheme = SCHEME.exec(target)?.[1]?.toLowerCase() ?? null;
  if (scheme === 'downloads') {
    const name = target.slice('downloads://'.length);
    if (typeof document === 'undefined') throw new Error(`${owner}: downloads:// needs a browser document`);
    const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 0);
    return saveResult(name, bytes.length);
  }
  if (scheme !== null && scheme !== 'file') throw new Error(`${owner}: cannot write '${target}': a Keras file is written to a path (Node) or downloads://name (browser)`);
  if (!isNode()) throw new Error(`${owner}: '${target}' is a file path, which needs Node; in a browser use 'downloads://${target.split('/').pop()}' or toKerasBytes(model)`);
  const { writeFileAtomic, directoryOf } = await import('./io-node');
  await writeFileAtomic(target, bytes, owner);
  return saveResult(directoryOf(target), bytes.length);
}

function saveResult(path: string, bytes: number): KerasSaveResult {
  return { path, bytes, modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', modelTopologyBytes: 0, weightSpecsBytes: 0, weightDataBytes: bytes } };
}

/** The `.keras` file of a model as bytes (for uploads, IndexedDB, anything). */
export async function toKerasBytes(model: Model, options: SaveOptions = {}): Promise<Uint8Array> {
  return modelToKeras(model, options);
}

/** The `.weights.h5` file of a model as bytes. */
export async function toWeightsH5Bytes(model: Model, options: SaveOptions = {}): Promise<Uint8Array> {
  return weightsToH5(model, options);
}

/** `model.save('m.keras')` and `model.save('m.h5')` (legacy). */
export async function saveKerasFile(model: Model, target: string, options: SaveOptions = {}): Promise<KerasSaveResult> {
  if (WEIGHTS_H5.test(target)) throw new Error(`saveModel: '${target}' names a weights file; save weights with model.saveWeights('${target}'), or the whole model as .keras`);
  const bytes = KERAS.test(target) ? await toKerasBytes(model, options) : await modelToLegacyH5(model, options);
  return writeTarget(target, bytes, 'saveModel');
}

/** `loadModel('m.keras' | 'm.h5' | bytes)`: the format is found from the content (zip or HDF5). */
export async function loadKerasFile(source: KerasFileSource, options: LoadOptions = {}): Promise<Model> {
  const { bytes, file } = await readSource(source, 'loadModel');
  if (isZip(bytes) || (typeof source === 'string' && KERAS.test(source))) return modelFromKeras(bytes, file, options);
  if (isHdf5(bytes)) return modelFromLegacyH5(bytes, file, options);
  throw new ModelFormatError(file, 'is neither a .keras file (a zip archive) nor a Keras .h5 file (HDF5)');
}

/** `model.saveWeights('m.weights.h5')`: Keras 3's weights file, optimizer state included when compiled. */
export async function saveWeightsFile(model: Model, target: string, options: SaveOptions = {}): Promise<KerasSaveResult> {
  if (typeof target !== 'string' || !WEIGHTS_H5.test(target)) {
    throw new Error(`${model.label}.saveWeights: the file name must end in .weights.h5 (Keras 3's weights format), got ${JSON.stringify(target)}`);
  }
  return writeTarget(target, await toWeightsH5Bytes(model, options), `${model.label}.saveWeights`);
}

/**
 * `model.loadWeights(...)`: a Keras 3 `.weights.h5` (or the bytes of one), or the weights of a legacy `.h5`.
 * The model must have the saved architecture; with a compiled model the optimizer state is restored too.
 */
export async function loadWeightsFile(model: Model, source: KerasFileSource): Promise<void> {
  const { bytes, file } = await readSource(source, `${model.label}.loadWeights`);
  if (isZip(bytes)) {
    const inner = (await unzip(bytes, file))['model.weights.h5'];
    if (!inner) throw new ModelFormatError(file, 'is a zip archive without model.weights.h5');
    return weightsFromH5(model, inner, `${file}/model.weights.h5`);
  }
  const tree = await readH5(bytes, file);
  if (groupAt(tree, 'model_weights') || tree.attrs.layer_names !== undefined) {
    return legacyWeightsFromH5(model, bytes, file);
  }
  applyWeightsTree(model, tree, file);
}
