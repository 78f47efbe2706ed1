import { DatasetError, IdxError } from './errors';
import {
  fetchBytes,
  loadIdxDirectory,
  parsePair,
  STANDARD_FILES,
  toSplit,
  type ConvertOptions,
  type Dataset,
  type NamedBytes,
} from './load-idx';
import { isNode, loadDownloader, loadNodeIo } from './runtime';

/** The names of the four files of the full MNIST, as the canonical mirror serves them. */
export type MnistFileName =
  | 'train-images-idx3-ubyte.gz'
  | 'train-labels-idx1-ubyte.gz'
  | 't10k-images-idx3-ubyte.gz'
  | 't10k-labels-idx1-ubyte.gz';

/**
 * The four canonical MNIST files with their published SHA-256 (the hashes TensorFlow Datasets
 * and others pin for the original yann.lecun.com files; the mirrors serve identical bytes).
 */
export const MNIST_FILES: readonly { readonly name: MnistFileName; readonly sha256: string; readonly size: number }[] = [
  { name: 'train-images-idx3-ubyte.gz', sha256: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609', size: 9912422 },
  { name: 'train-labels-idx1-ubyte.gz', sha256: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c', size: 28881 },
  { name: 't10k-images-idx3-ubyte.gz', sha256: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6', size: 1648877 },
  { name: 't10k-labels-idx1-ubyte.gz', sha256: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6', size: 4542 },
];

/** Default download location: the CVDF mirror that TensorFlow Datasets uses. */
export const MNIST_BASE_URL = 'https://storage.googleapis.com/cvdf-datasets/mnist/';

/** The two committed files holding the 10,000 bundled digits (see data/README.md). */
export const BUNDLED_MNIST_FILES = {
  images: 'mnist-10k-images-idx3-ubyte.gz',
  labels: 'mnist-10k-labels-idx1-ubyte.gz',
} as const;

/** The bundled split: records [0, 8000) are train, [8000, 10000) test (stratified, seeded; see data/README.md). */
export const BUNDLED_MNIST_SPLIT = { train: 8000, test: 2000 } as const;

/** Options of `mnist.loadData()`. */
export interface MnistLoadOptions extends ConvertOptions {
  /**
   * A directory holding the four standard IDX files (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
   * `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each raw or `.gz`): the full 60,000 / 10,000 MNIST.
   * Node only.
   */
  path?: string;
  /**
   * Fetch the canonical files once into `cacheDir`, verify their SHA-256, and load them from there
   * (60,000 / 10,000). Node only.
   */
  download?: boolean;
  /** Download cache directory. Default `~/.minikeras/datasets/mnist`. */
  cacheDir?: string;
  /** Where to download from. Default `MNIST_BASE_URL`. */
  baseUrl?: string;
  /** Replace expected SHA-256 hashes, for a mirror that serves different files (and for tests). */
  sha256?: Partial<Record<MnistFileName, string>>;
  /** Receives one line per download ("Downloading <url>"). Default: silent. */
  log?: (message: string) => void;
  /**
   * Base URL (or, on Node, a `file:` URL) of the directory holding the bundled files. Default: the
   * package's own `data/` directory, found relative to this module. Set it in a browser page that
   * serves the two files itself.
   */
  bundledUrl?: string | URL;
}

/**
 * Loads MNIST as `{ train: { x, y }, test: { x, y } }`, like Keras' `mnist.load_data()`:
 * `x` float32 [n, 28, 28] with values 0..255 (or 0..1 with `normalize: true`), `y` int32 [n] with
 * labels 0..9.
 *
 * - By default, offline: the 10,000 real MNIST digits bundled with this package, split 8,000 / 2,000.
 * - `{ path }`: full MNIST from a directory of IDX files.
 * - `{ download: true }`: full MNIST, fetched once into a SHA-256-verified cache.
 *
 * @example
 * const { train, test } = await mnist.loadData({ normalize: true });
 * train.x.shape; // [8000, 28, 28]
 */
async function loadData(options: MnistLoadOptions = {}): Promise<Dataset> {
  if (options.path !== undefined && options.download) {
    throw new DatasetError('mnist.loadData: pass either { path } or { download: true }, not both');
  }
  if (options.path !== undefined) {
    return loadIdxDirectory(options.path, {
      ...options,
      numClasses: 10,
      what: 'MNIST',
      hint: 'Pass { path } to a directory holding the four MNIST IDX files, or use { download: true }.',
    });
  }
  if (options.download) return loadDownloaded(options);
  return loadBundled(options);
}

async function loadDownloaded(options: MnistLoadOptions): Promise<Dataset> {
  if (!isNode()) throw new DatasetError('mnist.loadData({ download: true }) needs Node; in a browser, use the bundled digits');
  const [io, downloader] = await Promise.all([loadNodeIo(), loadDownloader()]);
  const cacheDir = options.cacheDir ?? io.path.join(io.homeDir(), '.minikeras', 'datasets', 'mnist');
  const files = MNIST_FILES.map((f) => ({ name: f.name, sha256: options.sha256?.[f.name] ?? f.sha256 }));
  const [trainImages, trainLabels, testImages, testLabels] = (await downloader.ensureCached({
    cacheDir,
    baseUrl: options.baseUrl ?? MNIST_BASE_URL,
    files,
    log: options.log,
  })) as [NamedBytes, NamedBytes, NamedBytes, NamedBytes];
  const [train, test] = await Promise.all([parsePair(trainImages, trainLabels), parsePair(testImages, testLabels)]);
  const convert = { ...options, numClasses: 10 };
  return { train: toSplit(train, convert), test: toSplit(test, convert) };
}

async function loadBundled(options: MnistLoadOptions): Promise<Dataset> {
  // A relative bundledUrl ('/data/', 'data/') is taken relative to the page, as a browser would.
  const pageHref = (globalThis as { location?: { href?: string } }).location?.href;
  const base = options.bundledUrl === undefined ? new URL('../data/', import.meta.url) : new URL(String(options.bundledUrl), pageHref);
  const baseHref = String(base).endsWith('/') ? String(base) : `${String(base)}/`;
  const urls = {
    images: new URL(BUNDLED_MNIST_FILES.images, baseHref),
    labels: new URL(BUNDLED_MNIST_FILES.labels, baseHref),
  };
  const read = async (url: URL): Promise<Uint8Array> => {
    if (isNode() && url.protocol === 'file:') {
      const io = await loadNodeIo();
      try {
        return await io.readBytes(url);
      } catch (e) {
        throw new DatasetError(
          `bundled MNIST file ${io.toPath(url)} cannot be read (${e instanceof Error ? e.message : String(e)}); ` +
            'if @minikeras/datasets was bundled into another file, pass { bundledUrl } pointing to its data/ directory',
        );
      }
    }
    return fetchBytes(url);
  };
  const [images, labels] = await Promise.all([read(urls.images), read(urls.labels)]);
  return fromBundledBytes({ images, labels }, options, { images: String(urls.images), labels: String(urls.labels) });
}

/**
 * The bundled split from the bytes of the two bundled files (`BUNDLED_MNIST_FILES`), for pages that
 * fetch them themselves. Gzip is undone with `DecompressionStream` in a browser, node:zlib on Node.
 */
async function fromBundledBytes(
  files: { images: Uint8Array | ArrayBuffer; labels: Uint8Array | ArrayBuffer },
  options: ConvertOptions = {},
  names: { images: string; labels: string } = BUNDLED_MNIST_FILES,
): Promise<Dataset> {
  const bytes = (b: Uint8Array | ArrayBuffer) => (b instanceof Uint8Array ? b : new Uint8Array(b));
  const pair = await parsePair(
    { name: names.images, bytes: bytes(files.images) },
    { name: names.labels, bytes: bytes(files.labels) },
  );
  const total = BUNDLED_MNIST_SPLIT.train + BUNDLED_MNIST_SPLIT.test;
  const [n, rows, cols] = pair.images.dims;
  if (n !== total || rows !== 28 || cols !== 28) {
    throw new IdxError(names.images, `expected the bundled ${total}x28x28 digits, found ${pair.images.dims.join('x')}`);
  }
  const convert = { ...options, numClasses: 10 };
  return {
    train: toSplit(pair, convert, 0, BUNDLED_MNIST_SPLIT.train),
    test: toSplit(pair, convert, BUNDLED_MNIST_SPLIT.train, total),
  };
}

/**
 * MNIST handwritten digits, the Keras way: `await mnist.loadData()`.
 * See `MnistLoadOptions` for the full dataset from files or a verified download.
 */
export const mnist = {
  loadData,
  fromBundledBytes,
  files: MNIST_FILES,
  /** The names `loadData({ path })` looks for (each raw or `.gz`). */
  standardFiles: STANDARD_FILES,
  baseUrl: MNIST_BASE_URL,
  bundledFiles: BUNDLED_MNIST_FILES,
  bundledSplit: BUNDLED_MNIST_SPLIT,
} as const;
