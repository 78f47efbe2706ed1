import { loadIdxDirectory, type ConvertOptions, type Dataset } from './load-idx';

/** Where Debian's `dataset-fashion-mnist` package installs the four IDX files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Fashion-MNIST's label names, index = label. */
export const FASHION_MNIST_CLASS_NAMES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

/** Options of `fashionMnist.loadData()`. */
export interface FashionMnistLoadOptions extends ConvertOptions {
  /** Directory holding the four standard IDX files. Default `/usr/share/datasets/fashion-mnist`. */
  path?: string;
}

/**
 * Loads Fashion-MNIST (Zalando, MIT) from IDX files, 60,000 / 10,000 images of 28x28:
 * `x` float32 [n, 28, 28] in 0..255 (or 0..1 with `normalize: true`), `y` int32 [n] in 0..9.
 * Not bundled: on Debian/Ubuntu `apt-get install dataset-fashion-mnist` provides the files.
 */
async function loadData(options: FashionMnistLoadOptions = {}): Promise<Dataset> {
  const dir = options.path ?? FASHION_MNIST_DIR;
  return loadIdxDirectory(dir, {
    ...options,
    numClasses: 10,
    what: 'Fashion-MNIST',
    hint:
      'Install it with `apt-get install dataset-fashion-mnist` (Debian/Ubuntu; it puts the IDX files in ' +
      `${FASHION_MNIST_DIR}), or pass { path } to a directory holding train-images-idx3-ubyte.gz, ` +
      'train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz from the Fashion-MNIST project.',
  });
}

/** Fashion-MNIST, the Keras way: `await fashionMnist.loadData()`. */
export const fashionMnist = {
  loadData,
  classNames: FASHION_MNIST_CLASS_NAMES,
  defaultPath: FASHION_MNIST_DIR,
} as const;
