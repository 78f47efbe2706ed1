/**
 * model.json and its weight shards (`tf.io.ModelJSON`): splitting artifacts into files and reading them
 * back with every file checked. Storage-neutral: the directory, URL and download backends pass in how to
 * read or write one file.
 */
import { ModelFormatError } from './errors';
import type { ArtifactSource, ModelArtifacts, TrainingConfig, WeightSpec } from './artifacts';
import { SHARD_BYTES, checkShards, checkWeightSpecs, shardRecords } from './manifest';
import type { CheckedWeight, ShardFile, ShardRecord } from './manifest';

export { SHARD_BYTES };

export interface WeightsGroup {
  paths: string[];
  weights: WeightSpec[];
  /**
   * Written by minikeras (tfjs ignores it): each shard's byte length and FNV-1a checksum, so a swapped,
   * truncated or corrupted shard is an error naming the file.
   */
  shardIntegrity?: ShardRecord[];
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
export function toModelFiles(artifacts: ModelArtifacts, shardBytes = SHARD_BYTES, options: { integrity?: boolean } = {}): ModelFiles {
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
  if (options.integrity && modelJSON.weightsManifest[0]) modelJSON.weightsManifest[0].shardIntegrity = shardRecords(shards);
  if (artifacts.trainingConfig) modelJSON.trainingConfig = artifacts.trainingConfig;
  if (artifacts.userDefinedMetadata) modelJSON.userDefinedMetadata = artifacts.userDefinedMetadata;
  return { modelJSON, shards };
}

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
 * Reads every shard a model.json lists (through `readFile`, which returns null for a missing file). Every
 * group's weight specs are checked (shapes, dtypes, sizes, limits) before any shard is read, and each group's
 * shards (order, sizes, checksums when minikeras wrote them) before anything is decoded.
 */
export async function artifactsFromModelJSON(
  mj: ModelJSON,
  file: string,
  readFile: (path: string) => Promise<Uint8Array | null>,
  describe: (path: string) => string = (p) => p,
  sizeOf?: (path: string) => Promise<number | null>,
): Promise<{ artifacts: ModelArtifacts; source: ArtifactSource }> {
  const groups: { weights: CheckedWeight[]; start: number; end: number }[] = [];
  let total = 0;
  for (const [gi, group] of mj.weightsManifest.entries()) {
    const checked = checkWeightSpecs(group.weights, file, `weightsManifest[${gi}].weights`, total);
    groups.push({ weights: checked.weights, start: total, end: checked.end });
    total = checked.end;
  }
  const weightFiles: string[] = [];
  const read: { path: string; bytes: Uint8Array }[][] = [];
  for (const [gi, group] of mj.weightsManifest.entries()) {
    const { weights, start, end } = groups[gi]!;
    const missing = (path: string) => new ModelFormatError(describe(path), `missing: ${file} lists it in weightsManifest[${gi}].paths, but the file does not exist`);
    const check = (files: ShardFile[]) => checkShards(files, weights, start, end - start, group.shardIntegrity, file, `weightsManifest[${gi}]`, describe);
    // Where the storage can tell a file's size without reading it, the sizes are checked before any is read.
    if (sizeOf) {
      const sized: ShardFile[] = [];
      for (const path of group.paths) {
        const length = await sizeOf(path);
        if (length === null) throw missing(path);
        sized.push({ path, length });
      }
      check(sized);
    }
    const files: { path: string; length: number; bytes: Uint8Array }[] = [];
    for (const path of group.paths) {
      const bytes = await readFile(path);
      if (bytes === null) throw missing(path);
      files.push({ path, length: bytes.length, bytes });
    }
    check(files);
    // The file each weight starts in, for messages about that weight.
    let fi = 0, fileEnd = start + (files[0]?.bytes.length ?? 0);
    for (const w of weights) {
      while (fi < files.length - 1 && w.offset >= fileEnd) { fi++; fileEnd += files[fi]!.length; }
      weightFiles.push(describe(files[fi]?.path ?? file));
    }
    read.push(files);
  }
  // Only now, with every byte accounted for, is the weight data allocated (its size is what the files hold).
  const data = new Uint8Array(total);
  let o = 0;
  for (const f of read.flat()) { data.set(f.bytes, o); o += f.bytes.length; }
  const specs: WeightSpec[] = mj.weightsManifest.flatMap((g) => g.weights);
  const artifacts: ModelArtifacts = { modelTopology: mj.modelTopology, weightSpecs: specs, weightData: data.buffer };
  if (mj.format !== undefined) artifacts.format = mj.format;
  if (mj.generatedBy !== undefined) artifacts.generatedBy = mj.generatedBy;
  if (mj.convertedBy !== undefined) artifacts.convertedBy = mj.convertedBy;
  if (mj.trainingConfig != null) artifacts.trainingConfig = mj.trainingConfig;
  if (mj.userDefinedMetadata != null) artifacts.userDefinedMetadata = mj.userDefinedMetadata;
  return { artifacts, source: { file, weightFiles } };
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
