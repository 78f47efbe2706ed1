/**
 * Kernels of the whole-sequence recurrent ops (ops/rnn.ts): the per-step gate math of LSTM, GRU and simple RNN
 * cells, forward and backward, plus the time-major input layout. The heavy products (x · kernel for all steps at
 * once, h · recurrentKernel per step) are not here: the op issues them through the backend's `matmul`.
 *
 * Layout, shared with the op: everything is time-major in processing order s (s = 0 is the first step processed;
 * with goBackwards that is the last time index). `gates` is [T, B, G·U] (the pre-activations on the way in, the
 * activated gates on the way out), `H` and `C` are [T + 1, B, U] with the initial state at s = 0 and the state
 * after step s at s + 1. The sequence mask stays batch-major [B, T_time] and is read at time index `t`.
 *
 * A masked row (mask value 0) carries its states over unchanged; its gate entries are left as they are and its
 * backward passes the state gradients straight through.
 */
import type { NumArray } from './elementwise';
import { tanhF32 } from './elementwise';

// Activation codes: the index of the name in ops/rnn.ts' RNN_ACTIVATIONS
// ('linear', 'tanh', 'sigmoid', 'hard_sigmoid', 'hard_sigmoid_tfjs', 'relu', 'softsign', 'elu').
const LINEAR = 0, TANH = 1, SIGMOID = 2, HARD_SIGMOID = 3, HARD_SIGMOID_TFJS = 4, RELU = 5, SOFTSIGN = 6, ELU = 7;

/** a[start, end) = f(a[start, end)) in place. */
export function rnnActivate(code: number, a: Float32Array, start: number, end: number): void {
  switch (code) {
    case LINEAR: return;
    case TANH: for (let i = start; i < end; i++) a[i] = tanhF32(a[i]!); return;
    // Branch-free (gate pre-activations are half negative): exp(-v) overflowing to Infinity gives the limit 0,
    // and in float64 the quotient is accurate for negative v too.
    case SIGMOID: for (let i = start; i < end; i++) a[i] = 1 / (1 + Math.exp(-a[i]!)); return;
    case HARD_SIGMOID: for (let i = start; i < end; i++) { const v = a[i]! / 6 + 0.5; a[i] = v > 1 ? 1 : v > 0 ? v : v !== v ? v : 0; } return;
    case HARD_SIGMOID_TFJS: for (let i = start; i < end; i++) { const v = Math.fround(0.2 * a[i]!) + 0.5; a[i] = v > 1 ? 1 : v > 0 ? v : v !== v ? v : 0; } return;
    case RELU: for (let i = start; i < end; i++) { const v = a[i]!; a[i] = v > 0 ? v : v !== v ? v : 0; } return;
    case SOFTSIGN: for (let i = start; i < end; i++) { const v = a[i]!; a[i] = v / (1 + Math.abs(v)); } return;
    case ELU: for (let i = start; i < end; i++) { const v = a[i]!; a[i] = v > 0 ? v : Math.expm1(v); } return;
    default: throw new Error(`rnnActivate: unknown activation code ${code}`);
  }
}

/**
 * f'(x) from y = f(x), for every activation above (each derivative is a function of its output). At the kinks
 * (relu at 0, the hard sigmoids' ends) the derivative is 0, as TensorFlow's gradients are.
 */
export function rnnActivationDerivative(code: number, y: number): number {
  switch (code) {
    case LINEAR: return 1;
    case TANH: return 1 - y * y;
    case SIGMOID: return y * (1 - y);
    case HARD_SIGMOID: return y > 0 && y < 1 ? 1 / 6 : 0;
    case HARD_SIGMOID_TFJS: return y > 0 && y < 1 ? 0.2 : 0;
    case RELU: return y > 0 ? 1 : 0;
    case SOFTSIGN: { const a = 1 - Math.abs(y); return a * a; }
    case ELU: return y > 0 ? 1 : y + 1;
    default: throw new Error(`rnnActivationDerivative: unknown activation code ${code}`);
  }
}

/**
 * out[s, b, :] = x[b, t(s), :] · inputMask[b, :] for a batch-major [B, T, D] input, where t(s) = s, or T - 1 - s
 * when `reverse`; `inputMask` ([B, D]) may be null.
 */
