/**
 * Checking a weights manifest before any weight buffer exists: every spec's name, shape, dtype and byte range,
 * sizes computed without overflow and held to sane limits, then the bytes actually present. Also the shard
 * integrity record minikeras writes beside each weights group (byte length and FNV-1a checksum per file).
 *
 * Imports only the error class: the file back-ends (loaded lazily with import()) use it too.
 */
import { ModelFormatError } from './errors';
import type { WeightSpec } from './artifacts';

/** The most values one weight may hold (what a typed array of any engine can index). */
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;
/** The most bytes of weights one model may declare (4 GiB). */
export const MAX_MODEL_BYTES = 2 ** 32;

/** Bytes per value of the dtypes minikeras reads; a Map so a dtype such as 'constructor' finds nothing. */
const DTYPE_BYTES = new Map<string, number>([['float32', 4], ['int32', 4]]);

/** A manifest entry that passed the checks, with where its bytes lie in the weight data. */
export interface CheckedWeight {
  spec: WeightSpec;
  /** Values in the weight (the shape's product). */
  size: number;
  /** Bytes from the start of the weight data (all groups concatenated) to the weight's first byte. */
  offset: number;
  bytes: number;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function show(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 120) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * The number of values of `shape`, checked: every dimension a non-negative integer, the product at most
 * `MAX_TENSOR_ELEMENTS` (computed step by step, so 2^32 or 1e300 never reaches an allocation). Returns an
 * error message instead of a number when the shape is not acceptable.
 */
export function shapeSize(shape: unknown): number | string {
  if (!Array.isArray(shape)) return `has no shape list (got ${show(shape)})`;
  if (shape.length > 32) return `has a shape of rank ${shape.length}; expected at most 32 dimensions`;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) return `has an invalid shape ${show(shape)}: every dimension must be an integer >= 0`;
  }
  if (shape.includes(0)) return 0;
  let size = 1;
  for (const d of shape as number[]) {
    size *= d;
    if (size > MAX_TENSOR_ELEMENTS) {
      const declared = (shape as number[]).reduce((p, x) => p * x, 1);
      return `has shape [${shape.join(', ')}], ${declared.toExponential(3)} values; a weight may hold at most 2^31 - 1 (${MAX_TENSOR_ELEMENTS}) values`;
    }
  }
  return size;
}

/**
 * Checks a list of weight specs (`weightSpecs`, or one group of a weightsManifest) and lays them out from
 * `start` bytes on. Nothing is allocated; errors name `file` and the weight.
 */
export function checkWeightSpecs(specs: unknown, file: string, where = 'weightSpecs', start = 0): { weights: CheckedWeight[]; end: number } {
  if (!Array.isArray(specs)) throw new ModelFormatError(file, `${where} must be a list of { name, shape, dtype }, got ${show(specs)}`);
  const weights: CheckedWeight[] = [];
  let offset = start;
  specs.forEach((spec: unknown, i) => {
    if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw new ModelFormatError(file, `${where}[${i}] must be { name, shape, dtype }, got ${show(spec)}`);
    const { name, dtype, quantization } = spec as Partial<WeightSpec>;
    if (typeof name !== 'string' || name === '') throw new ModelFormatError(file, `${where}[${i}] has no name (expected a string such as 'dense/kernel'), got ${show(spec)}`);
    const size = shapeSize((spec as { shape?: unknown }).shape);
    if (typeof size === 'string') throw new ModelFormatError(file, `weight '${name}' (${where}[${i}]) ${size}`);
    const valueBytes = typeof dtype === 'string' ? DTYPE_BYTES.get(dtype) : undefined;
    if (valueBytes === undefined) throw new ModelFormatError(file, `weight '${name}' has dtype '${String(dtype)}'; minikeras reads float32 and int32 weights only`);
    // A quantized weight (tfjs' converter) stores 1 (uint8) or 2 (uint16) bytes per value, dequantized on load.
    const per = quantization != null ? quantizationOf(spec as WeightSpec, file).bytes : valueBytes;
    const group = (spec as { group?: unknown }).group;
    if (group !== undefined && group !== 'model' && group !== 'optimizer') {
      throw new ModelFormatError(file, `weight '${name}' has group ${show(group)}; expected 'model' or 'optimizer'`);
    }
    const bytes = size * per;
    if (offset + bytes > MAX_MODEL_BYTES) {
      throw new ModelFormatError(file, `weight '${name}' (shape [${(spec as WeightSpec).shape.join(', ')}]) brings the declared weights to ${offset + bytes} bytes; a model may declare at most ${MAX_MODEL_BYTES} (4 GiB)`);
    }
    weights.push({ spec: spec as WeightSpec, size, offset, bytes });
    offset += bytes;
  });
  return { weights, end: offset };
}

