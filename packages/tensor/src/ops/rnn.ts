/**
 * Whole-sequence recurrent ops: `lstm`, `gru` and `simpleRnn` run a Keras 3 cell over every step of a
 * [batch, timesteps, features] input as ONE autograd node, with backpropagation through time in its backward
 * (each returned tensor is a view of that node's output through a tiny node of its own, whatever the length).
 *
 * - The input projection x · kernel (+ bias) of all steps is one matmul; each step adds h · recurrentKernel
 *   (one matmul for all gates) and runs the gate math in a kernel (kernels/rnn.ts).
 * - Memory: the node keeps the activated gates and the states of every step, O(T · B · U); the input is
 *   not copied per step (the backward re-derives its time-major view once).
 * - Masking follows Keras 3 (its TensorFlow backend, and every backend with `unroll=True`): at a masked step
 *   (mask 0) the states carry over unchanged and the output is the previous output, or zeros with
 *   `zeroOutputForMask`. The previous output before a row's first kept step is zeros, not h0 (tfjs, and Keras'
 *   NumPy/JAX scan, output h0 there): those leading outputs are constants, with no gradient into h0.
 * - The result is the output plus the final states, each a differentiable tensor (views of one packed
 *   buffer, so gradients into any of them meet in the one backward).
 */
import { Tensor, opResult } from '../tensor';
import { formatShape } from '../shape';
import { kernels } from '../kernels';
import type { Backend, NumArray } from '../kernels';
import { record } from '../autograd';
import { allocFloat32 } from '../alloc';

/**
 * The activations a recurrent cell may use, by Keras name. 'hard_sigmoid' is Keras 3's relu6(x + 3) / 6;
 * 'hard_sigmoid_tfjs' is the Keras 2 / TensorFlow.js clip(0.2x + 0.5, 0, 1) (tfjs-layers' default recurrent
 * activation for LSTM and GRU, and the meaning of 'hard_sigmoid' in models saved by Keras 2 or tfjs).
 * The order is the kernels' activation code (kernels/rnn.ts).
 */
export const RNN_ACTIVATIONS = ['linear', 'tanh', 'sigmoid', 'hard_sigmoid', 'hard_sigmoid_tfjs', 'relu', 'softsign', 'elu'] as const;
/** An activation the recurrent kernels compute directly (one of `RNN_ACTIVATIONS`). */
export type RnnActivation = (typeof RNN_ACTIVATIONS)[number];

/** Options shared by `lstm`, `gru` and `simpleRnn`. */
export interface RecurrentOptions {
  /** Initial hidden state [batch, units]; zeros by default. Differentiable. */
  h0?: Tensor | null;
  /** Sequence mask [batch, timesteps]: nonzero keeps a step, 0 skips it (states carry over). Not differentiated. */
  mask?: Tensor | null;
  /** Process the sequence from the last step to the first; outputs come in processing order (as Keras). Default false. */
  goBackwards?: boolean;
  /** Return the output of every step, [batch, timesteps, units], instead of the last one, [batch, units]. Default false. */
  returnSequences?: boolean;
  /** Output zeros at masked steps instead of the previous output (Keras `zero_output_for_mask`). Default false. */
  zeroOutputForMask?: boolean;
  /** The cell activation. Default 'tanh'. */
  activation?: RnnActivation;
  /** Dropout mask [batch, features] (already scaled) multiplying every step's input. Not differentiated. */
  inputMask?: Tensor | null;
  /** Dropout mask [batch, units] (already scaled) multiplying h_{t-1} before the recurrent product. Not differentiated. */
  recurrentMask?: Tensor | null;
}

export interface LstmOptions extends RecurrentOptions {
  /** Initial carry (cell) state [batch, units]; zeros by default. Differentiable. */
  c0?: Tensor | null;
  /** Activation of the i, f and o gates. Default 'sigmoid' (Keras 3). */
  recurrentActivation?: RnnActivation;
}

