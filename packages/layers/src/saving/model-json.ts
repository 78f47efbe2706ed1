/**
 * model.json and its weight shards (`tf.io.ModelJSON`): splitting artifacts into files and reading them
 * back with every file checked. Storage-neutral: the directory, URL and download backends pass in how to
 * read or write one file.
 */
import { ModelFormatError } from './errors';
import type { ArtifactSource, ModelArtifacts, TrainingConfig, WeightSpec } from './artifacts';

/** tfjs' converter shards weights at 4 MB (4 * 1024 * 1024 bytes); so do we. */
export const SHARD_BYTES = 4 * 1024 * 1024;

export interface WeightsGroup {
  paths: string[];
  weights: WeightSpec[];
}

/** The on-disk model.json. */
export interface ModelJSON {
  modelTopology: ModelArtifacts['modelTopology'];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: TrainingConfig;
  weightsManifest: WeightsGroup[];
  userDefinedMetadata?: Record<string, unknown>;
}

export interface ModelFiles {
  modelJSON: ModelJSON;
  /** Shard files in manifest order, each at most `shardBytes` long. */
  shards: { path: string; bytes: Uint8Array }[];
}

function weightBytes(data: ModelArtifacts['weightData']): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  const total = data.reduce((p, b) => p + b.byteLength, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const b of data) { out.set(new Uint8Array(b), o); o += b.byteLength; }
  return out;
}

/**
 * One weights group, 'group1', cut into `group1-shard{i}of{n}.bin` files of `shardBytes` (the last one
 * shorter), as tfjs' converter writes it. Shard boundaries may fall inside a weight; readers concatenate.
 */
