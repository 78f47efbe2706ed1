import { Tensor } from '@minikeras/tensor';
import { DatasetError, IdxError, describe } from './errors';
import { parseIdx, type IdxArray } from './idx';
import { isNode, loadNodeIo } from './runtime';

/** Features and integer labels: x float32 [n, rows, cols], y int32 [n]. */
export interface DatasetSplit {
  readonly x: Tensor;
  readonly y: Tensor;
}

/** Keras' `(x_train, y_train), (x_test, y_test)` as an object. */
export interface Dataset {
  readonly train: DatasetSplit;
  readonly test: DatasetSplit;
}

/**
 * Where IDX bytes come from: a file path or `file:` URL (Node), an `http(s):` URL (fetched; in a
 * browser a string is taken as a URL), or the bytes themselves.
 */
export type IdxSource = string | URL | Uint8Array | ArrayBuffer;

/** How the loaders turn IDX bytes into tensors. */
export interface ConvertOptions {
  /** Divide pixels by 255 so x is in [0, 1]. Default false: x holds 0..255 as float32, like Keras' uint8. */
  normalize?: boolean;
}

/** Options of {@link loadIdx}. */
export interface LoadIdxOptions extends ConvertOptions {
  /** Reject labels >= numClasses (e.g. 10 for MNIST). Default: no check beyond 0..255. */
  numClasses?: number;
  /** Names used in error messages for in-memory bytes (paths and URLs name themselves). */
  names?: { images?: string; labels?: string };
}

/**
 * Reads an IDX image file and its IDX label file (each `.gz` or raw) into tensors:
 * `x` float32 [n, rows, cols] and `y` int32 [n].
 *
 * Validates both files (magic numbers 0x00000803 / 0x00000801, dimensions, lengths) and that they
 * hold the same number of samples; a bad file throws an `IdxError` naming the file.
 *
 * @example
 * const { x, y } = await loadIdx({ images: 'data/t10k-images-idx3-ubyte.gz', labels: 'data/t10k-labels-idx1-ubyte.gz' });
 */
export async function loadIdx(
  files: { images: IdxSource; labels: IdxSource },
  options: LoadIdxOptions = {},
): Promise<DatasetSplit> {
  const [images, labels] = await Promise.all([
    readSource(files.images, options.names?.images ?? 'images'),
    readSource(files.labels, options.names?.labels ?? 'labels'),
  ]);
  const pair = await parsePair(images, labels);
  return toSplit(pair, options);
}