export interface GruOptions extends RecurrentOptions {
  /** Activation of the z and r gates. Default 'sigmoid' (Keras 3). */
  recurrentActivation?: RnnActivation;
  /**
   * Keras' `reset_after` (default true, as Keras 3): r multiplies the recurrent product h · R_h + b_h, and the
   * bias is [2, 3·units] (input bias row 0, recurrent bias row 1). False: r multiplies h before the product,
   * and the bias is [3·units].
   */
  resetAfter?: boolean;
}

/** Options of `simpleRnn`: the options every recurrent op shares. */
export type SimpleRnnOptions = RecurrentOptions;

/** `output` is [batch, timesteps, units] with `returnSequences`, else [batch, units]; `h` is the final state. */
export interface RecurrentResult { output: Tensor; h: Tensor }
/** As `RecurrentResult`, plus `c`, the final carry state [batch, units]. */
export interface LstmResult extends RecurrentResult { c: Tensor }

interface Setup {
  B: number; T: number; D: number; U: number;
  act: number; recAct: number;
  mask: NumArray | null; inputMask: NumArray | null; recurrentMask: NumArray | null;
  reverse: boolean; returnSequences: boolean;
  h0: Tensor | null; c0: Tensor | null;
  /**
   * The steps whose output is zeros ([B, T], 0 = zero output), given to the output kernels as their mask: the
   * sequence mask itself with `zeroOutputForMask`, else the masked steps processed before a row's first kept
   * step (`leadingMasked`); null when no output is zeroed.
   */
  zeroMask: NumArray | null;
}

function activationCode(name: string, option: string, value: unknown): number {
  const code = (RNN_ACTIVATIONS as readonly unknown[]).indexOf(value);
  if (code < 0) throw new Error(`${name}: ${option} must be one of ${RNN_ACTIVATIONS.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(value)}`);
  return code;
}

function checkShape(name: string, what: string, t: Tensor, expected: readonly number[]): void {
  if (t.rank !== expected.length || t.shape.some((d, i) => d !== expected[i])) {
    throw new Error(`${name}: expected ${what} of shape ${formatShape(expected)}, got ${formatShape(t.shape)}`);
  }
}

/** Validates the arguments common to the three ops; `gates` is 4 (LSTM), 3 (GRU) or 1. */
function setup(
  name: string, x: Tensor, kernel: Tensor, recurrentKernel: Tensor, gates: number,
  options: RecurrentOptions & { c0?: Tensor | null; recurrentActivation?: RnnActivation }, hasCarry: boolean, hasRecurrentActivation: boolean,
): Setup {
  if (!(x instanceof Tensor) || x.rank !== 3) throw new Error(`${name}: expected x of shape [batch, timesteps, features], got ${x instanceof Tensor ? formatShape(x.shape) : typeof x}`);
  const [B, T, D] = x.shape as [number, number, number];
  if (T < 1) throw new Error(`${name}: the input has no timesteps (shape ${formatShape(x.shape)})`);
  if (recurrentKernel.rank !== 2 || recurrentKernel.shape[1] !== gates * recurrentKernel.shape[0]!) {
    throw new Error(`${name}: expected recurrentKernel of shape [units, ${gates === 1 ? 'units' : `${gates} * units`}], got ${formatShape(recurrentKernel.shape)}`);
  }
  const U = recurrentKernel.shape[0]!;
  checkShape(name, 'kernel', kernel, [D, gates * U]);
  const o = options;
  const known = ['h0', 'mask', 'goBackwards', 'returnSequences', 'zeroOutputForMask', 'activation', 'inputMask', 'recurrentMask'];
  if (hasCarry) known.push('c0');
  if (hasRecurrentActivation) known.push('recurrentActivation');
  if (name === 'gru') known.push('resetAfter');
  // Undefined values are allowed under any key, so a layer may pass one options object shape to every op.
  for (const k of Object.keys(o)) if (o[k as keyof typeof o] !== undefined && !known.includes(k)) throw new Error(`${name}: unknown option '${k}'; valid options are ${known.join(', ')}`);
  const h0 = o.h0 ?? null, c0 = o.c0 ?? null;
  if (h0) checkShape(name, 'h0', h0, [B, U]);
  if (c0) checkShape(name, 'c0', c0, [B, U]);
  if (o.mask) checkShape(name, 'mask', o.mask, [B, T]);
  if (o.inputMask) checkShape(name, 'inputMask', o.inputMask, [B, D]);
  if (o.recurrentMask) checkShape(name, 'recurrentMask', o.recurrentMask, [B, U]);
  return {
    B, T, D, U,
    act: activationCode(name, 'activation', o.activation ?? 'tanh'),
    recAct: hasRecurrentActivation ? activationCode(name, 'recurrentActivation', o.recurrentActivation ?? 'sigmoid') : 0,
    mask: o.mask?.values ?? null, inputMask: o.inputMask?.values ?? null, recurrentMask: o.recurrentMask?.values ?? null,
    reverse: o.goBackwards ?? false, returnSequences: o.returnSequences ?? false,
    h0, c0,
    zeroMask: !o.mask ? null : o.zeroOutputForMask ? o.mask.values : leadingMasked(o.mask.values, B, T, o.goBackwards ?? false),
  };
}

