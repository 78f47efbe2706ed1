/**
 * The Layer base: lazy `build(inputShape)` on first call, weights registered explicitly with `addWeight`,
 * `call(x, { training })`, `computeOutputShape`, and a camelCase `getConfig()` mirroring the constructor.
 */
import { Tensor, Variable, formatShape } from '@minikeras/tensor';
import { getInitializer } from './initializers';
import type { InitializerIdentifier } from './initializers';
import { getRegularizer } from './regularizers';
import type { Regularizer, RegularizerIdentifier } from './regularizers';
import { didYouMean } from './activations';

/** A shape whose batch (or any unknown) dimension is `null`, printed by Keras as `None`. */
export type SymbolicShape = readonly (number | null)[];

export interface CallContext {
  /** True inside `fit`/`trainOnBatch`: Dropout drops, BatchNormalization uses batch statistics. */
  training: boolean;
}

/** Options every layer accepts (Keras' base-layer keyword arguments, camelCased). */
export interface LayerArgs {
  name?: string;
  trainable?: boolean;
  /** Input shape without the batch axis, e.g. `[784]`; only meaningful on a model's first layer. */
  inputShape?: readonly (number | null)[];
  /** Input shape with the batch axis, e.g. `[null, 784]`. */
  batchInputShape?: readonly (number | null)[];
  batchSize?: number;
  /** Keras 2 / tfjs shorthand for `inputShape: [inputDim]`. */
  inputDim?: number;
  dtype?: 'float32';
}

export const LAYER_ARG_KEYS = ['name', 'trainable', 'inputShape', 'batchInputShape', 'batchSize', 'inputDim', 'dtype'] as const;

const nameCounters = new Map<string, number>();

/** Keras naming: the first Dense is 'dense', then 'dense_1', 'dense_2', ... */
export function uniqueLayerName(base: string): string {
  const n = nameCounters.get(base) ?? 0;
  nameCounters.set(base, n + 1);
  return n === 0 ? base : `${base}_${n}`;
}

/** Resets automatic layer names, like `keras.backend.clear_session()`. */
export function clearSession(): void {
  nameCounters.clear();
}

