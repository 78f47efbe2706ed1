/** Embedding (Keras 3): maps integer ids to dense vectors by row lookup. */
import { gather, notEqual } from '@minikeras/tensor';
import type { Tensor, Variable } from '@minikeras/tensor';
import { Layer, checkOptions, positiveInt } from '../engine/layer';
import type { CallContext, LayerArgs, SymbolicShape } from '../engine/layer';
import type { InitializerIdentifier } from '../initializers';
import type { RegularizerIdentifier } from '../regularizers';

export interface EmbeddingArgs extends LayerArgs {
  /** Default `'uniform'`: RandomUniform(-0.05, 0.05), as in Keras. */
  embeddingsInitializer?: InitializerIdentifier;
  embeddingsRegularizer?: RegularizerIdentifier | null;
  /**
   * Whether id 0 is padding (default false). When true the output carries a mask `ids != 0` ([batch, steps])
   * that later layers honour as in Keras: Dense, Dropout, normalization and merge layers pass it on,
   * recurrent layers skip the masked steps, GlobalAveragePooling1D averages only the kept ones, and the loss
   * and metrics of `fit`/`evaluate` count only the kept steps. The vocabulary must then keep id 0 for padding
   * (`inputDim` = vocabulary size + 1).
   */
  maskZero?: boolean;
}

const EMBEDDING_KEYS = ['inputDim', 'outputDim', 'embeddingsInitializer', 'embeddingsRegularizer', 'maskZero'];

/**
 * `embeddings[ids]`: an input of shape `[batch, ...]` holding integers in `[0, inputDim)` gives
 * `[batch, ..., outputDim]`. Float tensors are accepted when they hold whole numbers. The gradient reaches
 * only the rows that were looked up (scatter-add through `gather`).
 *
 * Divergence from Keras: Keras casts float ids to int32, silently truncating 1.5 to 1; a non-integer id here is
 * an error, since it almost always means the wrong tensor was fed in.
 *
 * ```ts
 * new Embedding(10000, 64)   // vocabulary of 10000 ids, 64-dimensional vectors
 * ```
 */
export class Embedding extends Layer {
  static override readonly className = 'Embedding';
  static override readonly positionalArgs = ['inputDim', 'outputDim'];
  readonly inputDim: number;
  readonly outputDim: number;
  readonly maskZero: boolean;
  private readonly args: EmbeddingArgs;
  embeddings: Variable | null = null;

  /**
   * `inputDim` is the vocabulary size (largest id + 1). Note the Keras meaning, not the base-layer
   * `inputDim` option (an input shape shorthand) that other layers accept.
   */
  constructor(inputDim: number, outputDim: number, args: EmbeddingArgs = {}) {
    super(withoutInputDim(args));
    checkOptions(this.label, args, EMBEDDING_KEYS);
    this.inputDim = positiveInt(this.label, 'inputDim', inputDim);
    this.outputDim = positiveInt(this.label, 'outputDim', outputDim);
    this.maskZero = args.maskZero ?? false;
    // Keras 3: an Embedding supports masking exactly when it makes a mask.
    this.supportsMasking = this.maskZero;
    this.args = args;
  }

  override build(_inputShape: SymbolicShape): void {
    this.embeddings = this.addWeight('embeddings', [this.inputDim, this.outputDim], { initializer: this.args.embeddingsInitializer ?? 'uniform', regularizer: this.args.embeddingsRegularizer ?? null });
    this.built = true;
  }

  call(x: Tensor, _ctx: CallContext): Tensor {
    const ids = x.values;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!Number.isInteger(id) || id < 0 || id >= this.inputDim) {
        throw new Error(`${this.label}: input value ${id} at flat position ${i} is not an integer id in [0, ${this.inputDim}) (inputDim ${this.inputDim})`);
      }
    }
    return gather(this.embeddings!, x, 0);
  }

  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return [...inputShape, this.outputDim];
  }

  protected override get producesMask(): boolean {
    return this.maskZero;
  }

  /** With `maskZero`, id 0 is padding: the mask is `ids != 0` (Keras). */
  override computeMask(x: Tensor): Tensor | null {
    return this.maskZero ? notEqual(x, 0) : null;
  }

  override getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = {
      ...super.getConfig(),
      inputDim: this.inputDim,
      outputDim: this.outputDim,
      embeddingsInitializer: this.args.embeddingsInitializer ?? 'uniform',
      embeddingsRegularizer: this.args.embeddingsRegularizer ?? null,
      maskZero: this.maskZero,
    };
    return config;
  }
}

/** `inputDim` in the options is the vocabulary size (kept for config round-trips), never an input shape. */
function withoutInputDim(args: EmbeddingArgs): LayerArgs {
  const { inputDim: _ignored, ...rest } = args;
  return rest;
}