/**
 * Keras' previous output is zeros until a row's first kept step, so the masked steps processed before it output
 * zeros even without `zeroOutputForMask` (later masked steps output the carried h, the last kept step's output).
 * Returns a [B, T] mask that is 0 at exactly those steps, or null when no row starts with a masked step (one
 * pass over the first steps; the [B, T] array only when some row does).
 */
function leadingMasked(mask: NumArray, B: number, T: number, reverse: boolean): Float32Array | null {
  const first = reverse ? T - 1 : 0;
  let any = false;
  for (let b = 0; b < B && !any; b++) any = mask[b * T + first] === 0;
  if (!any) return null;
  const out = new Float32Array(B * T).fill(1);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < T; s++) {
      const t = reverse ? T - 1 - s : s;
      if (mask[b * T + t] !== 0) break;
      out[b * T + t] = 0;
    }
  }
  return out;
}

/** x in time-major processing order with the input mask applied: [T·B, D]. */
function timeMajorInput(ks: Backend, x: Tensor, st: Setup): Float32Array {
  const out = new Float32Array(st.T * st.B * st.D);
  ks.rnnTimeMajor(x.values, st.B, st.T, st.D, st.reverse, st.inputMask, out);
  return out;
}

/**
 * The input projection of every step, [T·B, width]: the bias in every row, then x · kernel accumulated onto it
 * in one matmul. (Adding the bias after the product was a read-add-write pass over T·B·width floats, 5 % of an
 * Embedding-LSTM training step in `pnpm bench` W4; a row copy is a memcpy.)
 */
function inputProjection(ks: Backend, xTm: Float32Array, kernel: Tensor, bias: NumArray | null, st: Setup, width: number): Float32Array {
  const rows = st.T * st.B;
  const out = new Float32Array(rows * width);
  if (bias) for (let r = 0; r < rows; r++) out.set(bias, r * width);
  ks.matmul(xTm, kernel.values, out, rows, st.D, width, false, false, 0, 0, 0, bias !== null);
  return out;
}

/** The initial-state-filled [T + 1, B, U] state sequence. */
function stateSequence(st: Setup, initial: Tensor | null): Float32Array {
  const H = new Float32Array((st.T + 1) * st.B * st.U);
  if (initial) H.set(initial.values);
  return H;
}

/**
 * The recurrent operand of step s: the state before it, H[s] (times the recurrent mask, into `scratch`).
 * Returns the array and offset to read.
 */
function recurrentOperand(ks: Backend, H: Float32Array, s: number, st: Setup, scratch: Float32Array): [Float32Array, number] {
  const off = s * st.B * st.U;
  if (!st.recurrentMask) return [H, off];
  ks.rnnMaskRows(H, off, st.recurrentMask, st.B, st.U, scratch, 0);
  return [scratch, 0];
}

/** h_{s-1} times the recurrent mask for every step, [T·B, U] (H itself when there is no mask). */
function recurrentOperands(ks: Backend, H: Float32Array, st: Setup): Float32Array {
  const BU = st.B * st.U;
  if (!st.recurrentMask) return H.subarray(0, st.T * BU);
  const out = new Float32Array(st.T * BU);
  for (let s = 0; s < st.T; s++) ks.rnnMaskRows(H, s * BU, st.recurrentMask, st.B, st.U, out, s * BU);
  return out;
}

