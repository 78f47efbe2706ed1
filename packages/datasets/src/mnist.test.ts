import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Tensor } from '@minikeras/tensor';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, gz, makeFixture, startServer, tempDir } from './fixtures.test-helpers';
import type { Dataset } from './load-idx';
import { BUNDLED_MNIST_FILES, mnist } from './mnist';

const dataDir = new URL('../data/', import.meta.url);
const readData = (name: string) => readFile(new URL(name, dataDir));

// The SHA-256 of the uncompressed bundled IDX files, as printed by scripts/convert-bundled-mnist.mjs
// and recorded in data/README.md. A re-conversion that changes the data must update all three.
const BUNDLED_IMAGES_IDX_SHA256 = '539aeafbc2388e2fcf53e827c460b1b83044654c20d38df782a7cf02507d97c1';
const BUNDLED_LABELS_IDX_SHA256 = '6ba398376adb59aad6d9ce93801a787b5583cf47534d6318e3cc44b6175616e2';

// Digits per class in each part (stratified 80/20 of the `mnist` package's 10,000 digits).
const TRAIN_PER_CLASS = [801, 902, 793, 826, 784, 690, 811, 856, 755, 782];
const TEST_PER_CLASS = [200, 225, 198, 206, 196, 173, 203, 214, 189, 196];

const counts = (y: Tensor) => {
  const c = new Array<number>(10).fill(0);
  for (const v of y.values) c[v]!++;
  return c;
};
const imageKeys = (x: Tensor) => {
  const keys = new Set<string>();
  const n = x.shape[0]!;
  for (let i = 0; i < n; i++) {
    keys.add(createHash('sha1').update(new Float32Array(x.values.subarray(i * 784, (i + 1) * 784) as Float32Array)).digest('hex'));
  }
  return keys;
};
const digest = (t: Tensor) => createHash('sha256').update(new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength)).digest('hex');

let data: Dataset;
let loadMs: number;
beforeAll(async () => {
  await mnist.loadData(); // warm up module loading, so the timing below measures the data path
  // Best of three: other test files run in parallel on the same cores, and one slow run says
  // more about them than about this loader.
  loadMs = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    data = await mnist.loadData();
    loadMs = Math.min(loadMs, performance.now() - t0);
  }
});
afterEach(cleanupTempDirs);

