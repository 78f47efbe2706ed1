/**
 * Keras 3's `RNN` layer: runs a cell over the time axis of [batch, time, features]. The built-in cells run
 * the whole sequence as one fused op; any other cell (a custom one, `StackedRNNCells`) runs through a
 * per-step loop with Keras' masking rules (masked steps carry the states; their output is the previous
 * output, or zeros with `zeroOutputForMask`).
 */
import { Tensor, formatShape, noGrad, reshape, slice, stack, tensor, where, zeros } from '@minikeras/tensor';
import { LAYER_ARG_KEYS, Layer, WEIGHT_SCOPE } from '../../engine/layer';
import type { CallContext, LayerArgs, ShapeStructure, SymbolicShape } from '../../engine/layer';
import type { Nested } from '../../engine/structure';
import { deserializeLayer, serializeLayer } from '../../saving/keras-config';
import { checkLayerOptions, formatSymbolicShape } from '../layer-utils';
import { RecurrentCell, isCell } from './cells';
import type { RnnCell } from './cells';
import { StackedRNNCells } from './stacked-cells';

/** Options of `RNN` and of the recurrent layers (Keras 3's `RNN` arguments, camelCased). */
export interface RNNArgs extends LayerArgs {
  /** Return the output of every step, [batch, time, units], instead of the last, [batch, units]. Default false. */
  returnSequences?: boolean;
  /** Return `[output, ...finalStates]` instead of the output. Default false. */
  returnState?: boolean;
  /** Process the sequence backwards; the outputs come in processing order (as Keras). Default false. */
  goBackwards?: boolean;
  /** Keep the final states of a batch as the initial states of the next (needs a fixed batch size). Default false. */
  stateful?: boolean;
  /** Accepted for Keras compatibility; the result is the same either way. Default false. */
  unroll?: boolean;
  /** Output zeros at masked steps instead of the previous output. Default false (Bidirectional sets it). */
  zeroOutputForMask?: boolean;
  /** Only false: inputs are [batch, time, features]. */
  timeMajor?: false | null;
}

export const RNN_KEYS = ['returnSequences', 'returnState', 'goBackwards', 'stateful', 'unroll', 'zeroOutputForMask', 'timeMajor'];

const flag = (owner: string, option: string, value: unknown): boolean => {
  if (value == null) return false;
  if (typeof value !== 'boolean') throw new Error(`${owner}: ${option} must be a boolean, got ${JSON.stringify(value)}`);
  return value;
};

/**
 * A recurrent layer over any cell (Keras 3 `keras.layers.RNN`): `new RNN(cell)` or `new RNN([cell1, cell2])`
 * (a `StackedRNNCells`). Initial states come as extra inputs, `rnn.apply([x, h0, ...])`.
 *
 * ```ts
 * const rnn = new RNN(new LSTMCell(8), { returnSequences: true });
 * const y = rnn.apply(x); // [batch, time, 8]
 * ```
 */
export class RNN extends Layer {
  static override readonly className: string = 'RNN';
  static override readonly positionalArgs: readonly string[] = ['cell'];
  readonly cell: RnnCell;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly stateful: boolean;
  readonly unroll: boolean;
  /** Output zeros at masked steps (Keras' `zero_output_for_mask`); Bidirectional sets it to `returnSequences`. */
  zeroOutputForMask: boolean;
  /** The states carried between calls of a stateful layer (null: zeros on the next call). */
  private states: Tensor[] | null = null;
  private statefulBatch: number | null = null;

