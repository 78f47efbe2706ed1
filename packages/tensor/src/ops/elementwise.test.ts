/**
 * Forward values of the elementwise ops, checked against hand-computed numbers (arithmetic in the comments)
 * or the formulas in the Keras / NumPy docs, never against the implementation. Reference values for
 * transcendental functions were computed in float64 (Python's math module) and are compared at float32
 * precision (rtol 1e-6).
 */
import { describe, expect, it } from 'vitest';
import { expectClose } from '@minikeras/test-utils';
import * as mk from '../index';

const t = mk.tensor;
const close = (actual: mk.Tensor, expected: number[], rtol = 1e-6) => expectClose(actual, expected, { rtol, atol: 1e-7 });

describe('arithmetic with NumPy broadcasting', () => {
  it('adds same-shape, bias-like and scalar operands', () => {
    // [[1,2,3],[4,5,6]] + [10,20,30]: the vector repeats down the rows.
    const y = mk.add(t([[1, 2, 3], [4, 5, 6]]), t([10, 20, 30]));
    expect(y.shape).toEqual([2, 3]);
    expect(y.arraySync()).toEqual([[11, 22, 33], [14, 25, 36]]);
    expect(mk.add(t([1, 2]), 3).arraySync()).toEqual([4, 5]);
    expect(mk.add(5, t([[1], [2]])).arraySync()).toEqual([[6], [7]]);
  });

  it('broadcasts [2,1,4] * [3,1] to [2,3,4]', () => {
    // a[i][0][k] = 4i + k, b[j][0] = j + 1, so out[i][j][k] = (4i + k)(j + 1).
    const a = mk.range(0, 8).reshape([2, 1, 4]);
    const b = t([[1], [2], [3]]);
    const y = mk.mul(a, b);
    expect(y.shape).toEqual([2, 3, 4]);
    expect(y.arraySync()).toEqual([
      [[0, 1, 2, 3], [0, 2, 4, 6], [0, 3, 6, 9]],
      [[4, 5, 6, 7], [8, 10, 12, 14], [12, 15, 18, 21]],
    ]);
  });

  it('broadcasts a column against a row (outer operation)', () => {
    // [[1],[2],[3]] - [[10, 20]] = [[1-10, 1-20], [2-10, 2-20], [3-10, 3-20]]
    expect(mk.sub(t([[1], [2], [3]]), t([[10, 20]])).arraySync()).toEqual([[-9, -19], [-8, -18], [-7, -17]]);
  });

  it('treats leading 1s and a size-1 axis in the middle like NumPy', () => {
    // [1,1,3] + [2,1,1] -> [2,1,3]
    const y = mk.add(t([[[1, 2, 3]]]), t([[[10]], [[20]]]));
    expect(y.shape).toEqual([2, 1, 3]);
    expect(y.arraySync()).toEqual([[[11, 12, 13]], [[21, 22, 23]]]);
    // [4,1,2] x [3,1]: -> [4,3,2], every (i, j, k) = a[i,0,k] * b[j,0]
    const a = mk.range(1, 9).reshape([4, 1, 2]);
    const b = t([[1], [10], [100]]);
    const p = mk.mul(a, b);
    expect(p.shape).toEqual([4, 3, 2]);
    expect((p.arraySync() as number[][][])[3]).toEqual([[7, 8], [70, 80], [700, 800]]);
    // Empty axes broadcast too: [0,3] + [3] -> [0,3].
    expect(mk.add(mk.zeros([0, 3]), t([1, 2, 3])).shape).toEqual([0, 3]);
  });

  it('sub, mul, div and their scalar forms', () => {
    expect(mk.sub(10, t([1, 2])).arraySync()).toEqual([9, 8]);
    expect(mk.mul(t([1.5, -2]), t([2, 3])).arraySync()).toEqual([3, -6]);
    expect(mk.div(t([1, 2, 3]), 2).arraySync()).toEqual([0.5, 1, 1.5]);
    expect(mk.div(1, t([4, 8])).arraySync()).toEqual([0.25, 0.125]);
  });

  it('pow follows Math.pow / NumPy', () => {
    // 2^0 = 1, 2^1 = 2, 2^10 = 1024; 4^0.5 = 2; 0^0 = 1; (-8)^(1/3) is NaN for real powers (NumPy: nan).
    close(mk.pow(2, t([0, 1, 10])), [1, 2, 1024]);
    close(mk.pow(t([4, 0, -8, -2]), t([0.5, 0, 1 / 3, 3])), [2, 1, NaN, -8]);
  });

  it('maximum, minimum, squaredDifference', () => {
    expect(mk.maximum(t([1, 5, -3]), t([2, 2, -4])).arraySync()).toEqual([2, 5, -3]);
    expect(mk.minimum(t([1, 5, -3]), 0).arraySync()).toEqual([0, 0, -3]);
    // (1-4)^2 = 9, (2-0)^2 = 4, (-1-(-1))^2 = 0
    expect(mk.squaredDifference(t([1, 2, -1]), t([4, 0, -1])).arraySync()).toEqual([9, 4, 0]);
  });

  it('neg, abs, sign, square, sqrt, exp, log, reciprocal', () => {
    expect(mk.neg(t([1, -2, 0])).arraySync()).toEqual([-1, 2, -0]);
    expect(mk.abs(t([-1.5, 2, -0])).arraySync()).toEqual([1.5, 2, 0]);
    expect(mk.sign(t([-2, 0, 3])).arraySync()).toEqual([-1, 0, 1]);
    expect(mk.square(t([-3, 0.5])).arraySync()).toEqual([9, 0.25]);
    expect(mk.sqrt(t([4, 2.25, 0])).arraySync()).toEqual([2, 1.5, 0]);
    close(mk.exp(t([0, 1, -1])), [1, Math.E, 1 / Math.E]);
    close(mk.log(t([1, Math.E, 10])), [0, 1, Math.LN10]);
    expect(mk.reciprocal(t([2, -4])).arraySync()).toEqual([0.5, -0.25]);
  });

  it('log1p, expm1, sin, cos, cosh, logCosh, erf', () => {
    close(mk.log1p(t([0, Math.E - 1])), [0, 1]);
    close(mk.expm1(t([0, 1])), [0, Math.E - 1]);
    close(mk.sin(t([0, Math.PI / 2])), [0, 1]);
    close(mk.cos(t([0, Math.PI])), [1, -1]);
    close(mk.cosh(t([0, 1])), [1, (Math.E + 1 / Math.E) / 2]);
    // log(cosh(2)) = 1.3250027473578645; logCosh(100) = 100 - log 2 with no overflow (cosh(100) ~ 1.3e43).
    close(mk.logCosh(t([2, 100, -100])), [1.3250027473578645, 100 - Math.LN2, 100 - Math.LN2]);
    // erf(0.5) = 0.5204998778130465, erf(1) = 0.8427007929497149, erf(2) = 0.9953222650189527 (all three
    // branches of Cody's approximation), odd symmetry, erf(+-inf) = +-1.
    close(mk.erf(t([0, 0.5, 1, 2, -2, 6, Infinity, -Infinity])), [0, 0.5204998778130465, 0.8427007929497149, 0.9953222650189527, -0.9953222650189527, 1, 1, -1]);
  });

  it('floor, ceil and round (half to even, as NumPy and tf.round)', () => {
    expect(mk.floor(t([1.7, -1.2])).arraySync()).toEqual([1, -2]);
    expect(mk.ceil(t([1.2, -1.7])).arraySync()).toEqual([2, -1]);
    expect(mk.round(t([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, 2.6])).arraySync()).toEqual([0, 2, 2, -0, -2, -2, 2, 3]);
  });

  it('where picks by a broadcast condition', () => {
    // cond [[1,0,1]] broadcasts over the 2 rows; b = 0 is a scalar.
    expect(mk.where(t([[1, 0, 1]]), t([[1, 2, 3], [4, 5, 6]]), 0).arraySync()).toEqual([[1, 0, 3], [4, 0, 6]]);
    expect(mk.where(mk.greater(t([1, -1, 2]), 0), t([10, 20, 30]), t([-1, -2, -3])).arraySync()).toEqual([10, -2, 30]);
  });

  it('comparisons return 0/1 float masks', () => {
    const a = t([1, 2, 3]), b = t([3, 2, 1]);
    expect(mk.equal(a, b).arraySync()).toEqual([0, 1, 0]);
    expect(mk.notEqual(a, b).arraySync()).toEqual([1, 0, 1]);
    expect(mk.greater(a, b).arraySync()).toEqual([0, 0, 1]);
    expect(mk.greaterEqual(a, b).arraySync()).toEqual([0, 1, 1]);
    expect(mk.less(a, b).arraySync()).toEqual([1, 0, 0]);
    expect(mk.lessEqual(a, 2).arraySync()).toEqual([1, 1, 0]);
  });

  it('clipByValue clamps and rejects min > max', () => {
    expect(mk.clipByValue(t([-2, 0.5, 3]), -1, 1).arraySync()).toEqual([-1, 0.5, 1]);
    expect(() => mk.clipByValue(t([1]), 2, 1)).toThrow(/clipByValue: min \(2\) must be <= max \(1\)/);
  });

  it('cast truncates toward zero for int32 and keeps float32 values', () => {
    const i = mk.cast(t([1.7, -1.7, 2.5, -0.2]), 'int32');
    expect(i.dtype).toBe('int32');
    expect(i.values).toBeInstanceOf(Int32Array);
    expect(i.arraySync()).toEqual([1, -1, 2, 0]);
    const f = mk.cast(i, 'float32');
    expect(f.dtype).toBe('float32');
    expect(f.values).toBeInstanceOf(Float32Array);
  });

  it('stopGradient keeps values and cuts the graph', () => {
    const [g] = mk.grads((x: mk.Tensor) => mk.mul(x, mk.stopGradient(x)).sum())(t([2, 3]));
    // d/dx (x * c) with c = x held constant = c = [2, 3] (not 2x).
    expect(g!.arraySync()).toEqual([2, 3]);
  });
});

