/**
 * The built-in recurrent cells (Keras 3 `SimpleRNNCell`, `LSTMCell`, `GRUCell`): the weights `kernel`,
 * `recurrent_kernel` and `bias` in Keras' order and shapes, a per-step `call([x, ...states])` and, for the
 * `RNN` layer, `runSequence`, the whole sequence as one fused op (`simpleRnn` / `lstm` / `gru` in
 * @minikeras/tensor). The per-step call runs the same op on one step, so both give the same numbers.
 */
import { RNN_ACTIVATIONS, dropout, expandDims, formatShape, lstm, gru, ones, simpleRnn, concat } from '@minikeras/tensor';
import type { RnnActivation, Tensor, Variable } from '@minikeras/tensor';
import { Layer, positiveInt } from '../../engine/layer';
import type { CallContext, LayerArgs, ShapeStructure, SymbolicShape } from '../../engine/layer';
import type { SeedGenerator } from '../../engine/seed-generator';
import { ACTIVATIONS, legacyHardSigmoid } from '../../activations';
import type { ActivationIdentifier } from '../../activations';
import { Initializer, getInitializer } from '../../initializers';
import type { InitializerIdentifier } from '../../initializers';
import type { RegularizerIdentifier } from '../../regularizers';
import { checkLayerOptions, formatSymbolicShape } from '../layer-utils';

/** An activation a recurrent cell accepts: one the recurrent kernels compute (see `RNN_ACTIVATIONS`). */
export type RecurrentActivationIdentifier = RnnActivation | 'hardSigmoid' | ActivationIdentifier;

/**
 * The kernels' activation for an activation option: a name of `RNN_ACTIVATIONS` (tfjs' 'hardSigmoid' too),
 * null for 'linear', or one of the activation functions by identity (the loader's tfjs hard sigmoid is
 * 'hard_sigmoid_tfjs'). Anything else is an error naming the layer and the option.
 */
export function rnnActivation(owner: string, option: string, value: unknown, fallback: RnnActivation): RnnActivation {
  if (value === undefined) return fallback;
  let name: unknown = value;
  if (value === null) name = 'linear';
  else if (value === legacyHardSigmoid) name = 'hard_sigmoid_tfjs';
  else if (typeof value === 'function') name = Object.entries(ACTIVATIONS).find(([, f]) => f === value)?.[0] ?? value.name;
  else if (value === 'hardSigmoid') name = 'hard_sigmoid';
  if (!(RNN_ACTIVATIONS as readonly unknown[]).includes(name)) {
    throw new Error(`${owner}: ${option} ${JSON.stringify(name)} is not supported by the recurrent kernels; use one of ${RNN_ACTIVATIONS.map((a) => `'${a}'`).join(', ')}`);
  }
  return name as RnnActivation;
}

/** Options of every built-in cell (Keras 3's cell arguments, camelCased). */
export interface RecurrentCellArgs extends LayerArgs {
  /** The output activation. Default 'tanh'; null means 'linear'. */
  activation?: RecurrentActivationIdentifier | null;
  /** Default true. */
  useBias?: boolean;
  /** Default 'glorot_uniform'. */
  kernelInitializer?: InitializerIdentifier;
  /** Default 'orthogonal'. */
  recurrentInitializer?: InitializerIdentifier;
  /** Default 'zeros'. */
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  recurrentRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
  /** Fraction of the input features dropped in training, one mask for all steps of a call. Default 0. */
  dropout?: number;
  /** Fraction of the recurrent state dropped in training, one mask for all steps of a call. Default 0. */
  recurrentDropout?: number;
  /** Seed of the dropout masks' generator; default: from the global seeded stream. */
  seed?: number | null;
  /** Only null (constraints are not supported). */
  kernelConstraint?: null;
  recurrentConstraint?: null;
  biasConstraint?: null;
}

/** Options of `LSTMCell` and `GRUCell`: plus the gates' activation. */
export interface GatedCellArgs extends RecurrentCellArgs {
  /** The gates' activation. Default 'sigmoid' (Keras 3); tfjs files' 'hard_sigmoid' loads as 'hard_sigmoid_tfjs'. */
  recurrentActivation?: RecurrentActivationIdentifier | null;
  /** Keras' implementation choice; every value computes the same here. */
  implementation?: number | null;
}

/** Options of `LSTMCell`. */
export interface LSTMCellArgs extends GatedCellArgs {
  /** Initialize the forget gate's bias to 1 (Keras default true). */
  unitForgetBias?: boolean | null;
}

