/** `Concatenate` (Keras 3): joins a list of inputs along one axis; every other axis must agree. */
import { Tensor, concat, maximum, ones } from '@minikeras/tensor';
import { Layer, checkOptions } from '../../engine/layer';
import type { CallContext, LayerArgs, ShapeStructure, SymbolicShape } from '../../engine/layer';
import { formatSymbolicShape } from '../../engine/shape';
import type { Nested } from '../../engine/structure';
import { mergeInputShapes } from './merge';

export interface ConcatenateArgs extends LayerArgs {
  /** The axis to join along; default -1 (the features). */
  axis?: number;
}

export class Concatenate extends Layer {
  static override readonly className = 'Concatenate';
  readonly axis: number;

  constructor(args: ConcatenateArgs = {}) {
    super(args);
    checkOptions(this.label, args, ['axis']);
    const axis = args.axis ?? -1;
    if (!Number.isInteger(axis)) throw new Error(`${this.label}: axis must be an integer, got ${JSON.stringify(axis)}`);
    this.axis = axis;
    this.supportsMasking = true;
  }

  override build(inputShape: ShapeStructure): void {
    this.computeOutputShape(inputShape);
    this.built = true;
  }

  private axisFor(rank: number): number {
    const axis = this.axis < 0 ? this.axis + rank : this.axis;
    if (axis < 0 || axis >= rank) throw new Error(`${this.label}: axis ${this.axis} is out of range for inputs of rank ${rank}`);
    if (axis === 0) throw new Error(`${this.label}: cannot concatenate along the batch axis (axis 0)`);
    return axis;
  }

  override computeOutputShape(inputShape: ShapeStructure): SymbolicShape {
    const shapes = mergeInputShapes(this.label, inputShape, 1);
    const rank = shapes[0]!.length;
    if (shapes.some((s) => s.length !== rank)) {
      throw new Error(`${this.label}: inputs must have the same rank to be concatenated, got shapes ${shapes.map(formatSymbolicShape).join(', ')}`);
    }
    const axis = this.axisFor(rank);
    const out: (number | null)[] = [...shapes[0]!];
    for (const s of shapes.slice(1)) {
      for (let i = 0; i < rank; i++) {
        if (i === axis) continue;
        const a = out[i]!, b = s[i]!;
        if (a !== null && b !== null && a !== b) {
          throw new Error(`${this.label}: a Concatenate layer requires inputs with matching shapes except for the concatenation axis ${this.axis}, got shapes ${shapes.map(formatSymbolicShape).join(', ')}`);
        }
        if (a === null) out[i] = b;
      }
    }
    out[axis] = shapes.some((s) => s[axis] === null) ? null : shapes.reduce((p, s) => p + s[axis]!, 0);
    return out;
  }

  call(inputs: Nested<Tensor>, _ctx: CallContext): Tensor {
    if (!Array.isArray(inputs) || !inputs.every((t) => t instanceof Tensor)) throw new Error(`${this.label} should be called on a list of tensors`);
    const list = inputs as Tensor[];
    this.computeOutputShape(list.map((t) => [...t.shape]));
    return list.length === 1 ? list[0]! : concat(list, this.axisFor(list[0]!.rank));
  }

  /**
   * Keras 3: a missing mask counts as all-true; joined along the features the output mask is the OR of the
   * input masks (Keras 3 reduces the joined masks with `any`; Keras 2 and tfjs used `all`), along another
   * axis the masks are joined too.
   */
  override computeMask(inputs: Nested<Tensor>, mask: Nested<Tensor | null> | null): Tensor | null {
    if (!Array.isArray(mask) || mask.every((m) => !(m instanceof Tensor))) return null;
    const list = inputs as Tensor[];
    const rank = list[0]!.rank;
    const axis = this.axisFor(rank);
    const masks = list.map((x, i) => (mask[i] instanceof Tensor ? (mask[i] as Tensor) : ones(x.shape.slice(0, -1))));
    if (axis === rank - 1) return masks.slice(1).reduce((acc, m) => maximum(acc, m), masks[0]!);
    return masks.length === 1 ? masks[0]! : concat(masks, axis);
  }

  override getConfig() {
    return { ...super.getConfig(), axis: this.axis };
  }
}
