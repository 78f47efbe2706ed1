/**
 * Shared test helpers: numeric closeness and finite-difference gradient checks.
 *
 * Gradient checks run in float32 (our only float dtype), so they use central differences of a *random
 * projection* of the output, summed in float64: L(x) = sum(w * f(x)). With eps = 1e-2 on O(1) inputs the
 * truncation error is O(eps^2) = 1e-4 relative and the float32 rounding error of L is about
 * 1e-7 * |L| / eps = 1e-5 relative, so rtol 1e-2 / atol 1e-3 leaves a wide margin while still failing any
 * wrong formula (a wrong gradient is off by O(1)).
 */
import { Random, Tensor, grads, tensor } from '@minikeras/tensor';
import { expect } from 'vitest';

export function expectClose(actual: Tensor | ArrayLike<number> | number, expected: ArrayLike<number> | number | Tensor, options: { rtol?: number; atol?: number; label?: string } = {}): void {
  const { rtol = 1e-5, atol = 1e-6, label = '' } = options;
  const a = toArray(actual), e = toArray(expected);
  expect(a.length, `${label} length`).toBe(e.length);
  for (let i = 0; i < a.length; i++) {
    const av = a[i]!, ev = e[i]!;
    if (Number.isNaN(ev)) { expect(Number.isNaN(av), `${label}[${i}]: expected NaN, got ${av}`).toBe(true); continue; }
    if (!Number.isFinite(ev)) { expect(av, `${label}[${i}]`).toBe(ev); continue; }
    const tol = atol + rtol * Math.abs(ev);
    if (!(Math.abs(av - ev) <= tol)) {
      throw new Error(`${label}[${i}]: got ${av}, expected ${ev} (|diff| ${Math.abs(av - ev)} > tol ${tol})\n  actual:   [${Array.from(a).slice(0, 12).join(', ')}]\n  expected: [${Array.from(e).slice(0, 12).join(', ')}]`);
    }
  }
}

function toArray(x: Tensor | ArrayLike<number> | number): ArrayLike<number> {
  if (typeof x === 'number') return [x];
  if (x instanceof Tensor) return x.values;
  return x;
}

export interface GradcheckOptions { eps?: number; rtol?: number; atol?: number; seed?: number }

/**
 * Compares the analytic gradients of `f` at `inputs` with central finite differences.
 * Throws with the first mismatching element.
 */
export function gradcheck(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], options: GradcheckOptions = {}): void {
  const { eps = 1e-2, rtol = 1e-2, atol = 1e-3, seed = 7 } = options;
  const rng = new Random(seed);
  const probe = f(...inputs);
  const w = Float64Array.from({ length: probe.size }, () => rng.uniform() * 2 - 1);
  const wT = tensor(Float32Array.from(w), probe.shape);
  const loss = (...xs: Tensor[]) => {
    const y = f(...xs);
    let s = 0;
    for (let i = 0; i < y.size; i++) s += w[i]! * y.values[i]!;
    return s;
  };
  const analytic = grads((...xs: Tensor[]) => f(...xs).mul(wT).sum())(...inputs);
  inputs.forEach((x, k) => {
    const numeric = new Float64Array(x.size);
    for (let i = 0; i < x.size; i++) {
      const orig = x.values[i]!;
      x.values[i] = orig + eps;
      const plus = loss(...inputs);
      x.values[i] = orig - eps;
      const minus = loss(...inputs);
      x.values[i] = orig;
      numeric[i] = (plus - minus) / (2 * eps);
    }
    expectClose(analytic[k]!, numeric, { rtol, atol, label: `gradient of input ${k}` });
  });
}

/** Random float32 tensor in [lo, hi), reproducible from `seed`. */
export function randomTensor(shape: number[], seed: number, lo = -1, hi = 1): Tensor {
  const rng = new Random(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  return tensor(Float32Array.from({ length: n }, () => lo + (hi - lo) * rng.uniform()), shape);
}
export { describeDocs, runBlock, codeBlocks } from './docs';
export type { DocsOptions } from './docs';

/** The largest absolute difference between two arrays of the same length (asserted). */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
