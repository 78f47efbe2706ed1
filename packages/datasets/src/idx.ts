// The IDX format of LeCun's MNIST files (http://yann.lecun.com/exdb/mnist/, "FILE FORMATS"):
//   bytes 0-1  zero
//   byte  2    element type: 0x08 = unsigned byte (the only one MNIST-style datasets use)
//   byte  3    number of dimensions d
//   then d big-endian uint32 sizes, then the data, row-major.
// So an image file starts with 0x00000803 (uint8, 3 dims: count, rows, columns) and a label file
// with 0x00000801 (uint8, 1 dim: count).
import { IdxError } from './errors';
import { gunzip, isGzip } from './gzip';

/** An array read from an IDX file. `data` is row-major with `dims` (e.g. [60000, 28, 28]). */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

/** Options of {@link parseIdx}. */
export interface ParseIdxOptions {
  /** Require this many dimensions (3 for images, 1 for labels); the magic number names the kind. */
  rank?: number;
}

export const IDX_UINT8 = 0x08;
/** The magic number of an IDX file of uint8 images: 3 dimensions, [n, rows, cols]. */
export const IDX_IMAGES_MAGIC = 0x00000803;
/** The magic number of an IDX file of uint8 labels: 1 dimension, [n]. */
export const IDX_LABELS_MAGIC = 0x00000801;

const hex32 = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

function kindOf(rank: number | undefined): string {
  if (rank === 3) return `an IDX image file (magic ${hex32(IDX_IMAGES_MAGIC)})`;
  if (rank === 1) return `an IDX label file (magic ${hex32(IDX_LABELS_MAGIC)})`;
  return 'an IDX file';
}

function unitsOf(rank: number): string {
  return rank === 3 ? 'pixels' : rank === 1 ? 'labels' : 'data';
}

/**
 * Parses one IDX file. Gzipped input (detected by its magic bytes 1f 8b, whatever the file name) is
 * decompressed first. Checks the magic number, the element type, the dimension count (when
 * `options.rank` is given) and that the data is exactly as long as the header says; anything else
 * throws an `IdxError` whose message starts with `fileName` and says what was wrong.
 */
export async function parseIdx(
  bytes: Uint8Array | ArrayBuffer,
  fileName: string,
  options: ParseIdxOptions = {},
): Promise<IdxArray> {
  let raw = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (isGzip(raw)) raw = await gunzip(raw, fileName);
  return decodeIdx(raw, fileName, options.rank);
}

/** @internal `parseIdx` for bytes that are already decompressed. */
export function decodeIdx(raw: Uint8Array, fileName: string, rank?: number): IdxArray {
  const expected = kindOf(rank);
  if (raw.length < 4) {
    throw new IdxError(fileName, `truncated: ${raw.length} bytes, too short for the 4-byte IDX magic number (expected ${expected})`);
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const magic = view.getUint32(0);
  const ndims = raw[3]!;
  if (raw[0] !== 0 || raw[1] !== 0 || ndims === 0) {
    throw new IdxError(fileName, `not an IDX file: bad magic number ${hex32(magic)} (expected ${expected})`);
  }
  if (raw[2] !== IDX_UINT8) {
    throw new IdxError(
      fileName,
      `unsupported IDX element type 0x${raw[2]!.toString(16).padStart(2, '0')} in magic number ${hex32(magic)} (only unsigned bytes, 0x08, are supported)`,
    );
  }
  if (rank !== undefined && ndims !== rank) {
    throw new IdxError(fileName, `bad magic number ${hex32(magic)}: ${ndims} dimension(s), expected ${expected}`);
  }
  const headerLength = 4 + 4 * ndims;
  if (raw.length < headerLength) {
    throw new IdxError(fileName, `truncated: header needs ${headerLength} bytes for ${ndims} dimension(s), file has ${raw.length}`);
  }
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i));
  const size = dims.reduce((a, b) => a * b, 1);
  const have = raw.length - headerLength;
  const described = `header says ${dims.join('x')} = ${size} bytes of ${unitsOf(ndims)}`;
  if (have < size) throw new IdxError(fileName, `truncated: ${described}, file has ${have}`);
  if (have > size) throw new IdxError(fileName, `${have - size} unexpected trailing bytes: ${described}, file has ${have}`);
  return { dims, data: raw.subarray(headerLength) };
}

/**
 * Encodes a uint8 array as an (uncompressed) IDX file: magic 0x000008NN, big-endian dims, data.
 * The inverse of `parseIdx`; handy for writing fixtures or exporting a dataset.
 */
export function encodeIdx(array: IdxArray): Uint8Array {
  const size = array.dims.reduce((a, b) => a * b, 1);
  if (array.dims.length < 1 || array.dims.length > 255) throw new Error(`encodeIdx: ${array.dims.length} dimensions (need 1..255)`);
  if (array.data.length !== size) {
    throw new Error(`encodeIdx: ${array.data.length} values do not fill dims ${array.dims.join('x')} (needs ${size})`);
  }
  const headerLength = 4 + 4 * array.dims.length;
  const out = new Uint8Array(headerLength + size);
  const view = new DataView(out.buffer);
  view.setUint32(0, (IDX_UINT8 << 8) | array.dims.length);
  array.dims.forEach((n, i) => view.setUint32(4 + 4 * i, n));
  out.set(array.data, headerLength);
  return out;
}