export function rnnTimeMajor(x: NumArray, B: number, T: number, D: number, reverse: boolean, inputMask: NumArray | null, out: Float32Array): void {
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    for (let b = 0; b < B; b++) {
      const src = (b * T + t) * D, dst = (s * B + b) * D, mo = b * D;
      if (inputMask) for (let d = 0; d < D; d++) out[dst + d] = x[src + d]! * inputMask[mo + d]!;
      else for (let d = 0; d < D; d++) out[dst + d] = x[src + d]!;
    }
  }
}

/** The inverse of `rnnTimeMajor` for gradients: dx[b, t(s), :] = dxTm[s, b, :] · inputMask[b, :]. */
export function rnnBatchMajor(dxTm: Float32Array, B: number, T: number, D: number, reverse: boolean, inputMask: NumArray | null, dx: Float32Array): void {
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    for (let b = 0; b < B; b++) {
      const dst = (b * T + t) * D, src = (s * B + b) * D, mo = b * D;
      if (inputMask) for (let d = 0; d < D; d++) dx[dst + d] = dxTm[src + d]! * inputMask[mo + d]!;
      else for (let d = 0; d < D; d++) dx[dst + d] = dxTm[src + d]!;
    }
  }
}

/** out[b, :] = h[off + b·U + :] · rowMask[b, :] over [B, U]: the recurrent-dropout view of a state. */
export function rnnMaskRows(h: Float32Array, off: number, rowMask: NumArray, B: number, U: number, out: Float32Array, outOff: number): void {
  const n = B * U;
  for (let i = 0; i < n; i++) out[outOff + i] = h[off + i]! * rowMask[i]!;
}

let actScratch = new Float32Array(0);
function scratch(n: number): Float32Array {
  if (actScratch.length < n) actScratch = new Float32Array(n);
  return actScratch;
}

function keep(mask: NumArray | null, b: number, t: number, T: number): boolean {
  return mask === null || mask[b * T + t] !== 0;
}

/**
 * One LSTM step (Keras gate order i, f, c, o). On entry gates[s] holds z = x·W + b + h·R; on exit the
 * activated i, f, g = act(z_c), o. c_s = f·c_{s-1} + i·g, h_s = o·act(c_s); masked rows copy the previous states.
 */
export function lstmStepForward(
  gates: Float32Array, H: Float32Array, C: Float32Array, s: number, t: number,
  B: number, U: number, T: number, mask: NumArray | null, act: number, recAct: number,
): void {
  const G = 4 * U, tmp = scratch(U);
  for (let b = 0; b < B; b++) {
    const prev = (s * B + b) * U, cur = prev + B * U;
    if (!keep(mask, b, t, T)) {
      for (let j = 0; j < U; j++) { H[cur + j] = H[prev + j]!; C[cur + j] = C[prev + j]!; }
      continue;
    }
    const z = (s * B + b) * G;
    rnnActivate(recAct, gates, z, z + 2 * U);
    rnnActivate(act, gates, z + 2 * U, z + 3 * U);
    rnnActivate(recAct, gates, z + 3 * U, z + G);
    for (let j = 0; j < U; j++) {
      const c = gates[z + U + j]! * C[prev + j]! + gates[z + j]! * gates[z + 2 * U + j]!;
      C[cur + j] = c;
      tmp[j] = C[cur + j]!;
    }
    rnnActivate(act, tmp, 0, U);
    for (let j = 0; j < U; j++) H[cur + j] = gates[z + 3 * U + j]! * tmp[j]!;
  }
}

/**
 * Backward of `lstmStepForward`. `dh` is dL/dh_s (from the outputs and from step s + 1), `dc` is dL/dc_s on
 * entry and dL/dc_{s-1} on exit. Writes dL/dz for the step into dz[s] and the part of dL/dh_{s-1} that does not
 * go through the recurrent kernel into `dhPrev` (the whole dh for masked rows, 0 otherwise).
 */