/**
 * Packs [output | h_T | c_T] into one buffer, records the sequence node over it and returns differentiable
 * views of the parts. `backward` receives dL/d(packed) and returns the input gradients.
 */
function packResult(
  name: string, st: Setup, H: Float32Array, C: Float32Array | null,
  inputs: Tensor[], backward: (g: Float32Array) => (Tensor | null)[],
): Tensor[] {
  const { B, T, U } = st, BU = B * U;
  const outSize = st.returnSequences ? B * T * U : BU;
  const packed = allocFloat32(outSize + BU + (C ? BU : 0));
  kernels().rnnGatherOutputs(H, B, T, U, st.returnSequences, st.zeroMask, st.zeroMask !== null, st.reverse, packed);
  packed.set(H.subarray(T * BU, (T + 1) * BU), outSize);
  if (C) packed.set(C.subarray(T * BU, (T + 1) * BU), outSize + BU);
  const core = record(opResult(packed, Object.freeze([packed.length])), name, inputs, (dy) => backward(dy.values as Float32Array));
  const parts: [number, readonly number[]][] = [[0, st.returnSequences ? [B, T, U] : [B, U]], [outSize, [B, U]]];
  if (C) parts.push([outSize + BU, [B, U]]);
  return parts.map(([off, shape]) => {
    const size = shape.reduce((p, d) => p * d, 1);
    const view = opResult(packed.subarray(off, off + size), Object.freeze(shape.slice()));
    return record(view, `${name}.output`, [core], (dy) => {
      const g = allocFloat32(packed.length);
      g.set(dy.values, off);
      return [opResult(g, core.shape)];
    });
  });
}

/** dL/dh_T and dL/dc_T from the packed gradient, with the last output's gradient added (no returnSequences). */
function finalStateGrads(ks: Backend, g: Float32Array, st: Setup, hasCarry: boolean): [Float32Array, Float32Array | null] {
  const { B, T, U } = st, BU = B * U;
  const outSize = st.returnSequences ? B * T * U : BU;
  const dh = g.slice(outSize, outSize + BU);
  const dc = hasCarry ? g.slice(outSize + BU, outSize + 2 * BU) : null;
  if (!st.returnSequences) ks.rnnAddOutputGrad(g, 0, T - 1, B, T, U, false, st.zeroMask, st.zeroMask !== null, st.reverse, dh);
  return [dh, dc];
}

/**
 * Gradients that flow from dZ, dL/d(input projection) [T·B, width], to x, the kernel and the input bias: one
 * matmul each (the time-major input is rebuilt here rather than kept from the forward).
 */
function inputSideGrads(
  ks: Backend, dZ: Float32Array, x: Tensor, kernel: Tensor, st: Setup, width: number, needBias: boolean,
): [Tensor | null, Tensor | null, Float32Array | null] {
  const rows = st.T * st.B;
  let dx: Tensor | null = null, dk: Tensor | null = null, db: Float32Array | null = null;
  if (x.requiresGrad) {
    const dxTm = new Float32Array(rows * st.D);
    ks.matmul(dZ, kernel.values, dxTm, rows, width, st.D, false, true, 0, 0, 0);
    const v = allocFloat32(x.size);
    ks.rnnBatchMajor(dxTm, st.B, st.T, st.D, st.reverse, st.inputMask, v);
    dx = opResult(v, x.shape);
  }
  if (kernel.requiresGrad) {
    const xTm = timeMajorInput(ks, x, st);
    const v = allocFloat32(kernel.size);
    ks.matmul(xTm, dZ, v, st.D, rows, width, true, false, 0, 0, 0);
    dk = opResult(v, kernel.shape);
  }
  if (needBias) {
    db = allocFloat32(width);
    ks.sumRows(dZ, rows, width, db);
  }
  return [dx, dk, db];
}

