/**
 * Define-by-run reverse-mode autodiff. While recording is on, every differentiable op whose inputs need a
 * gradient attaches a `GradNode` to its output: the inputs and a closure that maps the output's gradient to
 * the inputs' gradients. `backprop` walks that graph in reverse topological order (an iterative DFS, so deep
 * graphs cannot overflow the stack) and sums gradients where a tensor feeds several ops.
 *
 * There is no global tape to clear: the graph lives exactly as long as the tensors that reference it.
 */
import { Tensor, Variable, opResult } from './tensor';
import type { TensorLike } from './tensor';
import { formatShape, shapesEqual } from './shape';
import { kernels } from './kernels';
import { allocFloat32 } from './alloc';

/**
 * The record of the op that produced a tensor while gradients were being recorded: its name, its inputs,
 * and the function that maps the output's gradient to the inputs' gradients.
 */
export interface GradNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  /** dL/dy -> dL/dx per input (null where no gradient flows). Runs with recording off. */
  readonly backward: (dy: Tensor) => readonly (Tensor | null)[];
}

let recording = true;

/** Whether ops are recording a gradient graph right now (false inside {@link noGrad}). */
export function isRecording(): boolean {
  return recording;
}

/** Runs `fn` without building a gradient graph (inference, optimizer updates, metrics). Synchronous only. */
export function noGrad<T>(fn: () => T): T {
  const previous = recording;
  recording = false;
  try {
    return fn();
  } finally {
    recording = previous;
  }
}

function withRecording<T>(fn: () => T): T {
  const previous = recording;
  recording = true;
  try {
    return fn();
  } finally {
    recording = previous;
  }
}

/** Attaches the backward closure to `out` when recording and some input needs a gradient. Ops call this last. */
export function record(out: Tensor, op: string, inputs: readonly Tensor[], backward: GradNode['backward']): Tensor {
  if (!recording) return out;
  let needed = false;
  for (const x of inputs) if (x.requiresGrad) { needed = true; break; }
  if (!needed) return out;
  out.requiresGrad = true;
  out.node = { op, inputs, backward };
  return out;
}

let visitEpoch = 0;
// Reused DFS stacks (tensor, expanded?) instead of a tuple per entry; empty again when each traversal ends.
const stackTensors: Tensor[] = [];
const stackExpanded: boolean[] = [];

function topologicalOrder(root: Tensor): Tensor[] {
  const epoch = ++visitEpoch;
  const order: Tensor[] = [];
  stackTensors.push(root);
  stackExpanded.push(false);
  while (stackTensors.length > 0) {
    const t = stackTensors.pop()!;
    if (stackExpanded.pop()) { order.push(t); continue; }
    if (t.visitMark === epoch) continue;
    t.visitMark = epoch;
    stackTensors.push(t);
    stackExpanded.push(true);
    const node = t.node;
    if (node) {
      const inputs = node.inputs;
      for (let i = 0; i < inputs.length; i++) {
        const x = inputs[i]!;
        if (x.requiresGrad && x.visitMark !== epoch) { stackTensors.push(x); stackExpanded.push(false); }
      }
    }
  }
  return order;
}

function accumulate(a: Tensor, b: Tensor): Tensor {
  const out = allocFloat32(a.size);
  kernels().binary('add', a.values, a.shape, b.values, b.shape, out, a.shape);
  return opResult(out, a.shape);
}

/**
 * Backpropagates `seed` (dL/droot) and returns the gradient of every leaf that needs one
 * (variables and tracked inputs), in the order their gradients first arrived (the root first if it is a leaf).
 * Intermediate gradients are dropped as soon as they are used.
 *
 * Pending gradients ride on the tensors themselves (`pendingGrad`, valid for this traversal's epoch) rather than
 * in a Map keyed by tensor: giving every intermediate tensor an identity hash was a visible share of a tiny
 * model's step. Only the leaves go into the returned Map.
 */
export function backprop(root: Tensor, seed: Tensor): Map<Tensor, Tensor> {
  const order = topologicalOrder(root);
  const epoch = visitEpoch;
  const arrived: Tensor[] = [root];
  root.gradEpoch = epoch;
  root.pendingGrad = seed;
  const previous = recording;
  recording = false;
  try {
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i]!;
      const node = t.node;
      if (!node || t.gradEpoch !== epoch) continue;
      const g = t.pendingGrad;
      t.pendingGrad = null;
      if (!g) continue;
      const inputGrads = node.backward(g);
      const inputs = node.inputs;
      for (let j = 0; j < inputs.length; j++) {
        const x = inputs[j]!;
        const dx = inputGrads[j];
        if (!dx || !x.requiresGrad) continue;
        if (!shapesEqual(dx.shape, x.shape)) {
          throw new Error(`autograd: ${node.op} returned a gradient of shape ${formatShape(dx.shape)} for an input of shape ${formatShape(x.shape)}`);
        }
        if (x.gradEpoch === epoch && x.pendingGrad) {
          x.pendingGrad = accumulate(x.pendingGrad, dx);
        } else {
          if (x.gradEpoch !== epoch) arrived.push(x);
          x.gradEpoch = epoch;
          x.pendingGrad = dx;
        }
      }
    }
  } finally {
    recording = previous;
  }
  const grads = new Map<Tensor, Tensor>();
  for (const t of arrived) {
    const g = t.pendingGrad;
    // Leaves keep their gradient until here; clear it so a long-lived variable does not hold on to it.
    t.pendingGrad = null;
    if (g && !t.node) grads.set(t, g);
  }
  return grads;
}