export function toModelFiles(artifacts: ModelArtifacts, shardBytes = SHARD_BYTES): ModelFiles {
  const bytes = weightBytes(artifacts.weightData);
  const specs = artifacts.weightSpecs ?? [];
  const count = bytes.length === 0 ? 0 : Math.ceil(bytes.length / shardBytes);
  const shards = Array.from({ length: count }, (_, i) => ({
    path: `group1-shard${i + 1}of${count}.bin`,
    bytes: bytes.subarray(i * shardBytes, Math.min(bytes.length, (i + 1) * shardBytes)),
  }));
  const modelJSON: ModelJSON = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: specs.length === 0 && count === 0 ? [] : [{ paths: shards.map((s) => s.path), weights: specs }],
  };
  if (artifacts.trainingConfig) modelJSON.trainingConfig = artifacts.trainingConfig;
  if (artifacts.userDefinedMetadata) modelJSON.userDefinedMetadata = artifacts.userDefinedMetadata;
  return { modelJSON, shards };
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/** Parses model.json text, naming the file when it is not JSON or not a layers model. */
export function parseModelJSON(text: string, file: string): ModelJSON {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ModelFormatError(file, `not valid JSON (${(e as Error).message}); the file is corrupt or not a model.json`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ModelFormatError(file, 'expected a JSON object with modelTopology and weightsManifest');
  const mj = json as ModelJSON;
  if (mj.modelTopology == null) throw new ModelFormatError(file, 'has no modelTopology (the Keras model config)');
  if (!Array.isArray(mj.weightsManifest)) throw new ModelFormatError(file, 'has no weightsManifest list');
  mj.weightsManifest.forEach((g, i) => {
    if (typeof g !== 'object' || g === null || !Array.isArray(g.paths) || !Array.isArray(g.weights) || g.paths.some((p) => typeof p !== 'string')) {
      throw new ModelFormatError(file, `weightsManifest[${i}] must be { paths: string[], weights: [...] }`);
    }
  });
  return mj;
}

/**
 * Reads every shard a model.json lists (through `readFile`, which returns null for a missing file) and
 * checks each group's byte count against its specs before anything is decoded.
 */
export async function artifactsFromModelJSON(
  mj: ModelJSON,
  file: string,
  readFile: (path: string) => Promise<Uint8Array | null>,
  describe: (path: string) => string = (p) => p,
): Promise<{ artifacts: ModelArtifacts; source: ArtifactSource }> {
  const specs: WeightSpec[] = [];
  const buffers: ArrayBuffer[] = [];
  const weightFiles: string[] = [];
  for (const [gi, group] of mj.weightsManifest.entries()) {
    const files: { path: string; bytes: Uint8Array }[] = [];
    for (const path of group.paths) {
      const bytes = await readFile(path);
      if (bytes === null) throw new ModelFormatError(describe(path), `missing: ${file} lists it in weightsManifest[${gi}].paths, but the file does not exist`);
      files.push({ path, bytes });
    }
    let expected = 0;
    const starts: number[] = [];
    for (const spec of group.weights) {
      const per = DTYPE_BYTES[spec?.dtype];
      if (per === undefined) throw new ModelFormatError(file, `weight '${spec?.name}' has dtype '${spec?.dtype}'; minikeras reads float32 and int32 weights only`);
      if (!Array.isArray(spec.shape)) throw new ModelFormatError(file, `weight '${spec.name}' has no shape list`);
      starts.push(expected);
      expected += per * spec.shape.reduce((p: number, d: number) => p * d, 1);
    }
    const actual = files.reduce((p, f) => p + f.bytes.length, 0);
    if (actual !== expected) {
      const culprit = findBadShard(files, expected);
      throw new ModelFormatError(describe(culprit.path), `${actual < expected ? 'truncated' : 'too long'}: expected ${culprit.expected} bytes (from the weightsManifest in ${file}) but the file has ${culprit.actual}; the group's ${group.paths.length} file${group.paths.length === 1 ? '' : 's'} hold ${actual} of ${expected} bytes`);
    }
    // The file each weight starts in, for messages about that weight.
    let fi = 0, fileEnd = files[0]?.bytes.length ?? 0;
    for (const start of starts) {
      while (fi < files.length - 1 && start >= fileEnd) { fi++; fileEnd += files[fi]!.bytes.length; }
      weightFiles.push(describe(files[fi]?.path ?? file));
    }
    specs.push(...group.weights);
    for (const f of files) buffers.push(f.bytes.slice().buffer as ArrayBuffer);
  }
  const artifacts: ModelArtifacts = { modelTopology: mj.modelTopology, weightSpecs: specs, weightData: buffers };
  if (mj.format !== undefined) artifacts.format = mj.format;
  if (mj.generatedBy !== undefined) artifacts.generatedBy = mj.generatedBy;
  if (mj.convertedBy !== undefined) artifacts.convertedBy = mj.convertedBy;
  if (mj.trainingConfig != null) artifacts.trainingConfig = mj.trainingConfig;
  if (mj.userDefinedMetadata != null) artifacts.userDefinedMetadata = mj.userDefinedMetadata;
  return { artifacts, source: { file, weightFiles } };
}

/**
 * Which shard is the wrong length: shards are cut at one size (tfjs' 4 MB when the file count fits it, else
 * the largest file), so the first file that differs from min(size, bytes left) is the culprit.
 */
function findBadShard(files: { path: string; bytes: Uint8Array }[], expected: number): { path: string; expected: number; actual: number } {
  const standard = files.length === Math.ceil(expected / SHARD_BYTES);
  const size = files.length === 1 ? expected : standard ? SHARD_BYTES : Math.max(...files.map((f) => f.bytes.length));
  let left = expected;
  for (const f of files) {
    const want = files.length === 1 ? expected : Math.max(0, Math.min(size, left));
    if (f.bytes.length !== want) return { path: f.path, expected: want, actual: f.bytes.length };
    left -= want;
  }
  const last = files[files.length - 1];
  return { path: last?.path ?? '(no weight files)', expected: (last?.bytes.length ?? 0) + left, actual: last?.bytes.length ?? 0 };
}

/** What tfjs' save handlers return. */
export interface SaveResult {
  modelArtifactsInfo: {
    dateSaved: Date;
    modelTopologyType: 'JSON';
    modelTopologyBytes: number;
    weightSpecsBytes: number;
    weightDataBytes: number;
  };
}

export function saveResultFor(artifacts: ModelArtifacts): SaveResult {
  const utf8 = (s: string) => new TextEncoder().encode(s).length;
  return {
    modelArtifactsInfo: {
      dateSaved: new Date(),
      modelTopologyType: 'JSON',
      modelTopologyBytes: utf8(JSON.stringify(artifacts.modelTopology)),
      weightSpecsBytes: utf8(JSON.stringify(artifacts.weightSpecs ?? [])),
      weightDataBytes: weightBytes(artifacts.weightData).length,
    },
  };
}
