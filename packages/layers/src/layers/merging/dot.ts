/**
 * `Dot` (Keras 3): the dot product of two batched inputs along one axis of each (`batch_dot`), optionally of
 * L2-normalized samples (cosine proximity).
 */
import { Tensor, div, matmul, maximum, reshape, sqrt, square, sum, transpose } from '@minikeras/tensor';
import { Layer, checkOptions } from '../../engine/layer';
import type { CallContext, LayerArgs, ShapeStructure, SymbolicShape } from '../../engine/layer';
import { formatSymbolicShape } from '../../engine/shape';
import type { Nested } from '../../engine/structure';
import { mergeInputShapes } from './merge';

export interface DotArgs extends LayerArgs {
  /** L2-normalize each sample along its dot axis first; default false. */
  normalize?: boolean;
}

/** Keras' backend epsilon, the floor of the squared norm in `normalize`. */
const NORMALIZE_EPSILON = 1e-7;

export class Dot extends Layer {
  static override readonly className = 'Dot';
  static override readonly positionalArgs = ['axes'];
  readonly axes: number | readonly [number, number];
  readonly normalize: boolean;

  constructor(axes: number | readonly [number, number], args: DotArgs = {}) {
    super(args);
    checkOptions(this.label, args, ['axes', 'normalize']);
    const ok = Number.isInteger(axes) || (Array.isArray(axes) && axes.length === 2 && axes.every((a) => Number.isInteger(a)));
    if (!ok) throw new Error(`${this.label}: axes must be an integer or a pair of integers, got ${JSON.stringify(axes)}`);
    this.axes = Array.isArray(axes) ? [axes[0]!, axes[1]!] : axes as number;
    this.normalize = args.normalize ?? false;
    this.supportsMasking = true;
  }

  private resolvedAxes(rank1: number, rank2: number): [number, number] {
    const [a, b] = typeof this.axes === 'number' ? [this.axes, this.axes] : this.axes;
    const out: [number, number] = [a < 0 ? a + rank1 : a, b < 0 ? b + rank2 : b];
    if (out[0] <= 0 || out[0] >= rank1 || out[1] <= 0 || out[1] >= rank2) {
      throw new Error(`${this.label}: axes ${JSON.stringify(this.axes)} are out of range for inputs of rank ${rank1} and ${rank2} (axis 0, the batch, cannot be reduced)`);
    }
    return out;
  }

  override build(inputShape: ShapeStructure): void {
    this.computeOutputShape(inputShape);
    this.built = true;
  }

  override computeOutputShape(inputShape: ShapeStructure): SymbolicShape {
    const [s1, s2] = mergeInputShapes(this.label, inputShape, 2, 2) as [SymbolicShape, SymbolicShape];
    if (s1.length < 2 || s2.length < 2) throw new Error(`${this.label}: inputs need rank >= 2, got ${formatSymbolicShape(s1)} and ${formatSymbolicShape(s2)}`);
    const [a, b] = this.resolvedAxes(s1.length, s2.length);
    if (s1[a] !== null && s2[b] !== null && s1[a] !== s2[b]) {
      throw new Error(`${this.label}: incompatible input shapes: axis values ${s1[a]} (at axis ${a}) != ${s2[b]} (at axis ${b}); full input shapes ${formatSymbolicShape(s1)}, ${formatSymbolicShape(s2)}`);
    }
    const out = [...s1.filter((_, i) => i !== a), ...s2.filter((_, i) => i !== b && i !== 0)];
    return out.length === 1 ? [...out, 1] : out;
  }

  call(inputs: Nested<Tensor>, _ctx: CallContext): Tensor {
    if (!Array.isArray(inputs) || inputs.length !== 2 || !inputs.every((t) => t instanceof Tensor)) {
      throw new Error(`${this.label} should be called on a list of exactly 2 tensors`);
    }
    let [x, y] = inputs as [Tensor, Tensor];
    this.computeOutputShape([[...x.shape], [...y.shape]]);
    const [a, b] = this.resolvedAxes(x.rank, y.rank);
    if (this.normalize) {
      x = div(x, sqrt(maximum(sum(square(x), a, true), NORMALIZE_EPSILON)));
      y = div(y, sqrt(maximum(sum(square(y), b, true), NORMALIZE_EPSILON)));
    }
    return batchDot(x, y, a, b);
  }

  /** Keras: Dot outputs no mask. */
  override computeMask(): null {
    return null;
  }

  override getConfig() {
    return { ...super.getConfig(), axes: typeof this.axes === 'number' ? this.axes : [...this.axes], normalize: this.normalize };
  }
}

/**
 * Keras' `batch_dot(x, y, axes)`: per sample, the tensor product of x and y contracted over x's axis `a` and
 * y's axis `b`. Output: x's axes (less `a`), then y's (less the batch and `b`); rank 1 becomes (batch, 1).
 */
function batchDot(x: Tensor, y: Tensor, a: number, b: number): Tensor {
  const xRank = x.rank, yRank = y.rank;
  // Move the contracted axis of x last and of y to axis 1, then flatten the rest to one matmul per sample.
  const xPerm = [...Array.from({ length: xRank }, (_, i) => i).filter((i) => i !== a), a];
  const yPerm = [0, b, ...Array.from({ length: yRank }, (_, i) => i).filter((i) => i !== 0 && i !== b)];
  const xt = transpose(x, xPerm), yt = transpose(y, yPerm);
  const batch = x.shape[0]!, k = x.shape[a]!;
  const xMid = xt.shape.slice(1, -1), yTail = yt.shape.slice(2);
  const m = xMid.reduce((p, d) => p * d, 1), n = yTail.reduce((p, d) => p * d, 1);
  const out = matmul(reshape(xt, [batch, m, k]), reshape(yt, [batch, k, n]));
  const shape = [batch, ...xMid, ...yTail];
  return shape.length === 1 ? reshape(out, [batch, 1]) : reshape(out, shape);
}