/** dL/d(recurrentKernel) = Σ_s hm_{s-1}ᵀ · dInner_s, all steps in one matmul. */
function recurrentKernelGrad(ks: Backend, H: Float32Array, dInner: Float32Array, st: Setup, width: number, shape: readonly number[]): Tensor {
  const hm = recurrentOperands(ks, H, st);
  const v = allocFloat32(st.U * width);
  ks.matmul(hm, dInner, v, st.U, st.T * st.B, width, true, false, 0, 0, 0);
  return opResult(v, shape);
}

function transposed(ks: Backend, m: NumArray, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  ks.rnnTranspose(m, rows, cols, out);
  return out;
}

/**
 * Long Short-Term Memory over a whole sequence, as Keras 3's LSTMCell run by its RNN layer:
 * z = x_t·kernel + h_{t-1}·recurrentKernel + bias, split into i, f, c, o (Keras order);
 * i, f, o = recurrentActivation(·), c_t = f·c_{t-1} + i·activation(z_c), h_t = o·activation(c_t).
 *
 * x [batch, timesteps, features], kernel [features, 4·units], recurrentKernel [units, 4·units], bias [4·units]
 * or null. Returns `{ output, h, c }` (see `LstmResult`), every part differentiable; one graph node.
 */
export function lstm(x: Tensor, kernel: Tensor, recurrentKernel: Tensor, bias: Tensor | null, options: LstmOptions = {}): LstmResult {
  const st = setup('lstm', x, kernel, recurrentKernel, 4, options, true, true);
  const { B, T, U } = st, BU = B * U, G = 4 * U;
  if (bias) checkShape('lstm', 'bias', bias, [G]);
  const ks = kernels();
  const gates = inputProjection(ks, timeMajorInput(ks, x, st), kernel, bias?.values ?? null, st, G);
  const H = stateSequence(st, st.h0), C = stateSequence(st, st.c0);
  const hmScratch = new Float32Array(BU);
  for (let s = 0; s < T; s++) {
    const t = st.reverse ? T - 1 - s : s;
    const [a, aOff] = recurrentOperand(ks, H, s, st, hmScratch);
    ks.matmul(a, recurrentKernel.values, gates, B, U, G, false, false, aOff, 0, s * B * G, true);
    ks.lstmStepForward(gates, H, C, s, t, B, U, T, st.mask, st.act, st.recAct);
  }
  const inputs = [x, kernel, recurrentKernel, bias, st.h0, st.c0].filter((v): v is Tensor => v !== null);
  const [output, h, c] = packResult('lstm', st, H, C, inputs, (g) => {
    const kk = kernels();
    let [dh, dc] = finalStateGrads(kk, g, st, true) as [Float32Array, Float32Array];
    let dhPrev: Float32Array = new Float32Array(BU);
    const dZ = new Float32Array(T * B * G);
    const rkT = transposed(kk, recurrentKernel.values, U, G);
    const tmp = new Float32Array(BU);
    for (let s = T - 1; s >= 0; s--) {
      const t = st.reverse ? T - 1 - s : s;
      if (st.returnSequences) kk.rnnAddOutputGrad(g, 0, s, B, T, U, true, st.zeroMask, st.zeroMask !== null, st.reverse, dh);
      kk.lstmStepBackward(gates, H, C, s, t, B, U, T, st.mask, st.act, st.recAct, dh, dc, dZ, dhPrev);
      kk.matmul(dZ, rkT, tmp, B, G, U, false, false, s * B * G, 0, 0);
      kk.rnnAddMasked(dhPrev, tmp, st.recurrentMask, BU);
      [dh, dhPrev] = [dhPrev, dh];
    }
    const [dx, dk, db] = inputSideGrads(kk, dZ, x, kernel, st, G, bias !== null && bias.requiresGrad);
    const drk = recurrentKernel.requiresGrad ? recurrentKernelGrad(kk, H, dZ, st, G, recurrentKernel.shape) : null;
    const grads: (Tensor | null)[] = [dx, dk, drk];
    if (bias) grads.push(db ? opResult(db, bias.shape) : null);
    if (st.h0) grads.push(opResult(dh, st.h0.shape));
    if (st.c0) grads.push(opResult(dc, st.c0.shape));
    return grads;
  });
  return { output: output!, h: h!, c: c! };
}

