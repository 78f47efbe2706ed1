/**
 * Backend conformance for matmul (STYLE.md 8.3): one table of cases, run through the plain TS kernel and
 * through the WebAssembly kernel, both checked against a float64 triple loop written here, and against each
 * other. Besides the default backend, two WasmGemm instances with tiny cache blocks push these small cases
 * through every blocking path of kernels.wat (several K slices, row and column blocks, ragged 4x8 edge tiles,
 * B packed and B read in place).
 */
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { matmul as matmulJs } from '../matmul';
import { createWasmBackend, initWasmBackend, wasmRelaxedSimdSupported, wasmSimdSupported } from './index';
import { WasmGemm } from './gemm';
import { instantiateKernelsSync } from './module';

type MatmulFn = (
  a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number,
  tA: boolean, tB: boolean, aOff: number, bOff: number, cOff: number, acc: boolean,
) => void;

/** Deterministic uniform values in [-1, 1) (an LCG), so failures reproduce. */
function filled(length: number, seed: number): Float32Array {
  const x = new Float32Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 2 ** 31 - 1;
  }
  return x;
}

/** C[i,j] in float64 and the error scale sum_p |a_ip||b_pj| (+ |C0| when accumulating). */
function reference(
  a: Float32Array, b: Float32Array, c0: Float32Array, m: number, k: number, n: number,
  tA: boolean, tB: boolean, aOff: number, bOff: number, cOff: number, acc: boolean,
): { value: Float64Array; scale: Float64Array } {
  const value = new Float64Array(m * n), scale = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = acc ? c0[cOff + i * n + j]! : 0, t = Math.abs(s);
      for (let p = 0; p < k; p++) {
        const x = a[aOff + (tA ? p * m + i : i * k + p)]!, y = b[bOff + (tB ? j * k + p : p * n + j)]!;
        s += x * y;
        t += Math.abs(x * y);
      }
      value[i * n + j] = s;
      scale[i * n + j] = t;
    }
  }
  return { value, scale };
}

const SIZES: [number, number, number][] = [
  [1, 1, 1], [3, 5, 7], [4, 8, 16], [33, 65, 17], [130, 260, 3], [128, 784, 32],
  // Several 512-column blocks with a ragged last panel, and K over two 256-deep slices.
  [5, 300, 530],
];
const TRANSPOSES: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];

/** Offsets place the matrices inside larger buffers; NaN sentinels outside must survive untouched. */
function runCase(
  backends: [string, MatmulFn][], m: number, k: number, n: number, tA: boolean, tB: boolean,
  aOff: number, bOff: number, cOff: number, acc: boolean, seed: number,
): void {
  const a = filled(aOff + m * k + 3, seed), b = filled(bOff + k * n + 5, seed + 1);
  const c0 = filled(cOff + m * n + 2, seed + 2);
  for (let i = 0; i < cOff; i++) c0[i] = Number.NaN;
  c0[cOff + m * n] = Number.NaN;
  c0[cOff + m * n + 1] = Number.NaN;
  const { value, scale } = reference(a, b, c0, m, k, n, tA, tB, aOff, bOff, cOff, acc);
  const cJs = c0.slice();
  matmulJs(a, b, cJs, m, k, n, tA, tB, aOff, bOff, cOff, acc);
  for (const [name, f] of backends) {
    const cWasm = c0.slice();
    f(a, b, cWasm, m, k, n, tA, tB, aOff, bOff, cOff, acc);
    const label = `${name}: m=${m} k=${k} n=${n} tA=${tA} tB=${tB} offsets=${aOff},${bOff},${cOff} accumulate=${acc}`;
    for (let idx = 0; idx < m * n; idx++) {
      const tol = 1e-5 * scale[idx]! + 1e-30;
      const w = cWasm[cOff + idx]!, j = cJs[cOff + idx]!, r = value[idx]!;
      if (!(Math.abs(w - r) <= tol) || !(Math.abs(w - j) <= tol) || !(Math.abs(j - r) <= tol)) {
        expect.fail(`${label}: C[${idx}] wasm ${w}, js ${j}, float64 ${r}, tolerance ${tol}`);
      }
    }
    for (const i of [...Array(cOff).keys(), cOff + m * n, cOff + m * n + 1]) {
      if (!Number.isNaN(cWasm[i]!)) expect.fail(`${label}: wrote outside C at ${i}`);
    }
  }
}

const wasm = createWasmBackend({ minWork: 0, variant: 'simd128' }).matmul as MatmulFn;
const tinyBlocks = (packBMinRows: number, variant: 'simd128' | 'relaxed-simd' = 'simd128'): MatmulFn => {
  const g = new WasmGemm(instantiateKernelsSync(variant), { mcBlock: 8, kcBlock: 16, ncBlock: 16, packBMinRows });
  return (a, b, c, m, k, n, tA, tB, aOff, bOff, cOff, acc) => {
    expect(g.run(a, b, c, m, k, n, tA, tB, aOff, bOff, cOff, acc)).toBe(true);
  };
};
const BACKENDS: [string, MatmulFn][] = [
  ['wasm backend, simd128 (default blocking)', wasm],
  ['WasmGemm, tiny blocks, B packed', tinyBlocks(0)],
  ['WasmGemm, tiny blocks, B read in place', tinyBlocks(1_000_000)],
];