/** The value handed back to the caller: off the graph, and a snapshot if it is a Variable (or aliases one). */
function detach(t: Tensor): Tensor {
  if (t instanceof Variable) return opResult(t.values.slice(), t.shape);
  return t.node || t.requiresGrad ? opResult(t.values, t.shape) : t;
}

function onesLikeShape(t: Tensor): Tensor {
  return opResult(allocFloat32(t.size).fill(1), t.shape);
}

function asLeaf(x: TensorLike, toTensor: (x: TensorLike) => Tensor): Tensor {
  const t = toTensor(x);
  const leaf = new Tensor(t.values, t.shape, t.dtype);
  leaf.requiresGrad = true;
  return leaf;
}

let toTensorImpl: (x: TensorLike) => Tensor;
/** @internal Breaks the import cycle with creation ops. */
export function setToTensor(fn: (x: TensorLike) => Tensor): void {
  toTensorImpl = fn;
}

/**
 * `valueAndGrads(f)(...xs)` evaluates `f` and returns its value and the gradient of (the sum of) its output
 * with respect to each input. A non-scalar output is seeded with ones, as tfjs does; to weight the outputs
 * differently, return `f(...xs).mul(dy).sum()` instead. Inputs that do not reach the output get zeros.
 */
export function valueAndGrads<Args extends TensorLike[]>(f: (...xs: { [K in keyof Args]: Tensor }) => Tensor) {
  return (...inputs: Args): { value: Tensor; grads: Tensor[] } => {
    const leaves = inputs.map((x) => asLeaf(x, toTensorImpl)) as { [K in keyof Args]: Tensor };
    const value = withRecording(() => f(...leaves));
    if (!(value instanceof Tensor)) throw new Error('grads: the function must return a Tensor');
    const g = backprop(value, onesLikeShape(value));
    const grads = (leaves as Tensor[]).map((l) => g.get(l) ?? opResult(allocFloat32(l.size), l.shape));
    return { value: detach(value), grads };
  };
}

/**
 * Gradients of a function of several tensors: `grads((a, b) => a.mul(b).sum())(a, b)` returns `[dA, dB]`.
 * The function must return a scalar (or a tensor, whose sum is then differentiated).
 */
export function grads<Args extends TensorLike[]>(f: (...xs: { [K in keyof Args]: Tensor }) => Tensor) {
  const vg = valueAndGrads<Args>(f);
  return (...inputs: Args): Tensor[] => vg(...inputs).grads;
}

/** Gradient of a one-argument function: `grad(x => x.square().sum())(x)`. */
export function grad(f: (x: Tensor) => Tensor) {
  const vg = valueAndGrads<[TensorLike]>((x) => f(x));
  return (x: TensorLike): Tensor => vg(x).grads[0]!;
}

/** Like {@link grad}, but returns the function's value as well: `{ value, grad }`. */
export function valueAndGrad(f: (x: Tensor) => Tensor) {
  const vg = valueAndGrads<[TensorLike]>((x) => f(x));
  return (x: TensorLike): { value: Tensor; grad: Tensor } => {
    const r = vg(x);
    return { value: r.value, grad: r.grads[0]! };
  };
}

/**
 * Evaluates `f` and returns the gradient of its (scalar) value with respect to variables.
 * With `vars`, exactly those (even non-trainable ones); otherwise every trainable variable `f` touched.
 */
export function variableGrads(f: () => Tensor, vars?: readonly Variable[]): { value: Tensor; grads: Map<Variable, Tensor> } {
  const forced: Variable[] = [];
  if (vars) {
    for (const v of vars) if (!v.requiresGrad) { v.requiresGrad = true; forced.push(v); }
  }
  let value: Tensor;
  let g: Map<Tensor, Tensor>;
  try {
    value = withRecording(f);
    if (!(value instanceof Tensor)) throw new Error('variableGrads: the function must return a Tensor');
    if (value.size !== 1) throw new Error(`variableGrads: the function must return a scalar, got shape ${formatShape(value.shape)}`);
    g = backprop(value, onesLikeShape(value));
  } finally {
    for (const v of forced) v.requiresGrad = false;
  }
  const out = new Map<Variable, Tensor>();
  if (vars) {
    for (const v of vars) { const gv = g.get(v); if (gv) out.set(v, gv); }
  } else {
    for (const [t, gt] of g) if (t instanceof Variable && t.trainable) out.set(t, gt);
  }
  return { value: detach(value), grads: out };
}
