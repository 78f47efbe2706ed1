/**
 * Kernels of the fused training ops (ops/fused.ts): the bias add and bias gradient of a Dense layer, and
 * crossentropy on probabilities evaluated and differentiated straight from the logits behind a sigmoid or
 * softmax. Each loop follows the unfused composition's arithmetic: sums run in the same order (float64
 * accumulators, like `reduce`), so the results differ from the op-by-op path only by float32 rounding of
 * intermediates that the fused loop keeps in float64.
 */
import type { NumArray } from './elementwise';

/** out[r, j] += b[j] over an [m, n] row-major matrix. */
export function addBiasRows(out: Float32Array, b: NumArray, m: number, n: number): void {
  for (let r = 0, o = 0; r < m; r++, o += n) for (let j = 0; j < n; j++) out[o + j]! += b[j]!;
}

let colAcc = new Float64Array(0);

/** out[j] = sum over rows of dy[r, j], rows added in order (as `reduce` sums axis 0). */
export function sumRows(dy: NumArray, m: number, n: number, out: Float32Array): void {
  if (colAcc.length < n) colAcc = new Float64Array(n);
  const acc = colAcc;
  acc.fill(0, 0, n);
  for (let r = 0, o = 0; r < m; r++, o += n) for (let j = 0; j < n; j++) acc[j]! += dy[o + j]!;
  for (let j = 0; j < n; j++) out[j] = acc[j]!;
}

/**
 * Binary crossentropy on sigmoid probabilities `p` (Keras: clip to [eps, 1 - eps], then
 * -(t log p + (1 - t) log(1 - p))), averaged over the last axis of a [rows, n] view.
 */
export function sigmoidBceLoss(p: NumArray, t: NumArray, rows: number, n: number, eps: number, out: Float32Array): void {
  const hi = 1 - eps;
  for (let r = 0, o = 0; r < rows; r++, o += n) {
    let s = 0;
    for (let j = 0; j < n; j++) {
      const v = p[o + j]!, y = t[o + j]!;
      const c = v < eps ? eps : v > hi ? hi : v;
      // Hard 0/1 labels need one log, not two: the skipped term is 0 · (a finite log), exactly 0.
      s += y === 0 ? -Math.log(1 - c) : y === 1 ? -Math.log(c) : -(y * Math.log(c) + (1 - y) * Math.log(1 - c));
    }
    out[r] = s / n;
  }
}

/**
 * d loss / d logits of `sigmoidBceLoss`, where p = sigmoid(z): (dy / n) * (p - t) where the clip passes p
 * (the chain -(t/p - (1-t)/(1-p)) * p(1-p) simplified), and 0 where it clips, as the clip's gradient is.
 */
export function sigmoidBceGrad(p: NumArray, t: NumArray, dy: NumArray, rows: number, n: number, eps: number, out: Float32Array): void {
  const hi = 1 - eps;
  for (let r = 0, o = 0; r < rows; r++, o += n) {
    const g = dy[r]! / n;
    for (let j = 0; j < n; j++) {
      const v = p[o + j]!;
      out[o + j] = v >= eps && v <= hi ? g * (v - t[o + j]!) : 0;
    }
  }
}

/**
 * Categorical crossentropy on softmax probabilities as Keras computes it: q = p / sum(p), clipped to
 * [eps, 1 - eps], loss = -sum(t log q) per row of a [rows, n] view.
 */
export function softmaxCceLoss(p: NumArray, t: NumArray, rows: number, n: number, eps: number, out: Float32Array): void {
  const hi = 1 - eps;
  for (let r = 0, o = 0; r < rows; r++, o += n) {
    let sp = 0;
    for (let j = 0; j < n; j++) sp += p[o + j]!;
    sp = Math.fround(sp);
    let s = 0;
    for (let j = 0; j < n; j++) {
      const q = Math.fround(p[o + j]! / sp);
      const c = q < eps ? eps : q > hi ? hi : q;
      s += t[o + j]! * Math.log(c);
    }
    out[r] = -s;
  }
}

/**
 * d loss / d logits of `softmaxCceLoss`, where p = softmax(z), per row scaled by dy[r]. When no q is clipped
 * the chain through the renormalization and the softmax collapses to p * sum(t) / sum(p) - t (the `p - y` of
 * one-hot labels); otherwise the full chain runs, with zero gradient through the clipped entries.
 */
export function softmaxCceGrad(p: NumArray, t: NumArray, dy: NumArray, rows: number, n: number, eps: number, out: Float32Array): void {
  const hi = 1 - eps;
  for (let r = 0, o = 0; r < rows; r++, o += n) {
    const g = dy[r]!;
    let sp = 0, st = 0;
    let clipped = false;
    for (let j = 0; j < n; j++) sp += p[o + j]!;
    sp = Math.fround(sp);
    for (let j = 0; j < n; j++) {
      st += t[o + j]!;
      const q = Math.fround(p[o + j]! / sp);
      if (!(q >= eps && q <= hi)) clipped = true;
    }
    if (!clipped) {
      const scale = st / sp;
      for (let j = 0; j < n; j++) out[o + j] = g * (p[o + j]! * scale - t[o + j]!);
      continue;
    }
    // gq_j = -t_j / q_j where unclipped; gp_i = gq_i / S - sum_j gq_j p_j / S^2; dz_i = p_i (gp_i - sum_k gp_k p_k).
    let dotQ = 0;
    for (let j = 0; j < n; j++) {
      const q = Math.fround(p[o + j]! / sp);
      const gq = q >= eps && q <= hi ? -t[o + j]! / q : 0;
      out[o + j] = gq;
      dotQ += gq * p[o + j]!;
    }
    const inv = 1 / sp, c = dotQ / (sp * sp);
    let dotP = 0;
    for (let j = 0; j < n; j++) {
      const gp = out[o + j]! * inv - c;
      out[o + j] = gp;
      dotP += gp * p[o + j]!;
    }
    for (let j = 0; j < n; j++) out[o + j] = g * p[o + j]! * (out[o + j]! - dotP);
  }
}

/**
 * Mean squared error per row of a [rows, n] view, rounded as the op-by-op `mean(squaredDifference(t, p), -1)`:
 * each square in float32, the row summed in float64, rounded, then scaled by 1/n.
 */
export function squaredErrorLoss(p: NumArray, t: NumArray, rows: number, n: number, out: Float32Array): void {
  const inv = 1 / n;
  for (let r = 0, o = 0; r < rows; r++, o += n) {
    let s = 0;
    for (let j = 0; j < n; j++) { const d = t[o + j]! - p[o + j]!; s += Math.fround(d * d); }
    out[r] = Math.fround(s) * inv;
  }
}

/** d loss / d p of `squaredErrorLoss` with per-row upstream `dy`: -2 (t - p) dy / n, rounded as the op-by-op chain. */
export function squaredErrorGrad(p: NumArray, t: NumArray, dy: NumArray, rows: number, n: number, out: Float32Array): void {
  const inv = 1 / n;
  for (let r = 0, o = 0; r < rows; r++, o += n) {
    const g = Math.fround(dy[r]! * inv);
    for (let j = 0; j < n; j++) out[o + j] = -(g * (2 * Math.fround(t[o + j]! - p[o + j]!)));
  }
}
