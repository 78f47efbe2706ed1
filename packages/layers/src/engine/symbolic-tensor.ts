/**
 * Symbolic tensors and nodes: what calling layers on `Input(...)` records (Keras 3's KerasTensor and
 * `ops/node.py`). A symbolic tensor has a shape (batch axis `null`), a dtype and its history: the node (one call
 * of one layer) that produced it and its position among that node's outputs. A functional model is the graph of
 * these nodes between its inputs and outputs.
 */
import { flatten } from './structure';
import type { Nested } from './structure';
import type { SymbolicShape } from './shape';

/** The layer side of a node, without importing the Layer class (the node only needs its name and nodes). */
export interface NodeOwner {
  readonly name: string;
  readonly className: string;
  readonly inboundNodes: Node[];
}

/** The dtype of a symbolic tensor (Keras 3 `KerasTensor.dtype`): `'int32'` for token ids, else `'float32'`. */
export type SymbolicDtype = 'float32' | 'int32';

/** A placeholder for a tensor in a model under construction: `Input(...)` and layer calls on it return these. */
export class SymbolicTensor {
  readonly shape: SymbolicShape;
  readonly dtype: SymbolicDtype;
  /** A readable name for messages: 'dense_1/output' or the input's name. */
  readonly name: string;
  /** The node that produced this tensor; set once, when the node is created. */
  node!: Node;
  /** Position among the node's flattened outputs. */
  tensorIndex = 0;

  constructor(shape: SymbolicShape, dtype: SymbolicDtype = 'float32', name = 'tensor') {
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.name = name;
  }

  get rank(): number { return this.shape.length; }

  /** The layer that produced this tensor (`InputLayer` for a model input). */
  get sourceLayer(): NodeOwner { return this.node.layer; }

  /** Keras' `_keras_history`: [layer, node index, tensor index]. */
  get kerasHistory(): [NodeOwner, number, number] {
    return [this.node.layer, this.node.layer.inboundNodes.indexOf(this.node), this.tensorIndex];
  }

  toString(): string {
    return `<SymbolicTensor shape=(${this.shape.map((d) => (d === null ? 'None' : d)).join(', ')}${this.shape.length === 1 ? ',' : ''}), dtype=${this.dtype}, name=${this.name}>`;
  }
}

export const isSymbolic = (v: unknown): v is SymbolicTensor => v instanceof SymbolicTensor;

/** One call of a layer on symbolic inputs. */
export class Node {
  readonly layer: NodeOwner;
  /** The inputs as the layer was called with them (a tensor, an array or a record). */
  readonly inputs: Nested<SymbolicTensor>;
  /** Non-tensor call arguments that change what the call computes (saved with the model). */
  readonly kwargs: Readonly<Record<string, unknown>>;
  readonly outputs: Nested<SymbolicTensor>;
  readonly inputTensors: readonly SymbolicTensor[];
  readonly outputTensors: readonly SymbolicTensor[];

  constructor(layer: NodeOwner, inputs: Nested<SymbolicTensor>, outputs: Nested<SymbolicTensor>, kwargs: Record<string, unknown> = {}) {
    this.layer = layer;
    this.inputs = inputs;
    this.outputs = outputs;
    this.kwargs = kwargs;
    this.inputTensors = flatten(inputs, isSymbolic);
    this.outputTensors = flatten(outputs, isSymbolic);
    this.outputTensors.forEach((t, i) => {
      t.node = this;
      t.tensorIndex = i;
    });
    layer.inboundNodes.push(this);
  }

  /** The nodes that produced this node's inputs. */
  get parentNodes(): Node[] {
    return this.inputTensors.map((t) => t.node);
  }

  /** True for the node of an InputLayer (no inputs). */
  get isInput(): boolean {
    return this.inputTensors.length === 0;
  }
}
