// End to end: build the page, serve it on 127.0.0.1, drive Debian's Chromium through playwright-core, train
// XOR to 100% and one MNIST epoch, classify digits, and save screenshots to test-artifacts/ (repo root).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from 'minikeras';
import { buildPage } from '../build.mjs';
import { serveStatic } from '../serve.mjs';

const CHROMIUM = '/usr/bin/chromium';
// The flags this machine needs: no sandbox as root, no GPU, and no background connections (the network is
// closed, and Chromium would otherwise keep retrying Google's hosts).
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const artifacts = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test-artifacts');

describe('browser demo in headless Chromium', () => {
  let tmp = '';
  let server: Server | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} not found: the browser demo test drives Debian's Chromium. Install it with: apt-get install -y chromium`);
    }
    tmp = mkdtempSync(join(tmpdir(), 'minikeras-browser-test-'));
    const site = join(tmp, 'site');
    await buildPage(site);
    const served = await serveStatic(site);
    server = served.server;
    // A fresh profile each run: launchPersistentContext passes it as --user-data-dir.
    context = await chromium.launchPersistentContext(join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1100, height: 900 },
      deviceScaleFactor: 1,
    });
    page = context.pages()[0] ?? await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console.error: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`); });
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
    await page.goto(served.url);
    await page.waitForSelector('html[data-ready="true"]', { timeout: 10_000 });
    mkdirSync(artifacts, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('loads the bundle with no errors', async () => {
    expect(await page.title()).toBe('minikeras in the browser');
    expect(await page.locator('#xor').getAttribute('data-status')).toBe('idle');
    expect(problems).toEqual([]);
  });

  it('trains XOR to 100% accuracy and shows it', async () => {
    await page.click('#xor-train');
    await page.waitForSelector('#xor[data-status="done"], #xor[data-status="error"]', { timeout: 20_000 });
    const status = await page.textContent('#xor-status');
    expect(await page.locator('#xor').getAttribute('data-status'), status ?? '').toBe('done');
    expect(await page.textContent('#xor-accuracy')).toBe('100%');
    expect(await page.locator('#xor-accuracy').getAttribute('data-accuracy')).toBe('1');
    expect(await page.textContent('#xor-epoch')).toBe('200/200');
    // The truth table: outputs on the right side of 0.5 for targets 0, 1, 1, 0.
    const outputs = (await page.locator('#xor-table tbody td:last-child').allTextContents()).map(Number);
    expect(outputs.map((v) => (v > 0.5 ? 1 : 0))).toEqual([0, 1, 1, 0]);
    await page.screenshot({ path: join(artifacts, 'browser-xor.png'), fullPage: true });
    expect(problems).toEqual([]);
  }, 30_000);

  it('loads the bundled MNIST digits, trains one epoch and classifies digits', async () => {
    await page.fill('#mnist-epochs', '1');
    await page.click('#mnist-train');
    await page.waitForSelector('#mnist[data-status="done"], #mnist[data-status="error"]', { timeout: 45_000 });
    const status = await page.textContent('#mnist-status');
    expect(await page.locator('#mnist').getAttribute('data-status'), status ?? '').toBe('done');
    // One epoch of this MLP on 8,000 digits reaches about 90% in Keras; 85% leaves room for the seed.
    const accuracy = Number(await page.locator('#mnist-accuracy').getAttribute('data-accuracy'));
    expect(accuracy).toBeGreaterThan(0.85);
    expect(await page.textContent('#mnist-epoch')).toBe('1/1');

    // A real test digit shown on the pad goes through the drawing path (canvas -> 28x28) and is classified.
    await page.click('#pad-sample');
    const probs = (await page.locator('#probs li span:last-child').allTextContents()).map((t) => parseFloat(t));
    expect(probs).toHaveLength(10);
    expect(probs.reduce((a, b) => a + b, 0)).toBeGreaterThan(99);
    expect(probs.reduce((a, b) => a + b, 0)).toBeLessThan(101);
    expect(await page.locator('#prediction').getAttribute('data-class')).toMatch(/^[0-9]$/);

    // A stroke drawn with the mouse: one tall vertical line is a "1".
    await page.click('#pad-clear');
    const box = (await page.locator('#pad').boundingBox())!;
    await page.mouse.move(box.x + 140, box.y + 40);
    await page.mouse.down();
    for (let y = 40; y <= 240; y += 20) await page.mouse.move(box.x + 140 + (y - 40) * 0.1, box.y + y);
    await page.mouse.up();
    await expect.poll(() => page.locator('#prediction').getAttribute('data-class')).toBe('1');
    await page.screenshot({ path: join(artifacts, 'browser-mnist.png'), fullPage: true });
    expect(problems).toEqual([]);
  }, 60_000);

  it('exports the trained model as mnist.keras (a download Keras reads) and imports it back', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#mnist-export')]);
    expect(download.suggestedFilename()).toBe('mnist.keras');
    const file = join(tmp, 'mnist.keras');
    await download.saveAs(file);
    // The file as Keras lays it out, with the Adam state of one epoch of 250 batches.
    const saved = await loadModel(file);
    expect(saved.layers.map((l) => l.className)).toEqual(['Flatten', 'Dense', 'Dense']);
    expect(saved.optimizer.iterations).toBe(250);
    await page.click('#pad-sample');
    const before = (await page.locator('#probs li span:last-child').allTextContents()).join();
    await page.setInputFiles('#mnist-import', file);
    await page.waitForSelector('#mnist[data-status="imported"], #mnist-status:has-text("Error")', { timeout: 10_000 });
    expect(await page.textContent('#mnist-status')).toMatch(/^Loaded mnist\.keras: 101,770 weights, compiled, 250 training steps so far/);
    // The imported model classifies the digit on the pad exactly as the trained one did.
    await page.click('#pad-predict');
    expect((await page.locator('#probs li span:last-child').allTextContents()).join()).toBe(before);
    expect(problems).toEqual([]);
  }, 30_000);
});