export function lstmStepBackward(
  gates: Float32Array, H: Float32Array, C: Float32Array, s: number, t: number,
  B: number, U: number, T: number, mask: NumArray | null, act: number, recAct: number,
  dh: Float32Array, dc: Float32Array, dz: Float32Array, dhPrev: Float32Array,
): void {
  const G = 4 * U, tmp = scratch(U);
  for (let b = 0; b < B; b++) {
    const row = b * U, z = (s * B + b) * G;
    if (!keep(mask, b, t, T)) {
      for (let j = 0; j < U; j++) dhPrev[row + j] = dh[row + j]!;
      dz.fill(0, z, z + G);
      continue;
    }
    const prev = (s * B + b) * U, cur = prev + B * U;
    for (let j = 0; j < U; j++) tmp[j] = C[cur + j]!;
    rnnActivate(act, tmp, 0, U);
    for (let j = 0; j < U; j++) {
      const i = gates[z + j]!, f = gates[z + U + j]!, g = gates[z + 2 * U + j]!, o = gates[z + 3 * U + j]!;
      const ac = tmp[j]!, gh = dh[row + j]!;
      const dct = dc[row + j]! + gh * o * rnnActivationDerivative(act, ac);
      dz[z + j] = dct * g * rnnActivationDerivative(recAct, i);
      dz[z + U + j] = dct * C[prev + j]! * rnnActivationDerivative(recAct, f);
      dz[z + 2 * U + j] = dct * i * rnnActivationDerivative(act, g);
      dz[z + 3 * U + j] = gh * ac * rnnActivationDerivative(recAct, o);
      dc[row + j] = dct * f;
      dhPrev[row + j] = 0;
    }
  }
}

/** S[s + 1][b] = S[s][b] for the rows b masked at time t: a masked step carries its state (H or C) over. */
export function rnnCarryMaskedRows(S: Float32Array, s: number, t: number, B: number, U: number, T: number, mask: NumArray): void {
  for (let b = 0; b < B; b++) {
    if (mask[b * T + t] !== 0) continue;
    const prev = (s * B + b) * U;
    S.copyWithin(prev + B * U, prev, prev + U);
  }
}

/** One simple-RNN step: h_s = act(gates[s]) (gates[s] = x·W + b + h·R on entry, h_s on exit); masked rows carry h. */
export function simpleRnnStepForward(
  gates: Float32Array, H: Float32Array, s: number, t: number, B: number, U: number, T: number, mask: NumArray | null, act: number,
): void {
  for (let b = 0; b < B; b++) {
    const prev = (s * B + b) * U, cur = prev + B * U, z = prev;
    if (!keep(mask, b, t, T)) { for (let j = 0; j < U; j++) H[cur + j] = H[prev + j]!; continue; }
    rnnActivate(act, gates, z, z + U);
    for (let j = 0; j < U; j++) H[cur + j] = gates[z + j]!;
  }
}

/** Backward of `simpleRnnStepForward`: dz[s] = dh · act'(h_s) on kept rows; dhPrev = dh on masked rows, else 0. */
export function simpleRnnStepBackward(
  gates: Float32Array, s: number, t: number, B: number, U: number, T: number, mask: NumArray | null, act: number,
  dh: Float32Array, dz: Float32Array, dhPrev: Float32Array,
): void {
  for (let b = 0; b < B; b++) {
    const row = b * U, z = (s * B + b) * U;
    if (!keep(mask, b, t, T)) {
      for (let j = 0; j < U; j++) { dhPrev[row + j] = dh[row + j]!; dz[z + j] = 0; }
      continue;
    }
    for (let j = 0; j < U; j++) {
      dz[z + j] = dh[row + j]! * rnnActivationDerivative(act, gates[z + j]!);
      dhPrev[row + j] = 0;
    }
  }
}

/**
 * GRU update and reset gates (Keras order z, r, h): gates[s][:, 0:2U] += inner[:, 0:2U] then the recurrent
 * activation, in place. `inner` is the step's recurrent product, [B, innerWidth] (3U with resetAfter, else 2U).
 */
export function gruGatesForward(
  gates: Float32Array, inner: Float32Array, innerWidth: number, s: number, t: number,
  B: number, U: number, T: number, mask: NumArray | null, recAct: number,
): void {
  const G = 3 * U;
  for (let b = 0; b < B; b++) {
    if (!keep(mask, b, t, T)) continue;
    const z = (s * B + b) * G, r = b * innerWidth;
    for (let j = 0; j < 2 * U; j++) gates[z + j] = gates[z + j]! + inner[r + j]!;
    rnnActivate(recAct, gates, z, z + 2 * U);
  }
}