/**
 * The first weight that does not fit in `present` bytes, as a "truncated" message; or a "too long" one when
 * there are bytes no weight describes. Null when the sizes agree.
 */
export function byteCountProblem(weights: readonly CheckedWeight[], end: number, present: number): { weight?: CheckedWeight; message: string } | null {
  if (present === end) return null;
  if (present < end) {
    const w = weights.find((x) => x.offset + x.bytes > present)!;
    const q = (w.spec.quantization as { dtype?: unknown } | null | undefined)?.dtype;
    return { weight: w, message: `truncated: weight '${w.spec.name}' (shape [${w.spec.shape.join(', ')}], ${typeof q === 'string' ? `${q}-quantized` : w.spec.dtype}) needs bytes ${w.offset}..${w.offset + w.bytes} of the weight data, but there are only ${present} bytes` };
  }
  return { message: `the weight data has ${present} bytes but the weights manifest describes ${end}; the file is corrupt or belongs to another model` };
}

// ---- shard integrity ------------------------------------------------------------------------------------

/** What minikeras records per shard in a weights group (`shardIntegrity`, a key tfjs ignores). */
export interface ShardRecord {
  byteLength: number;
  /** FNV-1a (32 bit) of the file's bytes, as 8 hex digits. */
  fnv1a: string;
}

