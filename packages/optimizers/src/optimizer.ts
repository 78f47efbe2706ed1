/**
 * The base optimizer: everything Keras 3's `BaseOptimizer` owns, so each optimizer file is only its update
 * rule. `applyGradients` runs Keras' fixed pipeline:
 *   filter missing gradients -> unscale (lossScaleFactor) -> [gradient accumulation] -> clip
 *   -> weight decay -> update rule per variable -> EMA -> constraints -> iterations += 1
 * Clipping scale, weight decay and the update rule run fused in one kernel loop per variable
 * (kernels/optim.ts), so a step allocates no tensors.
 */
import { Tensor, Variable, kernels, mul, noGrad, variableGrads } from '@minikeras/tensor';
import type { BaseOptimizerConfig, LearningRate } from './options';
import { Check } from './options';
import { LearningRateSchedule } from './schedules';

/** One named piece of optimizer state (a float32 tensor; `iteration` is int32), as Keras' `optimizer.variables`. */
export interface OptimizerStateEntry {
  name: string;
  value: Tensor;
}

/** A per-variable slot the subclass asks for: zeros (or `init`) of the variable's shape, or of `shape`. */
export interface SlotSpec {
  name: string;
  shape?: readonly number[];
  init?: number;
}

/** What the update rule needs besides the arrays; `keep` and `gscale` go straight to the kernel. */
export interface StepInfo {
  /** The learning rate of this step. */
  lr: number;
  /** Keras' `iterations` before this update (0 on the first update): its `local_step` is iteration + 1. */
  iteration: number;
  /** Weight-decay factor for this variable: 1 - weightDecay * lr, or 1 (no decay). */
  keep: number;
  /** Multiplies the raw gradient (loss-scale and clip-by-norm factors). */
  gscale: number;
  variable: Variable;
}

type GradPair = readonly [Tensor | null | undefined, Variable];

interface ValidatedPairs {
  list: readonly GradPair[];
  tensors: Tensor[];
  vars: Variable[];
  idx: number[];
  grads: Float32Array[];
}

/**
 * The base of every optimizer: Keras 3's shared update pipeline (learning rate or schedule, clipnorm,
 * clipvalue, globalClipnorm, decoupled weight decay, EMA, gradient accumulation, loss scaling), slots and state.
 * A subclass supplies its slots and the update of one variable.
 */
export abstract class Optimizer {
  /** Keras' class name ('Adam'), used in serialized JSON. */
  abstract readonly className: string;
  readonly name: string;
  readonly weightDecay: number | null;
  readonly clipnorm: number | null;
  readonly globalClipnorm: number | null;
  readonly clipvalue: number | null;
  readonly useEma: boolean;
  readonly emaMomentum: number;
  readonly emaOverwriteFrequency: number | null;
  readonly lossScaleFactor: number | null;
  readonly gradientAccumulationSteps: number | null;

  private lrValue: LearningRate;
  private rawIterations = 0;
  private readonly vars: Variable[] = [];
  private readonly index = new Map<Variable, number>();
  private readonly slotArrays: Float32Array[][] = [];
  private readonly slotSpecsOf: SlotSpec[][] = [];
  private readonly averages: Float32Array[] = [];
  private readonly accumulators: Float32Array[] = [];
  private excludedVars = new Set<Variable>();
  private excludedPattern: RegExp | null = null;
  private decayMask: (boolean | undefined)[] = [];
  private readonly clipBuffers: (Float32Array | undefined)[] = [];
  private scaleBuffer = new Float64Array(0);
  private validated: ValidatedPairs | null = null;
  private stepInfo: StepInfo | null = null;

