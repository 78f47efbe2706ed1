#!/usr/bin/env node
/**
 * Matmul throughput, plain TS kernel vs the WebAssembly SIMD128 kernel, interleaved in one process.
 * Not a test: a measurement tool for tuning kernels.wat / gemm.ts and for docs/performance.md.
 *
 *   node scripts/bench-matmul.mjs            GFLOP/s at the W1 training shapes, 512^3 and a conv shape
 *   node scripts/bench-matmul.mjs --small    ns per call at tiny shapes (where the TS/WASM cutover goes)
 *   TUNINGS='[{"kcBlock":128},{}]' node scripts/bench-matmul.mjs --no-js    compare WasmGemm blockings
 *   VARIANTS=simd128,relaxed-simd node scripts/bench-matmul.mjs           plain vs fused multiply-add build
 *   SHAPES=32x784x128,16x784x128 node scripts/bench-matmul.mjs            other m x k x n (no transposes)
 *     (in Node 20 relaxed SIMD is behind a V8 flag, which this script sets at run time when asked for it)
 *
 * It bundles the TS sources with esbuild (a root devDependency) into a temporary ESM file, since Node 20
 * cannot import .ts directly. The host is noisy: each line reports the best and the median of REPS
 * interleaved timed runs of MS milliseconds; trust only differences seen in several runs.
 */
import { build } from 'esbuild';
import { setFlagsFromString } from 'node:v8';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const src = join(dirname(fileURLToPath(import.meta.url)), '../src/kernels');
const dir = mkdtempSync(join(tmpdir(), 'bench-matmul-'));
const outfile = join(dir, 'kernels.mjs');
await build({
  stdin: {
    contents: `export { matmul } from './matmul'; export { WasmGemm, DEFAULT_TUNING } from './wasm/gemm';
      export { instantiateKernelsSync } from './wasm/module'; export { createWasmBackend } from './wasm/index';`,
    resolveDir: src, loader: 'ts',
  },
  bundle: true, format: 'esm', platform: 'node', outfile, logLevel: 'warning',
});
const { matmul, WasmGemm, DEFAULT_TUNING, instantiateKernelsSync, createWasmBackend } = await import(pathToFileURL(outfile).href);
rmSync(dir, { recursive: true });

const args = process.argv.slice(2);
const MS = Number(process.env.MS ?? 100), REPS = Number(process.env.REPS ?? 9);

function random(n, seed) {
  const x = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; x[i] = s / 2 ** 32 - 0.5; }
  return x;
}

/** Interleaves the implementations rep by rep, so that load changes on the host hit them all alike. */
function compare(impls, call, reps, ms) {
  for (const f of impls.map((i) => i[1])) { const t0 = performance.now(); while (performance.now() - t0 < 200) call(f); }
  const rates = impls.map(() => []);
  for (let r = 0; r < reps; r++) {
    impls.forEach(([, f], i) => {
      let it = 0;
      const t0 = performance.now();
      let t = t0;
      while (t - t0 < ms) { call(f); it++; t = performance.now(); }
      rates[i].push(it / ((t - t0) / 1000));
    });
  }
  return rates.map((r) => r.sort((x, y) => x - y)).map((r) => ({ best: r[r.length - 1], median: r[r.length >> 1] }));
}

if (args.includes('--small')) {
  const wasm = createWasmBackend({ minWork: 0 }).matmul;
  const impls = [['js', matmul], ['wasm', wasm]];
  for (const [m, k, n] of [[4, 2, 8], [4, 8, 1], [4, 4, 8], [4, 8, 8], [8, 4, 8], [8, 8, 8], [16, 16, 16], [32, 32, 32]]) {
    const a = random(m * k, 1), b = random(k * n, 2), c = new Float32Array(m * n);
    const res = compare(impls, (f) => { for (let i = 0; i < 32; i++) f(a, b, c, m, k, n, false, false); }, REPS, 30);
    const ns = res.map((r) => (1e9 / 32 / r.best).toFixed(0).padStart(7));
    console.log(`${`${m}x${k}x${n}`.padEnd(10)} m*k*n ${String(m * k * n).padStart(6)}   js ${ns[0]} ns   wasm ${ns[1]} ns   (best of ${REPS})`);
  }
} else {
  const tunings = JSON.parse(process.env.TUNINGS ?? '[{}]');
  const variants = (process.env.VARIANTS ?? 'simd128').split(',');
  if (variants.includes('relaxed-simd')) setFlagsFromString('--experimental-wasm-relaxed-simd');
  const impls = variants.flatMap((variant) => tunings.map((t) => {
    const g = new WasmGemm(instantiateKernelsSync(variant), { ...DEFAULT_TUNING, ...t });
    const label = `wasm ${variant}${Object.keys(t).length ? ` ${JSON.stringify(t)}` : ''}`;
    return [label, (a, b, c, m, k, n, tA, tB) => g.run(a, b, c, m, k, n, tA, tB, 0, 0, 0, false)];
  }));
  if (!args.includes('--no-js')) impls.push(['js', matmul]);
  const shapes = process.env.SHAPES ? process.env.SHAPES.split(',').map((s) => [s, ...s.split('x').map(Number), false, false]) : [
    ['W1 fwd   [32x784]·[784x128]', 32, 784, 128, false, false],
    ['W1 dW    [784x32]ᵀ·[32x128]', 784, 32, 128, true, false],
    ['W1 dX    [32x128]·[784x128]ᵀ', 32, 128, 784, false, true],
    ['W1b fwd  [128x784]·[784x128]', 128, 784, 128, false, false],
    ['512³', 512, 512, 512, false, false],
    ['W2 conv2 fwd [15488x288]·[288x64]', 15488, 288, 64, false, false],
  ];
  for (const [name, m, k, n, tA, tB] of shapes) {
    const a = random(m * k, 1), b = random(k * n, 2), c = new Float32Array(m * n);
    const res = compare(impls, (f) => f(a, b, c, m, k, n, tA, tB), REPS, MS);
    impls.forEach(([label], i) => {
      const g = (x) => (2 * m * k * n * x / 1e9).toFixed(2).padStart(6);
      console.log(`${name.padEnd(34)} ${label.padEnd(40)} GFLOP/s best ${g(res[i].best)}  median ${g(res[i].median)}`);
    });
  }
}
