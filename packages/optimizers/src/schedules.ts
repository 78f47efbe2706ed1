/**
 * Learning-rate schedules with Keras 3 semantics (keras/src/optimizers/schedules/learning_rate_schedule.py).
 * A schedule maps the optimizer's step (its iteration count before the update, as Keras passes it) to a
 * learning rate with `at(step)`. Schedules are stateless, so optimizer state never needs to include them.
 */

/** Keras' JSON envelope for a schedule (`serialize_keras_object`). */
export interface SerializedSchedule {
  module?: string;
  class_name: string;
  config: Record<string, unknown>;
  registered_name?: string | null;
}

/** A learning rate that changes with the optimizer step; pass one as `learningRate` to any optimizer. */
export abstract class LearningRateSchedule {
  /** The Keras class name, used in serialized JSON. */
  abstract readonly className: ScheduleClassName;
  abstract readonly name: string;
  /** The learning rate at optimizer step `step` (0 for the first update). */
  abstract at(step: number): number;
  /** The constructor options (camelCase), so `new X(x.getConfig())` round-trips. */
  abstract getConfig(): object;
}

function check(className: string, option: string, v: unknown, ok: boolean, expected: string): void {
  if (!ok) throw new Error(`${className}: '${option}' must be ${expected}, got ${typeof v === 'string' ? `'${v}'` : String(v)}`);
}
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function checkCommon(className: string, o: { initialLearningRate?: unknown; name?: unknown }, stepsKey: string, steps: unknown): void {
  check(className, 'initialLearningRate', o.initialLearningRate, isFiniteNumber(o.initialLearningRate), 'a finite number');
  check(className, stepsKey, steps, isFiniteNumber(steps) && steps > 0, 'a number > 0');
  check(className, 'name', o.name, typeof o.name === 'string', 'a string');
}

