// Keras files (.keras, .weights.h5) in headless Chromium: h5wasm and fflate load as chunks on first use, a
// .keras file written by Keras 3 loads by URL and predicts what Keras predicted, and minikeras' own files
// round-trip through a Blob and bytes, bit for bit.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { serveStatic } from '../serve.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', '..', '..', 'packages', 'layers', 'src', 'saving', 'fixtures', 'keras3');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

describe('Keras files in headless Chromium', () => {
  let tmp = '';
  let server: Server | undefined;
  let context: BrowserContext | undefined;
  afterAll(async () => {
    await context?.close();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('loads a Keras 3 .keras file by URL (predictions within 1e-5) and round-trips its own files through a Blob', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install it with: apt-get install -y chromium`);
    tmp = mkdtempSync(join(tmpdir(), 'minikeras-keras-browser-'));
    const site = join(tmp, 'site');
    mkdirSync(site, { recursive: true });
    await build({
      entryPoints: [join(here, 'keras-files', 'entry.ts')], outdir: site, entryNames: 'main', chunkNames: 'chunks/[name]-[hash]',
      splitting: true, bundle: true, platform: 'browser', format: 'esm', target: 'es2022', logLevel: 'warning',
    });
    writeFileSync(join(site, 'index.html'), '<!doctype html><title>keras files</title><script type="module" src="main.js"></script>');
    for (const f of ['cnn_sequential.keras', 'cnn_sequential.json']) copyFileSync(join(fixtures, f), join(site, f));
    // h5wasm is not in the page's own code: it is a chunk fetched when a Keras file is first touched.
    const chunks = readdirSync(join(site, 'chunks'));
    expect(chunks.some((f) => f.startsWith('hdf5_hl'))).toBe(true);
    const served = await serveStatic(site);
    server = served.server;
    context = await chromium.launchPersistentContext(join(tmp, 'profile'), { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const page = context.pages()[0] ?? await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
    await page.goto(served.url);
    const result = await page.evaluate(() => window.kerasFiles) as Record<string, unknown>;
    expect(result.error).toBeUndefined();
    expect(result.maxDiff as number).toBeLessThan(1e-5);
    expect(result).toMatchObject({ iterations: 2, weightsBack: true, optimizerBack: true, predictionsBack: true, weightsFileBack: true });
    expect(problems).toEqual([]);
  }, 60_000);
});