describe('matmul conformance: TS kernel vs WebAssembly SIMD kernel', () => {
  it('runs on this runtime (Node 20 has SIMD128)', () => {
    expect(wasmSimdSupported()).toBe(true);
  });

  for (const [m, k, n] of SIZES) {
    it(`${m}x${k}x${n}, all transposes, with and without offsets and accumulate`, () => {
      let seed = m * 7919 + k * 104729 + n;
      for (const [tA, tB] of TRANSPOSES) {
        runCase(BACKENDS, m, k, n, tA, tB, 0, 0, 0, false, seed++);
        runCase(BACKENDS, m, k, n, tA, tB, 3, 1, 2, false, seed++);
        runCase(BACKENDS, m, k, n, tA, tB, 0, 0, 0, true, seed++);
        runCase(BACKENDS, m, k, n, tA, tB, 5, 2, 7, true, seed++);
      }
    });
  }

  it('k = 0 gives zeros, or leaves C unchanged when accumulating', () => {
    const c = new Float32Array([1, 2, 3, 4, 5, 6]);
    wasm(new Float32Array(0), new Float32Array(0), c, 2, 0, 3, false, false, 0, 0, 0, true);
    expect(Array.from(c)).toEqual([1, 2, 3, 4, 5, 6]);
    wasm(new Float32Array(0), new Float32Array(0), c, 2, 0, 3, false, false, 0, 0, 0, false);
    expect(Array.from(c)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('a hand-computed 2x3 · 3x2 product (1*7+2*9+3*11 = 58, 1*8+2*10+3*12 = 64, 139, 154)', () => {
    const c = new Float32Array(4);
    wasm(new Float32Array([1, 2, 3, 4, 5, 6]), new Float32Array([7, 8, 9, 10, 11, 12]), c, 2, 3, 2, false, false, 0, 0, 0, false);
    expect(Array.from(c)).toEqual([58, 64, 139, 154]);
  });

  it('stays correct after linear memory grows, with the JS views re-created', () => {
    const g = new WasmGemm(instantiateKernelsSync());
    const before = g.memoryBytes;
    runCase([['WasmGemm', (...args) => { g.run(...args); }]], 3, 5, 7, false, false, 0, 0, 0, false, 11);
    runCase([['WasmGemm', (...args) => { g.run(...args); }]], 200, 300, 100, false, true, 0, 0, 0, true, 12);
    expect(g.memoryBytes).toBeGreaterThan(before);
    runCase([['WasmGemm', (...args) => { g.run(...args); }]], 3, 5, 7, true, false, 1, 1, 1, false, 13);
  });

  it('delegates non-float32 storage and tiny products to the TS kernel', () => {
    const backend = createWasmBackend();
    const a = new Float64Array([1, 2, 3, 4]), b = new Float64Array([5, 6, 7, 8]), c = new Float64Array(4);
    backend.matmul(a, b, c, 2, 2, 2);
    // [1 2; 3 4] · [5 6; 7 8] = [19 22; 43 50]
    expect(Array.from(c)).toEqual([19, 22, 43, 50]);
    const cf = new Float32Array(4);
    backend.matmul(new Float32Array(a), new Float32Array(b), cf, 2, 2, 2, false, false, 0, 0, 0, false);
    expect(Array.from(cf)).toEqual([19, 22, 43, 50]);
  });

  it('rejects a negative minWork and an unknown variant', () => {
    expect(() => createWasmBackend({ minWork: -1 })).toThrow(/minWork/);
    // @ts-expect-error: not a KernelVariant
    expect(() => createWasmBackend({ variant: 'avx' })).toThrow(/variant must be 'simd128' or 'relaxed-simd'/);
  });

  it('picks the relaxed-SIMD build by default exactly where the runtime supports it', () => {
    expect(createWasmBackend().variant).toBe(wasmRelaxedSimdSupported() ? 'relaxed-simd' : 'simd128');
  });

  it('relaxed-SIMD build (fused multiply-add) agrees on the same table', () => {
    // Node 20 has relaxed SIMD behind a flag, which V8 also accepts at run time (for this process only).
    if (!wasmRelaxedSimdSupported()) setFlagsFromString('--experimental-wasm-relaxed-simd');
    expect(wasmRelaxedSimdSupported()).toBe(true);
    const relaxed = createWasmBackend({ minWork: 0, variant: 'relaxed-simd' });
    expect(relaxed.variant).toBe('relaxed-simd');
    const backends: [string, MatmulFn][] = [
      ['relaxed-simd backend', relaxed.matmul as MatmulFn],
      ['relaxed-simd, tiny blocks, B packed', tinyBlocks(0, 'relaxed-simd')],
      ['relaxed-simd, tiny blocks, B read in place', tinyBlocks(1_000_000, 'relaxed-simd')],
    ];
    for (const [m, k, n] of SIZES) {
      let seed = m * 31 + k * 17 + n;
      for (const [tA, tB] of TRANSPOSES) {
        runCase(backends, m, k, n, tA, tB, 0, 0, 0, false, seed++);
        runCase(backends, m, k, n, tA, tB, 5, 2, 7, true, seed++);
      }
    }
  });

  it('initWasmBackend compiles asynchronously to an equivalent backend', async () => {
    const backend = await initWasmBackend({ minWork: 0, variant: 'simd128' });
    expect(backend.name).toBe('wasm');
    expect(backend.variant).toBe('simd128');
    runCase([['initWasmBackend', backend.matmul as MatmulFn]], 33, 65, 17, true, true, 0, 0, 0, false, 21);
  });
});