  constructor(cell: RnnCell | readonly RnnCell[], args: RNNArgs = {}, extraKeys: readonly string[] = []) {
    super(args);
    checkLayerOptions(this.label, args, [...RNN_KEYS, ...extraKeys]);
    const c = Array.isArray(cell) ? new StackedRNNCells(cell as RnnCell[]) : cell;
    if (!isCell(c)) throw new Error(`${this.label}: cell must be a Layer with a stateSize (a cell such as LSTMCell) or a list of them, got ${describe(cell)}`);
    this.cell = c;
    this.returnSequences = flag(this.label, 'returnSequences', args.returnSequences);
    this.returnState = flag(this.label, 'returnState', args.returnState);
    this.goBackwards = flag(this.label, 'goBackwards', args.goBackwards);
    this.stateful = flag(this.label, 'stateful', args.stateful);
    this.unroll = flag(this.label, 'unroll', args.unroll);
    this.zeroOutputForMask = flag(this.label, 'zeroOutputForMask', args.zeroOutputForMask);
    if (args.timeMajor) throw new Error(`${this.label}: timeMajor is not supported; inputs are [batch, time, features]`);
    this.supportsMasking = true;
    if (this.stateful && this.batchInputShape?.[0] != null) this.statefulBatch = this.batchInputShape[0];
  }

  /** The units of a built-in cell (the output size of any cell). */
  get units(): number { return this.outputSize; }
  private get outputSize(): number { return this.cell.outputSize ?? this.cell.stateSize[0]!; }

  private splitShapes(inputShape: ShapeStructure): [SymbolicShape, SymbolicShape[]] {
    if (Array.isArray(inputShape) && Array.isArray(inputShape[0])) {
      const [x, ...states] = inputShape as unknown as SymbolicShape[];
      return [x!, states];
    }
    return [inputShape as SymbolicShape, []];
  }

  private checkInputShape(shape: readonly (number | null)[]): void {
    if (shape.length !== 3) throw new Error(`${this.label} expects an input of shape [batch, timesteps, features], got ${formatSymbolicShape(shape as SymbolicShape)}`);
  }

  override build(inputShape: ShapeStructure): void {
    const [x, states] = this.splitShapes(inputShape);
    this.checkInputShape(x);
    if (states.length > 0) this.checkStateShapes(states);
    if (this.stateful && x[0] != null) this.statefulBatch ??= x[0];
    // tfjs names a recurrent layer's weights after the layer: 'rnn/kernel', stacked 'rnn/RNNCell_0/kernel' (a
    // wrapper may give the layer a scope of its own, which its cells then use).
    const scoped = (l: Layer) => l as { [WEIGHT_SCOPE]?: string };
    const base = scoped(this)[WEIGHT_SCOPE] ?? this.name;
    const scope = (cell: Layer, name: string) => { if (!cell.built && scoped(cell)[WEIGHT_SCOPE] === undefined) scoped(cell)[WEIGHT_SCOPE] = name; };
    if (this.cell instanceof StackedRNNCells) this.cell.cells.forEach((c, i) => scope(c, `${base}/RNNCell_${i}`));
    else scope(this.cell, base);
    this.cell.ensureBuilt([x[0] ?? null, x[2] ?? null]);
    this.built = true;
  }

  private checkStateShapes(shapes: readonly (readonly (number | null)[])[]): void {
    const sizes = this.cell.stateSize;
    const expected = sizes.map((s) => `[batch, ${s}]`).join(', ');
    if (shapes.length !== sizes.length) throw new Error(`${this.label}: expected ${sizes.length} initial state${sizes.length === 1 ? '' : 's'} (${expected}), got ${shapes.length}`);
    shapes.forEach((s, i) => {
      if (s.length !== 2 || (s[1] != null && s[1] !== sizes[i])) {
        throw new Error(`${this.label}: initial state ${i} must have shape [batch, ${sizes[i]}], got ${formatSymbolicShape(s as SymbolicShape)}`);
      }
    });
  }

  override computeOutputShape(inputShape: ShapeStructure): ShapeStructure {
    const [x, states] = this.splitShapes(inputShape);
    this.checkInputShape(x);
    if (states.length > 0) this.checkStateShapes(states);
    if (this.stateful && x[0] == null && this.statefulBatch === null) {
      throw new Error(`${this.label}: stateful: true needs a fixed batch size; give the input one (Input({ batchShape: [32, ...] }), or batchInputShape / batchSize on the first layer)`);
    }
    const b = x[0] ?? null;
    const out: SymbolicShape = this.returnSequences ? [b, x[1] ?? null, this.outputSize] : [b, this.outputSize];
    if (!this.returnState) return out;
    return [out, ...this.cell.stateSize.map((s) => [b, s] as SymbolicShape)] as unknown as ShapeStructure;
  }

