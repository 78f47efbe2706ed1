/** Keras 3's `StackedRNNCells`: several cells run as one, each feeding its output to the next. */
import { formatShape } from '@minikeras/tensor';
import type { Tensor } from '@minikeras/tensor';
import { Layer, checkOptions } from '../../engine/layer';
import type { CallContext, LayerArgs, ShapeStructure, SymbolicShape } from '../../engine/layer';
import { deserializeLayer, serializeLayer } from '../../saving/keras-config';
import { isCell } from './cells';
import type { RnnCell } from './cells';

/**
 * Cells stacked into one cell (what `new RNN([cell1, cell2])` makes): at each step cell i takes cell i-1's
 * output; the states are every cell's states in order; the output is the last cell's.
 *
 * ```ts
 * const rnn = new RNN(new StackedRNNCells([new LSTMCell(16), new GRUCell(8)]));
 * ```
 */
export class StackedRNNCells extends Layer {
  static override readonly className = 'StackedRNNCells';
  static override readonly positionalArgs = ['cells'];
  readonly cells: RnnCell[];

  constructor(cells: readonly RnnCell[], args: LayerArgs = {}) {
    super(args);
    checkOptions(this.label, args, []);
    if (!Array.isArray(cells) || cells.length === 0 || !cells.every(isCell)) {
      throw new Error(`${this.label}: cells must be a non-empty list of cells (Layers with a stateSize, such as LSTMCell)`);
    }
    this.cells = [...cells];
  }

  /** Every cell's state sizes, in order. */
  get stateSize(): number[] { return this.cells.flatMap((c) => [...c.stateSize]); }
  /** The last cell's output size. */
  get outputSize(): number {
    const last = this.cells[this.cells.length - 1]!;
    return last.outputSize ?? last.stateSize[0]!;
  }

  /** Builds each cell for its step input: [batch, features], then the previous cell's output size. */
  override build(inputShape: ShapeStructure): void {
    const first = (inputShape as unknown as unknown[])[0];
    const shape = (Array.isArray(first) ? first : inputShape) as SymbolicShape;
    let step: SymbolicShape = [shape[0] ?? null, shape[shape.length - 1] ?? null];
    for (const cell of this.cells) {
      cell.ensureBuilt(step);
      step = [step[0] ?? null, cell.outputSize ?? cell.stateSize[0]!];
    }
    this.built = true;
  }

  /** One step: `[x, ...states]` -> `[output, ...newStates]`. */
  call(inputs: Tensor[], ctx: CallContext): Tensor[] {
    const sizes = this.stateSize;
    if (!Array.isArray(inputs) || inputs.length !== 1 + sizes.length) {
      throw new Error(`${this.label}: expected [input, ...${sizes.length} states], got ${Array.isArray(inputs) ? `${inputs.length} tensors` : `one tensor of shape ${formatShape((inputs as Tensor).shape)}`}`);
    }
    let x = inputs[0]!;
    let offset = 1;
    const next: Tensor[] = [];
    for (const cell of this.cells) {
      const n = cell.stateSize.length;
      const out = cell.call([x, ...inputs.slice(offset, offset + n)], ctx) as Tensor[];
      offset += n;
      x = out[0]!;
      next.push(...out.slice(1));
    }
    return [x, ...next];
  }

  override computeOutputShape(inputShape: ShapeStructure): ShapeStructure {
    const first = (inputShape as unknown as unknown[])[0];
    const batch = ((Array.isArray(first) ? first[0] : first) as number | null | undefined) ?? null;
    return [[batch, this.outputSize], ...this.stateSize.map((s) => [batch, s])] as unknown as ShapeStructure;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), cells: this.cells.map((c) => serializeLayer(c)) };
  }

  /** Rebuilds from `getConfig()` output (each cell a Keras `{ class_name, config }` or a cell). */
  static override fromConfig<T extends Layer>(this: abstract new (...args: never[]) => T, config: Record<string, unknown>): T {
    const { cells, ...rest } = config;
    if (!Array.isArray(cells)) throw new Error(`StackedRNNCells.fromConfig: the config has no list 'cells', got ${JSON.stringify(cells)?.slice(0, 100)}`);
    const list = cells.map((c, i) => {
      const layer = isCell(c) ? c : deserializeLayer(c, `StackedRNNCells.fromConfig cell ${i}`);
      if (!isCell(layer)) throw new Error(`StackedRNNCells.fromConfig: cell ${i} (${layer.label}) has no stateSize`);
      return layer;
    });
    return new StackedRNNCells(list, rest) as unknown as T;
  }
}
