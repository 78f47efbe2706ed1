/**
 * Option handling shared by every optimizer: the common Keras options, the legacy `lr` alias, runtime
 * rejection of unknown options (for untyped JS callers and JSON), and value validation.
 */
import type { LearningRateSchedule } from './schedules';

/** A constant, a schedule, or a plain function of the optimizer step (Keras' "callable"). */
export type LearningRate = number | LearningRateSchedule | ((step: number) => number);

/** The options every Keras 3 optimizer takes (`base_optimizer.py`), camelCased. `null` means "off", as Keras' None. */
export type BaseOptimizerConfig = {
  name: string;
  learningRate: LearningRate;
  /** Decoupled weight decay, applied as `w -= w * weightDecay * lr` before the update. */
  weightDecay: number | null;
  /** Clips each gradient to this L2 norm. At most one of clipnorm, clipvalue and globalClipnorm. */
  clipnorm: number | null;
  /** Clips all gradients together to this global L2 norm. */
  globalClipnorm: number | null;
  /** Clips each gradient element to [-clipvalue, clipvalue]. */
  clipvalue: number | null;
  /** Keeps an exponential moving average of the weights. */
  useEma: boolean;
  emaMomentum: number;
  /** Every this many steps the weights are overwritten by their moving average; null: only in finalizeVariableValues. */
  emaOverwriteFrequency: number | null;
  /** Gradients are divided by this (the loss is multiplied by it in `scaleLoss`). */
  lossScaleFactor: number | null;
  /** Apply the mean gradient once every this many calls (>= 2); the calls in between only accumulate. */
  gradientAccumulationSteps: number | null;
};

/** Constructor options: any subset of the config, plus the legacy alias `lr` for `learningRate`. */
export type OptimizerOptions<C extends BaseOptimizerConfig> = Partial<C> & {
  /** Legacy alias of `learningRate` (Keras 2 and the seed document use it). Give one, not both. */
  lr?: LearningRate;
};

export const BASE_DEFAULTS: Omit<BaseOptimizerConfig, 'name' | 'learningRate'> = {
  weightDecay: null,
  clipnorm: null,
  globalClipnorm: null,
  clipvalue: null,
  useEma: false,
  emaMomentum: 0.99,
  emaOverwriteFrequency: null,
  lossScaleFactor: null,
  gradientAccumulationSteps: null,
};

/**
 * Merges `options` over `defaults` after checking that every key is a known option. `lr` is folded into
 * `learningRate`. Returns a complete config.
 */
export function resolveOptions<C extends BaseOptimizerConfig>(className: string, defaults: C, options: unknown): C {
  if (options === undefined || options === null) return { ...defaults };
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${className}: options must be an object, got ${describe(options)}`);
  }
  const valid = Object.keys(defaults);
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (key === 'lr' || valid.includes(key)) continue;
    throw new Error(`${className}: unknown option '${key}'; valid options are ${[...valid, 'lr'].map((k) => `'${k}'`).join(', ')}`);
  }
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, value] of Object.entries(given)) if (value !== undefined && key !== 'lr') out[key] = value;
  if (given.lr !== undefined) {
    if (given.learningRate !== undefined) {
      throw new Error(`${className}: give either 'learningRate' or its legacy alias 'lr', not both`);
    }
    out.learningRate = given.lr;
  }
  return out as C;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return 'an array';
  return String(v);
}

/** Validation helpers: each throws `Class: 'option' must be ..., got X`. */
export class Check {
  constructor(private readonly className: string) {}

  fail(option: string, expected: string, value: unknown): never {
    throw new Error(`${this.className}: '${option}' must be ${expected}, got ${describe(value)}`);
  }

  number(option: string, v: unknown, lo: number, hi: number, { loOpen = false, hiOpen = false } = {}): number {
    const range = `${loOpen ? '(' : '['}${lo}, ${hi}${hiOpen ? ')' : ']'}`;
    const expected = hi === Infinity && lo === 0 ? (loOpen ? 'a positive finite number' : 'a finite number >= 0') : `a finite number in ${range}`;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(option, expected, v);
    if (v < lo || v > hi || (loOpen && v === lo) || (hiOpen && v === hi)) this.fail(option, expected, v);
    return v;
  }

  finite(option: string, v: unknown): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(option, 'a finite number', v);
    return v;
  }

  positive(option: string, v: unknown): number {
    return this.number(option, v, 0, Infinity, { loOpen: true });
  }

  nonNegative(option: string, v: unknown): number {
    return this.number(option, v, 0, Infinity);
  }

  nullableNonNegative(option: string, v: unknown): number | null {
    return v === null ? null : this.number(option, v, 0, Infinity);
  }

  nullablePositive(option: string, v: unknown): number | null {
    return v === null ? null : this.positive(option, v);
  }

  integer(option: string, v: unknown, min: number): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) this.fail(option, `an integer >= ${min}`, v);
    return v;
  }

  nullableInteger(option: string, v: unknown, min: number): number | null {
    return v === null ? null : this.integer(option, v, min);
  }

  boolean(option: string, v: unknown): boolean {
    if (typeof v !== 'boolean') this.fail(option, 'a boolean', v);
    return v;
  }

  string(option: string, v: unknown): string {
    if (typeof v !== 'string' || v.length === 0) this.fail(option, 'a non-empty string', v);
    return v;
  }
}
