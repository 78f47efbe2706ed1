/**
 * Saving to and loading from a directory on Node (a path or a `file://` URL): model.json plus weight shards.
 *
 * Saves are atomic: every file is written and fsynced in a temporary sibling directory, which then replaces
 * the target by rename. Until that rename the previous save is untouched, so a crash, a full disk or a write
 * error mid-save leaves it loadable; a failed save removes its temporary directory. The one moment with no
 * directory at the target's name (between moving the old save aside and renaming the new one in) is covered
 * on load, which falls back to the moved-aside save.
 *
 * NOTE: builtins come from process.getBuiltinModule, not `import 'node:fs'`, so that a browser bundle of the
 * package, which includes this module lazily, never evaluates a node: import (see the datasets package).
 */
import { ModelFormatError } from './errors';
import type { ArtifactSource, ModelArtifacts } from './artifacts';
import { SHARD_BYTES, artifactsFromModelJSON, parseModelJSON, saveResultFor, toModelFiles } from './model-json';
import type { SaveResult } from './model-json';

function builtin<const Id extends 'node:fs/promises' | 'node:path' | 'node:url'>(id: Id) {
  if (typeof process === 'undefined' || typeof process.getBuiltinModule !== 'function') {
    throw new Error('saving to a directory needs Node >= 20.16 (process.getBuiltinModule)');
  }
  return process.getBuiltinModule(id);
}

const fs = builtin('node:fs/promises');
const path = builtin('node:path');
const url = builtin('node:url');

const MODEL_JSON = 'model.json';
/** Files a previous save may hold: anything else in the target means it is not a saved model. */
const SAVE_FILE = /^(model\.json|.*\.bin)$/;

let saveCounter = 0;

/** A directory path from a plain path or a `file://` URL. */
export function directoryOf(target: string): string {
  return path.resolve(target.startsWith('file://') ? url.fileURLToPath(target) : target);
}

function isMissing(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

async function writeSynced(file: string, data: Uint8Array | string): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a rename durable; not every platform can open a directory, and then there is nothing to do. */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot fsync a directory; its renames are durable through the journal.
  } finally {
    await handle?.close();
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/** Removes temporary siblings left by saves whose process died (killed mid-save). */
async function removeStaleSiblings(parent: string, base: string, includeOwn = false): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(parent);
  } catch {
    return;
  }
  const pattern = new RegExp(`^\\.${escapeRegExp(base)}\\.(tmp|old)-(\\d+)-`);
  for (const name of names) {
    const m = pattern.exec(name);
    if (m && ((includeOwn && Number(m[2]) === process.pid) || (Number(m[2]) !== process.pid && !processAlive(Number(m[2]))))) {
      await fs.rm(path.join(parent, name), { recursive: true, force: true });
    }
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.stat(p);
    return true;
  } catch {
    return false;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Writes model.json and its shards into `target` (a directory, created if needed), atomically. */
export async function saveToDirectory(artifacts: ModelArtifacts, target: string): Promise<SaveResult> {
  const dir = directoryOf(target);
  const parent = path.dirname(dir);
  const base = path.basename(dir);
  // Each shard's length and checksum go into model.json, so loading can tell a swapped or damaged shard.
  const { modelJSON, shards } = toModelFiles(artifacts, SHARD_BYTES, { integrity: true });
  const json = JSON.stringify(modelJSON);
  await fs.mkdir(parent, { recursive: true });
  let previous = false;
  try {
    const stat = await fs.stat(dir);
    if (!stat.isDirectory()) throw new Error(`saveModel: '${dir}' exists and is not a directory; a model is saved as a directory of model.json and weight files`);
    const foreign = (await fs.readdir(dir)).filter((n) => !SAVE_FILE.test(n));
    if (foreign.length > 0) {
      throw new Error(`saveModel: '${dir}' holds files that are not part of a saved model (${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', ...' : ''}); saving replaces the whole directory, so choose a new or empty one`);
    }
    previous = true;
  } catch (e) {
    if (!isMissing(e)) throw e;
  }
  const tag = `${process.pid}-${Date.now()}-${saveCounter++}`;
  const tmp = path.join(parent, `.${base}.tmp-${tag}`);
  const old = path.join(parent, `.${base}.old-${tag}`);
  try {
    await fs.mkdir(tmp);
    for (const shard of shards) await writeSynced(path.join(tmp, shard.path), shard.bytes);
    await writeSynced(path.join(tmp, MODEL_JSON), json);
    await syncDirectory(tmp);
    if (previous) {
      await fs.rename(dir, old);
      try {
        await fs.rename(tmp, dir);
      } catch (e) {
        await fs.rename(old, dir);
        throw e;
      }
      await syncDirectory(parent);
      await fs.rm(old, { recursive: true, force: true });
    } else {
      await fs.rename(tmp, dir);
      await syncDirectory(parent);
    }
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw new Error(`saveModel: could not save to '${dir}': ${(e as Error).message}. ${previous ? 'The previous save there is unchanged.' : 'Nothing was written.'}`);
  }
  // Only now, with a complete save in place, is what killed saves left beside it garbage.
  await removeStaleSiblings(parent, base);
  return saveResultFor(artifacts);
}

/**
 * Reads model.json (from `target`, a directory or the model.json inside one) and every shard it lists, with
 * missing files and wrong byte counts reported by file name.
 */
export async function loadFromDirectory(target: string): Promise<{ artifacts: ModelArtifacts; source: ArtifactSource }> {
  let dir = directoryOf(target);
  let jsonName = MODEL_JSON;
  if (dir.endsWith('.json')) {
    jsonName = path.basename(dir);
    dir = path.dirname(dir);
  }
  let file = path.join(dir, jsonName);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if (!isMissing(e)) throw new ModelFormatError(file, `cannot be read: ${(e as Error).message}`);
    const moved = jsonName === MODEL_JSON ? await movedAsideSave(dir) : null;
    if (!moved) {
      const dirExists = await exists(dir);
      throw new ModelFormatError(file, dirExists ? `missing: '${dir}' exists but has no ${jsonName}; it is not a saved model` : `missing: no saved model at '${dir}'`);
    }
    console.warn(`loadModel: '${dir}' is missing but a save interrupted while replacing it left the previous model at '${moved}'; loading that`);
    dir = moved;
    file = path.join(dir, MODEL_JSON);
    text = await fs.readFile(file, 'utf8');
  }
  const mj = parseModelJSON(text, file);
  const folder = dir;
  const inFolder = (p: string): string => {
    if (path.isAbsolute(p) || p.split(/[\\/]/).includes('..')) throw new ModelFormatError(file, `weight path '${p}' leaves the model directory`);
    return path.join(folder, p);
  };
  const unreadable = (p: string, e: unknown): null => {
    if (isMissing(e)) return null;
    throw new ModelFormatError(path.join(folder, p), `cannot be read: ${(e as Error).message}`);
  };
  return artifactsFromModelJSON(mj, file, async (p) => {
    const shard = inFolder(p);
    try {
      const b = await fs.readFile(shard);
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    } catch (e) {
      return unreadable(p, e);
    }
  }, (p) => path.join(folder, p), async (p) => {
    const shard = inFolder(p);
    try {
      return (await fs.stat(shard)).size;
    } catch (e) {
      return unreadable(p, e);
    }
  });
}