/**
 * Fully-connected RNN over a whole sequence, as Keras 3's SimpleRNNCell run by its RNN layer:
 * h_t = activation(x_t·kernel + bias + h_{t-1}·recurrentKernel).
 *
 * x [batch, timesteps, features], kernel [features, units], recurrentKernel [units, units], bias [units] or
 * null. Returns `{ output, h }` (see `RecurrentResult`), both differentiable; one graph node.
 */
export function simpleRnn(x: Tensor, kernel: Tensor, recurrentKernel: Tensor, bias: Tensor | null, options: SimpleRnnOptions = {}): RecurrentResult {
  const st = setup('simpleRnn', x, kernel, recurrentKernel, 1, options, false, false);
  const { B, T, U } = st, BU = B * U;
  if (bias) checkShape('simpleRnn', 'bias', bias, [U]);
  const ks = kernels();
  const gates = inputProjection(ks, timeMajorInput(ks, x, st), kernel, bias?.values ?? null, st, U);
  const H = stateSequence(st, st.h0);
  const hmScratch = new Float32Array(BU);
  for (let s = 0; s < T; s++) {
    const t = st.reverse ? T - 1 - s : s;
    const [a, aOff] = recurrentOperand(ks, H, s, st, hmScratch);
    ks.matmul(a, recurrentKernel.values, gates, B, U, U, false, false, aOff, 0, s * BU, true);
    ks.simpleRnnStepForward(gates, H, s, t, B, U, T, st.mask, st.act);
  }
  const inputs = [x, kernel, recurrentKernel, bias, st.h0].filter((v): v is Tensor => v !== null);
  const [output, h] = packResult('simpleRnn', st, H, null, inputs, (g) => {
    const kk = kernels();
    let [dh] = finalStateGrads(kk, g, st, false);
    let dhPrev: Float32Array = new Float32Array(BU);
    const dZ = new Float32Array(T * BU);
    const rkT = transposed(kk, recurrentKernel.values, U, U);
    const tmp = new Float32Array(BU);
    for (let s = T - 1; s >= 0; s--) {
      const t = st.reverse ? T - 1 - s : s;
      if (st.returnSequences) kk.rnnAddOutputGrad(g, 0, s, B, T, U, true, st.zeroMask, st.zeroMask !== null, st.reverse, dh);
      kk.simpleRnnStepBackward(gates, s, t, B, U, T, st.mask, st.act, dh, dZ, dhPrev);
      kk.matmul(dZ, rkT, tmp, B, U, U, false, false, s * BU, 0, 0);
      kk.rnnAddMasked(dhPrev, tmp, st.recurrentMask, BU);
      [dh, dhPrev] = [dhPrev, dh];
    }
    const [dx, dk, db] = inputSideGrads(kk, dZ, x, kernel, st, U, bias !== null && bias.requiresGrad);
    const drk = recurrentKernel.requiresGrad ? recurrentKernelGrad(kk, H, dZ, st, U, recurrentKernel.shape) : null;
    const grads: (Tensor | null)[] = [dx, dk, drk];
    if (bias) grads.push(db ? opResult(db, bias.shape) : null);
    if (st.h0) grads.push(opResult(dh, st.h0.shape));
    return grads;
  });
  return { output: output!, h: h! };
}

/**
 * Gated Recurrent Unit over a whole sequence, as Keras 3's GRUCell run by its RNN layer (gate order z, r, h):
 * x_z, x_r, x_h = x_t·kernel + b_in; z = recAct(x_z + h·R_z [+ b_rz]), r = recAct(x_r + h·R_r [+ b_rr]);
 * resetAfter: hh = act(x_h + r·(h·R_h + b_rh)); otherwise hh = act(x_h + (r·h)·R_h);
 * h_t = z·h_{t-1} + (1 - z)·hh.
 *
 * x [batch, timesteps, features], kernel [features, 3·units], recurrentKernel [units, 3·units], bias
 * [2, 3·units] (resetAfter) or [3·units], or null. Returns `{ output, h }`, both differentiable; one graph node.
 */