/** Options of `GRUCell`. */
export interface GRUCellArgs extends GatedCellArgs {
  /** Apply the reset gate after the recurrent product (Keras 3 default true; tfjs supports only false). */
  resetAfter?: boolean;
}

const CELL_KEYS = ['units', 'activation', 'useBias', 'kernelInitializer', 'recurrentInitializer', 'biasInitializer', 'kernelRegularizer', 'recurrentRegularizer', 'biasRegularizer', 'dropout', 'recurrentDropout', 'seed'];
/** Keras/tfjs keys of recurrent cells and layers that must be off (null) here. */
export const RECURRENT_INACTIVE = ['kernelConstraint', 'recurrentConstraint', 'biasConstraint', 'activityRegularizer'];
/** Keras/tfjs keys accepted with any value and ignored (they choose among equivalent implementations). */
export const RECURRENT_IGNORED = ['implementation', 'useCudnn'];

/** Options passed to `runSequence` by the RNN layer. */
export interface SequenceOptions {
  mask: Tensor | null;
  goBackwards: boolean;
  returnSequences: boolean;
  zeroOutputForMask: boolean;
  training: boolean;
}

/** The bias of an LSTM with `unitForgetBias`: the bias initializer, with the forget gate's block set to ones. */
class UnitForgetBias extends Initializer {
  readonly className = 'UnitForgetBias';
  constructor(private readonly base: Initializer, private readonly units: number) { super(); }
  generate(shape: readonly number[]): Tensor {
    const u = this.units;
    return concat([this.base.generate([u]), ones([u]), this.base.generate([2 * u])], 0);
  }
}

/**
 * What the three built-in cells share (Keras 3's `DropoutRNNCell` mixin included): options, weights, and
 * dropout masks drawn once per RNN call from the cell's seed generator.
 */
export abstract class RecurrentCell extends Layer {
  readonly units: number;
  readonly activation: RnnActivation;
  readonly useBias: boolean;
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly seed: number | null;
  protected readonly args: RecurrentCellArgs;
  protected readonly seedGenerator: SeedGenerator;
  private masks: { input: Tensor | null; recurrent: Tensor | null } | null = null;
  kernel: Variable | null = null;
  recurrentKernel: Variable | null = null;
  bias: Variable | null = null;
  /** Gate blocks in the kernels (LSTM 4, GRU 3, SimpleRNN 1). */
  protected abstract readonly gates: number;

  constructor(units: number, args: RecurrentCellArgs, extraKeys: readonly string[]) {
    super(args);
    checkLayerOptions(this.label, args, [...CELL_KEYS, ...extraKeys, ...RECURRENT_IGNORED], RECURRENT_INACTIVE);
    this.units = positiveInt(this.label, 'units', units);
    this.activation = rnnActivation(this.label, 'activation', args.activation, 'tanh');
    this.useBias = args.useBias ?? true;
    this.dropout = rate(this.label, 'dropout', args.dropout);
    this.recurrentDropout = rate(this.label, 'recurrentDropout', args.recurrentDropout);
    this.seed = args.seed ?? null;
    this.args = args;
    this.seedGenerator = this.addSeedGenerator(this.seed);
  }

  /** The sizes of the states ([units]; LSTM [units, units]: h and c). */
  get stateSize(): number[] { return [this.units]; }
  /** The size of the per-step output. */
  get outputSize(): number { return this.units; }

