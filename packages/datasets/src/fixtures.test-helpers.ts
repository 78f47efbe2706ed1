// Test-only helpers: small generated IDX fixtures, temp directories and a local HTTP server.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx } from './idx';

/** Deterministic pseudo-random bytes (mulberry32), so fixtures are the same on every run. */
export function pseudoRandomBytes(n: number, seed: number): Uint8Array {
  let a = seed >>> 0;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (t ^ (t >>> 14)) >>> 0 >>> 24;
  }
  return out;
}

export interface Fixture {
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
  /** Uncompressed IDX files. */
  readonly imagesIdx: Uint8Array;
  readonly labelsIdx: Uint8Array;
}

/** n images of rows x cols with labels 0..9 cycling from `seed`. */
export function makeFixture(n: number, seed: number, rows = 28, cols = 28): Fixture {
  const pixels = pseudoRandomBytes(n * rows * cols, seed);
  const labels = Uint8Array.from({ length: n }, (_, i) => (i + seed) % 10);
  return {
    pixels,
    labels,
    imagesIdx: encodeIdx({ dims: [n, rows, cols], data: pixels }),
    labelsIdx: encodeIdx({ dims: [n], data: labels }),
  };
}

export const gz = (bytes: Uint8Array): Uint8Array => new Uint8Array(gzipSync(bytes));

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A fresh temporary directory; `cleanup()` removes every one made so far. */
const made: string[] = [];
export async function tempDir(prefix = 'minikeras-datasets-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
export async function cleanupTempDirs(): Promise<void> {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

export const listDir = async (dir: string): Promise<string[]> => (await readdir(dir)).sort();

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface TestServer {
  readonly baseUrl: string;
  /** Paths requested so far, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/**
 * An HTTP server on 127.0.0.1 (ephemeral port). `routes` maps a path to bytes (served with 200) or to
 * a handler; anything else is a 404.
 */
export async function startServer(routes: Record<string, Uint8Array | Handler>): Promise<TestServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    requests.push(path);
    const route = routes[path];
    if (route === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    } else if (typeof route === 'function') {
      route(req, res);
    } else {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': route.length }).end(route);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
