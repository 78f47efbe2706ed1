import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DownloadError } from './errors';
import { cleanupTempDirs, gz, listDir, makeFixture, sha256, startServer, tempDir, type Handler, type TestServer } from './fixtures.test-helpers';
import { mnist, MNIST_FILES, type MnistFileName } from './mnist';

// Small stand-ins for the four canonical files, with their own hashes passed through { sha256 }.
const train = makeFixture(20, 1);
const test = makeFixture(6, 2);
const files: Record<MnistFileName, Uint8Array> = {
  'train-images-idx3-ubyte.gz': gz(train.imagesIdx),
  'train-labels-idx1-ubyte.gz': gz(train.labelsIdx),
  't10k-images-idx3-ubyte.gz': gz(test.imagesIdx),
  't10k-labels-idx1-ubyte.gz': gz(test.labelsIdx),
};
const hashes = Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, sha256(bytes)])) as Record<MnistFileName, string>;
const allNames = Object.keys(files).sort();

let server: TestServer | undefined;
let cacheDir: string;
beforeEach(async () => {
  cacheDir = join(await tempDir(), 'cache', 'mnist'); // does not exist yet: loadData creates it
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await cleanupTempDirs();
});

/** Serves the fixtures under /mnist/, with `override` replacing some files' routes. */
async function serve(override: Partial<Record<MnistFileName, Uint8Array | Handler>> = {}): Promise<TestServer> {
  const routes: Record<string, Uint8Array | Handler> = {};
  for (const [name, bytes] of Object.entries({ ...files, ...override })) routes[`/mnist/${name}`] = bytes;
  server = await startServer(routes);
  return server;
}

const load = (s: TestServer) => mnist.loadData({ download: true, cacheDir, baseUrl: `${s.baseUrl}mnist`, sha256: hashes });