/**
 * GRU candidate and new state: hh = act(x_h + recH), h_s = z·h_{s-1} + (1 - z)·hh, where recH ([B, U]) is
 * r · (h·R_h + b_h) with resetAfter, else (r · h)·R_h. gates[s][:, 2U:3U] becomes hh; masked rows carry h.
 */
export function gruCandidateForward(
  gates: Float32Array, recH: Float32Array, H: Float32Array, s: number, t: number,
  B: number, U: number, T: number, mask: NumArray | null, act: number,
): void {
  const G = 3 * U;
  for (let b = 0; b < B; b++) {
    const prev = (s * B + b) * U, cur = prev + B * U;
    if (!keep(mask, b, t, T)) { for (let j = 0; j < U; j++) H[cur + j] = H[prev + j]!; continue; }
    const z = (s * B + b) * G, hOff = z + 2 * U, r = b * U;
    for (let j = 0; j < U; j++) gates[hOff + j] = gates[hOff + j]! + recH[r + j]!;
    rnnActivate(act, gates, hOff, hOff + U);
    for (let j = 0; j < U; j++) {
      const zg = gates[z + j]!;
      H[cur + j] = zg * H[prev + j]! + (1 - zg) * gates[hOff + j]!;
    }
  }
}

/**
 * First half of the GRU step backward. For kept rows: dz_pre = dh·(h_{s-1} - hh)·recAct'(z) into dz[s][:, 0:U],
 * da = dh·(1 - z)·act'(hh) (the candidate's pre-activation gradient) into dz[s][:, 2U:3U], dhPrev = dh·z.
 * Masked rows get zeros and dhPrev = dh. The reset gate's gradient needs the recurrent product, so
 * `gruResetBackward` fills dz[s][:, U:2U] afterwards.
 */
export function gruStepBackward(
  gates: Float32Array, H: Float32Array, s: number, t: number, B: number, U: number, T: number,
  mask: NumArray | null, act: number, recAct: number, dh: Float32Array, dz: Float32Array, dhPrev: Float32Array,
): void {
  const G = 3 * U;
  for (let b = 0; b < B; b++) {
    const row = b * U, z = (s * B + b) * G;
    if (!keep(mask, b, t, T)) {
      for (let j = 0; j < U; j++) dhPrev[row + j] = dh[row + j]!;
      dz.fill(0, z, z + G);
      continue;
    }
    const prev = (s * B + b) * U;
    for (let j = 0; j < U; j++) {
      const zg = gates[z + j]!, hh = gates[z + 2 * U + j]!, g = dh[row + j]!;
      dz[z + j] = g * (H[prev + j]! - hh) * rnnActivationDerivative(recAct, zg);
      dz[z + 2 * U + j] = g * (1 - zg) * rnnActivationDerivative(act, hh);
      dhPrev[row + j] = g * zg;
    }
  }
}

/**
 * The reset gate's gradient, dz[s][:, U:2U] = da · p · recAct'(r) on kept rows, where p ([B, U]) is what r
 * multiplied: the recurrent product h·R_h + b_h (resetAfter) or, before the product, h (then the caller passes
 * dL/d(r·h) as `da` instead of the candidate gradient). Also writes r · da into `dRecH` ([B, U]), the gradient
 * flowing on into the recurrent product (resetAfter) or into h (before the product); 0 on masked rows.
 */
export function gruResetBackward(
  gates: Float32Array, p: Float32Array, pOff: number, pStride: number, da: Float32Array, daOff: number, daStride: number,
  s: number, t: number, B: number, U: number, T: number, mask: NumArray | null, recAct: number,
  dz: Float32Array, dRecH: Float32Array,
): void {
  const G = 3 * U;
  for (let b = 0; b < B; b++) {
    const z = (s * B + b) * G, row = b * U;
    if (!keep(mask, b, t, T)) { for (let j = 0; j < U; j++) dRecH[row + j] = 0; continue; }
    const po = pOff + b * pStride, ao = daOff + b * daStride;
    for (let j = 0; j < U; j++) {
      const r = gates[z + U + j]!, a = da[ao + j]!;
      dz[z + U + j] = a * p[po + j]! * rnnActivationDerivative(recAct, r);
      dRecH[row + j] = a * r;
    }
  }
}