  override computeMask(_inputs: Nested<Tensor>, mask: Nested<Tensor | null> | null): Nested<Tensor | null> | null {
    const xMask = Array.isArray(mask) ? (mask[0] as Tensor | null) ?? null : (mask as Tensor | null);
    const out = this.returnSequences ? xMask : null;
    return this.returnState ? [out, ...this.cell.stateSize.map(() => null)] : out;
  }

  call(inputs: Nested<Tensor>, ctx: CallContext): Nested<Tensor> {
    const list = Array.isArray(inputs) ? inputs as Tensor[] : [inputs as Tensor];
    const x = list[0]!;
    this.checkInputShape(x.shape);
    const batch = x.shape[0]!;
    let initial: (Tensor | null)[];
    if (list.length > 1) {
      const given = list.slice(1);
      this.checkStateShapes(given.map((s) => s.shape));
      given.forEach((s, i) => {
        if (s.shape[0] !== batch) throw new Error(`${this.label}: initial state ${i} has batch size ${s.shape[0]}, the input ${batch}`);
      });
      initial = given;
    } else if (this.stateful) {
      if (this.statefulBatch === null) this.statefulBatch = batch;
      if (batch !== this.statefulBatch) {
        throw new Error(`${this.label}: stateful: true fixes the batch size at ${this.statefulBatch}, got an input of shape ${formatShape(x.shape)}`);
      }
      initial = this.states ?? this.cell.stateSize.map(() => null);
    } else {
      initial = this.cell.stateSize.map(() => null);
    }
    const rawMask = ctx.mask == null ? null : Array.isArray(ctx.mask) ? ctx.mask[0] : ctx.mask;
    const mask = rawMask instanceof Tensor ? rawMask : null;
    if (mask && (mask.rank !== 2 || mask.shape[0] !== batch || mask.shape[1] !== x.shape[1])) {
      throw new Error(`${this.label}: the mask must have shape [batch, timesteps] = [${batch}, ${x.shape[1]}], got ${formatShape(mask.shape)}`);
    }
    for (const c of cellsOf(this.cell)) if (c instanceof RecurrentCell) c.resetDropoutMasks();
    const options = { mask, goBackwards: this.goBackwards, returnSequences: this.returnSequences, zeroOutputForMask: this.zeroOutputForMask, training: ctx.training };
    const result = this.cell instanceof RecurrentCell
      ? this.cell.runSequence(x, initial, options)
      : this.loop(x, initial.map((s, i) => s ?? zeros([batch, this.cell.stateSize[i]!])), mask, ctx.training);
    if (this.stateful) this.states = result.slice(1).map((s) => noGrad(() => tensor(s.values.slice(), s.shape)));
    return this.returnState ? result : result[0]!;
  }

  /** The per-step loop for any cell: [output, ...finalStates]. */
  private loop(x: Tensor, states: Tensor[], mask: Tensor | null, training: boolean): Tensor[] {
    const [batch, steps, features] = x.shape as [number, number, number];
    const outputs: Tensor[] = [];
    let prevOutput: Tensor | null = null;
    for (let s = 0; s < steps; s++) {
      const t = this.goBackwards ? steps - 1 - s : s;
      const xt = reshape(slice(x, [0, t, 0], [batch, 1, features]), [batch, features]);
      const result = this.cell.call([xt, ...states], { training }) as Tensor[];
      if (!Array.isArray(result) || result.length !== 1 + states.length) {
        throw new Error(`${this.label}: the cell ${this.cell.label} must return [output, ...${states.length} states], got ${Array.isArray(result) ? `${result.length} tensors` : 'one tensor'}`);
      }
      let [output, ...next] = result as [Tensor, ...Tensor[]];
      if (mask) {
        const m = reshape(slice(mask, [0, t], [batch, 1]), [batch, 1]);
        next = next.map((n, i) => where(m, n, states[i]!));
        output = where(m, output, this.zeroOutputForMask || !prevOutput ? zeros(output.shape) : prevOutput);
      }
      states = next;
      prevOutput = output;
      if (this.returnSequences) outputs.push(output);
    }
    return [this.returnSequences ? stack(outputs, 1) : prevOutput!, ...states];
  }

