/**
 * `TimeDistributed(layer)` (Keras 3 `keras/src/layers/rnn/time_distributed.py`): applies one layer, with one
 * set of weights, to every time slice `x[:, t]` of an input [batch, time, ...].
 */
import { Tensor, formatShape, reshape, stack, unstack } from '@minikeras/tensor';
import { Layer, WEIGHT_SCOPE, checkOptions, formatShapeStructure, formatSymbolicShape } from '../../engine/layer';
import type { CallContext, LayerArgs, ShapeStructure, SymbolicShape } from '../../engine/layer';
import { isShape } from '../../engine/shape';
import type { Nested } from '../../engine/structure';
import { deserializeLayer, serializeLayer } from '../../saving/keras-config';

/** Options of `new TimeDistributed(layer, args)`: only the base layer options (`name`, `trainable`, input shape). */
export type TimeDistributedArgs = LayerArgs;

/**
 * @internal Names the weights a wrapper builds for `layer` `<prefix>/<weight>`, as tfjs' name scopes do (a
 * layer built inside a wrapper's build has no scope of its own); an RNN passes the scope on to its cells. A
 * scope set before is kept; a built layer keeps its names.
 */
export function scopeWeightNames(layer: Layer, prefix: string): void {
  const scoped = layer as { [WEIGHT_SCOPE]?: string };
  if (!layer.built && scoped[WEIGHT_SCOPE] === undefined) scoped[WEIGHT_SCOPE] = prefix;
}

/**
 * True when the layer (or a layer inside it) computes across the batch or keeps state between calls, so that
 * folding time into the batch would change its numbers: BatchNormalization in training uses the statistics of
 * each time step's batch in Keras, a stateful RNN carries one state per sample.
 */
function couplesBatch(layer: Layer, training: boolean): boolean {
  if ((layer as unknown as { stateful?: unknown }).stateful === true) return true;
  if (training && layer.className === 'BatchNormalization') return true;
  return layer.sublayers.some((l) => couplesBatch(l, training));
}

/**
 * Applies `layer` to every temporal slice of an input: an input [batch, time, ...rest] gives
 * [batch, time, ...layer output without its batch axis]. The same weights serve every time step (e.g. one
 * Dense or Conv2D over each frame of a sequence). The input mask is passed on unchanged, and the wrapped
 * layer sees the mask of each slice.
 *
 * The time axis is folded into the batch ([batch * time, ...rest], one call) whenever that computes what
 * Keras' per-step loop computes; layers whose result couples the samples of a batch (BatchNormalization in
 * training, stateful RNNs) run once per time step, as in Keras.
 */
export class TimeDistributed extends Layer {
  static override readonly className = 'TimeDistributed';
  static override readonly positionalArgs = ['layer'];
  /** The wrapped layer. */
  readonly layer: Layer;

  constructor(layer: Layer, args: TimeDistributedArgs = {}) {
    super(args);
    checkOptions(this.label, args, []);
    if (!(layer instanceof Layer)) {
      throw new Error(`${this.label}: expected a Layer instance to wrap, got ${typeof layer === 'object' ? JSON.stringify(layer)?.slice(0, 100) : String(layer)}`);
    }
    this.layer = layer;
    this.supportsMasking = true;
  }

  /** The shape of one time slice: [batch, ...rest] for an input [batch, time, ...rest]. */
  private childShape(inputShape: ShapeStructure): SymbolicShape {
    if (!isShape(inputShape) || inputShape.length < 3) {
      throw new Error(`${this.label}: expects one input of rank >= 3 [batch, time, ...], got ${isShape(inputShape) ? `shape ${formatSymbolicShape(inputShape)}` : `inputs of shapes ${formatShapeStructure(inputShape)}`}`);
    }
    return [inputShape[0]!, ...inputShape.slice(2)];
  }

  override build(inputShape: ShapeStructure): void {
    const child = this.childShape(inputShape);
    if (!this.layer.built) {
      // tfjs names the wrapped layer's weights after the wrapper (`<wrapper>/kernel`).
      scopeWeightNames(this.layer, (this as { [WEIGHT_SCOPE]?: string })[WEIGHT_SCOPE] ?? this.name);
      this.layer.ensureBuilt(child);
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: ShapeStructure): ShapeStructure {
    const input = inputShape as SymbolicShape;
    const out = this.layer.computeOutputShape(this.childShape(inputShape));
    if (!isShape(out)) throw new Error(`${this.label}: the wrapped ${this.layer.label} must return one tensor, it returns a structure`);
    return [input[0]!, input[1]!, ...out.slice(1)];
  }

  call(inputs: Nested<Tensor>, ctx: CallContext): Tensor {
    if (!(inputs instanceof Tensor) || inputs.rank < 3) {
      throw new Error(`${this.label}: expects one input tensor of rank >= 3 [batch, time, ...], got ${inputs instanceof Tensor ? `shape ${formatShape(inputs.shape)}` : 'a structure of tensors'}`);
    }
    const x = inputs;
    const [batch, time] = x.shape as [number, number];
    const mask = ctx.mask instanceof Tensor ? ctx.mask : null;
    if (mask && (mask.rank < 2 || mask.shape[0] !== batch || mask.shape[1] !== time)) {
      throw new Error(`${this.label}: the mask must have shape [${batch}, ${time}, ...] like the input's first two axes, got ${formatShape(mask.shape)}`);
    }
    const one = (t: unknown): Tensor => {
      if (!(t instanceof Tensor)) throw new Error(`${this.label}: the wrapped ${this.layer.label} must return one tensor, it returned a structure`);
      return t;
    };
    if (!couplesBatch(this.layer, ctx.training)) {
      const folded = reshape(x, [batch * time, ...x.shape.slice(2)]);
      const foldedMask = mask ? reshape(mask, [batch * time, ...mask.shape.slice(2)]) : null;
      const y = one(this.layer.apply(folded, { training: ctx.training, mask: foldedMask }));
      return reshape(y, [batch, time, ...y.shape.slice(1)]);
    }
    const xs = unstack(x, 1);
    const masks = mask ? unstack(mask, 1) : null;
    return stack(xs.map((xt, t) => one(this.layer.apply(xt, { training: ctx.training, mask: masks ? masks[t]! : null }))), 1);
  }

  /** Keras' Wrapper config: the base options and the wrapped layer as Keras JSON under `layer`. */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), layer: serializeLayer(this.layer) };
  }

  /** Rebuilds the wrapper from its config; `layer` may be Keras JSON (Keras 3, tfjs, Keras 2) or a Layer. */
  static override fromConfig<T>(this: unknown, config: Record<string, unknown>): T {
    if (config === null || typeof config !== 'object' || Array.isArray(config)) {
      throw new Error(`TimeDistributed.fromConfig: expected a config object, got ${JSON.stringify(config)}`);
    }
    const { layer, ...options } = config;
    if (layer === undefined) throw new Error("TimeDistributed.fromConfig: the config has no 'layer'");
    const inner = layer instanceof Layer ? layer : deserializeLayer(layer, `TimeDistributed${typeof options.name === 'string' ? ` '${options.name}'` : ''}: its layer`);
    return new TimeDistributed(inner, options as TimeDistributedArgs) as unknown as T;
  }
}
