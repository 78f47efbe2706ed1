import { stat } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { DatasetError } from './errors';
import { cleanupTempDirs, tempDir } from './fixtures.test-helpers';
import { FASHION_MNIST_DIR, fashionMnist } from './fashion-mnist';

afterEach(cleanupTempDirs);

const installed = await stat(`${FASHION_MNIST_DIR}/train-images-idx3-ubyte.gz`).then(
  (s) => s.isFile(),
  () => false,
);

describe('fashionMnist.loadData()', () => {
  // One test, two outcomes: where Debian's dataset-fashion-mnist is installed it must load fully;
  // where it is not, the same call must fail with the instructions to get it.
  it(`loads ${FASHION_MNIST_DIR} (${installed ? 'installed here' : 'absent here: checks the help message'})`, async () => {
    if (installed) {
      const { train, test } = await fashionMnist.loadData();
      expect(train.x.shape).toEqual([60000, 28, 28]);
      expect(train.y.shape).toEqual([60000]);
      expect(test.x.shape).toEqual([10000, 28, 28]);
      expect(test.y.shape).toEqual([10000]);
      expect([train.x.dtype, train.y.dtype]).toEqual(['float32', 'int32']);
      const perClass = new Array<number>(10).fill(0);
      for (const v of train.y.values) perClass[v]!++;
      expect(perClass).toEqual(new Array(10).fill(6000)); // Fashion-MNIST is balanced
      expect(Math.max(...test.x.values.subarray(0, 784 * 100))).toBeLessThanOrEqual(255);
    } else {
      const error = await fashionMnist.loadData().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatasetError);
      expect((error as Error).message).toContain(`Fashion-MNIST not found in ${FASHION_MNIST_DIR}`);
      expect((error as Error).message).toContain('apt-get install dataset-fashion-mnist');
      expect((error as Error).message).toContain('pass { path }');
    }
  });

  it('says how to get the data when a given directory lacks it', async () => {
    const dir = await tempDir();
    const error = await fashionMnist.loadData({ path: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as Error).message).toBe(
      `Fashion-MNIST not found in ${dir} (missing train-images-idx3-ubyte(.gz), train-labels-idx1-ubyte(.gz), ` +
        't10k-images-idx3-ubyte(.gz), t10k-labels-idx1-ubyte(.gz)). Install it with `apt-get install dataset-fashion-mnist` ' +
        `(Debian/Ubuntu; it puts the IDX files in ${FASHION_MNIST_DIR}), or pass { path } to a directory holding ` +
        'train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz ' +
        'from the Fashion-MNIST project.',
    );
  });

  it('names its ten classes', () => {
    expect(fashionMnist.classNames).toHaveLength(10);
    expect(fashionMnist.classNames[9]).toBe('Ankle boot');
  });
});
