import { describe, expect, it } from 'vitest';
import { rngFor, setSeed } from '@minikeras/tensor';
import type { Tensor } from '@minikeras/tensor';
import {
  Constant, Orthogonal, GlorotNormal, GlorotUniform, HeNormal, HeUniform, Identity, Initializer, LecunNormal, LecunUniform, Ones,
  RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling, Zeros, computeFans, getInitializer,
} from './initializers';

function stats(t: Tensor) {
  const v = t.values;
  let s = 0, s2 = 0, min = Infinity, max = -Infinity;
  for (const x of v) { s += x; s2 += x * x; if (x < min) min = x; if (x > max) max = x; }
  const mean = s / v.length;
  return { mean, variance: s2 / v.length - mean * mean, min, max };
}

// Sample sizes of 60,000 or more: the sample variance of these distributions has a relative standard error below
// sqrt(2 / 60000) = 0.6%, so a 4% tolerance is over 6 standard errors, and the sample mean's standard error is
// below stddev / 245.
const TOL = 0.04;

describe('fan computation (Keras compute_fans)', () => {
  it('uses (in, out) for matrices and multiplies by the receptive field for conv kernels', () => {
    expect(computeFans([200, 300])).toEqual({ fanIn: 200, fanOut: 300 });
    // [kh, kw, in, out] = [3, 3, 16, 32]: receptive field 9, fanIn 9 * 16, fanOut 9 * 32
    expect(computeFans([3, 3, 16, 32])).toEqual({ fanIn: 144, fanOut: 288 });
    expect(computeFans([7])).toEqual({ fanIn: 7, fanOut: 7 });
    expect(computeFans([])).toEqual({ fanIn: 1, fanOut: 1 });
  });
});

describe('variance-scaling initializers', () => {
  // [name, instance, shape, expected variance, uniform limit (uniform only) or truncation bound]
  const uniformCases: [string, Initializer, number[], number][] = [
    // limit sqrt(6 / (fanIn + fanOut)) = sqrt(6 / 500)
    ['glorot_uniform', new GlorotUniform({ seed: 1 }), [200, 300], Math.sqrt(6 / 500)],
    // limit sqrt(6 / fanIn) = sqrt(6 / 300)
    ['he_uniform', new HeUniform({ seed: 2 }), [300, 200], Math.sqrt(6 / 300)],
    // limit sqrt(3 / fanIn) = sqrt(3 / 300)
    ['lecun_uniform', new LecunUniform({ seed: 3 }), [300, 200], Math.sqrt(3 / 300)],
    // conv kernel [5, 5, 64, 32]: fanIn 1600, fanOut 800, glorot limit sqrt(6 / 2400)
    ['glorot_uniform (conv kernel)', new GlorotUniform({ seed: 4 }), [5, 5, 64, 32], Math.sqrt(6 / 2400)],
  ];
  it.each(uniformCases)('%s draws U(-limit, limit): variance limit^2 / 3', (_name, init, shape, limit) => {
    const s = stats(init.generate(shape));
    expect(s.min).toBeGreaterThanOrEqual(-limit);
    expect(s.max).toBeLessThanOrEqual(limit);
    expect(s.max).toBeGreaterThan(0.99 * limit);
    expect(s.min).toBeLessThan(-0.99 * limit);
    expect(Math.abs(s.mean)).toBeLessThan(limit / 100);
    expect(Math.abs(s.variance / (limit * limit / 3) - 1)).toBeLessThan(TOL);
  });

  const normalCases: [string, Initializer, number[], number][] = [
    // variance 2 / (fanIn + fanOut)
    ['glorot_normal', new GlorotNormal({ seed: 5 }), [200, 300], 2 / 500],
    // variance 2 / fanIn
    ['he_normal', new HeNormal({ seed: 6 }), [300, 200], 2 / 300],
    // variance 1 / fanIn
    ['lecun_normal', new LecunNormal({ seed: 7 }), [300, 200], 1 / 300],
    // conv kernel [5, 5, 64, 32]: he_normal variance 2 / 1600
    ['he_normal (conv kernel)', new HeNormal({ seed: 8 }), [5, 5, 64, 32], 2 / 1600],
    // untruncated normal, fan_out, scale 3: variance 3 / 200
    ['variance_scaling untruncated fan_out', new VarianceScaling({ scale: 3, mode: 'fan_out', distribution: 'untruncated_normal', seed: 9 }), [300, 200], 3 / 200],
  ];
  it.each(normalCases)('%s has the target variance', (name, init, shape, variance) => {
    const s = stats(init.generate(shape));
    const std = Math.sqrt(variance);
    expect(Math.abs(s.mean)).toBeLessThan(std / 50);
    expect(Math.abs(s.variance / variance - 1)).toBeLessThan(TOL);
    if (!name.includes('untruncated')) {
      // Truncated at two standard deviations of the underlying normal, whose stddev is std / 0.8796...
      const bound = (2 * std) / 0.87962566103423978;
      expect(Math.max(-s.min, s.max)).toBeLessThanOrEqual(bound * (1 + 1e-6));
      expect(Math.max(-s.min, s.max)).toBeGreaterThan(0.98 * bound);
    }
  });

  it('rejects bad VarianceScaling options', () => {
    expect(() => new VarianceScaling({ scale: 0 })).toThrow(/VarianceScaling: scale must be positive, got 0/);
    // @ts-expect-error: not a fan mode
    expect(() => new VarianceScaling({ mode: 'fan_middle' })).toThrow(/mode must be 'fan_in', 'fan_out' or 'fan_avg'/);
  });
});