/** @internal Bytes plus the name to use in messages. */
export interface NamedBytes {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** @internal A validated image file and label file with the same sample count. */
export interface IdxPair {
  readonly images: IdxArray;
  readonly labels: IdxArray;
  readonly names: { readonly images: string; readonly labels: string };
}

/** @internal */
export async function readSource(source: IdxSource, name: string): Promise<NamedBytes> {
  if (source instanceof Uint8Array) return { name, bytes: source };
  if (source instanceof ArrayBuffer) return { name, bytes: new Uint8Array(source) };
  const local = isNode() && !(typeof source === 'string' && /^https?:\/\//i.test(source)) &&
    !(source instanceof URL && source.protocol !== 'file:');
  if (local) {
    const io = await loadNodeIo();
    const file = io.toPath(source);
    try {
      return { name: file, bytes: await io.readBytes(file) };
    } catch (e) {
      throw new DatasetError(`${file}: cannot read (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  return { name: String(source), bytes: await fetchBytes(source) };
}

/** @internal GET a URL's body, with the URL and HTTP status in any error. */
export async function fetchBytes(url: string | URL): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new DatasetError(`${String(url)}: request failed (${describe(e)})`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new DatasetError(`${String(url)}: HTTP ${response.status} ${response.statusText}`.trimEnd());
  }
  try {
    return new Uint8Array(await response.arrayBuffer());
  } catch (e) {
    throw new DatasetError(`${String(url)}: download interrupted (${describe(e)})`);
  }
}

/** @internal Parses an image file and a label file and checks that they match. */
export async function parsePair(images: NamedBytes, labels: NamedBytes): Promise<IdxPair> {
  const [x, y] = await Promise.all([
    parseIdx(images.bytes, images.name, { rank: 3 }),
    parseIdx(labels.bytes, labels.name, { rank: 1 }),
  ]);
  const n = x.dims[0]!;
  const m = y.dims[0]!;
  if (n !== m) throw new IdxError(labels.name, `${m} labels, but ${images.name} has ${n} images`);
  return { images: x, labels: y, names: { images: images.name, labels: labels.name } };
}

const RAW = Float32Array.from({ length: 256 }, (_, i) => i);
const NORMALIZED = Float32Array.from({ length: 256 }, (_, i) => i / 255);

/** @internal Samples [start, end) of a pair as tensors, checking labels against numClasses. */
export function toSplit(pair: IdxPair, options: LoadIdxOptions = {}, start = 0, end = pair.labels.dims[0]!): DatasetSplit {
  const [, rows, cols] = pair.images.dims as [number, number, number];
  const pixelsPer = rows * cols;
  const pixels = pair.images.data.subarray(start * pixelsPer, end * pixelsPer);
  const labels = pair.labels.data.subarray(start, end);
  if (options.numClasses !== undefined) {
    for (let i = 0; i < labels.length; i++) {
      if (labels[i]! >= options.numClasses) {
        throw new IdxError(pair.names.labels, `label ${labels[i]} at index ${start + i} is outside 0..${options.numClasses - 1}`);
      }
    }
  }
  // A 256-entry table turns each byte into its float32 value (or value / 255) in one lookup.
  const table = options.normalize ? NORMALIZED : RAW;
  const x = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) x[i] = table[pixels[i]!]!;
  return {
    x: new Tensor(x, [end - start, rows, cols], 'float32'),
    y: new Tensor(Int32Array.from(labels), [end - start], 'int32'),
  };
}

/** @internal The four standard file names of an MNIST-style dataset directory. */
export const STANDARD_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** Names tried for one standard file: `.gz` first, then raw, then the `train-images.idx3-ubyte` spelling. */
function candidates(base: string): string[] {
  const dotted = base.replace(/-(idx\d-ubyte)$/, '.$1');
  return [`${base}.gz`, base, `${dotted}.gz`, dotted];
}

/**
 * @internal Loads a directory holding the four standard IDX files (each `.gz` or raw) as
 * `{ train, test }`. `what` and `hint` make the "not found" message useful.
 */
export async function loadIdxDirectory(
  dir: string,
  options: LoadIdxOptions & { what: string; hint: string },
): Promise<Dataset> {
  if (!isNode()) {
    throw new DatasetError(`${options.what}: reading ${dir} needs Node; in a browser, fetch the files and pass their bytes to loadIdx`);
  }
  const io = await loadNodeIo();
  const found = await Promise.all(Object.values(STANDARD_FILES).map((base) => io.findFile(dir, candidates(base))));
  const missing = Object.values(STANDARD_FILES).filter((_, i) => found[i] === undefined);
  if (missing.length > 0) {
    const where = (await io.isDirectory(dir)) ? `missing ${missing.map((m) => `${m}(.gz)`).join(', ')}` : 'no such directory';
    throw new DatasetError(`${options.what} not found in ${dir} (${where}). ${options.hint}`);
  }
  const [trainImages, trainLabels, testImages, testLabels] = found as [string, string, string, string];
  const read = async (p: string): Promise<NamedBytes> => ({ name: p, bytes: await io.readBytes(p) });
  const [train, test] = await Promise.all([
    (async () => parsePair(await read(trainImages), await read(trainLabels)))(),
    (async () => parsePair(await read(testImages), await read(testLabels)))(),
  ]);
  return { train: toSplit(train, options), test: toSplit(test, options) };
}
