import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DatasetError, IdxError } from './errors';
import { gunzipWeb, isGzip } from './gzip';
import { encodeIdx, parseIdx } from './idx';
import { loadIdx } from './load-idx';
import { cleanupTempDirs, gz, makeFixture, tempDir } from './fixtures.test-helpers';

afterEach(cleanupTempDirs);

/** An IDX header for `dims` followed by `dataLength` zero bytes (the header may lie about the size). */
function idxWithData(magic: number, dims: number[], dataLength: number): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + dataLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  return out;
}

describe('parseIdx / encodeIdx', () => {
  it('round-trips raw and gzipped images and labels', async () => {
    const f = makeFixture(7, 3);
    for (const wrap of [(b: Uint8Array) => b, gz]) {
      const images = await parseIdx(wrap(f.imagesIdx), 'images', { rank: 3 });
      expect(images.dims).toEqual([7, 28, 28]);
      expect(images.data).toEqual(f.pixels);
      const labels = await parseIdx(wrap(f.labelsIdx), 'labels', { rank: 1 });
      expect(labels.dims).toEqual([7]);
      expect(labels.data).toEqual(f.labels);
    }
  });

  it('writes the standard magic numbers and big-endian dimensions', () => {
    const bytes = encodeIdx({ dims: [2, 3, 4], data: new Uint8Array(24) });
    expect([...bytes.subarray(0, 16)]).toEqual([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4]);
    expect([...encodeIdx({ dims: [300], data: new Uint8Array(300) }).subarray(0, 8)]).toEqual([0, 0, 8, 1, 0, 0, 1, 44]);
    expect(() => encodeIdx({ dims: [2, 2], data: new Uint8Array(3) })).toThrow('3 values do not fill dims 2x2');
  });

  it('accepts an ArrayBuffer, and any rank when none is required', async () => {
    const bytes = encodeIdx({ dims: [2, 2, 2, 2], data: Uint8Array.from({ length: 16 }, (_, i) => i) });
    const parsed = await parseIdx(bytes.slice().buffer, 'four-d');
    expect(parsed.dims).toEqual([2, 2, 2, 2]);
    expect(parsed.data[15]).toBe(15);
  });

  it('detects gzip by its magic bytes, not by the file name', async () => {
    const f = makeFixture(2, 1);
    expect(isGzip(gz(f.imagesIdx))).toBe(true);
    expect(isGzip(f.imagesIdx)).toBe(false);
    expect((await parseIdx(gz(f.imagesIdx), 'no-extension')).dims).toEqual([2, 28, 28]);
    expect((await parseIdx(f.imagesIdx, 'looks-compressed.gz')).dims).toEqual([2, 28, 28]);
  });

  it('gunzips with DecompressionStream on the browser path', async () => {
    const f = makeFixture(3, 2);
    expect(await gunzipWeb(gz(f.imagesIdx), 'x.gz')).toEqual(f.imagesIdx);
    const cut = gz(f.imagesIdx).subarray(0, 500);
    await expect(gunzipWeb(cut, 'cut.gz')).rejects.toThrow(/^cut\.gz: corrupt or truncated gzip data/);
  });
});