  /** Builds for a step input shape [batch, features] (a [batch, time, features] shape is accepted too). */
  override build(inputShape: ShapeStructure): void {
    // Called on [x, ...states] (a cell applied on its own), the first shape is the input's.
    const first = (inputShape as unknown as unknown[])[0];
    const shape = (Array.isArray(first) ? first : inputShape) as SymbolicShape;
    const features = shape[shape.length - 1];
    if (features == null) throw new Error(`${this.label}: the feature dimension of the input must be known, got shape ${formatSymbolicShape(shape)}`);
    const g = this.gates * this.units;
    this.kernel = this.addWeight('kernel', [features, g], { initializer: this.args.kernelInitializer ?? 'glorot_uniform', regularizer: this.args.kernelRegularizer ?? null });
    this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, g], { initializer: this.args.recurrentInitializer ?? 'orthogonal', regularizer: this.args.recurrentRegularizer ?? null });
    if (this.useBias) this.bias = this.addWeight('bias', this.biasShape(), { initializer: this.biasInitializer(), regularizer: this.args.biasRegularizer ?? null });
    this.built = true;
  }

  protected biasShape(): number[] { return [this.gates * this.units]; }
  protected biasInitializer(): InitializerIdentifier { return this.args.biasInitializer ?? 'zeros'; }

  /** Forgets the dropout masks, so the next call (the next RNN call) draws new ones. */
  resetDropoutMasks(): void { this.masks = null; }

  /**
   * The input and recurrent dropout masks of this call (scaled by 1 / (1 - rate)), drawn on first use after a
   * reset and reused for every step, as Keras' `get_dropout_mask`; null outside training or with rate 0.
   */
  protected dropoutMasks(batch: number, features: number, training: boolean): { input: Tensor | null; recurrent: Tensor | null } {
    if (!training || (this.dropout === 0 && this.recurrentDropout === 0)) return { input: null, recurrent: null };
    const m = this.masks;
    if (m && (!m.input || m.input.shape[0] === batch) && (!m.recurrent || m.recurrent.shape[0] === batch)) return m;
    this.masks = {
      input: this.dropout > 0 ? dropout(ones([batch, features]), this.dropout, undefined, this.seedGenerator.next()) : null,
      recurrent: this.recurrentDropout > 0 ? dropout(ones([batch, this.units]), this.recurrentDropout, undefined, this.seedGenerator.next()) : null,
    };
    return this.masks;
  }

  /** Runs the fused op: the output (sequence or last step) and the final states. */
  protected abstract fused(x: Tensor, states: readonly (Tensor | null)[], options: Record<string, unknown>): Tensor[];

  /**
   * The whole sequence x [batch, time, features] from `initialStates` (null entries are zeros): returns
   * [output, ...finalStates], one autograd node for all steps.
   */
  runSequence(x: Tensor, initialStates: readonly (Tensor | null)[], o: SequenceOptions): Tensor[] {
    const m = this.dropoutMasks(x.shape[0]!, x.shape[2]!, o.training);
    return this.fused(x, initialStates, {
      mask: o.mask, goBackwards: o.goBackwards, returnSequences: o.returnSequences, zeroOutputForMask: o.zeroOutputForMask,
      activation: this.activation, inputMask: m.input, recurrentMask: m.recurrent,
    });
  }

  /** One step: `[x [batch, features], ...states]` -> `[output, ...newStates]` (the tfjs cell convention). */
  call(inputs: Tensor[], ctx: CallContext): Tensor[] {
    if (!Array.isArray(inputs) || inputs.length !== 1 + this.stateSize.length) {
      throw new Error(`${this.label}: expected [input, ${this.stateSize.map((_, i) => `state${i}`).join(', ')}], got ${Array.isArray(inputs) ? `${inputs.length} tensors` : 'one tensor'}`);
    }
    const [x, ...states] = inputs as [Tensor, ...Tensor[]];
    if (x.rank !== 2) throw new Error(`${this.label}: expected a step input of shape [batch, features], got ${formatShape(x.shape)}`);
    const out = this.runSequence(expandDims(x, 1), states, { mask: null, goBackwards: false, returnSequences: false, zeroOutputForMask: false, training: ctx.training });
    // The one-step output is the new h.
    return [out[1]!, ...out.slice(1)];
  }

  override computeOutputShape(inputShape: ShapeStructure): ShapeStructure {
    const first = (inputShape as unknown as unknown[])[0];
    const batch = ((Array.isArray(first) ? first[0] : first) as number | null | undefined) ?? null;
    return [[batch, this.outputSize], ...this.stateSize.map((s) => [batch, s])] as unknown as ShapeStructure;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation,
      useBias: this.useBias,
      kernelInitializer: this.args.kernelInitializer ?? 'glorot_uniform',
      recurrentInitializer: this.args.recurrentInitializer ?? 'orthogonal',
      biasInitializer: this.args.biasInitializer ?? 'zeros',
      kernelRegularizer: this.args.kernelRegularizer ?? null,
      recurrentRegularizer: this.args.recurrentRegularizer ?? null,
      biasRegularizer: this.args.biasRegularizer ?? null,
      kernelConstraint: null,
      recurrentConstraint: null,
      biasConstraint: null,
      dropout: this.dropout,
      recurrentDropout: this.recurrentDropout,
      seed: this.seed,
    };
  }
}

function rate(owner: string, option: string, value: unknown): number {
  if (value == null) return 0;
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) throw new Error(`${owner}: ${option} must be a number in [0, 1), got ${JSON.stringify(value)}`);
  return value;
}

