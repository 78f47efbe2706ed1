/** Small shape and activation layers: InputLayer, Activation, Dropout, Flatten, Reshape. */
import { dropout, reshape, formatShape } from '@minikeras/tensor';
import type { Tensor } from '@minikeras/tensor';
import { Layer, checkOptions } from '../engine/layer';
import type { CallContext, LayerArgs, SymbolicShape } from '../engine/layer';
import { Node, SymbolicTensor } from '../engine/symbolic-tensor';
import type { SymbolicDtype } from '../engine/symbolic-tensor';
import type { SeedGenerator } from '../engine/seed-generator';
import { activationName, getActivation } from '../activations';
import type { ActivationIdentifier } from '../activations';

/** Options of {@link InputLayer} (Keras 3 `keras.layers.InputLayer`'s arguments). */
export interface InputLayerArgs extends Omit<LayerArgs, 'dtype'> {
  /** The shape of one sample, without the batch axis: `[784]`. */
  shape?: readonly (number | null)[];
  /** 'int32' for token ids (an Embedding's input); everything else computes in float32. */
  dtype?: SymbolicDtype;
}

/**
 * A model's input: holds the symbolic tensor `Input(...)` returns, and passes values through unchanged.
 * Functional models list it among their layers; `Sequential.layers` leaves it out (Keras 3).
 */
export class InputLayer extends Layer {
  static override readonly className = 'InputLayer';
  readonly dtype: SymbolicDtype;
  constructor(args: InputLayerArgs = {}) {
    const { shape, dtype, ...rest } = args;
    super(shape ? { ...rest, inputShape: shape } : rest);
    checkOptions(this.label, args, ['shape']);
    if (!this.batchInputShape) throw new Error(`${this.label}: an input shape is required ({ shape: [784] })`);
    if (dtype !== undefined && dtype !== 'float32' && dtype !== 'int32') throw new Error(`${this.label}: dtype must be 'float32' or 'int32', got ${JSON.stringify(dtype)}`);
    this.dtype = dtype ?? 'float32';
    this.built = true;
    new Node(this, [], new SymbolicTensor(this.batchInputShape, this.dtype, this.name));
  }
  call(x: Tensor): Tensor { return x; }
  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape { return inputShape; }
  override getConfig() {
    const { trainable: _t, ...config } = super.getConfig();
    return this.dtype === 'int32' ? { ...config, dtype: this.dtype } : config;
  }
}

/** Options of `Input(...)` (Keras 3's `keras.Input`). */
export interface InputOptions {
  /** The shape of one sample, without the batch axis: `[784]`, `[28, 28, 1]`, `[null]` for any length. */
  shape: readonly (number | null)[];
  /** Fixed batch size. Default none (any batch size). */
  batchSize?: number;
  /** Name of the input layer. Default `input_layer`, made unique. */
  name?: string;
  /** `'int32'` for token ids (an Embedding's input). Default `'float32'`. */
  dtype?: SymbolicDtype;
}

/**
 * Keras 3's `keras.Input(shape)`: a symbolic tensor to call layers on (the functional API), or the first
 * entry of a Sequential model.
 */