describe('mnist.loadData({ download: true })', () => {
  it('knows the published SHA-256 of the four canonical files', () => {
    expect(MNIST_FILES.map((f) => f.name).sort()).toEqual(allNames);
    for (const f of MNIST_FILES) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(MNIST_FILES.find((f) => f.name === 'train-images-idx3-ubyte.gz')!.sha256).toBe(
      '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
    );
  });

  it('downloads once, verifies, caches, and then loads from the cache without a request', async () => {
    const s = await serve();
    const log: string[] = [];
    const first = await mnist.loadData({ download: true, cacheDir, baseUrl: `${s.baseUrl}mnist/`, sha256: hashes, log: (m) => log.push(m) });
    expect(first.train.x.shape).toEqual([20, 28, 28]);
    expect(first.test.x.shape).toEqual([6, 28, 28]);
    expect(Array.from(first.train.y.values)).toEqual(Array.from(train.labels));
    expect(Array.from(first.test.x.values.subarray(0, 784))).toEqual(Array.from(test.pixels.subarray(0, 784)));
    expect(s.requests.sort()).toEqual(allNames.map((n) => `/mnist/${n}`));
    expect(log).toEqual(MNIST_FILES.map((f) => `Downloading ${s.baseUrl}mnist/${f.name}`));
    expect(await listDir(cacheDir)).toEqual(allNames); // no temporary files left behind
    for (const name of allNames) expect(await readFile(join(cacheDir, name))).toEqual(Buffer.from(files[name as MnistFileName]));

    const second = await load(s);
    expect(s.requests).toHaveLength(4); // no new request
    expect(Array.from(second.train.x.values)).toEqual(Array.from(first.train.x.values));
  });

  it('rejects a corrupted file and does not cache it', async () => {
    const corrupted = files['t10k-images-idx3-ubyte.gz'].slice();
    corrupted[100] = corrupted[100]! ^ 0xff;
    const s = await serve({ 't10k-images-idx3-ubyte.gz': corrupted });
    const error = await load(s).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadError);
    expect((error as Error).message).toBe(
      `${s.baseUrl}mnist/t10k-images-idx3-ubyte.gz: SHA-256 mismatch: expected ${hashes['t10k-images-idx3-ubyte.gz']}, ` +
        `got ${sha256(corrupted)} (${corrupted.length} bytes); nothing was cached`,
    );
    // The two files before it were verified and may stay; the bad one and any temp file must not.
    expect(await listDir(cacheDir)).toEqual(['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']);
  });

  it('rejects a connection cut short (truncated download) and does not cache it', async () => {
    const full = files['train-images-idx3-ubyte.gz'];
    const s = await serve({
      'train-images-idx3-ubyte.gz': (_req, res) => {
        res.writeHead(200, { 'content-length': full.length });
        res.write(full.subarray(0, 1000), () => res.destroy());
      },
    });
    const error = await load(s).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadError);
    expect((error as Error).message).toMatch(
      new RegExp(`^${s.baseUrl}mnist/train-images-idx3-ubyte\\.gz: download interrupted after \\d+ of ${full.length} bytes \\(.+\\); nothing was cached$`),
    );
    expect(await listDir(cacheDir)).toEqual([]);
  });

  it('rejects a complete response holding a truncated file (hash mismatch) and does not cache it', async () => {
    const short = files['train-labels-idx1-ubyte.gz'].subarray(0, 20);
    const s = await serve({ 'train-labels-idx1-ubyte.gz': short });
    await expect(load(s)).rejects.toThrow(
      `${s.baseUrl}mnist/train-labels-idx1-ubyte.gz: SHA-256 mismatch: expected ${hashes['train-labels-idx1-ubyte.gz']}, got ${sha256(short)} (20 bytes); nothing was cached`,
    );
    expect(await listDir(cacheDir)).toEqual(['train-images-idx3-ubyte.gz']);
  });

  it('reports a server error (HTTP 500) and caches nothing', async () => {
    const s = await serve({
      'train-images-idx3-ubyte.gz': (_req, res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('boom'),
    });
    const error = await load(s).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadError);
    expect((error as Error).message).toBe(`${s.baseUrl}mnist/train-images-idx3-ubyte.gz: HTTP 500 Internal Server Error; nothing was cached`);
    expect(await listDir(cacheDir)).toEqual([]);
  });

  it('reports an unreachable server', async () => {
    const s = await serve();
    const baseUrl = `${s.baseUrl}mnist/`;
    await s.close();
    server = undefined;
    await expect(mnist.loadData({ download: true, cacheDir, baseUrl, sha256: hashes })).rejects.toThrow(
      new RegExp(`^${baseUrl}train-images-idx3-ubyte\\.gz: request failed \\(fetch failed: .*ECONNREFUSED.*\\); nothing was cached$`),
    );
    expect(await listDir(cacheDir)).toEqual([]);
  });

  it('keeps a good cache intact when the server later fails', async () => {
    await load(await serve());
    await server!.close();
    const failing = await serve(Object.fromEntries(allNames.map((n) => [n, ((_q, r) => r.writeHead(500).end()) as Handler])));
    const again = await load(failing);
    expect(again.train.x.shape).toEqual([20, 28, 28]);
    expect(failing.requests).toEqual([]);
    expect(await listDir(cacheDir)).toEqual(allNames);
  });

  it('downloads again a cached file whose bytes no longer match', async () => {
    const s = await serve();
    await load(s);
    await writeFile(join(cacheDir, 't10k-labels-idx1-ubyte.gz'), 'tampered');
    const again = await load(s);
    expect(again.test.y.size).toBe(6);
    expect(s.requests.filter((p) => p.endsWith('t10k-labels-idx1-ubyte.gz'))).toHaveLength(2);
    expect(await readFile(join(cacheDir, 't10k-labels-idx1-ubyte.gz'))).toEqual(Buffer.from(files['t10k-labels-idx1-ubyte.gz']));
  });

  it('checks the real MNIST hashes unless told otherwise', async () => {
    const s = await serve(); // serves fixtures, which are not the real MNIST files
    await expect(mnist.loadData({ download: true, cacheDir, baseUrl: `${s.baseUrl}mnist/` })).rejects.toThrow(
      /train-images-idx3-ubyte\.gz: SHA-256 mismatch: expected 440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609/,
    );
    expect(await listDir(cacheDir)).toEqual([]);
  });
});