/** Keras 3 `SimpleRNNCell`: h_t = activation(x_t · kernel + h_{t-1} · recurrent_kernel + bias). */
export class SimpleRNNCell extends RecurrentCell {
  static override readonly className = 'SimpleRNNCell';
  static override readonly positionalArgs = ['units'];
  protected readonly gates = 1;
  constructor(units: number, args: RecurrentCellArgs = {}) {
    super(units, args, []);
  }
  protected fused(x: Tensor, states: readonly (Tensor | null)[], options: Record<string, unknown>): Tensor[] {
    const r = simpleRnn(x, this.kernel!, this.recurrentKernel!, this.bias, { ...options, h0: states[0] ?? null });
    return [r.output, r.h];
  }
}

/**
 * Keras 3 `LSTMCell`: gates i, f, c, o from one kernel [features, 4·units]; states [h, c]. With
 * `unitForgetBias` (default) the forget gate's bias starts at 1.
 */
export class LSTMCell extends RecurrentCell {
  static override readonly className = 'LSTMCell';
  static override readonly positionalArgs = ['units'];
  protected readonly gates = 4;
  readonly recurrentActivation: RnnActivation;
  readonly unitForgetBias: boolean;
  constructor(units: number, args: LSTMCellArgs = {}) {
    super(units, args, ['recurrentActivation', 'unitForgetBias']);
    this.recurrentActivation = rnnActivation(this.label, 'recurrentActivation', args.recurrentActivation, 'sigmoid');
    this.unitForgetBias = args.unitForgetBias ?? true;
  }
  override get stateSize(): number[] { return [this.units, this.units]; }
  protected override biasInitializer(): InitializerIdentifier {
    const base = super.biasInitializer();
    return this.unitForgetBias ? new UnitForgetBias(getInitializer(base, this.label), this.units) : base;
  }
  protected fused(x: Tensor, states: readonly (Tensor | null)[], options: Record<string, unknown>): Tensor[] {
    const r = lstm(x, this.kernel!, this.recurrentKernel!, this.bias, { ...options, recurrentActivation: this.recurrentActivation, h0: states[0] ?? null, c0: states[1] ?? null });
    return [r.output, r.h, r.c];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), recurrentActivation: this.recurrentActivation, unitForgetBias: this.unitForgetBias };
  }
}

/**
 * Keras 3 `GRUCell`: gates z, r, h. `resetAfter` (Keras 3 default true) applies r after the recurrent
 * product and keeps separate input and recurrent biases, bias [2, 3·units]; false: r before, bias [3·units].
 */
export class GRUCell extends RecurrentCell {
  static override readonly className = 'GRUCell';
  static override readonly positionalArgs = ['units'];
  protected readonly gates = 3;
  readonly recurrentActivation: RnnActivation;
  readonly resetAfter: boolean;
  constructor(units: number, args: GRUCellArgs = {}) {
    super(units, args, ['recurrentActivation', 'resetAfter']);
    this.recurrentActivation = rnnActivation(this.label, 'recurrentActivation', args.recurrentActivation, 'sigmoid');
    const resetAfter = args.resetAfter ?? true;
    if (typeof resetAfter !== 'boolean') throw new Error(`${this.label}: resetAfter must be a boolean, got ${JSON.stringify(resetAfter)}`);
    this.resetAfter = resetAfter;
  }
  protected override biasShape(): number[] { return this.resetAfter ? [2, 3 * this.units] : [3 * this.units]; }
  protected fused(x: Tensor, states: readonly (Tensor | null)[], options: Record<string, unknown>): Tensor[] {
    const r = gru(x, this.kernel!, this.recurrentKernel!, this.bias, { ...options, recurrentActivation: this.recurrentActivation, resetAfter: this.resetAfter, h0: states[0] ?? null });
    return [r.output, r.h];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), recurrentActivation: this.recurrentActivation, resetAfter: this.resetAfter };
  }
}

/** True for an object that works as a cell in `RNN`: a Layer with `stateSize`. */
export function isCell(value: unknown): value is RnnCell {
  return value instanceof Layer && Array.isArray((value as { stateSize?: unknown }).stateSize);
}

/**
 * A cell for `RNN`: a Layer with `stateSize` (one size per state) whose `call([x, ...states], ctx)` returns
 * `[output, ...newStates]` for one step; `outputSize` defaults to `stateSize[0]`.
 */
export type RnnCell = Layer & { readonly stateSize: readonly number[]; readonly outputSize?: number };