export function gru(x: Tensor, kernel: Tensor, recurrentKernel: Tensor, bias: Tensor | null, options: GruOptions = {}): RecurrentResult {
  const st = setup('gru', x, kernel, recurrentKernel, 3, options, false, true);
  const { B, T, U } = st, BU = B * U, G = 3 * U;
  const resetAfter = options.resetAfter ?? true;
  if (typeof resetAfter !== 'boolean') throw new Error(`gru: resetAfter must be a boolean, got ${JSON.stringify(resetAfter)}`);
  if (bias) checkShape('gru', resetAfter ? 'bias (resetAfter: true)' : 'bias (resetAfter: false)', bias, resetAfter ? [2, G] : [G]);
  const ks = kernels();
  const inputBias = bias ? bias.values.subarray(0, G) : null;
  const recurrentBias = bias && resetAfter ? bias.values.subarray(G, 2 * G) : null;
  const gates = inputProjection(ks, timeMajorInput(ks, x, st), kernel, inputBias, st, G);
  const H = stateSequence(st, st.h0);
  const hmScratch = new Float32Array(BU);
  const recH = new Float32Array(BU);
  const rk = recurrentKernel.values;
  // resetAfter keeps r's operand h·R_h + b_h per step; otherwise R splits into [R_z R_r] and R_h.
  const IH = resetAfter ? new Float32Array(T * BU) : null;
  let rZR: Float32Array | null = null, rH: Float32Array | null = null;
  if (!resetAfter) {
    rZR = new Float32Array(U * 2 * U); rH = new Float32Array(U * U);
    ks.rnnColumns(rk, U, G, 0, 2 * U, rZR);
    ks.rnnColumns(rk, U, G, 2 * U, U, rH);
  }
  const inner = new Float32Array(B * (resetAfter ? G : 2 * U));
  const rhScratch = new Float32Array(BU);
  for (let s = 0; s < T; s++) {
    const t = st.reverse ? T - 1 - s : s;
    const [a, aOff] = recurrentOperand(ks, H, s, st, hmScratch);
    if (resetAfter) {
      ks.matmul(a, rk, inner, B, U, G, false, false, aOff, 0, 0);
      if (recurrentBias) ks.addBiasRows(inner, recurrentBias, B, G);
      ks.gruGatesForward(gates, inner, G, s, t, B, U, T, st.mask, st.recAct);
      ks.gruResetAfterProduct(gates, inner, s, B, U, IH!, recH);
    } else {
      ks.matmul(a, rZR!, inner, B, U, 2 * U, false, false, aOff, 0, 0);
      ks.gruGatesForward(gates, inner, 2 * U, s, t, B, U, T, st.mask, st.recAct);
      ks.gruResetBeforeProduct(gates, s, B, U, a, aOff, rhScratch, 0);
      ks.matmul(rhScratch, rH!, recH, B, U, U, false, false, 0, 0, 0);
    }
    ks.gruCandidateForward(gates, recH, H, s, t, B, U, T, st.mask, st.act);
  }
  const inputs = [x, kernel, recurrentKernel, bias, st.h0].filter((v): v is Tensor => v !== null);
  const [output, h] = packResult('gru', st, H, null, inputs, (g) => {
    const kk = kernels();
    let [dh] = finalStateGrads(kk, g, st, false);
    let dhPrev: Float32Array = new Float32Array(BU);
    const dZ = new Float32Array(T * B * G);
    const dRecH = new Float32Array(BU);
    const tmp = new Float32Array(BU);
    // resetAfter: dInner [T·B, 3U] is dL/d(h·R + b_rec) per step. Otherwise dZR [T·B, 2U] is the z, r part
    // and dA [T·B, U] the candidate's pre-activation gradient (for R_h's gradient).
    const dInner = resetAfter ? new Float32Array(T * B * G) : null;
    const dZR = resetAfter ? null : new Float32Array(T * B * 2 * U);
    const dA = resetAfter ? null : new Float32Array(T * BU);
    const hmAll = recurrentOperands(kk, H, st);
    const rkT = resetAfter ? transposed(kk, rk, U, G) : null;
    const rZRT = resetAfter ? null : transposed(kk, rZR!, U, 2 * U);
    const rHT = resetAfter ? null : transposed(kk, rH!, U, U);
    const dRh = resetAfter ? null : new Float32Array(BU);
    for (let s = T - 1; s >= 0; s--) {
      const t = st.reverse ? T - 1 - s : s;
      if (st.returnSequences) kk.rnnAddOutputGrad(g, 0, s, B, T, U, true, st.zeroMask, st.zeroMask !== null, st.reverse, dh);
      kk.gruStepBackward(gates, H, s, t, B, U, T, st.mask, st.act, st.recAct, dh, dZ, dhPrev);
      const rows = dZ.subarray(s * B * G, (s + 1) * B * G);
      if (resetAfter) {
        kk.gruResetBackward(gates, IH!, s * BU, U, dZ, s * B * G + 2 * U, G, s, t, B, U, T, st.mask, st.recAct, dZ, dRecH);
        const di = dInner!.subarray(s * B * G, (s + 1) * B * G);
        di.set(rows);
        kk.rnnSetColumns(dRecH, B, G, 2 * U, U, di);
        kk.matmul(dInner!, rkT!, tmp, B, G, U, false, false, s * B * G, 0, 0);
      } else {
        kk.rnnColumns(rows, B, G, 2 * U, U, dA!.subarray(s * BU, (s + 1) * BU));
        kk.matmul(dA!, rHT!, dRh!, B, U, U, false, false, s * BU, 0, 0);
        kk.gruResetBackward(gates, hmAll, s * BU, U, dRh!, 0, U, s, t, B, U, T, st.mask, st.recAct, dZ, dRecH);
        kk.rnnColumns(rows, B, G, 0, 2 * U, dZR!.subarray(s * B * 2 * U, (s + 1) * B * 2 * U));
        kk.matmul(dZR!, rZRT!, tmp, B, 2 * U, U, false, false, s * B * 2 * U, 0, 0);
        kk.rnnAddMasked(tmp, dRecH, null, BU);
      }
      kk.rnnAddMasked(dhPrev, tmp, st.recurrentMask, BU);
      [dh, dhPrev] = [dhPrev, dh];
    }
    const needBias = bias !== null && bias.requiresGrad;
    const [dx, dk, dbIn] = inputSideGrads(kk, dZ, x, kernel, st, G, needBias);
    let drk: Tensor | null = null;
    if (recurrentKernel.requiresGrad) {
      if (resetAfter) drk = recurrentKernelGrad(kk, H, dInner!, st, G, recurrentKernel.shape);
      else {
        const v = allocFloat32(U * G);
        const block = new Float32Array(U * 2 * U);
        kk.matmul(hmAll, dZR!, block, U, T * B, 2 * U, true, false, 0, 0, 0);
        kk.rnnSetColumns(block, U, G, 0, 2 * U, v);
        // R_h's operand was r · h per step; rebuilt here from the saved gates.
        const rhAll = new Float32Array(T * BU);
        for (let s = 0; s < T; s++) kk.gruResetBeforeProduct(gates, s, B, U, hmAll, s * BU, rhAll, s * BU);
        const blockH = new Float32Array(U * U);
        kk.matmul(rhAll, dA!, blockH, U, T * B, U, true, false, 0, 0, 0);
        kk.rnnSetColumns(blockH, U, G, 2 * U, U, v);
        drk = opResult(v, recurrentKernel.shape);
      }
    }
    const grads: (Tensor | null)[] = [dx, dk, drk];
    if (bias) {
      if (!dbIn) grads.push(null);
      else if (!resetAfter) grads.push(opResult(dbIn, bias.shape));
      else {
        const v = allocFloat32(2 * G);
        v.set(dbIn);
        kk.sumRows(dInner!, T * B, G, v.subarray(G));
        grads.push(opResult(v, bias.shape));
      }
    }
    if (st.h0) grads.push(opResult(dh, st.h0.shape));
    return grads;
  });
  return { output: output!, h: h! };
}