describe('simple initializers', () => {
  it('random_normal: mean 0, stddev 0.05 by default', () => {
    const s = stats(new RandomNormal({ seed: 1 }).generate([300, 300]));
    expect(Math.abs(s.mean)).toBeLessThan(0.001);
    expect(Math.abs(s.variance / 0.0025 - 1)).toBeLessThan(TOL);
    const shifted = stats(new RandomNormal({ mean: 2, stddev: 0.5, seed: 1 }).generate([300, 300]));
    expect(Math.abs(shifted.mean - 2)).toBeLessThan(0.01);
    expect(Math.abs(shifted.variance / 0.25 - 1)).toBeLessThan(TOL);
  });

  it('random_uniform: U(-0.05, 0.05) by default, variance 0.1^2 / 12', () => {
    const s = stats(new RandomUniform({ seed: 1 }).generate([300, 300]));
    expect(s.min).toBeGreaterThanOrEqual(-0.05);
    expect(s.max).toBeLessThanOrEqual(0.05);
    expect(Math.abs(s.variance / (0.01 / 12) - 1)).toBeLessThan(TOL);
    const r = stats(new RandomUniform({ minval: 2, maxval: 3, seed: 1 }).generate([1000]));
    expect(r.min).toBeGreaterThanOrEqual(2);
    expect(r.max).toBeLessThanOrEqual(3);
  });

  it('truncated_normal: within two standard deviations of the mean', () => {
    const s = stats(new TruncatedNormal({ stddev: 1, seed: 1 }).generate([300, 300]));
    expect(s.min).toBeGreaterThanOrEqual(-2);
    expect(s.max).toBeLessThanOrEqual(2);
    // The variance of a unit normal truncated to [-2, 2] is 0.87962566103423978^2 = 0.7737413
    expect(Math.abs(s.variance / 0.7737413 - 1)).toBeLessThan(TOL);
  });

  it('zeros, ones, constant, identity', () => {
    expect(Array.from(new Zeros().generate([2, 2]).values)).toEqual([0, 0, 0, 0]);
    expect(Array.from(new Ones().generate([3]).values)).toEqual([1, 1, 1]);
    expect(Array.from(new Constant({ value: 2.5 }).generate([2]).values)).toEqual([2.5, 2.5]);
    expect(Array.from(new Identity({ gain: 3 }).generate([2, 3]).values)).toEqual([3, 0, 0, 0, 3, 0]);
    expect(() => new Identity().generate([2, 2, 2])).toThrow(/Identity initializer: expected a 2-D shape, got \[2,2,2\]/);
  });
});

describe('seeding', () => {
  it('a seeded initializer draws the same values on every call and for every instance (Keras 3)', () => {
    for (const make of [(seed: number) => new GlorotUniform({ seed }), (seed: number) => new HeNormal({ seed }), (seed: number) => new RandomNormal({ seed })]) {
      const a = make(42);
      const first = Array.from(a.generate([20, 10]).values);
      expect(Array.from(a.generate([20, 10]).values)).toEqual(first);
      expect(Array.from(make(42).generate([20, 10]).values)).toEqual(first);
      expect(Array.from(make(43).generate([20, 10]).values)).not.toEqual(first);
    }
  });

  it('unseeded initializers follow the global seed', () => {
    setSeed(123);
    const a = Array.from(new GlorotUniform().generate([10, 10]).values);
    const b = Array.from(new GlorotUniform().generate([10, 10]).values);
    expect(b).not.toEqual(a);
    setSeed(123);
    expect(Array.from(new GlorotUniform().generate([10, 10]).values)).toEqual(a);
    expect(Array.from(new GlorotUniform().generate([10, 10]).values)).toEqual(b);
  });
});

describe('getInitializer', () => {
  it('resolves Keras snake_case names, tfjs camelCase names and Keras aliases', () => {
    expect(getInitializer('glorot_uniform').className).toBe('GlorotUniform');
    expect(getInitializer('glorotUniform').className).toBe('GlorotUniform');
    expect(getInitializer('heNormal').className).toBe('HeNormal');
    expect(getInitializer('lecun_normal').className).toBe('LecunNormal');
    expect(getInitializer('uniform').className).toBe('RandomUniform');
    expect(getInitializer('normal').className).toBe('RandomNormal');
    const init = new Ones();
    expect(getInitializer(init)).toBe(init);
  });

  it('rejects an unknown name with a suggestion, naming the owner', () => {
    // @ts-expect-error: misspelled initializer name
    expect(() => getInitializer('glorot_unifrom', "Dense 'd'")).toThrow(/Dense 'd': unknown initializer 'glorot_unifrom' \(did you mean 'glorot_uniform'\?\); valid initializers are zeros, ones/);
  });

  it('reports configs as Keras does', () => {
    expect(new GlorotUniform({ seed: 3 }).getConfig()).toEqual({ seed: 3 });
    expect(new GlorotUniform().getConfig()).toEqual({});
    expect(new RandomNormal().getConfig()).toEqual({ mean: 0, stddev: 0.05 });
    expect(new VarianceScaling().getConfig()).toEqual({ scale: 1, mode: 'fan_in', distribution: 'truncated_normal' });
  });
});

