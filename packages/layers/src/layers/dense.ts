import { linear, reshape, formatShape } from '@minikeras/tensor';
import type { Tensor, Variable } from '@minikeras/tensor';
import { Layer, checkOptions, positiveInt } from '../engine/layer';
import type { CallContext, LayerArgs, SymbolicShape } from '../engine/layer';
import { activationName, getActivation } from '../activations';
import type { ActivationIdentifier } from '../activations';
import type { InitializerIdentifier } from '../initializers';
import type { RegularizerIdentifier } from '../regularizers';

export interface DenseArgs extends LayerArgs {
  activation?: ActivationIdentifier | null;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
}

const DENSE_KEYS = ['units', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'kernelRegularizer', 'biasRegularizer'];

/** `activation(x · kernel + bias)` over the last axis. */
export class Dense extends Layer {
  static override readonly className = 'Dense';
  static override readonly positionalArgs = ['units'];
  readonly units: number;
  readonly activation: ActivationIdentifier | null;
  readonly useBias: boolean;
  private readonly args: DenseArgs;
  private readonly activationFn: (x: Tensor) => Tensor;
  kernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(units: number, args: DenseArgs = {}) {
    super(args);
    // Keras 3: the mask of the input (per time step) applies to the output too.
    this.supportsMasking = true;
    checkOptions(this.label, args, DENSE_KEYS);
    this.units = positiveInt(this.label, 'units', units);
    this.activation = args.activation ?? null;
    this.activationFn = getActivation(this.activation, this.label);
    this.useBias = args.useBias ?? true;
    this.args = args;
  }

  override build(inputShape: SymbolicShape): void {
    const inputDim = inputShape[inputShape.length - 1];
    if (inputDim == null) throw new Error(`${this.label}: the last dimension of the input must be known, got shape ${formatShape(inputShape.map((d) => d ?? -1))}`);
    this.kernel = this.addWeight('kernel', [inputDim, this.units], { initializer: this.args.kernelInitializer ?? 'glorot_uniform', regularizer: this.args.kernelRegularizer ?? null });
    if (this.useBias) this.bias = this.addWeight('bias', [this.units], { initializer: this.args.biasInitializer ?? 'zeros', regularizer: this.args.biasRegularizer ?? null });
    this.built = true;
  }

  call(x: Tensor, _ctx: CallContext): Tensor {
    const kernel = this.kernel!;
    const inputDim = kernel.shape[0]!;
    if (x.shape[x.rank - 1] !== inputDim) {
      throw new Error(`${this.label} expects last dimension ${inputDim}, got ${x.shape[x.rank - 1]} (input shape ${formatShape(x.shape)})`);
    }
    const flat = x.rank === 2 ? x : reshape(x, [-1, inputDim]);
    // matmul + bias as one fused node; the activation stays its own node so that a crossentropy loss can find
    // the logits behind a final sigmoid/softmax and take its fused gradient.
    const y = this.activationFn(linear(flat, kernel, this.bias));
    return x.rank === 2 ? y : reshape(y, [...x.shape.slice(0, -1), this.units]);
  }

  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const last = inputShape[inputShape.length - 1];
    if (this.kernel && last != null && last !== this.kernel.shape[0]) {
      throw new Error(`${this.label} expects last dimension ${this.kernel.shape[0]}, got ${last} (input shape ${formatShape(inputShape.map((d) => d ?? -1))})`);
    }
    return [...inputShape.slice(0, -1), this.units];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: activationName(this.activation),
      useBias: this.useBias,
      kernelInitializer: this.args.kernelInitializer ?? 'glorot_uniform',
      biasInitializer: this.args.biasInitializer ?? 'zeros',
      kernelRegularizer: this.args.kernelRegularizer ?? null,
      biasRegularizer: this.args.biasRegularizer ?? null,
    };
  }
}