describe('activations match the Keras 3 definitions', () => {
  it('relu, relu6, leakyRelu', () => {
    expect(mk.relu(t([-1, 0, 2.5])).arraySync()).toEqual([0, 0, 2.5]);
    // relu6(x) = min(max(x, 0), 6)
    expect(mk.relu6(t([-1, 3, 6, 7, Infinity])).arraySync()).toEqual([0, 3, 6, 6, 6]);
    // leakyRelu(x) = x if x >= 0 else alpha * x; tfjs' default alpha is 0.2.
    close(mk.leakyRelu(t([-2, 3])), [-0.4, 3]);
    close(mk.leakyRelu(t([-2, 3]), 0.01), [-0.02, 3]);
  });

  it('elu and selu with the Keras constants', () => {
    // elu(-1) = e^-1 - 1 = -0.6321205588285577; alpha 0.5 halves it.
    close(mk.elu(t([-1, 2])), [-0.6321205588285577, 2]);
    close(mk.elu(t([-1, 2]), 0.5), [-0.31606027941427883, 2]);
    // selu: scale = 1.05070098, alpha = 1.67326324 (keras.activations.selu).
    // selu(1) = scale = 1.0507009873554805; selu(-1) = scale * alpha * (e^-1 - 1) = -1.1113307378125625.
    close(mk.selu(t([1, -1, -3, 0])), [1.0507009873554805, -1.1113307378125625, -1.6705687287671118, 0]);
    // selu(x) -> -scale * alpha = -1.7580993408473766 as x -> -inf.
    close(mk.selu(t([-50])), [-1.7580993408473766]);
  });

  it('gelu: exact erf form by default, tanh approximation on request', () => {
    // exact: x * Phi(x) = x/2 * (1 + erf(x / sqrt 2)); gelu(1) = 0.8413447460685429
    close(mk.gelu(t([-1, 1, 2, 0.5, 0])), [-0.15865525393145707, 0.8413447460685429, 1.9544997361036416, 0.34573123063700656, 0]);
    // approximate: x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))); gelu(1) = 0.8411919906082768
    close(mk.gelu(t([-1, 1, 2, 0.5, 0]), true), [-0.15880800939172324, 0.8411919906082768, 1.954597694087775, 0.34571400982514394, 0]);
  });

  it('sigmoid and hardSigmoid (Keras 3: relu6(x + 3) / 6)', () => {
    // sigmoid(1) = 1 / (1 + e^-1) = 0.7310585786300049; no overflow at +-1000.
    close(mk.sigmoid(t([0, 1, -1, 1000, -1000])), [0.5, 0.7310585786300049, 0.2689414213699951, 1, 0]);
    // hard_sigmoid: 0 below -3, 1 above 3, x / 6 + 1/2 between: (1 + 3) / 6 = 0.6666667, (-1.5 + 3) / 6 = 0.25.
    close(mk.hardSigmoid(t([-4, -3, -1.5, 0, 1, 3, 4])), [0, 0, 0.25, 0.5, 4 / 6, 1, 1]);
  });

  it('tanh, softplus, softsign, swish/silu', () => {
    close(mk.tanh(t([0, 0.5, -0.5, 20])), [0, 0.46211715726000974, -0.46211715726000974, 1]);
    // softplus(x) = log(1 + e^x): softplus(0) = log 2, softplus(1) = 1.3132616875182228,
    // softplus(100) = 100 (no overflow), softplus(-100) = e^-100 = 3.72e-44 (a float32 subnormal).
    close(mk.softplus(t([0, 1, 100])), [Math.LN2, 1.3132616875182228, 100]);
    expect(mk.softplus(t([-100])).values[0]).toBeGreaterThan(0);
    // softsign(x) = x / (1 + |x|)
    close(mk.softsign(t([1, -3, 0])), [0.5, -0.75, 0]);
    // swish(x) = x * sigmoid(x): swish(1) = 0.7310585786300049, swish(-1) = -0.2689414213699951
    close(mk.swish(t([1, -1, 0])), [0.7310585786300049, -0.2689414213699951, 0]);
    expect(mk.silu).toBe(mk.swish);
  });
});

