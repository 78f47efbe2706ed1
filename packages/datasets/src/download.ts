// Node-only: the download cache behind `mnist.loadData({ download: true })`. Loaded with import().
//
// Guarantee: a file in the cache directory under its final name is always complete and has the
// expected SHA-256. A download is streamed into a temporary file in the same directory
// (`.<name>.<pid>.<random>.part`), hashed as it arrives, and renamed to its final name only after
// the hash matches; any failure (HTTP error, dropped connection, wrong hash) deletes the temporary
// file. rename() within one directory is atomic, so a crash leaves at worst a stray .part file,
// never a partial file under the real name. Cached files are hashed again on every use.
import { DownloadError } from './errors';
import { describe } from './errors';
import type { NamedBytes } from './load-idx';
import * as io from './node-io';

export interface CachedFile {
  readonly name: string;
  readonly sha256: string;
}

export interface DownloadCacheOptions {
  readonly cacheDir: string;
  /** Each file is fetched from `new URL(name, baseUrl)`. */
  readonly baseUrl: string;
  readonly files: readonly CachedFile[];
  readonly log?: ((message: string) => void) | undefined;
}

/** Verified bytes of every file, from the cache or downloaded into it first. */
export async function ensureCached(options: DownloadCacheOptions): Promise<NamedBytes[]> {
  await io.fs.mkdir(options.cacheDir, { recursive: true });
  const out: NamedBytes[] = [];
  // One at a time: polite to the server, and the first failure stops the rest.
  for (const file of options.files) out.push(await ensureOne(file, options));
  return out;
}

async function ensureOne(file: CachedFile, options: DownloadCacheOptions): Promise<NamedBytes> {
  const target = io.path.join(options.cacheDir, file.name);
  const expected = file.sha256.toLowerCase();
  if (await io.isFile(target)) {
    const bytes = await io.readBytes(target);
    if (io.sha256Hex(bytes) === expected) return { name: target, bytes };
    options.log?.(`${target} does not match its SHA-256; downloading it again`);
    await io.fs.rm(target, { force: true });
  }
  const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
  const url = new URL(file.name, base).href;
  options.log?.(`Downloading ${url}`);
  const bytes = await downloadVerified(url, target, expected);
  return { name: target, bytes };
}

async function downloadVerified(url: string, target: string, expected: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new DownloadError(url, `request failed (${describe(e)}); nothing was cached`);
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new DownloadError(url, `HTTP ${response.status} ${response.statusText}; nothing was cached`.replace(' ;', ';'));
  }
  const tmp = io.path.join(io.path.dirname(target), `.${io.path.basename(target)}.${process.pid}.${io.randomSuffix()}.part`);
  const handle = await io.fs.open(tmp, 'wx');
  let renamed = false;
  try {
    const hash = io.createSha256();
    const chunks: Uint8Array[] = [];
    let received = 0;
    const announced = Number(response.headers.get('content-length') ?? NaN);
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        hash.update(value);
        chunks.push(value);
        received += value.length;
        await handle.write(value);
      }
    } catch (e) {
      const of = Number.isFinite(announced) ? ` of ${announced}` : '';
      throw new DownloadError(url, `download interrupted after ${received}${of} bytes (${describe(e)}); nothing was cached`);
    }
    if (Number.isFinite(announced) && announced !== received) {
      throw new DownloadError(url, `truncated: server announced ${announced} bytes, received ${received}; nothing was cached`);
    }
    const actual = hash.digest('hex');
    if (actual !== expected) {
      throw new DownloadError(url, `SHA-256 mismatch: expected ${expected}, got ${actual} (${received} bytes); nothing was cached`);
    }
    await handle.close();
    await io.fs.rename(tmp, target);
    renamed = true;
    const bytes = new Uint8Array(received);
    let offset = 0;
    for (const c of chunks) {
      bytes.set(c, offset);
      offset += c.length;
    }
    return bytes;
  } finally {
    if (!renamed) {
      await handle.close().catch(() => {});
      await io.fs.rm(tmp, { force: true });
    }
  }
}