export function Input(options: InputOptions): SymbolicTensor {
  if (options === null || typeof options !== 'object' || !Array.isArray(options.shape)) {
    throw new Error(`Input: expected { shape: [...] } (the shape of one sample, without the batch axis), got ${JSON.stringify(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!['shape', 'batchSize', 'name', 'dtype'].includes(key)) throw new Error(`Input: unknown option '${key}'; valid options are shape, batchSize, name, dtype`);
  }
  const layer = new InputLayer(options);
  return layer.output as SymbolicTensor;
}

export interface ActivationArgs extends LayerArgs {}

/** Applies an activation function element-wise (Keras 3 `keras.layers.Activation`): `new Activation('relu')`. */
export class Activation extends Layer {
  static override readonly className = 'Activation';
  static override readonly positionalArgs = ['activation'];
  readonly activation: ActivationIdentifier;
  private readonly fn: (x: Tensor) => Tensor;
  constructor(activation: ActivationIdentifier, args: ActivationArgs = {}) {
    super(args);
    checkOptions(this.label, args, ['activation']);
    this.activation = activation;
    this.fn = getActivation(activation, this.label);
    this.supportsMasking = true;
  }
  call(x: Tensor): Tensor { return this.fn(x); }
  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape { return inputShape; }
  override getConfig() { return { ...super.getConfig(), activation: activationName(this.activation) }; }
}

export interface DropoutArgs extends LayerArgs {
  noiseShape?: readonly (number | null)[];
  seed?: number;
}

/** Inverted dropout during training; the identity at inference. */
export class Dropout extends Layer {
  static override readonly className = 'Dropout';
  static override readonly positionalArgs = ['rate'];
  readonly rate: number;
  readonly noiseShape: readonly (number | null)[] | undefined;
  readonly seed: number | undefined;
  private readonly seedGenerator: SeedGenerator;
  constructor(rate: number, args: DropoutArgs = {}) {
    super(args);
    checkOptions(this.label, args, ['rate', 'noiseShape', 'seed']);
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new Error(`${this.label}: rate must be a number in [0, 1), got ${JSON.stringify(rate)}`);
    this.rate = rate;
    this.noiseShape = args.noiseShape ?? undefined;
    // A JSON config carries `null` for "unset"; keep it unseeded rather than seed 0.
    this.seed = args.seed ?? undefined;
    this.seedGenerator = this.addSeedGenerator(this.seed);
    this.supportsMasking = true;
  }
  call(x: Tensor, ctx: CallContext): Tensor {
    if (!ctx.training || this.rate === 0) return x;
    const noiseShape = this.noiseShape?.map((d, i) => d ?? x.shape[i]!);
    // Each call draws a fresh mask from the layer's own generator, whose state is saved with the model.
    return dropout(x, this.rate, noiseShape, this.seedGenerator.next());
  }
  override getConfig() {
    return { ...super.getConfig(), rate: this.rate, noiseShape: this.noiseShape ?? null, seed: this.seed ?? null };
  }
  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape { return inputShape; }
}

/** Flattens every axis but the batch axis. */
export class Flatten extends Layer {
  static override readonly className = 'Flatten';
  constructor(args: LayerArgs = {}) {
    super(args);
    checkOptions(this.label, args, ['dataFormat']);
  }
  call(x: Tensor): Tensor {
    return reshape(x, [x.shape[0]!, x.size / Math.max(1, x.shape[0]!) || 0]);
  }
  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const rest = inputShape.slice(1);
    return [inputShape[0] ?? null, rest.some((d) => d === null) ? null : rest.reduce<number>((p, d) => p * d!, 1)];
  }
}


/** Reshapes every axis but the batch axis to `targetShape` (one entry may be -1). */
export class Reshape extends Layer {
  static override readonly className = 'Reshape';
  static override readonly positionalArgs = ['targetShape'];
  readonly targetShape: readonly number[];
  constructor(targetShape: readonly (number | null)[], args: LayerArgs = {}) {
    super(args);
    checkOptions(this.label, args, ['targetShape']);
    // tfjs writes the inferred axis (-1) as null in saved configs.
    if (Array.isArray(targetShape)) targetShape = targetShape.map((d) => (d === null ? -1 : d));
    if (!Array.isArray(targetShape) || targetShape.filter((d) => d === -1).length > 1 || targetShape.some((d) => !Number.isInteger(d) || (d < 1 && d !== -1))) {
      throw new Error(`${this.label}: targetShape must be positive integers with at most one -1, got ${JSON.stringify(targetShape)}`);
    }
    this.targetShape = [...targetShape];
  }
  call(x: Tensor): Tensor {
    const perSample = x.size / Math.max(1, x.shape[0]!);
    const known = this.targetShape.reduce((p, d) => (d === -1 ? p : p * d), 1);
    if (perSample % known !== 0 || (!this.targetShape.includes(-1) && known !== perSample)) {
      throw new Error(`${this.label}: cannot reshape input of shape ${formatShape(x.shape)} to [batch, ${this.targetShape.join(', ')}]`);
    }
    return reshape(x, [x.shape[0]!, ...this.targetShape]);
  }
  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const rest = inputShape.slice(1);
    if (!this.targetShape.includes(-1)) return [inputShape[0] ?? null, ...this.targetShape];
    if (rest.some((d) => d === null)) return [inputShape[0] ?? null, ...this.targetShape.map((d) => (d === -1 ? null : d))];
    const total = rest.reduce<number>((p, d) => p * d!, 1);
    const known = this.targetShape.reduce((p, d) => (d === -1 ? p : p * d), 1);
    return [inputShape[0] ?? null, ...this.targetShape.map((d) => (d === -1 ? total / known : d))];
  }
  override getConfig() { return { ...super.getConfig(), targetShape: [...this.targetShape] }; }
}
