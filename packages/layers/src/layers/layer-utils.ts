/** Option checks shared by the layer families: tuples, data formats, and Keras options that must stay off. */
import { checkOptions } from '../engine/layer';
import type { SymbolicShape } from '../engine/layer';

/**
 * Keras' `standardize_tuple`: a positive integer (or, with `allowZero`, non-negative) or a list of `n` of
 * them, as a list. tfjs writes 1-D sizes as one-element lists (`pool_size: [2]`), which are accepted too.
 */
export function normalizeTuple(owner: string, option: string, value: unknown, n: number, allowZero = false): number[] {
  const list = typeof value === 'number' ? Array<number>(n).fill(value) : value;
  const ok = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && (allowZero ? v >= 0 : v > 0);
  if (!Array.isArray(list) || list.length !== n || !list.every(ok)) {
    const what = allowZero ? 'non-negative integer' : 'positive integer';
    throw new Error(`${owner}: ${option} must be a ${what}${n > 1 ? ` or a list of ${n} ${what}s` : ''}, got ${JSON.stringify(value)}`);
  }
  return [...(list as number[])];
}

/** Accepts Keras' `data_format` when it is channels-last (or unset); minikeras computes channels-last only. */
export function checkDataFormat(owner: string, value: unknown): void {
  if (value != null && value !== 'channels_last') {
    throw new Error(`${owner}: only dataFormat 'channels_last' is supported, got ${JSON.stringify(value)}`);
  }
}

/**
 * Options Keras and tfjs write into configs for features minikeras does not have (constraints, LoRA, an
 * activity regularizer on a weighted layer, ...): accepted when null or absent, so saved files load, and
 * rejected with a clear error otherwise, so a model that needs them is not silently computed without.
 */
export function checkInactive(owner: string, args: object, keys: readonly string[]): void {
  for (const key of keys) {
    const v = (args as Record<string, unknown>)[key];
    if (v != null && !(key === 'sparse' && v === false) && !(key === 'antialias' && v === false)) {
      throw new Error(`${owner}: option '${key}' = ${JSON.stringify(v)} is not supported by minikeras (only null/unset)`);
    }
  }
}

/** `checkOptions` for a layer whose options are `allowed` plus the always-off keys `inactive`. */
export function checkLayerOptions(owner: string, args: object, allowed: readonly string[], inactive: readonly string[] = []): void {
  checkOptions(owner, args, [...allowed, ...inactive]);
  checkInactive(owner, args, inactive);
}

export function formatSymbolicShape(shape: SymbolicShape): string {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`;
}

/** Throws unless `shape` has `rank` axes, describing the expected layout. */
export function checkRank(owner: string, shape: readonly (number | null)[], rank: number, layout: string): void {
  if (shape.length !== rank) {
    throw new Error(`${owner} expects a ${rank}-D input ${layout}, got shape ${formatSymbolicShape(shape)}`);
  }
}

/** Input layouts of the channels-last layers by number of spatial axes. */
export const LAYOUTS: Record<1 | 2 | 3, string> = {
  1: '[batch, steps, channels]',
  2: '[batch, height, width, channels]',
  3: '[batch, depth, height, width, channels]',
};

export const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Validates a number option. */
export function numberOption(owner: string, option: string, value: unknown, check: (v: number) => boolean, expected: string): number {
  if (!isFiniteNumber(value) || !check(value)) throw new Error(`${owner}: ${option} must be ${expected}, got ${JSON.stringify(value)}`);
  return value;
}

/** The seed for one call of a seeded random layer: a fresh but reproducible draw per call (as Dropout). */
export function callSeed(seed: number | undefined, call: number): number | undefined {
  return seed === undefined ? undefined : seed * 1_000_003 + call;
}
