// A tiny static file server for the built page, on 127.0.0.1 only.
//   node serve.mjs [--port N]   builds the page, serves dist/ and prints the URL (`pnpm browser`)
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  // The .gz data files are sent as opaque bytes: with `Content-Encoding: gzip` the browser would unpack
  // them itself, and the datasets loader expects to do that with DecompressionStream.
  '.gz': 'application/octet-stream',
};

/** Serves `root` on 127.0.0.1 (`port` 0 = any free port); resolves once listening. */
export function serveStatic(root, { port = 0 } = {}) {
  const server = createServer(async (req, res) => {
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      res.writeHead(400).end('bad request');
      return;
    }
    const file = normalize(join(root, pathname.endsWith('/') ? `${pathname}index.html` : pathname));
    if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`not found: ${pathname}`);
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, url: `http://127.0.0.1:${address.port}/` });
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { buildPage, defaultOutDir } = await import('./build.mjs');
  const portArg = process.argv.indexOf('--port');
  const wanted = portArg > 0 ? Number(process.argv[portArg + 1]) : Number(process.env.PORT ?? 8080);
  if (!Number.isInteger(wanted) || wanted < 0 || wanted > 65535) throw new Error(`serve.mjs: --port must be an integer 0..65535, got ${process.argv[portArg + 1] ?? process.env.PORT}`);
  await buildPage();
  let served;
  try {
    served = await serveStatic(defaultOutDir, { port: wanted });
  } catch (e) {
    if (e?.code !== 'EADDRINUSE') throw e;
    console.log(`port ${wanted} is busy; using a free one`);
    served = await serveStatic(defaultOutDir, { port: 0 });
  }
  console.log(`minikeras browser demo: ${served.url}  (Ctrl+C to stop)`);
}