/** The newest `.<name>.old-*` sibling holding a model.json, left when a save died between its two renames. */
async function movedAsideSave(dir: string): Promise<string | null> {
  const parent = path.dirname(dir);
  const prefix = `.${path.basename(dir)}.old-`;
  let names: string[];
  try {
    // Tags are `<pid>-<Date.now()>-<n>`: newest first by time.
    const time = (n: string) => Number(n.slice(prefix.length).split('-')[1] ?? 0);
    names = (await fs.readdir(parent)).filter((n) => n.startsWith(prefix)).sort((a, b) => time(b) - time(a));
  } catch {
    return null;
  }
  for (const n of names) {
    if (await exists(path.join(parent, n, MODEL_JSON))) return path.join(parent, n);
  }
  return null;
}

/**
 * Writes one file atomically (a `.keras`, `.weights.h5` or `.h5` file): the bytes go to a fsynced temporary
 * sibling, which then replaces `target` by rename, so a failed write leaves any previous file intact.
 */
export async function writeFileAtomic(target: string, bytes: Uint8Array, owner: string): Promise<void> {
  const file = directoryOf(target);
  const parent = path.dirname(file);
  const base = path.basename(file);
  await fs.mkdir(parent, { recursive: true });
  try {
    if ((await fs.stat(file)).isDirectory()) throw new Error(`${owner}: '${file}' is a directory; give a file name such as model.keras`);
  } catch (e) {
    if (!isMissing(e)) throw e;
  }
  const tmp = path.join(parent, `.${base}.tmp-${process.pid}-${Date.now()}-${saveCounter++}`);
  try {
    await writeSynced(tmp, bytes);
    await fs.rename(tmp, file);
    await syncDirectory(parent);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw new Error(`${owner}: could not write '${file}': ${(e as Error).message}. Any previous file there is unchanged.`);
  }
  await removeStaleSiblings(parent, base);
}

/** Reads a whole file (a path or `file://` URL), with a missing file reported by name. */
export async function readFileBytes(target: string): Promise<{ bytes: Uint8Array; file: string }> {
  const file = directoryOf(target);
  try {
    const b = await fs.readFile(file);
    return { bytes: new Uint8Array(b.buffer, b.byteOffset, b.byteLength), file };
  } catch (e) {
    if (isMissing(e)) throw new ModelFormatError(file, 'missing: no such file');
    throw new ModelFormatError(file, `cannot be read: ${(e as Error).message}`);
  }
}

/** Whether `target` holds a saved model (or a save interrupted while replacing it left the previous one aside). */
export async function directoryHasModel(target: string): Promise<boolean> {
  const dir = directoryOf(target);
  return (await exists(path.join(dir, MODEL_JSON))) || (await movedAsideSave(dir)) !== null;
}

/** Removes a saved model directory and anything a killed save left beside it; a missing one is fine. */
export async function removeDirectory(target: string): Promise<void> {
  const dir = directoryOf(target);
  await fs.rm(dir, { recursive: true, force: true });
  await removeStaleSiblings(path.dirname(dir), path.basename(dir), true);
}