function rejectUnknown(className: string, options: object, valid: readonly string[]): void {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${className}: options must be an object`);
  for (const key of Object.keys(options)) {
    if (!valid.includes(key)) {
      throw new Error(`${className}: unknown option '${key}'; valid options are ${valid.map((k) => `'${k}'`).join(', ')}`);
    }
  }
}

/** The configuration of {@link ExponentialDecay}, as `getConfig()` returns it. */
export interface ExponentialDecayConfig {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  staircase: boolean;
  name: string;
}

/** lr = initialLearningRate * decayRate ^ (step / decaySteps), the exponent floored when `staircase`. */
export class ExponentialDecay extends LearningRateSchedule {
  readonly className = 'ExponentialDecay' as const;
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly decayRate: number;
  readonly staircase: boolean;
  readonly name: string;

  constructor(options: Pick<ExponentialDecayConfig, 'initialLearningRate' | 'decaySteps' | 'decayRate'> & Partial<ExponentialDecayConfig>) {
    super();
    rejectUnknown('ExponentialDecay', options, ['initialLearningRate', 'decaySteps', 'decayRate', 'staircase', 'name']);
    const o = { staircase: false, name: 'ExponentialDecay', ...options };
    checkCommon('ExponentialDecay', o, 'decaySteps', o.decaySteps);
    check('ExponentialDecay', 'decayRate', o.decayRate, isFiniteNumber(o.decayRate), 'a finite number');
    check('ExponentialDecay', 'staircase', o.staircase, typeof o.staircase === 'boolean', 'a boolean');
    this.initialLearningRate = o.initialLearningRate;
    this.decaySteps = o.decaySteps;
    this.decayRate = o.decayRate;
    this.staircase = o.staircase;
    this.name = o.name;
  }

  at(step: number): number {
    let p = step / this.decaySteps;
    if (this.staircase) p = Math.floor(p);
    return this.initialLearningRate * Math.pow(this.decayRate, p);
  }

  getConfig(): ExponentialDecayConfig {
    return { initialLearningRate: this.initialLearningRate, decaySteps: this.decaySteps, decayRate: this.decayRate, staircase: this.staircase, name: this.name };
  }
}

/** The configuration of {@link PiecewiseConstantDecay}, as `getConfig()` returns it. */
export interface PiecewiseConstantDecayConfig {
  boundaries: number[];
  values: number[];
  name: string;
}

/** values[0] while step <= boundaries[0], values[i] while boundaries[i-1] < step <= boundaries[i], values[last] after. */
export class PiecewiseConstantDecay extends LearningRateSchedule {
  readonly className = 'PiecewiseConstantDecay' as const;
  readonly boundaries: readonly number[];
  readonly values: readonly number[];
  readonly name: string;

  constructor(options: Pick<PiecewiseConstantDecayConfig, 'boundaries' | 'values'> & Partial<PiecewiseConstantDecayConfig>) {
    super();
    rejectUnknown('PiecewiseConstantDecay', options, ['boundaries', 'values', 'name']);
    const o = { name: 'PiecewiseConstant', ...options };
    const cls = 'PiecewiseConstantDecay';
    check(cls, 'boundaries', o.boundaries, Array.isArray(o.boundaries) && o.boundaries.length > 0 && o.boundaries.every(isFiniteNumber), 'a non-empty array of finite numbers');
    check(cls, 'values', o.values, Array.isArray(o.values) && o.values.every(isFiniteNumber), 'an array of finite numbers');
    if (o.values.length !== o.boundaries.length + 1) {
      throw new Error(`${cls}: 'values' must have one more element than 'boundaries'; got ${o.values.length} values for ${o.boundaries.length} boundaries`);
    }
    for (let i = 1; i < o.boundaries.length; i++) {
      if (!(o.boundaries[i]! > o.boundaries[i - 1]!)) throw new Error(`${cls}: 'boundaries' must be strictly increasing, got [${o.boundaries.join(', ')}]`);
    }
    check(cls, 'name', o.name, typeof o.name === 'string', 'a string');
    this.boundaries = Object.freeze([...o.boundaries]);
    this.values = Object.freeze([...o.values]);
    this.name = o.name;
  }

  at(step: number): number {
    for (let i = 0; i < this.boundaries.length; i++) if (step <= this.boundaries[i]!) return this.values[i]!;
    return this.values[this.values.length - 1]!;
  }

  getConfig(): PiecewiseConstantDecayConfig {
    return { boundaries: [...this.boundaries], values: [...this.values], name: this.name };
  }
}

/** The configuration of {@link PolynomialDecay}, as `getConfig()` returns it. */
export interface PolynomialDecayConfig {
  initialLearningRate: number;
  decaySteps: number;
  endLearningRate: number;
  power: number;
  cycle: boolean;
  name: string;
}

/**
 * lr = (initial - end) * (1 - min(step, decaySteps) / decaySteps) ^ power + end. With `cycle`, decaySteps is
 * stretched to the first multiple of itself that is >= step (1 at step 0) instead of clamping the step.
 */
export class PolynomialDecay extends LearningRateSchedule {
  readonly className = 'PolynomialDecay' as const;
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly endLearningRate: number;
  readonly power: number;
  readonly cycle: boolean;
  readonly name: string;

  constructor(options: Pick<PolynomialDecayConfig, 'initialLearningRate' | 'decaySteps'> & Partial<PolynomialDecayConfig>) {
    super();
    const cls = 'PolynomialDecay';
    rejectUnknown(cls, options, ['initialLearningRate', 'decaySteps', 'endLearningRate', 'power', 'cycle', 'name']);
    const o = { endLearningRate: 0.0001, power: 1.0, cycle: false, name: 'PolynomialDecay', ...options };
    checkCommon(cls, o, 'decaySteps', o.decaySteps);
    check(cls, 'endLearningRate', o.endLearningRate, isFiniteNumber(o.endLearningRate), 'a finite number');
    check(cls, 'power', o.power, isFiniteNumber(o.power), 'a finite number');
    check(cls, 'cycle', o.cycle, typeof o.cycle === 'boolean', 'a boolean');
    this.initialLearningRate = o.initialLearningRate;
    this.decaySteps = o.decaySteps;
    this.endLearningRate = o.endLearningRate;
    this.power = o.power;
    this.cycle = o.cycle;
    this.name = o.name;
  }

  at(step: number): number {
    let decaySteps = this.decaySteps;
    let s = step;
    if (this.cycle) decaySteps *= s === 0 ? 1 : Math.ceil(s / this.decaySteps);
    else s = Math.min(s, decaySteps);
    const p = s / decaySteps;
    return (this.initialLearningRate - this.endLearningRate) * Math.pow(1 - p, this.power) + this.endLearningRate;
  }

  getConfig(): PolynomialDecayConfig {
    return { initialLearningRate: this.initialLearningRate, decaySteps: this.decaySteps, endLearningRate: this.endLearningRate, power: this.power, cycle: this.cycle, name: this.name };
  }
}

/** The configuration of {@link InverseTimeDecay}, as `getConfig()` returns it. */
export interface InverseTimeDecayConfig {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  staircase: boolean;
  name: string;
}

/** lr = initialLearningRate / (1 + decayRate * step / decaySteps), the ratio floored when `staircase`. */
export class InverseTimeDecay extends LearningRateSchedule {
  readonly className = 'InverseTimeDecay' as const;
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly decayRate: number;
  readonly staircase: boolean;
  readonly name: string;

  constructor(options: Pick<InverseTimeDecayConfig, 'initialLearningRate' | 'decaySteps' | 'decayRate'> & Partial<InverseTimeDecayConfig>) {
    super();
    const cls = 'InverseTimeDecay';
    rejectUnknown(cls, options, ['initialLearningRate', 'decaySteps', 'decayRate', 'staircase', 'name']);
    const o = { staircase: false, name: 'InverseTimeDecay', ...options };
    checkCommon(cls, o, 'decaySteps', o.decaySteps);
    check(cls, 'decayRate', o.decayRate, isFiniteNumber(o.decayRate), 'a finite number');
    check(cls, 'staircase', o.staircase, typeof o.staircase === 'boolean', 'a boolean');
    this.initialLearningRate = o.initialLearningRate;
    this.decaySteps = o.decaySteps;
    this.decayRate = o.decayRate;
    this.staircase = o.staircase;
    this.name = o.name;
  }

  at(step: number): number {
    let p = step / this.decaySteps;
    if (this.staircase) p = Math.floor(p);
    return this.initialLearningRate / (1 + this.decayRate * p);
  }

  getConfig(): InverseTimeDecayConfig {
    return { initialLearningRate: this.initialLearningRate, decaySteps: this.decaySteps, decayRate: this.decayRate, staircase: this.staircase, name: this.name };
  }
}

/** The configuration of {@link CosineDecay}, as `getConfig()` returns it. */
export interface CosineDecayConfig {
  initialLearningRate: number;
  decaySteps: number;
  alpha: number;
  name: string;
  warmupTarget: number | null;
  warmupSteps: number;
}

/**
 * Optional linear warmup from initialLearningRate to warmupTarget over warmupSteps, then cosine decay over
 * decaySteps from the warmup target (or initialLearningRate without warmup) down to alpha times it:
 * lr = from * ((1 - alpha) * 0.5 * (1 + cos(pi * min(s, decaySteps) / decaySteps)) + alpha).
 */
export class CosineDecay extends LearningRateSchedule {
  readonly className = 'CosineDecay' as const;
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly alpha: number;
  readonly name: string;
  readonly warmupTarget: number | null;
  readonly warmupSteps: number;

  constructor(options: Pick<CosineDecayConfig, 'initialLearningRate' | 'decaySteps'> & Partial<CosineDecayConfig>) {
    super();
    const cls = 'CosineDecay';
    rejectUnknown(cls, options, ['initialLearningRate', 'decaySteps', 'alpha', 'name', 'warmupTarget', 'warmupSteps']);
    const o = { alpha: 0.0, name: 'CosineDecay', warmupTarget: null, warmupSteps: 0, ...options };
    checkCommon(cls, o, 'decaySteps', o.decaySteps);
    check(cls, 'alpha', o.alpha, isFiniteNumber(o.alpha), 'a finite number');
    check(cls, 'warmupTarget', o.warmupTarget, o.warmupTarget === null || isFiniteNumber(o.warmupTarget), 'a finite number or null');
    check(cls, 'warmupSteps', o.warmupSteps, isFiniteNumber(o.warmupSteps) && o.warmupSteps >= 0, 'a number >= 0');
    this.initialLearningRate = o.initialLearningRate;
    this.decaySteps = o.decaySteps;
    this.alpha = o.alpha;
    this.name = o.name;
    this.warmupTarget = o.warmupTarget;
    this.warmupSteps = o.warmupSteps;
  }

  private decay(step: number, from: number): number {
    const cosine = 0.5 * (1 + Math.cos(Math.PI * (step / this.decaySteps)));
    return from * ((1 - this.alpha) * cosine + this.alpha);
  }

  at(step: number): number {
    if (this.warmupTarget === null) return this.decay(Math.min(step, this.decaySteps), this.initialLearningRate);
    const s = Math.min(step, this.decaySteps + this.warmupSteps);
    if (s < this.warmupSteps) {
      return (this.warmupTarget - this.initialLearningRate) * (s / this.warmupSteps) + this.initialLearningRate;
    }
    return this.decay(s - this.warmupSteps, this.warmupTarget);
  }

  getConfig(): CosineDecayConfig {
    return { initialLearningRate: this.initialLearningRate, decaySteps: this.decaySteps, alpha: this.alpha, name: this.name, warmupTarget: this.warmupTarget, warmupSteps: this.warmupSteps };
  }
}

/** The configuration of {@link CosineDecayRestarts}, as `getConfig()` returns it. */
export interface CosineDecayRestartsConfig {
  initialLearningRate: number;
  firstDecaySteps: number;
  tMul: number;
  mMul: number;
  alpha: number;
  name: string;
}

/**
 * SGDR: cosine decay from 1 to alpha over firstDecaySteps, then warm restarts, each period tMul times longer
 * and starting mMul times lower.
 */
export class CosineDecayRestarts extends LearningRateSchedule {
  readonly className = 'CosineDecayRestarts' as const;
  readonly initialLearningRate: number;
  readonly firstDecaySteps: number;
  readonly tMul: number;
  readonly mMul: number;
  readonly alpha: number;
  readonly name: string;

  constructor(options: Pick<CosineDecayRestartsConfig, 'initialLearningRate' | 'firstDecaySteps'> & Partial<CosineDecayRestartsConfig>) {
    super();
    const cls = 'CosineDecayRestarts';
    rejectUnknown(cls, options, ['initialLearningRate', 'firstDecaySteps', 'tMul', 'mMul', 'alpha', 'name']);
    const o = { tMul: 2.0, mMul: 1.0, alpha: 0.0, name: 'SGDRDecay', ...options };
    checkCommon(cls, o, 'firstDecaySteps', o.firstDecaySteps);
    check(cls, 'tMul', o.tMul, isFiniteNumber(o.tMul) && o.tMul > 0, 'a number > 0');
    check(cls, 'mMul', o.mMul, isFiniteNumber(o.mMul), 'a finite number');
    check(cls, 'alpha', o.alpha, isFiniteNumber(o.alpha), 'a finite number');
    this.initialLearningRate = o.initialLearningRate;
    this.firstDecaySteps = o.firstDecaySteps;
    this.tMul = o.tMul;
    this.mMul = o.mMul;
    this.alpha = o.alpha;
    this.name = o.name;
  }

  at(step: number): number {
    let fraction = step / this.firstDecaySteps;
    let iRestart: number;
    if (this.tMul === 1) {
      iRestart = Math.floor(fraction);
      fraction -= iRestart;
    } else {
      // Period i lasts tMul^i (in units of firstDecaySteps); sum of the first i periods = (1 - tMul^i) / (1 - tMul).
      iRestart = Math.floor(Math.log(1 - fraction * (1 - this.tMul)) / Math.log(this.tMul));
      const sumR = (1 - Math.pow(this.tMul, iRestart)) / (1 - this.tMul);
      fraction = (fraction - sumR) / Math.pow(this.tMul, iRestart);
    }
    const cosine = 0.5 * Math.pow(this.mMul, iRestart) * (1 + Math.cos(Math.PI * fraction));
    return this.initialLearningRate * ((1 - this.alpha) * cosine + this.alpha);
  }

  getConfig(): CosineDecayRestartsConfig {
    return { initialLearningRate: this.initialLearningRate, firstDecaySteps: this.firstDecaySteps, tMul: this.tMul, mMul: this.mMul, alpha: this.alpha, name: this.name };
  }
}

/** Every schedule class by its Keras class name (used by {@link deserialize}). */
export const SCHEDULES = {
  ExponentialDecay,
  PiecewiseConstantDecay,
  PolynomialDecay,
  InverseTimeDecay,
  CosineDecay,
  CosineDecayRestarts,
} as const;

/** The Keras class names of the schedules. */
export type ScheduleClassName = keyof typeof SCHEDULES;

/** camelCase option -> Keras config key. */
const KERAS_KEYS: Record<string, string> = {
  initialLearningRate: 'initial_learning_rate',
  decaySteps: 'decay_steps',
  decayRate: 'decay_rate',
  staircase: 'staircase',
  name: 'name',
  boundaries: 'boundaries',
  values: 'values',
  endLearningRate: 'end_learning_rate',
  power: 'power',
  cycle: 'cycle',
  alpha: 'alpha',
  warmupTarget: 'warmup_target',
  warmupSteps: 'warmup_steps',
  firstDecaySteps: 'first_decay_steps',
  tMul: 't_mul',
  mMul: 'm_mul',
};
const CAMEL_KEYS: Record<string, string> = Object.fromEntries(Object.entries(KERAS_KEYS).map(([c, s]) => [s, c]));

/** Keras JSON of a schedule: `{ module, class_name, config (snake_case), registered_name }`. */
export function serialize(schedule: LearningRateSchedule): SerializedSchedule {
  if (!(schedule instanceof LearningRateSchedule)) {
    throw new TypeError('schedules.serialize: expected a LearningRateSchedule (a plain function cannot be serialized)');
  }
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schedule.getConfig())) config[KERAS_KEYS[key] ?? key] = value;
  return { module: 'keras.optimizers.schedules', class_name: schedule.className, config, registered_name: null };
}

/** Reads Keras' JSON of a schedule (its own output included); `name: null` falls back to the default name. */
export function deserialize(json: SerializedSchedule | string): LearningRateSchedule {
  const obj: unknown = typeof json === 'string' ? JSON.parse(json) : json;
  if (typeof obj !== 'object' || obj === null || typeof (obj as SerializedSchedule).class_name !== 'string') {
    throw new Error("schedules.deserialize: expected Keras JSON of the form { class_name: 'ExponentialDecay', config: {...} }");
  }
  const { class_name: className, config = {} } = obj as SerializedSchedule;
  if (!Object.hasOwn(SCHEDULES, className)) {
    throw new Error(`schedules.deserialize: unknown schedule '${className}'; valid names are ${Object.keys(SCHEDULES).map((k) => `'${k}'`).join(', ')}`);
  }
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    const camel = CAMEL_KEYS[key];
    if (camel === undefined) throw new Error(`schedules.deserialize: ${className} has no config key '${key}'`);
    if (value === null && camel !== 'warmupTarget') continue;
    options[camel] = value;
  }
  const Cls = SCHEDULES[className as ScheduleClassName] as unknown as new (o: Record<string, unknown>) => LearningRateSchedule;
  return new Cls(options);
}

/** Whether `x` is a {@link LearningRateSchedule}. */
export function isSchedule(x: unknown): x is LearningRateSchedule {
  return x instanceof LearningRateSchedule;
}