/** GRU with resetAfter: IH[s] = inner[:, 2U:3U] (saved for the backward) and recH = r · IH[s]. */
export function gruResetAfterProduct(gates: Float32Array, inner: Float32Array, s: number, B: number, U: number, IH: Float32Array, recH: Float32Array): void {
  const G = 3 * U;
  for (let b = 0; b < B; b++) {
    const z = (s * B + b) * G, io = b * G + 2 * U, o = (s * B + b) * U, row = b * U;
    for (let j = 0; j < U; j++) {
      const p = inner[io + j]!;
      IH[o + j] = p;
      recH[row + j] = gates[z + U + j]! * p;
    }
  }
}

/** GRU without resetAfter: out[outOff + b·U + j] = r[b, j] · hm[hmOff + b·U + j] (the reset state r · h). */
export function gruResetBeforeProduct(gates: Float32Array, s: number, B: number, U: number, hm: Float32Array, hmOff: number, out: Float32Array, outOff: number): void {
  const G = 3 * U;
  for (let b = 0; b < B; b++) {
    const z = (s * B + b) * G + U, ho = hmOff + b * U, oo = outOff + b * U;
    for (let j = 0; j < U; j++) out[oo + j] = gates[z + j]! * hm[ho + j]!;
  }
}

/**
 * The op's outputs from the states: with `returnSequences`, out[b, s, :] = h_s (processing order, as Keras
 * returns a goBackwards sequence), else out[b, :] = h of the last step; zeroed where the step is masked and
 * `zeroOutputForMask` is set.
 */
export function rnnGatherOutputs(
  H: Float32Array, B: number, T: number, U: number, returnSequences: boolean,
  mask: NumArray | null, zeroOutputForMask: boolean, reverse: boolean, out: Float32Array,
): void {
  const zero = zeroOutputForMask && mask !== null;
  for (let s = returnSequences ? 0 : T - 1; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    for (let b = 0; b < B; b++) {
      const src = ((s + 1) * B + b) * U, dst = returnSequences ? (b * T + s) * U : b * U;
      if (zero && mask[b * T + t] === 0) out.fill(0, dst, dst + U);
      else for (let j = 0; j < U; j++) out[dst + j] = H[src + j]!;
    }
  }
}

/** dh[b, :] += dOut for step s (the transpose of `rnnGatherOutputs` at that step); `dOut` starts at `off`. */
export function rnnAddOutputGrad(
  dOut: Float32Array, off: number, s: number, B: number, T: number, U: number, returnSequences: boolean,
  mask: NumArray | null, zeroOutputForMask: boolean, reverse: boolean, dh: Float32Array,
): void {
  const zero = zeroOutputForMask && mask !== null;
  const t = reverse ? T - 1 - s : s;
  for (let b = 0; b < B; b++) {
    if (zero && mask[b * T + t] === 0) continue;
    const src = off + (returnSequences ? (b * T + s) * U : b * U), row = b * U;
    for (let j = 0; j < U; j++) dh[row + j] = dh[row + j]! + dOut[src + j]!;
  }
}

/** dst[i] += src[i] · rowMask[i] over n entries (rowMask null: plain add): recurrent-dropout gradient. */
export function rnnAddMasked(dst: Float32Array, src: Float32Array, rowMask: NumArray | null, n: number): void {
  if (rowMask) for (let i = 0; i < n; i++) dst[i] = dst[i]! + src[i]! * rowMask[i]!;
  else for (let i = 0; i < n; i++) dst[i] = dst[i]! + src[i]!;
}

/** out[r, 0:width] = src[r, start:start + width] for a [rows, cols] matrix (a column block, made contiguous). */
export function rnnColumns(src: NumArray, rows: number, cols: number, start: number, width: number, out: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const so = r * cols + start, oo = r * width;
    for (let j = 0; j < width; j++) out[oo + j] = src[so + j]!;
  }
}

/** dst[r, start:start + width] = block[r, 0:width] for a [rows, cols] matrix (the inverse of `rnnColumns`). */
export function rnnSetColumns(block: Float32Array, rows: number, cols: number, start: number, width: number, dst: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const so = r * width, oo = r * cols + start;
    for (let j = 0; j < width; j++) dst[oo + j] = block[so + j]!;
  }
}

/** out = srcᵀ for a [rows, cols] matrix (a recurrent kernel, transposed once per op for the per-step products). */
export function rnnTranspose(src: NumArray, rows: number, cols: number, out: Float32Array): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = src[r * cols + c]!;
}