/** Keras' `to_snake_case`: 'Conv2D' -> 'conv2d', 'MaxPooling2D' -> 'max_pooling2d', 'BatchNormalization' -> 'batch_normalization'. */
export function snakeCase(className: string): string {
  return className.replace(/\W+/g, '').replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

/**
 * Throws on options the layer does not know: TypeScript catches excess properties at compile time,
 * this catches them for JavaScript callers and JSON configs.
 */
export function checkOptions(owner: string, args: object, allowed: readonly string[]): void {
  const valid = [...LAYER_ARG_KEYS, ...allowed];
  for (const key of Object.keys(args)) {
    if (!valid.includes(key)) {
      throw new Error(`${owner}: unknown option '${key}'${didYouMean(key, valid)}; valid options are ${valid.join(', ')}`);
    }
  }
}

interface WeightEntry {
  variable: Variable;
  /** Whether the weight is trainable by nature (BatchNormalization's moving statistics are not). */
  trainable: boolean;
  regularizer: Regularizer | null;
}

export interface AddWeightOptions {
  initializer?: InitializerIdentifier;
  trainable?: boolean;
  regularizer?: RegularizerIdentifier | null;
}

export abstract class Layer {
  /** The Keras class name used in configs and saved models. */
  static readonly className: string = 'Layer';
  readonly name: string;
  built = false;
  /** The input shape (with batch axis) this layer was declared with, if any. */
  readonly batchInputShape: SymbolicShape | null;
  private trainableFlag: boolean;
  private readonly entries: WeightEntry[] = [];

  constructor(args: LayerArgs = {}) {
    this.name = args.name ?? uniqueLayerName(snakeCase(this.className));
    this.trainableFlag = args.trainable ?? true;
    if (args.batchInputShape) this.batchInputShape = [...args.batchInputShape];
    else if (args.inputShape) this.batchInputShape = [args.batchSize ?? null, ...args.inputShape];
    else if (args.inputDim !== undefined) this.batchInputShape = [args.batchSize ?? null, args.inputDim];
    else this.batchInputShape = null;
  }

  get className(): string {
    return (this.constructor as typeof Layer).className;
  }

  /** Setting it false freezes every weight of the layer (Keras semantics). */
  get trainable(): boolean { return this.trainableFlag; }
  set trainable(value: boolean) {
    this.trainableFlag = value;
    for (const e of this.entries) {
      e.variable.trainable = value && e.trainable;
      e.variable.requiresGrad = e.variable.trainable;
    }
  }

  /** Creates the layer's weights for an input shape; called once, before the first `call`. */
  build(_inputShape: SymbolicShape): void {
    this.built = true;
  }

  abstract call(x: Tensor, ctx: CallContext): Tensor;

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return inputShape;
  }

  /** Builds on first use, then calls the layer. */
  apply(x: Tensor, ctx: CallContext = { training: false }): Tensor {
    if (!this.built) this.ensureBuilt([null, ...x.shape.slice(1)]);
    return this.call(x, ctx);
  }

  ensureBuilt(inputShape: SymbolicShape): void {
    if (this.built) return;
    this.build(inputShape);
    this.built = true;
  }

  protected addWeight(name: string, shape: readonly number[], options: AddWeightOptions = {}): Variable {
    const initializer = getInitializer(options.initializer ?? 'glorot_uniform', `${this.className} '${this.name}'`);
    const trainable = options.trainable ?? true;
    const variable = new Variable(initializer.generate(shape), { name: `${this.name}/${name}`, trainable: trainable && this.trainableFlag });
    const regularizer = options.regularizer ? getRegularizer(options.regularizer, `${this.className} '${this.name}'`) : null;
    this.entries.push({ variable, trainable, regularizer });
    return variable;
  }

  /** Trainable weights first, then non-trainable ones, each in creation order (Keras' `layer.weights`). */
  get weights(): Variable[] {
    return [...this.trainableWeights, ...this.nonTrainableWeights];
  }
  get trainableWeights(): Variable[] {
    return this.entries.filter((e) => e.variable.trainable).map((e) => e.variable);
  }
  get nonTrainableWeights(): Variable[] {
    return this.entries.filter((e) => !e.variable.trainable).map((e) => e.variable);
  }

  /** Copies of the current weight values, in `weights` order. */
  getWeights(): Tensor[] {
    return this.weights.map((w) => new Tensor(w.values.slice(), w.shape, w.dtype));
  }

  setWeights(values: readonly Tensor[]): void {
    const ws = this.weights;
    if (values.length !== ws.length) {
      throw new Error(`${this.className} '${this.name}'.setWeights: expected ${ws.length} arrays, got ${values.length}`);
    }
    ws.forEach((w, i) => {
      const v = values[i]!;
      if (v.shape.length !== w.shape.length || v.shape.some((d, j) => d !== w.shape[j])) {
        throw new Error(`${this.className} '${this.name}'.setWeights: weight ${i} ('${w.name}') has shape ${formatShape(w.shape)}, got ${formatShape(v.shape)}`);
      }
      w.assign(v);
    });
  }

  /** Whether any weight has a regularizer (so `regularizationLosses` adds to the loss). */
  get hasRegularizers(): boolean {
    return this.entries.some((e) => e.regularizer !== null);
  }

  /** Regularization penalties of this layer's weights, to be added to the loss. */
  regularizationLosses(): Tensor[] {
    return this.entries.filter((e) => e.regularizer).map((e) => e.regularizer!.penalty(e.variable));
  }

  countParams(): number {
    return this.entries.reduce((p, e) => p + e.variable.size, 0);
  }

  /** Constructor options, camelCase, so `new Cls(...)` can be rebuilt from it. */
  getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { name: this.name, trainable: this.trainable };
    if (this.batchInputShape) config.batchInputShape = [...this.batchInputShape];
    return config;
  }

  /** A compact error prefix: `Dense 'dense_1'`. */
  protected get label(): string {
    return `${this.className} '${this.name}'`;
  }
}

export function formatSymbolicShape(shape: SymbolicShape): string {
  return `(${shape.map((d) => (d === null ? 'None' : String(d))).join(', ')}${shape.length === 1 ? ',' : ''})`;
}

/** Validates a positive integer option, naming the layer and option. */
export function positiveInt(owner: string, option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`${owner}: ${option} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}