describe('corrupt or truncated IDX input: a clear error naming the file', () => {
  const f = makeFixture(6, 5);
  const cases: [string, () => Uint8Array, number | undefined, string][] = [
    ['empty', () => new Uint8Array(0), 3, 'a.idx: truncated: 0 bytes, too short for the 4-byte IDX magic number (expected an IDX image file (magic 0x00000803))'],
    ['not IDX (a PNG)', () => Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), 3, 'a.idx: not an IDX file: bad magic number 0x89504e47 (expected an IDX image file (magic 0x00000803))'],
    ['zero dimensions', () => Uint8Array.of(0, 0, 8, 0), undefined, 'a.idx: not an IDX file: bad magic number 0x00000800 (expected an IDX file)'],
    ['labels where images are expected', () => f.labelsIdx, 3, 'a.idx: bad magic number 0x00000801: 1 dimension(s), expected an IDX image file (magic 0x00000803)'],
    ['images where labels are expected', () => f.imagesIdx, 1, 'a.idx: bad magic number 0x00000803: 3 dimension(s), expected an IDX label file (magic 0x00000801)'],
    ['float elements', () => idxWithData(0x00000d03, [1, 2, 2], 16), 3, 'a.idx: unsupported IDX element type 0x0d in magic number 0x00000d03 (only unsigned bytes, 0x08, are supported)'],
    ['truncated header', () => f.imagesIdx.subarray(0, 10), 3, 'a.idx: truncated: header needs 16 bytes for 3 dimension(s), file has 10'],
    ['truncated pixels', () => f.imagesIdx.subarray(0, 16 + 100), 3, 'a.idx: truncated: header says 6x28x28 = 4704 bytes of pixels, file has 100'],
    ['truncated labels', () => f.labelsIdx.subarray(0, 8 + 4), 1, 'a.idx: truncated: header says 6 = 6 bytes of labels, file has 4'],
    ['trailing bytes', () => Uint8Array.from([...f.labelsIdx, 1, 2, 3]), 1, 'a.idx: 3 unexpected trailing bytes: header says 6 = 6 bytes of labels, file has 9'],
  ];
  it.each(cases)('%s', async (_name, bytes, rank, message) => {
    const error = await parseIdx(bytes(), 'a.idx', rank === undefined ? {} : { rank }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdxError);
    expect((error as IdxError).message).toBe(message);
    expect((error as IdxError).fileName).toBe('a.idx');
  });

  it('says how much is missing in a truncated gzipped MNIST-size file', async () => {
    const bytes = gz(idxWithData(0x00000803, [60000, 28, 28], 1000));
    await expect(parseIdx(bytes, 'train-images-idx3-ubyte.gz', { rank: 3 })).rejects.toThrow(
      'train-images-idx3-ubyte.gz: truncated: header says 60000x28x28 = 47040000 bytes of pixels, file has 1000',
    );
  });

  it('rejects a gzip stream that is cut short', async () => {
    const cut = gz(f.imagesIdx).subarray(0, 200);
    await expect(parseIdx(cut, 'cut.gz')).rejects.toThrow(/^cut\.gz: corrupt or truncated gzip data \(unexpected end of file\)/);
  });

  it('rejects a gzip stream with corrupted bytes', async () => {
    const bad = gz(f.imagesIdx).slice();
    for (let i = 20; i < 60; i++) bad[i] = bad[i]! ^ 0xa5;
    await expect(parseIdx(bad, 'bad.gz')).rejects.toThrow(/^bad\.gz: corrupt or truncated gzip data/);
  });
});

describe('loadIdx', () => {
  it('loads images and labels from bytes as float32 [n,28,28] and int32 [n]', async () => {
    const f = makeFixture(5, 9);
    const { x, y } = await loadIdx({ images: gz(f.imagesIdx), labels: f.labelsIdx });
    expect(x.shape).toEqual([5, 28, 28]);
    expect(x.dtype).toBe('float32');
    expect(Array.from(x.values)).toEqual(Array.from(f.pixels));
    expect(y.shape).toEqual([5]);
    expect(y.dtype).toBe('int32');
    expect(Array.from(y.values)).toEqual(Array.from(f.labels));
  });

  it('normalizes to [0, 1] with normalize: true', async () => {
    const f = makeFixture(4, 2);
    const { x } = await loadIdx({ images: f.imagesIdx, labels: f.labelsIdx }, { normalize: true });
    expect(x.values[0]).toBe(Math.fround(f.pixels[0]! / 255));
    expect(Math.max(...x.values)).toBeLessThanOrEqual(1);
  });

  it('loads from file paths and names the file in errors', async () => {
    const dir = await tempDir();
    const f = makeFixture(3, 4);
    await writeFile(join(dir, 'img.gz'), gz(f.imagesIdx));
    await writeFile(join(dir, 'lbl'), f.labelsIdx);
    await writeFile(join(dir, 'short'), f.labelsIdx.subarray(0, 9));
    const { x, y } = await loadIdx({ images: join(dir, 'img.gz'), labels: join(dir, 'lbl') });
    expect(x.shape).toEqual([3, 28, 28]);
    expect(y.size).toBe(3);
    await expect(loadIdx({ images: join(dir, 'img.gz'), labels: join(dir, 'short') })).rejects.toThrow(
      `${join(dir, 'short')}: truncated: header says 3 = 3 bytes of labels, file has 1`,
    );
    const missing = await loadIdx({ images: join(dir, 'nope.gz'), labels: join(dir, 'lbl') }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(DatasetError);
    expect((missing as Error).message).toMatch(new RegExp(`^${join(dir, 'nope.gz')}: cannot read \\(ENOENT`));
  });

  it('rejects image and label files that disagree on the count', async () => {
    const images = makeFixture(6, 1).imagesIdx;
    const labels = makeFixture(5, 1).labelsIdx;
    await expect(loadIdx({ images, labels }, { names: { images: 'i.idx', labels: 'l.idx' } })).rejects.toThrow(
      'l.idx: 5 labels, but i.idx has 6 images',
    );
  });

  it('rejects labels outside 0..numClasses-1', async () => {
    const f = makeFixture(4, 0);
    const labels = encodeIdx({ dims: [4], data: Uint8Array.of(1, 2, 3, 12) });
    await expect(loadIdx({ images: f.imagesIdx, labels }, { numClasses: 10 })).rejects.toThrow(
      'labels: label 12 at index 3 is outside 0..9',
    );
  });
});
