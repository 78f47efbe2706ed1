#!/usr/bin/env node
/**
 * Experiment, not integrated: does splitting one matmul's rows across two threads (this thread and one
 * worker_thread, each with its own instance of the WASM kernels) beat one thread? Operands live in
 * SharedArrayBuffers; the worker is woken with Atomics.notify and reports back the same way.
 *
 *   node scripts/bench-matmul-threads.mjs
 *
 * Run it on an otherwise idle 2-core machine: with other processes busy, the second core is not free and
 * the comparison says nothing.
 */
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

// ctl: [0] job generation (-1 = exit), [1] finished generation, [2] first row, [3] end row, [4] k, [5] n
async function loadKernels(bundle) {
  const { WasmGemm, instantiateKernelsSync } = await import(pathToFileURL(bundle).href);
  return new WasmGemm(instantiateKernelsSync('simd128'));
}

if (!isMainThread) {
  const { bundle, ctlBuf, aBuf, bBuf, cBuf } = workerData;
  const ctl = new Int32Array(ctlBuf), a = new Float32Array(aBuf), b = new Float32Array(bBuf), c = new Float32Array(cBuf);
  const gemm = await loadKernels(bundle);
  parentPort.postMessage('ready');
  let gen = 0;
  for (;;) {
    Atomics.wait(ctl, 0, gen);
    gen = Atomics.load(ctl, 0);
    if (gen < 0) break;
    const m0 = ctl[2], m1 = ctl[3], k = ctl[4], n = ctl[5];
    gemm.run(a, b, c, m1 - m0, k, n, false, false, m0 * k, 0, m0 * n, false);
    Atomics.store(ctl, 1, gen);
    Atomics.notify(ctl, 1);
  }
} else {
  const src = join(dirname(fileURLToPath(import.meta.url)), '../src/kernels/wasm');
  const dir = mkdtempSync(join(tmpdir(), 'bench-threads-'));
  const bundle = join(dir, 'kernels.mjs');
  await build({
    stdin: { contents: "export { WasmGemm } from './gemm'; export { instantiateKernelsSync } from './module';", resolveDir: src, loader: 'ts' },
    bundle: true, format: 'esm', platform: 'node', outfile: bundle, logLevel: 'warning',
  });
  const MAX_FLOATS = 4 << 20;
  const ctlBuf = new SharedArrayBuffer(64);
  const aBuf = new SharedArrayBuffer(MAX_FLOATS * 4), bBuf = new SharedArrayBuffer(MAX_FLOATS * 4), cBuf = new SharedArrayBuffer(MAX_FLOATS * 4);
  const ctl = new Int32Array(ctlBuf), A = new Float32Array(aBuf), B = new Float32Array(bBuf), C = new Float32Array(cBuf);
  for (let i = 0; i < MAX_FLOATS; i++) { A[i] = Math.random() - 0.5; B[i] = Math.random() - 0.5; }
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { bundle, ctlBuf, aBuf, bBuf, cBuf } });
  await new Promise((resolve) => worker.once('message', resolve));
  const gemm = await loadKernels(bundle);
  let gen = 0;
  const one = (m, k, n) => gemm.run(A, B, C, m, k, n, false, false, 0, 0, 0, false);
  const two = (m, k, n) => {
    const half = Math.ceil(m / 8) * 4; // a multiple of the 4-row tile
    ctl[2] = half; ctl[3] = m; ctl[4] = k; ctl[5] = n;
    gen++;
    Atomics.store(ctl, 0, gen);
    Atomics.notify(ctl, 0);
    gemm.run(A, B, C, half, k, n, false, false, 0, 0, 0, false);
    while (Atomics.load(ctl, 1) !== gen) Atomics.wait(ctl, 1, gen - 1);
  };
  const REPS = Number(process.env.REPS ?? 9), MS = Number(process.env.MS ?? 100);
  const shapes = [['W1 fwd [32x784]·[784x128]', 32, 784, 128], ['W1b fwd [128x784]·[784x128]', 128, 784, 128],
    ['512³', 512, 512, 512], ['W2 conv2 [15488x288]·[288x64]', 15488, 288, 64]];
  for (const [name, m, k, n] of shapes) {
    two(m, k, n);
    const split = C.slice(0, m * n);
    one(m, k, n);
    for (let i = 0; i < m * n; i++) if (split[i] !== C[i]) throw new Error(`${name}: the two-thread result differs at ${i}`);
    const impls = [['1 thread', () => one(m, k, n)], ['2 threads', () => two(m, k, n)]];
    for (const [, f] of impls) { const t0 = performance.now(); while (performance.now() - t0 < 200) f(); }
    const rates = impls.map(() => []);
    for (let r = 0; r < REPS; r++) {
      impls.forEach(([, f], i) => {
        let it = 0;
        const t0 = performance.now();
        let t = t0;
        while (t - t0 < MS) { f(); it++; t = performance.now(); }
        rates[i].push(2 * m * k * n * it / ((t - t0) / 1000) / 1e9);
      });
    }
    impls.forEach(([label], i) => {
      const s = rates[i].sort((x, y) => x - y);
      console.log(`${name.padEnd(30)} ${label.padEnd(10)} GFLOP/s best ${s[s.length - 1].toFixed(2).padStart(6)}  median ${s[s.length >> 1].toFixed(2).padStart(6)}`);
    });
  }
  Atomics.store(ctl, 0, -1);
  Atomics.notify(ctl, 0);
  await worker.terminate();
  rmSync(dir, { recursive: true });
}