  /**
   * Sets the states a stateful layer starts its next call from: the given values ([batch, size] each, in
   * `cell.stateSize` order), or zeros.
   */
  resetStates(states?: Tensor | readonly Tensor[]): void {
    if (!this.stateful) throw new Error(`${this.label}: resetStates() needs stateful: true`);
    if (states === undefined) {
      this.states = null;
      return;
    }
    const list = Array.isArray(states) ? [...states] as Tensor[] : [states as Tensor];
    this.checkStateShapes(list.map((s) => s.shape));
    const batch = list[0]!.shape[0]!;
    if (list.some((s) => s.shape[0] !== batch)) throw new Error(`${this.label}: resetStates: the states have different batch sizes (${list.map((s) => formatShape(s.shape)).join(', ')})`);
    if (this.statefulBatch !== null && batch !== this.statefulBatch) throw new Error(`${this.label}: resetStates: the batch size is fixed at ${this.statefulBatch}, got states of batch ${batch}`);
    this.statefulBatch = batch;
    this.states = list.map((s) => tensor(s.values.slice(), s.shape));
  }

  /** Copies of the carried states of a stateful layer (zeros before the first call or after `resetStates()`). */
  getStates(): Tensor[] {
    if (this.states) return this.states.map((s) => tensor(s.values.slice(), s.shape));
    return this.cell.stateSize.map((s) => zeros([this.statefulBatch ?? 1, s]));
  }

  protected rnnConfig(): Record<string, unknown> {
    return {
      returnSequences: this.returnSequences, returnState: this.returnState, goBackwards: this.goBackwards,
      stateful: this.stateful, unroll: this.unroll, zeroOutputForMask: this.zeroOutputForMask,
    };
  }

  override getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { ...super.getConfig(), ...this.rnnConfig() };
    // SimpleRNN, LSTM and GRU write their cell's options flat instead (as Keras).
    if (this.constructor === RNN) config.cell = serializeLayer(this.cell);
    return config;
  }

  /** Rebuilds from `getConfig()` output: `cell` is a Keras `{ class_name, config }` (or a list, or a cell). */
  static override fromConfig<T extends Layer>(this: abstract new (...args: never[]) => T, config: Record<string, unknown>): T {
    const cls = this as unknown as typeof RNN;
    if (cls !== RNN) return super.fromConfig.call(this, config) as T;
    const { cell, ...others } = config;
    // tfjs also writes the cell's options into the RNN's own config; the cell's config is the one that counts.
    const rest = Object.fromEntries(Object.entries(others).filter(([k]) => (LAYER_ARG_KEYS as readonly string[]).includes(k) || RNN_KEYS.includes(k)));
    const read = (c: unknown, i?: number): RnnCell => {
      if (isCell(c)) return c;
      const layer = deserializeLayer(c, `RNN.fromConfig cell${i === undefined ? '' : ` ${i}`}`);
      if (!isCell(layer)) throw new Error(`RNN.fromConfig: the cell ${layer.label} has no stateSize`);
      return layer;
    };
    if (cell == null) throw new Error(`RNN.fromConfig: the config has no 'cell'`);
    return new RNN(Array.isArray(cell) ? cell.map(read) : read(cell), rest) as unknown as T;
  }
}

/** The cells an RNN runs (a StackedRNNCells' cells, or the cell). */
function cellsOf(cell: RnnCell): RnnCell[] {
  return cell instanceof StackedRNNCells ? cell.cells.flatMap(cellsOf) : [cell];
}

function describe(v: unknown): string {
  if (v instanceof Layer) return v.label;
  return typeof v === 'object' ? JSON.stringify(v)?.slice(0, 100) ?? String(v) : String(v);
}
