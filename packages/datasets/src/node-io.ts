// Node-only helpers: files, zlib and hashing. Loaded with import() (see runtime.ts) only when a path,
// the download cache or the bundled files on disk are used.
//
// NOTE: the builtins come from process.getBuiltinModule (Node >= 20.16) instead of
// `import ... from 'node:fs'`. When this module is bundled, a static import would be hoisted to the
// top of the bundle (esbuild does so for lazily imported modules), so every browser bundle would try
// to load node:fs and fail. A plain function call is left alone by bundlers.
import { IdxError } from './errors';

function builtin<const Id extends 'node:fs/promises' | 'node:zlib' | 'node:crypto' | 'node:path' | 'node:os' | 'node:url'>(id: Id) {
  if (typeof process.getBuiltinModule !== 'function') {
    throw new Error(`@minikeras/datasets needs Node >= 20.16 (process.getBuiltinModule); this is Node ${process.versions.node}`);
  }
  return process.getBuiltinModule(id);
}

export const fs = builtin('node:fs/promises');
export const path = builtin('node:path');
const zlib = builtin('node:zlib');
const crypto = builtin('node:crypto');
const os = builtin('node:os');
const url = builtin('node:url');

export function gunzip(bytes: Uint8Array, fileName: string): Uint8Array {
  try {
    const out = zlib.gunzipSync(bytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    throw new IdxError(fileName, `corrupt or truncated gzip data (${e instanceof Error ? e.message : String(e)})`);
  }
}

export function sha256Hex(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/** An incremental SHA-256: `update(chunk)` as bytes arrive, then `digest('hex')`. */
export function createSha256() {
  return crypto.createHash('sha256');
}

/** A short random suffix for temporary file names. */
export function randomSuffix(): string {
  return crypto.randomBytes(6).toString('hex');
}

export function homeDir(): string {
  return os.homedir();
}

/** A path from a path string or a file: URL. */
export function toPath(p: string | URL): string {
  return typeof p === 'string' ? p : url.fileURLToPath(p);
}

export async function readBytes(p: string | URL): Promise<Uint8Array> {
  const buf = await fs.readFile(toPath(p));
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

export async function isFile(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isFile();
  } catch {
    return false;
  }
}

export async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** The first of `names` that is a file in `dir`, as a full path, or undefined. */
export async function findFile(dir: string, names: readonly string[]): Promise<string | undefined> {
  for (const name of names) {
    const p = path.join(dir, name);
    if (await isFile(p)) return p;
  }
  return undefined;
}
