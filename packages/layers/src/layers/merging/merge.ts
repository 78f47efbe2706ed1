/**
 * Merge layers (Keras 3's keras/src/layers/merging): element-wise `Add`, `Subtract`, `Multiply`, `Average`,
 * `Maximum`, `Minimum` over a list of inputs, with NumPy broadcasting of the non-batch axes; inputs of lower
 * rank get size-1 axes after the batch axis, as Keras' Merge does.
 */
import { Tensor, add, div, expandDims, maximum, minimum, mul, sub } from '@minikeras/tensor';
import { Layer, checkOptions, formatShapeStructure } from '../../engine/layer';
import type { CallContext, LayerArgs, ShapeStructure, SymbolicShape } from '../../engine/layer';
import { formatSymbolicShape, isShape } from '../../engine/shape';
import type { Nested } from '../../engine/structure';

/** The shapes of a merge layer's inputs: a list of at least `min` shapes, each with a batch axis. */
export function mergeInputShapes(owner: string, inputShape: ShapeStructure, min: number, exactly?: number): SymbolicShape[] {
  if (isShape(inputShape) || !Array.isArray(inputShape) || !inputShape.every(isShape)) {
    throw new Error(`${owner} should be called on a list of inputs, got input shape ${formatShapeStructure(inputShape)}`);
  }
  const shapes = inputShape as SymbolicShape[];
  if (exactly !== undefined && shapes.length !== exactly) throw new Error(`${owner} should be called on exactly ${exactly} inputs, got ${shapes.length}`);
  if (shapes.length < min) throw new Error(`${owner} should be called on a list of at least ${min} input${min === 1 ? '' : 's'}, got ${shapes.length}`);
  if (shapes.some((s) => s.length === 0)) throw new Error(`${owner}: every input needs a batch axis, got shapes ${formatShapeStructure(shapes)}`);
  const batches = new Set(shapes.map((s) => s[0]).filter((d) => d !== null));
  if (batches.size > 1) throw new Error(`${owner}: cannot merge tensors with different batch sizes: ${shapes.map(formatSymbolicShape).join(', ')}`);
  return shapes;
}

/** Keras' `_compute_elemwise_op_output_shape`: broadcast two shapes (without batch axes) from the right. */
function broadcastPair(owner: string, a: SymbolicShape, b: SymbolicShape): SymbolicShape {
  if (a.length < b.length) return broadcastPair(owner, b, a);
  const out: (number | null)[] = [...a.slice(0, a.length - b.length)];
  const tail = a.slice(a.length - b.length);
  tail.forEach((i, k) => {
    const j = b[k]!;
    if (i === null || j === null) out.push(null);
    else if (i === 1) out.push(j);
    else if (j === 1) out.push(i);
    else if (i !== j) throw new Error(`${owner}: inputs have incompatible shapes (None, ${a.join(', ')}) and (None, ${b.join(', ')})`);
    else out.push(i);
  });
  return out;
}

/** The base of the element-wise merge layers. */
export abstract class Merge extends Layer {
  constructor(args: LayerArgs = {}) {
    super(args);
    checkOptions(this.label, args, []);
    this.supportsMasking = true;
  }

  /** Fewest inputs the layer takes (Subtract: exactly 2). */
  protected readonly minInputs: number = 1;
  protected readonly exactInputs: number | undefined = undefined;

  /** The merge of inputs already brought to one rank. */
  protected abstract merge(inputs: readonly Tensor[]): Tensor;

  override build(inputShape: ShapeStructure): void {
    this.computeOutputShape(inputShape);
    this.built = true;
  }

  override computeOutputShape(inputShape: ShapeStructure): SymbolicShape {
    const shapes = mergeInputShapes(this.label, inputShape, this.minInputs, this.exactInputs);
    let out: SymbolicShape = shapes[0]!.slice(1);
    for (const s of shapes.slice(1)) out = broadcastPair(this.label, out, s.slice(1));
    const batch = shapes.map((s) => s[0]).find((d) => d !== null) ?? null;
    return [batch, ...out];
  }

  call(inputs: Nested<Tensor>, _ctx: CallContext): Tensor {
    if (!Array.isArray(inputs) || !inputs.every((t) => t instanceof Tensor)) {
      throw new Error(`${this.label} should be called on a list of tensors`);
    }
    const list = inputs as Tensor[];
    // The real shapes, batch axis included: Keras rejects different batch sizes instead of broadcasting them.
    this.computeOutputShape(list.map((t) => [...t.shape]));
    const rank = Math.max(...list.map((t) => t.rank));
    // Keras: lower-rank inputs get size-1 axes right after the batch axis until the ranks agree.
    const same = list.map((t) => {
      let x = t;
      while (x.rank < rank) x = expandDims(x, 1);
      return x;
    });
    return this.merge(same);
  }

  /** The OR of the input masks (none when any input has none), as Keras' Merge. */
  override computeMask(_inputs: Nested<Tensor>, mask: Nested<Tensor | null> | null): Tensor | null {
    if (!Array.isArray(mask) || mask.some((m) => !(m instanceof Tensor))) return null;
    return (mask as Tensor[]).slice(1).reduce((acc, m) => maximum(acc, m), mask[0] as Tensor);
  }
}

/** Element-wise sum of the inputs. */
export class Add extends Merge {
  static override readonly className = 'Add';
  protected merge(inputs: readonly Tensor[]): Tensor {
    return inputs.slice(1).reduce((acc, x) => add(acc, x), inputs[0]!);
  }
}

/** `inputs[0] - inputs[1]`: exactly two inputs. */
export class Subtract extends Merge {
  static override readonly className = 'Subtract';
  protected override readonly minInputs = 2;
  protected override readonly exactInputs = 2;
  protected merge(inputs: readonly Tensor[]): Tensor {
    return sub(inputs[0]!, inputs[1]!);
  }
}

/** Element-wise product of the inputs. */
export class Multiply extends Merge {
  static override readonly className = 'Multiply';
  protected merge(inputs: readonly Tensor[]): Tensor {
    return inputs.slice(1).reduce((acc, x) => mul(acc, x), inputs[0]!);
  }
}

/** Element-wise mean of the inputs. */
export class Average extends Merge {
  static override readonly className = 'Average';
  protected merge(inputs: readonly Tensor[]): Tensor {
    return div(inputs.slice(1).reduce((acc, x) => add(acc, x), inputs[0]!), inputs.length);
  }
}

/** Element-wise maximum of the inputs. */
export class Maximum extends Merge {
  static override readonly className = 'Maximum';
  protected merge(inputs: readonly Tensor[]): Tensor {
    return inputs.slice(1).reduce((acc, x) => maximum(acc, x), inputs[0]!);
  }
}

/** Element-wise minimum of the inputs. */
export class Minimum extends Merge {
  static override readonly className = 'Minimum';
  protected merge(inputs: readonly Tensor[]): Tensor {
    return inputs.slice(1).reduce((acc, x) => minimum(acc, x), inputs[0]!);
  }
}