/** FNV-1a, 32 bit, over `bytes`: cheap, and any swapped, truncated or flipped shard changes it. */
export function fnv1a(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

export function shardRecords(shards: readonly { bytes: Uint8Array }[]): ShardRecord[] {
  return shards.map((s) => ({ byteLength: s.bytes.length, fnv1a: fnv1a(s.bytes) }));
}

/** A shard file: its length (from the file system, before reading) and, once read, its bytes. */
export interface ShardFile {
  path: string;
  length: number;
  bytes?: Uint8Array;
}

/**
 * Checks the shard files of one weights group, in order, before anything is decoded: against the integrity
 * record when minikeras wrote one (each file's length, and its checksum once its bytes are read), else against
 * the layout tfjs writes (fixed-size shards with a shorter last one, or shards that each hold whole weights).
 * Every error names the shard file and what was expected.
 */
export function checkShards(
  files: readonly ShardFile[],
  weights: readonly CheckedWeight[],
  groupStart: number,
  expected: number,
  integrity: unknown,
  file: string,
  group: string,
  describe: (path: string) => string,
): void {
  const actual = files.reduce((p, f) => p + f.length, 0);
  if (integrity !== undefined) {
    if (!Array.isArray(integrity) || integrity.length !== files.length || !integrity.every((r) => typeof r === 'object' && r !== null && Number.isSafeInteger(r.byteLength) && typeof r.fnv1a === 'string')) {
      throw new ModelFormatError(file, `${group}.shardIntegrity must list { byteLength, fnv1a } for each of the group's ${plural(files.length, 'path')}, got ${show(integrity)}`);
    }
    const records = integrity as ShardRecord[];
    const recorded = records.reduce((p, r) => p + r.byteLength, 0);
    if (recorded !== expected) {
      throw new ModelFormatError(file, `${group}.weights need ${expected} bytes, but its shards were saved with ${recorded} (${group}.shardIntegrity); the weights list was edited or ${file} is corrupt`);
    }
    files.forEach((f, i) => {
      const r = records[i]!;
      if (f.length !== r.byteLength) {
        throw new ModelFormatError(describe(f.path), `${f.length < r.byteLength ? 'truncated' : 'too long'}: expected ${r.byteLength} bytes (recorded in ${file} when it was saved) but the file has ${f.length}${swappedHint(files, records, i)}`);
      }
    });
    files.forEach((f, i) => {
      const r = records[i]!;
      if (f.bytes === undefined) return;
      const sum = fnv1a(f.bytes);
      if (sum !== r.fnv1a) throw new ModelFormatError(describe(f.path), `corrupt: its FNV-1a checksum is ${sum} but ${file} recorded ${r.fnv1a} when it was saved${swappedHint(files, records, i)}`);
    });
    return;
  }
  if (actual !== expected) {
    const culprit = findBadShard(files, expected);
    throw new ModelFormatError(describe(culprit.path), `${actual < expected ? 'truncated' : 'too long'}: expected ${culprit.expected} bytes (from the weightsManifest in ${file}) but the file has ${culprit.actual}; the group's ${plural(files.length, 'file')} hold ${actual} of ${expected} bytes`);
  }
  if (files.length < 2) return;
  // tfjs' converter cuts a group into shards of one size (the last shorter); a writer may instead put whole
  // weights in each file. Shards in another order than written fit neither, when their sizes differ.
  const first = files[0]!.length;
  if (files.every((f, i) => (i < files.length - 1 ? f.length === first : f.length > 0 && f.length <= first))) return;
  const boundaries = new Set(weights.map((w) => w.offset - groupStart));
  let at = 0;
  let cut = -1;
  for (const [i, f] of files.entries()) {
    at += f.length;
    if (!boundaries.has(at) && at !== expected) { cut = i; break; }
  }
  if (cut < 0) return;
  const layout = 'shards are written in order, either at one size (the last may be shorter) or each holding whole weights; the shard files are out of order or from different saves';
  // Which layout the files were meant to have: one size for most of them (tfjs' converter), else whole weights.
  const lengths = files.slice(0, -1).map((f) => f.length);
  const counts = new Map<number, number>();
  for (const n of lengths) counts.set(n, (counts.get(n) ?? 0) + 1);
  const [common, commonCount] = [...counts.entries()].reduce((a, b) => (b[1] > a[1] ? b : a));
  if (commonCount * 2 < lengths.length) {
    const f = files[cut]!;
    const end = files.slice(0, cut + 1).reduce((p, g) => p + g.length, 0);
    const inside = weights.find((w) => w.offset - groupStart < end && w.offset - groupStart + w.bytes > end)!;
    throw new ModelFormatError(describe(f.path), `has ${f.length} bytes and so ends at byte ${end} of ${group}'s data, inside weight '${inside.spec.name}' (bytes ${inside.offset - groupStart}..${inside.offset - groupStart + inside.bytes}) in ${file}: ${layout}`);
  }
  const bad = files.findIndex((f, i) => i < files.length - 1 ? f.length !== common : f.length > common || f.length === 0);
  const f = files[bad]!;
  throw new ModelFormatError(describe(f.path), `has ${f.length} bytes, which does not fit the shard layout of ${group} in ${file} (shards of ${common} bytes): ${layout}`);
}

/** When shard `i` is what another shard was saved as (same length, and same checksum once read): a hint. */
function swappedHint(files: readonly ShardFile[], records: readonly ShardRecord[], i: number): string {
  const f = files[i]!;
  const sum = f.bytes !== undefined ? fnv1a(f.bytes) : null;
  const j = records.findIndex((r, k) => k !== i && r.byteLength === f.length && (sum === null || r.fnv1a === sum));
  return j >= 0 ? `; its contents are what was saved as '${files[j]!.path}', so the shard files are swapped` : '';
}

/**
 * Which shard is the wrong length: shards are cut at one size (tfjs' 4 MB when the file count fits it, else
 * the largest file), so the first file that differs from min(size, bytes left) is the culprit.
 */
function findBadShard(files: readonly ShardFile[], expected: number): { path: string; expected: number; actual: number } {
  const standard = files.length === Math.ceil(expected / SHARD_BYTES);
  const size = files.length === 1 ? expected : standard ? SHARD_BYTES : Math.max(...files.map((f) => f.length));
  let left = expected;
  for (const f of files) {
    const want = files.length === 1 ? expected : Math.max(0, Math.min(size, left));
    if (f.length !== want) return { path: f.path, expected: want, actual: f.length };
    left -= want;
  }
  const last = files[files.length - 1];
  return { path: last?.path ?? '(no weight files)', expected: (last?.length ?? 0) + left, actual: last?.length ?? 0 };
}

/** tfjs' converter shards weights at 4 MB (4 * 1024 * 1024 bytes); so do we. */
export const SHARD_BYTES = 4 * 1024 * 1024;

/** A tfjs weight quantization `{ dtype: 'uint8' | 'uint16', scale, min }` (in either key order), checked. */
export function quantizationOf(spec: WeightSpec, file: string): { dtype: string; bytes: 1 | 2; scale: number; min: number } {
  const q = spec.quantization as { dtype?: unknown; scale?: unknown; min?: unknown };
  if (typeof q !== 'object' || (q.dtype !== 'uint8' && q.dtype !== 'uint16')) {
    throw new ModelFormatError(file, `weight '${spec.name}' is quantized as ${JSON.stringify(spec.quantization)}; minikeras dequantizes uint8 and uint16 weights ({ dtype, scale, min })`);
  }
  if (typeof q.scale !== 'number' || !Number.isFinite(q.scale) || typeof q.min !== 'number' || !Number.isFinite(q.min)) {
    throw new ModelFormatError(file, `weight '${spec.name}' is ${q.dtype}-quantized without a finite scale and min: ${JSON.stringify(spec.quantization)}`);
  }
  return { dtype: q.dtype, bytes: q.dtype === 'uint8' ? 1 : 2, scale: q.scale, min: q.min };
}