describe('mnist.loadData(): the bundled digits', () => {
  it('has Keras shapes and dtypes, split 8,000 / 2,000', () => {
    expect(data.train.x.shape).toEqual([8000, 28, 28]);
    expect(data.train.x.dtype).toBe('float32');
    expect(data.train.y.shape).toEqual([8000]);
    expect(data.train.y.dtype).toBe('int32');
    expect(data.test.x.shape).toEqual([2000, 28, 28]);
    expect(data.test.y.shape).toEqual([2000]);
    expect(mnist.bundledSplit).toEqual({ train: 8000, test: 2000 });
  });

  it('holds whole pixel values 0..255 by default', () => {
    for (const x of [data.train.x, data.test.x]) {
      let min = Infinity;
      let max = -Infinity;
      let fractional = 0;
      for (const v of x.values) {
        if (v < min) min = v;
        if (v > max) max = v;
        if (!Number.isInteger(v)) fractional++;
      }
      expect([min, max, fractional]).toEqual([0, 255, 0]);
    }
  });

  it('has every label 0..9 in both parts, stratified', () => {
    expect(counts(data.train.y)).toEqual(TRAIN_PER_CLASS);
    expect(counts(data.test.y)).toEqual(TEST_PER_CLASS);
  });

  it('shares no image between train and test (and repeats none)', () => {
    const train = imageKeys(data.train.x);
    const test = imageKeys(data.test.x);
    expect(train.size).toBe(8000);
    expect(test.size).toBe(2000);
    for (const k of test) expect(train.has(k)).toBe(false);
  });

  it('is deterministic: the same values on every load', async () => {
    const again = await mnist.loadData();
    expect(digest(again.train.x)).toBe(digest(data.train.x));
    expect(digest(again.train.y)).toBe(digest(data.train.y));
    expect(digest(again.test.x)).toBe(digest(data.test.x));
    expect(digest(again.test.y)).toBe(digest(data.test.y));
  });

  it('scales to [0, 1] with normalize: true', async () => {
    const n = await mnist.loadData({ normalize: true });
    expect(n.train.x.shape).toEqual([8000, 28, 28]);
    for (const i of [0, 1000, 123456, 6271999]) {
      expect(n.train.x.values[i]).toBe(Math.fround(data.train.x.values[i]! / 255));
    }
    expect(Math.max(...n.test.x.values.subarray(0, 784 * 50))).toBeLessThanOrEqual(1);
    expect(Array.from(n.train.y.values)).toEqual(Array.from(data.train.y.values));
  });

  it('keeps pictures with their labels (a 1 is a vertical stroke, a 0 a ring)', () => {
    // Average picture of each class over the training part, then compare a few pixels.
    const mean = (digit: number, r: number, c: number) => {
      let sum = 0;
      let n = 0;
      const { x, y } = data.train;
      for (let i = 0; i < y.size; i++) {
        if (y.values[i] !== digit) continue;
        sum += x.values[i * 784 + r * 28 + c]!;
        n++;
      }
      return sum / n;
    };
    // Ones: the centre is inked, the left and right are blank.
    expect(mean(1, 14, 14)).toBeGreaterThan(150);
    expect(mean(1, 14, 6)).toBeLessThan(20);
    expect(mean(1, 14, 21)).toBeLessThan(20);
    // Zeros: the centre is a hole, the ring around it is inked.
    expect(mean(0, 14, 14)).toBeLessThan(40);
    expect(mean(0, 14, 8)).toBeGreaterThan(100);
    expect(mean(0, 14, 19)).toBeGreaterThan(100);
  });

  it('comes from the committed files, unchanged since conversion', async () => {
    const images = gunzipSync(await readData(BUNDLED_MNIST_FILES.images));
    const labels = gunzipSync(await readData(BUNDLED_MNIST_FILES.labels));
    expect(createHash('sha256').update(images).digest('hex')).toBe(BUNDLED_IMAGES_IDX_SHA256);
    expect(createHash('sha256').update(labels).digest('hex')).toBe(BUNDLED_LABELS_IDX_SHA256);
    // Records [0, 8000) are train and [8000, 10000) test, in file order.
    expect(data.train.y.values[0]).toBe(labels[8]);
    expect(data.test.y.values[0]).toBe(labels[8 + 8000]);
    expect(data.test.x.values[300]).toBe(images[16 + 8000 * 784 + 300]);
  });

  it('loads in well under a second', () => {
    expect(loadMs).toBeLessThan(1000);
    console.log(`mnist.loadData() (bundled): ${loadMs.toFixed(0)} ms (best of 3)`);
  });
});