/** Householder QR of the row-major [m, n] matrix a (m >= n), float64: Q [m, n] with Q·R = a. */
function householderQ(a: number[], m: number, n: number): { q: number[]; rDiag: number[] } {
  const r = a.slice();
  const qFull = Array.from({ length: m * m }, (_, i) => (Math.floor(i / m) === i % m ? 1 : 0));
  for (let k = 0; k < n; k++) {
    const v = new Array<number>(m).fill(0);
    let norm = 0;
    for (let i = k; i < m; i++) norm += r[i * n + k]! ** 2;
    norm = Math.sqrt(norm);
    const alpha = r[k * n + k]! > 0 ? -norm : norm;
    for (let i = k; i < m; i++) v[i] = r[i * n + k]!;
    v[k]! -= alpha;
    const vv = v.reduce((p, x) => p + x * x, 0);
    if (vv === 0) continue;
    for (let j = 0; j < n; j++) {
      let d = 0;
      for (let i = k; i < m; i++) d += v[i]! * r[i * n + j]!;
      for (let i = k; i < m; i++) r[i * n + j]! -= (2 * d / vv) * v[i]!;
    }
    // Q = Q · H_k
    for (let i = 0; i < m; i++) {
      let d = 0;
      for (let l = k; l < m; l++) d += qFull[i * m + l]! * v[l]!;
      for (let l = k; l < m; l++) qFull[i * m + l]! -= (2 * d / vv) * v[l]!;
    }
  }
  const q = Array.from({ length: m * n }, (_, i) => qFull[Math.floor(i / n) * m + (i % n)]!);
  return { q, rDiag: Array.from({ length: n }, (_, k) => r[k * n + k]!) };
}

describe('Orthogonal (Keras 3 OrthogonalInitializer)', () => {
  it('is Q of the QR of a seeded normal matrix with the signs of diag(R), times gain (against a Householder QR)', () => {
    for (const [shape, gain] of [[[6, 4], 1], [[4, 6], 1.5], [[2, 3, 4], 2], [[5, 5], 1]] as const) {
      const rows = shape.slice(0, -1).reduce((p, d) => p * d, 1), cols = shape[shape.length - 1]!;
      const m = Math.max(rows, cols), n = Math.min(rows, cols);
      const t = new Orthogonal({ gain, seed: 17 }).generate(shape);
      expect(t.shape).toEqual(shape);
      // The same normal draws, factored independently.
      const rng = rngFor(17);
      const a = Array.from({ length: m * n }, () => rng.normal());
      const { q, rDiag } = householderQ(a, m, n);
      const want = new Float64Array(rows * cols);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        const v = gain * q[i * n + j]! * Math.sign(rDiag[j]!);
        want[rows >= cols ? i * n + j : j * m + i] = v;
      }
      let err = 0;
      for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(want[i]! - t.values[i]!));
      expect(err, JSON.stringify(shape)).toBeLessThan(1e-6);
      // Orthonormal columns (rows >= cols) or rows (rows < cols): Q^T Q = gain^2 I.
      const v = t.values, small = n;
      for (let i = 0; i < small; i++) for (let j = 0; j < small; j++) {
        let dot = 0;
        for (let k = 0; k < m; k++) dot += rows >= cols ? v[k * cols + i]! * v[k * cols + j]! : v[i * cols + k]! * v[j * cols + k]!;
        expect(Math.abs(dot - (i === j ? gain * gain : 0))).toBeLessThan(1e-5);
      }
    }
  });

  it('is seeded like the other random initializers, resolves by name and rejects rank-1 shapes', () => {
    expect(Array.from(new Orthogonal({ seed: 3 }).generate([4, 4]).values)).toEqual(Array.from(new Orthogonal({ seed: 3 }).generate([4, 4]).values));
    expect(Array.from(new Orthogonal({ seed: 3 }).generate([4, 4]).values)).not.toEqual(Array.from(new Orthogonal({ seed: 4 }).generate([4, 4]).values));
    expect(getInitializer('orthogonal').className).toBe('Orthogonal');
    expect(new Orthogonal({ gain: 2, seed: 1 }).getConfig()).toEqual({ gain: 2, seed: 1 });
    expect(() => new Orthogonal().generate([5])).toThrow(/Orthogonal initializer: expected a shape of rank 2 or more, got \[5\]/);
  });
});