  protected constructor(className: string, config: BaseOptimizerConfig) {
    const c = new Check(className);
    this.name = c.string('name', config.name);
    this.lrValue = checkLearningRate(className, config.learningRate);
    this.weightDecay = c.nullableNonNegative('weightDecay', config.weightDecay);
    this.clipnorm = c.nullableNonNegative('clipnorm', config.clipnorm);
    this.globalClipnorm = c.nullableNonNegative('globalClipnorm', config.globalClipnorm);
    this.clipvalue = c.nullableNonNegative('clipvalue', config.clipvalue);
    const clips = [this.clipnorm, this.clipvalue, this.globalClipnorm].filter((x) => x !== null).length;
    if (clips > 1) {
      throw new Error(`${className}: only one of 'clipnorm', 'clipvalue' and 'globalClipnorm' can be set; got clipnorm=${this.clipnorm}, clipvalue=${this.clipvalue}, globalClipnorm=${this.globalClipnorm}`);
    }
    this.useEma = c.boolean('useEma', config.useEma);
    this.emaMomentum = c.number('emaMomentum', config.emaMomentum, 0, 1);
    this.emaOverwriteFrequency = c.nullableInteger('emaOverwriteFrequency', config.emaOverwriteFrequency, 1);
    this.lossScaleFactor = c.nullablePositive('lossScaleFactor', config.lossScaleFactor);
    this.gradientAccumulationSteps = c.nullableInteger('gradientAccumulationSteps', config.gradientAccumulationSteps, 2);
  }

  // ---- what a subclass provides -------------------------------------------------------------------------

  /** The slots of one variable, in the order `updateStep` receives them. */
  protected abstract slotSpecs(variable: Variable): SlotSpec[];

  /** The update rule for one variable: one fused kernel call over `p`, `g` and `slots`. */
  protected abstract updateStep(p: Float32Array, g: Float32Array, slots: Float32Array[], step: StepInfo): void;

  /** Called once per applied update, before the per-variable rule (Nadam's running product lives here). */
  protected beginStep(_lr: number, _iteration: number): void {}

  /**
   * How Keras orders this optimizer's slots in `optimizer.variables`: each group lists slot names that Keras
   * creates interleaved per variable; groups follow one another. Default: one group per slot name.
   */
  protected slotGroups(): string[][] | null {
    return null;
  }

  /** Scalar state beyond the slots (Nadam's u_product), stored as float32 after the slots. */
  protected extraState(): { name: string; get: () => number; set: (v: number) => void }[] {
    return [];
  }

  /** The constructor options of this optimizer (camelCase), so `new X(x.getConfig())` round-trips. */
  getConfig(): BaseOptimizerConfig {
    return {
      name: this.name,
      learningRate: this.lrValue,
      weightDecay: this.weightDecay,
      clipnorm: this.clipnorm,
      globalClipnorm: this.globalClipnorm,
      clipvalue: this.clipvalue,
      useEma: this.useEma,
      emaMomentum: this.emaMomentum,
      emaOverwriteFrequency: this.emaOverwriteFrequency,
      lossScaleFactor: this.lossScaleFactor,
      gradientAccumulationSteps: this.gradientAccumulationSteps,
    };
  }

  // ---- learning rate and iterations ---------------------------------------------------------------------