describe('errors name the op and the shapes', () => {
  it('incompatible broadcasts', () => {
    expect(() => mk.add(mk.zeros([2, 3]), mk.zeros([4]))).toThrow(/^add: shapes \[2,3\] and \[4\] cannot be broadcast$/);
    expect(() => mk.mul(mk.zeros([2, 3]), mk.zeros([3, 2]))).toThrow(/^mul: shapes \[2,3\] and \[3,2\] cannot be broadcast$/);
    expect(() => mk.sub(mk.zeros([2, 1, 3]), mk.zeros([4, 2]))).toThrow(/^sub: shapes \[2,1,3\] and \[4,2\] cannot be broadcast$/);
    expect(() => mk.maximum(mk.zeros([2]), mk.zeros([3]))).toThrow(/^maximum: shapes \[2\] and \[3\] cannot be broadcast$/);
    expect(() => mk.where(mk.zeros([2]), mk.zeros([3]), 0)).toThrow(/^where: shapes \[2\] and \[3\] cannot be broadcast$/);
  });
});

describe('NaN and Infinity propagate as IEEE 754', () => {
  const nan = NaN, inf = Infinity;
  it('arithmetic', () => {
    // 1/0 = inf, -1/0 = -inf, 0/0 = nan, inf - inf = nan, 0 * inf = nan.
    close(mk.div(t([1, -1, 0]), 0), [inf, -inf, nan]);
    close(mk.sub(t([inf]), t([inf])), [nan]);
    close(mk.mul(t([0]), t([inf])), [nan]);
    close(mk.add(t([nan, 1]), 1), [nan, 2]);
  });

  it('log(0) = -inf, log(-1) = nan, sqrt(-1) = nan, exp(inf) = inf, exp(-inf) = 0', () => {
    close(mk.log(t([0, -1])), [-inf, nan]);
    close(mk.sqrt(t([-1])), [nan]);
    close(mk.exp(t([inf, -inf, 1000])), [inf, 0, inf]);
  });

  it('activations keep NaN (relu(NaN) = NaN, not 0)', () => {
    for (const f of [mk.relu, mk.relu6, mk.sigmoid, mk.hardSigmoid, mk.tanh, mk.softplus, mk.softsign, mk.swish, mk.selu, mk.abs, mk.sign, mk.square, (x: mk.Tensor) => mk.gelu(x), (x: mk.Tensor) => mk.gelu(x, true), (x: mk.Tensor) => mk.elu(x), (x: mk.Tensor) => mk.leakyRelu(x), (x: mk.Tensor) => mk.clipByValue(x, -1, 1)]) {
      expect(Number.isNaN(f(t([nan])).values[0]), f.name).toBe(true);
    }
    // Limits at the infinities.
    close(mk.relu(t([inf, -inf])), [inf, 0]);
    close(mk.sigmoid(t([inf, -inf])), [1, 0]);
    close(mk.tanh(t([inf, -inf])), [1, -1]);
    close(mk.softplus(t([inf, -inf])), [inf, 0]);
    close(mk.elu(t([inf, -inf])), [inf, -1]);
  });

  it('maximum and minimum propagate NaN from either side (NumPy, TF)', () => {
    close(mk.maximum(t([1, nan, 3]), t([2, 2, nan])), [2, nan, nan]);
    close(mk.minimum(t([1, nan, 3]), t([2, 2, nan])), [1, nan, nan]);
    close(mk.maximum(t([-inf, inf]), 0), [0, inf]);
  });

  it('comparisons with NaN are false (except notEqual)', () => {
    expect(mk.equal(t([nan]), t([nan])).arraySync()).toEqual([0]);
    expect(mk.notEqual(t([nan]), t([nan])).arraySync()).toEqual([1]);
    expect(mk.greater(t([nan]), 0).arraySync()).toEqual([0]);
  });

  it('gradients through NaN inputs are NaN or 0, never a crash', () => {
    const [g] = mk.grads((x: mk.Tensor) => mk.exp(x).sum())(t([nan, 0]));
    close(g!, [nan, 1]);
  });
});