describe('the bundled digits without Node file access (browser paths)', () => {
  it('fromBundledBytes gives the same split from the two files', async () => {
    const fromBytes = await mnist.fromBundledBytes({
      images: await readData(BUNDLED_MNIST_FILES.images),
      labels: (await readData(BUNDLED_MNIST_FILES.labels)).buffer as ArrayBuffer,
    });
    expect(digest(fromBytes.train.x)).toBe(digest(data.train.x));
    expect(digest(fromBytes.test.y)).toBe(digest(data.test.y));
  });

  it('fromBundledBytes refuses other files', async () => {
    const f = makeFixture(10, 1);
    await expect(mnist.fromBundledBytes({ images: f.imagesIdx, labels: f.labelsIdx })).rejects.toThrow(
      'mnist-10k-images-idx3-ubyte.gz: expected the bundled 10000x28x28 digits, found 10x28x28',
    );
  });

  it('fetches the bundled files from { bundledUrl } over HTTP', async () => {
    const server = await startServer({
      [`/static/${BUNDLED_MNIST_FILES.images}`]: await readData(BUNDLED_MNIST_FILES.images),
      [`/static/${BUNDLED_MNIST_FILES.labels}`]: await readData(BUNDLED_MNIST_FILES.labels),
    });
    try {
      const fetched = await mnist.loadData({ bundledUrl: `${server.baseUrl}static` });
      expect(digest(fetched.train.x)).toBe(digest(data.train.x));
      expect(digest(fetched.test.y)).toBe(digest(data.test.y));
      await expect(mnist.loadData({ bundledUrl: `${server.baseUrl}elsewhere/` })).rejects.toThrow(
        `${server.baseUrl}elsewhere/${BUNDLED_MNIST_FILES.images}: HTTP 404 Not Found`,
      );
      // In a page, a relative bundledUrl resolves against the page's location, as the browser would.
      const g = globalThis as { location?: { href: string } };
      g.location = { href: `${server.baseUrl}demo/index.html` };
      try {
        const relative = await mnist.loadData({ bundledUrl: '../static/' });
        expect(digest(relative.test.y)).toBe(digest(data.test.y));
      } finally {
        delete g.location;
      }
    } finally {
      await server.close();
    }
  });

  it('says what to do when the bundled files are not where expected', async () => {
    const dir = await tempDir();
    await expect(mnist.loadData({ bundledUrl: new URL(`file://${dir}/`) })).rejects.toThrow(
      // Both files are read at once; whichever fails first is named.
      /bundled MNIST file .*mnist-10k-(images-idx3|labels-idx1)-ubyte\.gz cannot be read .*pass \{ bundledUrl \}/,
    );
  });
});

describe('mnist.loadData({ path }): full MNIST from IDX files', () => {
  it('reads the four standard files, raw or gzipped', async () => {
    const dir = await tempDir();
    const train = makeFixture(12, 1);
    const test = makeFixture(4, 2);
    await writeFile(join(dir, 'train-images-idx3-ubyte.gz'), gz(train.imagesIdx));
    await writeFile(join(dir, 'train-labels-idx1-ubyte'), train.labelsIdx);
    await writeFile(join(dir, 't10k-images.idx3-ubyte'), test.imagesIdx); // the dotted spelling some copies use
    await writeFile(join(dir, 't10k-labels-idx1-ubyte.gz'), gz(test.labelsIdx));
    const d = await mnist.loadData({ path: dir, normalize: true });
    expect(d.train.x.shape).toEqual([12, 28, 28]);
    expect(d.test.x.shape).toEqual([4, 28, 28]);
    expect(Array.from(d.test.y.values)).toEqual(Array.from(test.labels));
    expect(d.train.x.values[5]).toBe(Math.fround(train.pixels[5]! / 255));
  });

  it('lists the missing files', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'train-images-idx3-ubyte.gz'), gz(makeFixture(1, 1).imagesIdx));
    await expect(mnist.loadData({ path: dir })).rejects.toThrow(
      `MNIST not found in ${dir} (missing train-labels-idx1-ubyte(.gz), t10k-images-idx3-ubyte(.gz), t10k-labels-idx1-ubyte(.gz)).`,
    );
    await expect(mnist.loadData({ path: join(dir, 'absent') })).rejects.toThrow(`MNIST not found in ${join(dir, 'absent')} (no such directory)`);
  });

  it('names the bad file when one is corrupt', async () => {
    const dir = await tempDir();
    const f = makeFixture(3, 1);
    await writeFile(join(dir, 'train-images-idx3-ubyte.gz'), gz(f.imagesIdx));
    await writeFile(join(dir, 'train-labels-idx1-ubyte.gz'), gz(f.labelsIdx));
    await writeFile(join(dir, 't10k-images-idx3-ubyte.gz'), gz(f.imagesIdx).subarray(0, 100));
    await writeFile(join(dir, 't10k-labels-idx1-ubyte.gz'), gz(f.labelsIdx));
    await expect(mnist.loadData({ path: dir })).rejects.toThrow(`${join(dir, 't10k-images-idx3-ubyte.gz')}: corrupt or truncated gzip data`);
  });

  it('refuses path and download together', async () => {
    await expect(mnist.loadData({ path: '/tmp', download: true })).rejects.toThrow('pass either { path } or { download: true }, not both');
  });
});