  /**
   * The learning rate of the next update. Reading it evaluates a schedule or function at the current step;
   * assigning a number, a schedule or a function replaces it (callbacks use this), except that a number
   * cannot replace a schedule given at construction (as in Keras).
   */
  get learningRate(): number {
    const lr = this.lrValue;
    if (typeof lr === 'number') return lr;
    if (lr instanceof LearningRateSchedule) return lr.at(this.rawIterations);
    const value = lr(this.rawIterations);
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new Error(`${this.className}: the learning-rate function returned ${String(value)} at step ${this.rawIterations}; expected a finite number`);
    }
    return value;
  }

  set learningRate(value: LearningRate) {
    if (typeof value === 'number' && this.lrValue instanceof LearningRateSchedule) {
      throw new TypeError(`${this.className}: this optimizer was created with a LearningRateSchedule, so its learning rate cannot be set to a number; assign a new schedule, or create the optimizer with a number`);
    }
    this.lrValue = checkLearningRate(this.className, value);
  }

  /**
   * Completed optimizer updates (Keras' `iterations`). With gradient accumulation it counts applied updates,
   * i.e. calls to `applyGradients` divided by `gradientAccumulationSteps`, rounded down.
   */
  get iterations(): number {
    const steps = this.gradientAccumulationSteps;
    return steps ? Math.floor(this.rawIterations / steps) : this.rawIterations;
  }

  set iterations(value: number) {
    if (!Number.isInteger(value) || value < 0) throw new Error(`${this.className}: 'iterations' must be an integer >= 0, got ${value}`);
    this.rawIterations = value * (this.gradientAccumulationSteps ?? 1);
  }

  // ---- building -----------------------------------------------------------------------------------------

  /** Creates the state of `vars` now (normally done lazily by the first `applyGradients`). Known variables are skipped. */
  build(vars: readonly Variable[]): void {
    for (const v of vars) {
      if (!(v instanceof Variable)) throw new TypeError(`${this.className}.build: expected Variables, got ${String(v)}`);
      if (this.index.has(v)) continue;
      this.index.set(v, this.vars.length);
      this.vars.push(v);
      const specs = this.slotSpecs(v);
      this.slotSpecsOf.push(specs);
      this.slotArrays.push(specs.map((s) => {
        const a = new Float32Array(sizeOf(s.shape ?? v.shape));
        if (s.init) a.fill(s.init);
        return a;
      }));
      this.averages.push(this.useEma ? new Float32Array(v.size) : EMPTY);
      this.accumulators.push(this.gradientAccumulationSteps ? new Float32Array(v.size) : EMPTY);
    }
  }

  /** The variables this optimizer holds state for, in build order. */
  get builtVariables(): readonly Variable[] {
    return this.vars;
  }

  /**
   * Excludes variables from weight decay: those in `varList`, and those whose name matches any of `varNames`
   * (regular-expression fragments searched anywhere in the name, as Keras does).
   */
  excludeFromWeightDecay({ varList, varNames }: { varList?: readonly Variable[]; varNames?: readonly string[] } = {}): void {
    this.excludedVars = new Set(varList ?? []);
    this.excludedPattern = varNames && varNames.length > 0 ? new RegExp([...new Set(varNames)].join('|')) : null;
    this.decayMask = [];
  }

  private usesWeightDecay(i: number): boolean {
    let m = this.decayMask[i];
    if (m === undefined) {
      const v = this.vars[i]!;
      m = !this.excludedVars.has(v) && !(this.excludedPattern && this.excludedPattern.test(v.name));
      this.decayMask[i] = m;
    }
    return m;
  }

  // ---- the update -----------------------------------------------------------------------------------------

  /**
   * Applies one step of gradients. Pairs whose gradient is null/undefined are skipped with a warning
   * (Keras); if every gradient is missing this throws.
   */
  applyGradients(gradsAndVars: Iterable<readonly [Tensor | null | undefined, Variable]>): void {
    const list = Array.isArray(gradsAndVars) ? (gradsAndVars as readonly GradPair[]) : [...gradsAndVars];
    if (list.length === 0) return;
    const known = this.revalidate(list);
    if (known) {
      this.applyValidated(known.grads, known.idx);
      return;
    }
    const grads: Float32Array[] = [], idx: number[] = [];
    this.validate(list, grads, idx);
    this.applyValidated(grads, idx);
  }

  /**
   * The compiled train step passes the same pair list, holding the same tensors and variables, every step: when
   * nothing in it changed since it was validated, its checks and index lookups are skipped. Only the gradient
   * arrays are re-read (`update` may swap them for clip buffers in its own list).
   */
  private revalidate(list: readonly GradPair[]): ValidatedPairs | null {
    const known = this.validated;
    if (known === null || known.list !== list || list.length !== known.vars.length) return null;
    for (let j = 0; j < list.length; j++) {
      const pair = list[j]!;
      const g = pair[0];
      if (pair[1] !== known.vars[j] || g !== known.tensors[j] || !(g!.values instanceof Float32Array) || g!.values.length !== pair[1].values.length) return null;
      known.grads[j] = g!.values;
    }
    return known;
  }

  private validate(list: readonly GradPair[], grads: Float32Array[], idx: number[]): void {
    const missing: string[] = [];
    for (const pair of list) {
      const [g, v] = pair;
      if (!(v instanceof Variable)) throw new TypeError(`${this.className}.applyGradients: expected [gradient, Variable] pairs, got ${String(v)} as a variable`);
      if (!(v.values instanceof Float32Array)) throw new Error(`${this.className}.applyGradients: variable '${v.name}' is ${v.dtype}; only float32 variables can be trained`);
      // Build before filtering, as Keras does, so that state order follows the variable list given.
      if (!this.index.has(v)) this.build([v]);
      if (g === null || g === undefined) { missing.push(v.name); continue; }
      if (!(g instanceof Tensor)) throw new TypeError(`${this.className}.applyGradients: the gradient of '${v.name}' is not a Tensor`);
      if (g.shape !== v.shape && (g.size !== v.size || !sameShape(g.shape, v.shape))) {
        throw new Error(`${this.className}.applyGradients: gradient of shape [${g.shape.join(', ')}] does not match variable '${v.name}' of shape [${v.shape.join(', ')}]`);
      }
      idx.push(this.index.get(v)!);
      grads.push(g.values instanceof Float32Array ? g.values : Float32Array.from(g.values));
    }
    if (grads.length === 0) throw new Error(`${this.className}.applyGradients: no gradients provided for any variable (${missing.join(', ')})`);
    if (missing.length > 0) {
      console.warn(`${this.className}: gradients do not exist for variables [${missing.join(', ')}] when minimizing the loss`);
      this.validated = null;
      return;
    }
    // A list with non-float32 gradients is not remembered: those are converted to float32 copies every step.
    const tensors = list.map((pair) => pair[0]!);
    const allFloat32 = tensors.every((t) => t.values instanceof Float32Array);
    this.validated = allFloat32 ? { list, tensors, vars: list.map((pair) => pair[1]), idx: idx.slice(), grads: grads.slice() } : null;
  }

  private applyValidated(grads: Float32Array[], idx: number[]): void {
    const k = kernels();
    const unscale = this.lossScaleFactor === null ? 1 : 1 / this.lossScaleFactor;
    const steps = this.gradientAccumulationSteps;
    if (steps) {
      if ((this.rawIterations + 1) % steps !== 0) {
        for (let j = 0; j < grads.length; j++) k.gradAccumulate(this.accumulators[idx[j]!]!, grads[j]!, unscale);
      } else {
        const averaged = idx.map((i, j) => {
          const acc = this.accumulators[i]!;
          k.gradAverage(acc, grads[j]!, unscale, steps);
          return acc;
        });
        this.update(averaged, idx, 1);
        for (const acc of this.accumulators) acc.fill(0);
      }
    } else {
      this.update(grads, idx, unscale);
    }

    if (this.useEma) this.updateEma();
    for (let j = 0; j < idx.length; j++) applyConstraint(this.vars[idx[j]!]!);
    this.rawIterations++;
  }

  /** Clip factors, then the fused rule per variable. `gscale` is the factor already owed to every gradient. */
  private update(grads: Float32Array[], idx: number[], gscale: number): void {
    const k = kernels();
    const lr = this.learningRate;
    const iteration = this.iterations;
    const scales = this.scaleBuffer.length >= grads.length ? this.scaleBuffer : (this.scaleBuffer = new Float64Array(grads.length));
    scales.fill(gscale, 0, grads.length);
    if (this.clipnorm !== null && this.clipnorm > 0) {
      const c = this.clipnorm;
      for (let j = 0; j < grads.length; j++) {
        const norm = Math.sqrt(k.sumSquares(grads[j]!)) * gscale;
        scales[j] = gscale * (c / Math.max(norm, c));
      }
    } else if (this.globalClipnorm !== null && this.globalClipnorm > 0) {
      let total = 0;
      for (const g of grads) total += k.sumSquares(g);
      const norm = Math.sqrt(total) * gscale;
      const c = this.globalClipnorm;
      const factor = Number.isFinite(norm) ? c * Math.min(1 / norm, 1 / c) : NaN;
      scales.fill(gscale * factor);
    } else if (this.clipvalue !== null && this.clipvalue > 0) {
      // Clipped gradients go to a per-variable scratch buffer (allocated once), so the caller's gradients stay intact.
      for (let j = 0; j < grads.length; j++) {
        const i = idx[j]!;
        const scratch = (this.clipBuffers[i] ??= new Float32Array(grads[j]!.length));
        k.gradClip(scratch, grads[j]!, gscale, this.clipvalue);
        grads[j] = scratch;
        scales[j] = 1;
      }
    }
    this.beginStep(lr, iteration);
    const wd = this.weightDecay;
    // One StepInfo per optimizer, refilled per variable: updateStep reads it synchronously and keeps nothing.
    const info = (this.stepInfo ??= { lr, iteration, keep: 1, gscale, variable: this.vars[idx[0]!]! });
    info.lr = lr;
    info.iteration = iteration;
    for (let j = 0; j < grads.length; j++) {
      const i = idx[j]!;
      const v = this.vars[i]!;
      info.keep = wd !== null && this.usesWeightDecay(i) ? 1 - wd * lr : 1;
      info.gscale = scales[j]!;
      info.variable = v;
      this.updateStep(v.values as Float32Array, grads[j]!, this.slotArrays[i]!, info);
    }
  }

  private updateEma(): void {
    const k = kernels();
    const iteration = this.iterations;
    const momentum = iteration !== 0 ? this.emaMomentum : 0;
    for (let i = 0; i < this.vars.length; i++) k.emaUpdate(this.averages[i]!, this.vars[i]!.values as Float32Array, momentum);
    const freq = this.emaOverwriteFrequency;
    if (freq && (iteration + 1) % freq === 0) this.overwriteWithAverages(this.vars);
  }

  private overwriteWithAverages(vars: readonly Variable[]): void {
    for (const v of vars) {
      const i = this.index.get(v);
      if (i === undefined) throw new Error(`${this.className}.finalizeVariableValues: variable '${v.name}' was never updated by this optimizer`);
      v.values.set(this.averages[i]!);
    }
  }

  /**
   * Computes the gradient of `lossFn` with respect to `vars` (default: every trainable variable it reads),
   * applies it, and returns the loss.
   */
  minimize(lossFn: () => Tensor, vars?: readonly Variable[]): Tensor {
    const { value, grads } = variableGrads(lossFn, vars);
    const pairs: [Tensor | null, Variable][] = vars ? vars.map((v) => [grads.get(v) ?? null, v]) : [...grads].map(([v, g]) => [g, v]);
    this.applyGradients(pairs);
    return value;
  }

  /** Multiplies the loss by `lossScaleFactor` (identity when unset); gradients are divided back in applyGradients. */
  scaleLoss(loss: Tensor): Tensor {
    return this.lossScaleFactor === null ? loss : mul(loss, this.lossScaleFactor);
  }

  /** With `useEma`, overwrites `vars` (default: all built variables) with their moving averages (end of `fit`). */
  finalizeVariableValues(vars?: readonly Variable[]): void {
    if (this.useEma) this.overwriteWithAverages(vars ?? this.vars);
  }

  // ---- state export / restore ---------------------------------------------------------------------------

  /**
   * A snapshot (copies) of all optimizer state, in Keras' `optimizer.variables` order:
   * `iteration` (int32 scalar, counts applyGradients calls), `learning_rate` (float32 scalar; only when the
   * learning rate is a number), then per variable `<var>_average` (useEma) and `<var>_gradient_accumulator`
   * (gradientAccumulationSteps), then the optimizer's slots named `<var>_<slot>` (Adam: all `_momentum`,
   * then all `_velocity`), then extra scalars (Nadam `u_product`).
   * The order depends only on the optimizer's config and the variables' build order, so a fresh optimizer built
   * on the same variables (`build(vars)`) accepts it in `setState`.
   */
  getState(): OptimizerStateEntry[] {
    return this.stateRefs().map(({ name, data, shape, int }) => ({
      name,
      value: int ? new Tensor(Int32Array.of(data[0]!), [], 'int32') : new Tensor(Float32Array.from(data), shape),
    }));
  }

  /**
   * Restores a `getState()` snapshot (matched by position; counts and shapes must agree). Build the optimizer on
   * the same variables first. The learning rate is restored from `learning_rate` unless the current one already
   * rounds to the same float32, so an unchanged float64 rate is kept exactly.
   */
  setState(entries: readonly OptimizerStateEntry[]): void {
    const refs = this.stateRefs();
    if (entries.length !== refs.length) {
      const hint = this.vars.length === 0 ? ' (the optimizer is not built yet: call build(vars) with the model\'s trainable variables first)' : '';
      throw new Error(`${this.className}.setState: expected ${refs.length} state entries [${refs.map((r) => r.name).join(', ')}], got ${entries.length}${hint}`);
    }
    refs.forEach((ref, j) => {
      const value = entries[j]!.value;
      if (!(value instanceof Tensor)) throw new TypeError(`${this.className}.setState: entry ${j} ('${ref.name}') has no Tensor value`);
      if (value.size !== ref.data.length || value.rank !== ref.shape.length || value.shape.some((d, q) => d !== ref.shape[q])) {
        throw new Error(`${this.className}.setState: entry ${j} ('${ref.name}') has shape [${value.shape.join(', ')}], expected [${ref.shape.join(', ')}]`);
      }
    });
    refs.forEach((ref, j) => ref.restore(entries[j]!.value.values));
  }

  /** Keras' `optimizer.variables` values in order (see getState). */
  getWeights(): Tensor[] {
    return this.getState().map((e) => e.value);
  }

  /** Keras' `set_weights`: restores values given in `getWeights()` order. */
  setWeights(weights: readonly Tensor[]): void {
    const names = this.stateRefs().map((r) => r.name);
    this.setState(weights.map((value, j) => ({ name: names[j] ?? `weight_${j}`, value })));
  }

  private stateRefs(): { name: string; data: ArrayLike<number>; shape: readonly number[]; int?: boolean; restore: (x: ArrayLike<number>) => void }[] {
    const refs: ReturnType<Optimizer['stateRefs']> = [];
    refs.push({ name: 'iteration', data: [this.rawIterations], shape: [], int: true, restore: (x) => { this.rawIterations = Math.round(x[0]!); } });
    if (typeof this.lrValue === 'number') {
      refs.push({
        name: 'learning_rate', data: [this.lrValue], shape: [],
        restore: (x) => { const lr = x[0]!; if (typeof this.lrValue !== 'number' || Math.fround(this.lrValue) !== lr) this.lrValue = checkLearningRate(this.className, lr); },
      });
    }
    const arrayRef = (name: string, a: Float32Array, shape: readonly number[]) => ({ name, data: a, shape, restore: (x: ArrayLike<number>) => a.set(x) });
    this.vars.forEach((v, i) => {
      const base = varKey(v);
      if (this.useEma) refs.push(arrayRef(`${base}_average`, this.averages[i]!, v.shape));
      if (this.gradientAccumulationSteps) refs.push(arrayRef(`${base}_gradient_accumulator`, this.accumulators[i]!, v.shape));
    });
    const groups = this.slotGroups() ?? uniqueSlotNames(this.slotSpecsOf).map((n) => [n]);
    for (const group of groups) {
      this.vars.forEach((v, i) => {
        for (const slotName of group) {
          const s = this.slotSpecsOf[i]!.findIndex((spec) => spec.name === slotName);
          if (s < 0) continue;
          const spec = this.slotSpecsOf[i]![s]!;
          refs.push(arrayRef(`${varKey(v)}_${slotName}`, this.slotArrays[i]![s]!, spec.shape ?? v.shape));
        }
      });
    }
    for (const e of this.extraState()) refs.push({ name: e.name, data: [e.get()], shape: [], restore: (x) => e.set(x[0]!) });
    return refs;
  }
}

const EMPTY = new Float32Array(0);

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function varKey(v: Variable): string {
  return v.name.replace(/[/:]/g, '_');
}

function uniqueSlotNames(specs: SlotSpec[][]): string[] {
  const names: string[] = [];
  for (const list of specs) for (const s of list) if (!names.includes(s.name)) names.push(s.name);
  return names;
}

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function checkLearningRate(className: string, lr: unknown): LearningRate {
  if (lr instanceof LearningRateSchedule || typeof lr === 'function') return lr as LearningRate;
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
    throw new Error(`${className}: 'learningRate' must be a finite number >= 0, a LearningRateSchedule or a function of the step, got ${typeof lr === 'string' ? `'${lr}'` : String(lr)}`);
  }
  return lr;
}

/** Keras applies `variable.constraint` after each update; layers may attach one to a Variable. */
function applyConstraint(v: Variable): void {
  const constraint = (v as Variable & { constraint?: unknown }).constraint;
  if (typeof constraint === 'function') {
    const out = noGrad(() => (constraint as (x: Tensor) => Tensor)(v));
    if (out !== v) v.assign(out);
  }
}
