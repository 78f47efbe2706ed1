/**
 * The kernel boundary. Ops call kernels only through `kernels()`, a typed object (not a string registry),
 * so a faster backend (WebAssembly SIMD) can replace any subset of them with `setBackend` without touching
 * ops, layers or optimizers. Every kernel writes into an `out` it is given and allocates nothing per element.
 */
import * as elementwise from './elementwise';
import * as reduce from './reduce';
import * as transform from './transform';
import { matmul } from './matmul';
import * as conv from './conv';
import * as optim from './optim';
import * as fused from './fused';
import * as convGrouped from './conv-grouped';
import * as depthwise from './depthwise';
import * as pool3d from './pool3d';
import * as resize from './resize';
import * as activation from './activation';
import * as rnn from './rnn';
import { createWasmBackend, wasmSimdSupported } from './wasm';
import type { WasmBackendOptions } from './wasm';

export type { NumArray, UnaryOp, BinaryOp } from './elementwise';
export type { ReduceOp } from './reduce';

/**
 * The plain TypeScript kernels: the reference every other backend is tested against, and the fallback for
 * any kernel a backend does not replace.
 */
export const cpuBackend = {
  name: 'js' as string,
  ...elementwise,
  ...reduce,
  ...transform,
  matmul,
  ...conv,
  ...optim,
  ...fused,
  ...convGrouped,
  ...depthwise,
  ...pool3d,
  ...resize,
  ...activation,
  ...rnn,
};

/** The kernel contract: every kernel the ops call, as a typed object (see {@link setBackend}). */
export type Backend = typeof cpuBackend;

let active: Backend = cpuBackend;

/** The active backend's kernels. Ops call kernels only through this. */
export function kernels(): Backend {
  return active;
}

/** Replaces some or all kernels; anything not given falls back to the plain TypeScript reference. */
export function setBackend(overrides: Partial<Backend> & { name: string }): void {
  active = { ...cpuBackend, ...overrides };
}

/** The active backend's name: `'js'` for the TypeScript kernels, `'wasm'` for the WebAssembly SIMD ones. */
export function getBackendName(): string {
  return active.name;
}

export { createWasmBackend, initWasmBackend, wasmSimdSupported, wasmRelaxedSimdSupported } from './wasm';
export type { WasmBackend, WasmBackendOptions, KernelVariant } from './wasm';

/** Switches to the WebAssembly SIMD kernels where the runtime has SIMD128; returns whether it did. */
export function enableWasm(options: WasmBackendOptions = {}): boolean {
  if (!wasmSimdSupported()) return false;
  setBackend(createWasmBackend(options));
  return true;
}

/** Switches back to the plain TypeScript reference kernels. */
export function useJsBackend(): void {
  setBackend(cpuBackend);
}

// WASM by default; MINIKERAS_BACKEND=js forces the TypeScript reference (the test suite runs under both).
const requested = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.['MINIKERAS_BACKEND'];
if (requested !== 'js') enableWasm();
