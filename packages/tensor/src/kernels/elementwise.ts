/**
 * Elementwise kernels: plain loops over typed arrays, writing into a caller-given `out`.
 * Ops are an enumerated list (not callbacks) so that a WebAssembly backend can implement the same contract.
 */
import type { Shape } from '../shape';

/** The typed arrays kernels read and write. */
export type NumArray = Float32Array | Int32Array | Float64Array;

/** The elementwise one-input kernels, by name (`Backend.unary(op, x, out)`). */
export type UnaryOp =
  | 'neg' | 'exp' | 'log' | 'sqrt' | 'square' | 'abs' | 'sign' | 'reciprocal'
  | 'relu' | 'relu6' | 'selu' | 'gelu' | 'geluTanh' | 'sigmoid' | 'hardSigmoid' | 'tanh'
  | 'softplus' | 'softsign' | 'swish' | 'log1p' | 'expm1' | 'sin' | 'cos' | 'floor' | 'ceil' | 'round'
  | 'cosh' | 'logCosh' | 'erf';

/** The elementwise two-input kernels with NumPy broadcasting, by name (`Backend.binary(op, ...)`). */
export type BinaryOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum'
  | 'equal' | 'notEqual' | 'greater' | 'greaterEqual' | 'less' | 'lessEqual' | 'squaredDifference';

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * Abramowitz-Stegun 7.1.26 is too coarse for gradchecks; this is W. J. Cody's rational Chebyshev erf
 * (ACM TOMS 715, CALERF) in its three ranges |x| <= 0.46875, <= 4 and beyond, |relative error| < 1e-15.
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax <= 0.46875) {
    const t = x * x;
    const p = (((0.185777706184603153 * t + 3.16112374387056560) * t + 113.864154151050156) * t + 377.485237685302021) * t + 3209.37758913846947;
    const q = ((((t + 23.6012909523441209) * t + 244.024637934444173) * t + 1282.61652607737228) * t + 2844.23683333670370);
    return x * p / q;
  }
  return x < 0 ? -(1 - erfcPositive(ax)) : 1 - erfcPositive(ax);
}

function erfcPositive(x: number): number {
  if (x >= 27) return 0;
  if (x < 4) {
    const p = (((((((2.15311535474403846e-8 * x + 5.64188496988670089e-1) * x + 8.88314979438837594) * x + 66.1191906371416295) * x + 298.635138197400131) * x + 881.952221241769090) * x + 1712.04761263407058) * x + 2051.07837782607147) * x + 1230.33935479799725;
    const q = (((((((x + 15.7449261107098347) * x + 117.693950891312499) * x + 537.181101862009858) * x + 1621.38957456669019) * x + 3290.79923573345963) * x + 4362.61909014324716) * x + 3439.36767414372164) * x + 1230.33935480374942;
    return Math.exp(-x * x) * p / q;
  }
  const z = 1 / (x * x);
  const p = ((((1.63153871373020978e-2 * z + 3.05326634961232344e-1) * z + 3.60344899949804439e-1) * z + 1.25781726111229246e-1) * z + 1.60837851487422766e-2) * z + 6.58749161529837803e-4;
  const q = ((((z + 2.56852019228982242) * z + 1.87295284992346725) * z + 5.27905102951428412e-1) * z + 6.05183413124413191e-2) * z + 2.33520497626869185e-3;
  return Math.exp(-x * x) / x * (1 / Math.sqrt(Math.PI) - z * p / q);
}

function softplus(x: number): number {
  // log(1 + e^x) without overflow for large x or loss of precision for very negative x.
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

// Eigen's float32 tanh (generic_fast_tanh_float), which TensorFlow's CPU kernels, hence Keras, use: a 13/6
// rational approximation on [-7.9, 7.9]. Evaluated in float64 here, the float32 result is within 3 ulp of the
// correctly rounded tanh (78% exact, measured over a 1e-5 grid on [-9, 9]) and about 4x faster than Math.tanh,
// which is most of a small tanh network's step. Below 4e-4 tanh(x) rounds to x; beyond 7.9, Math.tanh.
// The coefficients are literals, not module constants: bundlers turn top-level consts into mutable vars, which
// V8 then reloads on every use (measured 2x slower here).
export function tanhF32(x: number): number {
  const ax = Math.abs(x);
  if (ax < 4e-4) return x;
  if (!(ax <= 7.9)) return Math.tanh(x);
  const x2 = x * x;
  const p = x * (4.89352455891786e-3 + x2 * (6.37261928875436e-4 + x2 * (1.48572235717979e-5 + x2 * (5.12229709037114e-8
    + x2 * (-8.60467152213735e-11 + x2 * (2.00018790482477e-13 + x2 * -2.76076847742355e-16))))));
  return p / (4.89352518554385e-3 + x2 * (2.268434632439e-3 + x2 * (1.18534705686654e-4 + x2 * 1.19825839466702e-6)));
}

function logCosh(x: number): number {
  // log(cosh x) = |x| + log1p(e^{-2|x|}) - log 2, stable for large |x|.
  const ax = Math.abs(x);
  return ax + Math.log1p(Math.exp(-2 * ax)) - Math.LN2;
}

export function unary(op: UnaryOp, x: NumArray, out: NumArray): void {
  const n = x.length;
  switch (op) {
    case 'neg': for (let i = 0; i < n; i++) out[i] = -x[i]!; return;
    case 'exp': for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]!); return;
    case 'log': for (let i = 0; i < n; i++) out[i] = Math.log(x[i]!); return;
    case 'sqrt': for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]!); return;
    case 'square': for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v * v; } return;
    case 'abs': for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]!); return;
    case 'sign': for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v > 0 ? 1 : v < 0 ? -1 : v; } return;
    case 'reciprocal': for (let i = 0; i < n; i++) out[i] = 1 / x[i]!; return;
    // NOTE: relu(NaN) must stay NaN (IEEE propagation), so compare with > rather than Math.max.
    case 'relu':
      if (x instanceof Float32Array && out instanceof Float32Array) {
        // Branch-free on the bits: keep x unless x <= 0 (so NaN is kept, -0 and negatives become +0). The
        // ternary below mispredicts on half-negative activations; this measured ~3x faster, same bits out.
        const xi = new Int32Array(x.buffer, x.byteOffset, n), oi = new Int32Array(out.buffer, out.byteOffset, n);
        for (let i = 0; i < n; i++) oi[i] = xi[i]! & -+!(x[i]! <= 0);
        return;
      }
      for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v > 0 ? v : v !== v ? v : 0; }
      return;
    case 'relu6': for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v > 6 ? 6 : v > 0 ? v : v !== v ? v : 0; } return;
    case 'selu': for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v > 0 ? SELU_SCALE * v : SELU_SCALE * SELU_ALPHA * Math.expm1(v); } return;
    case 'gelu': for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = 0.5 * v * (1 + erf(v / Math.SQRT2)); } return;
    case 'geluTanh': for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v))); } return;
    case 'sigmoid': for (let i = 0; i < n; i++) out[i] = sigmoid(x[i]!); return;
    // Keras 3: hard_sigmoid(x) = relu6(x + 3) / 6.
    case 'hardSigmoid': for (let i = 0; i < n; i++) { const v = x[i]! / 6 + 0.5; out[i] = v > 1 ? 1 : v > 0 ? v : v !== v ? v : 0; } return;
    case 'tanh': for (let i = 0; i < n; i++) out[i] = tanhF32(x[i]!); return;
    case 'softplus': for (let i = 0; i < n; i++) out[i] = softplus(x[i]!); return;
    case 'softsign': for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v / (1 + Math.abs(v)); } return;
    case 'swish': for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v * sigmoid(v); } return;
    case 'log1p': for (let i = 0; i < n; i++) out[i] = Math.log1p(x[i]!); return;
    case 'expm1': for (let i = 0; i < n; i++) out[i] = Math.expm1(x[i]!); return;
    case 'sin': for (let i = 0; i < n; i++) out[i] = Math.sin(x[i]!); return;
    case 'cos': for (let i = 0; i < n; i++) out[i] = Math.cos(x[i]!); return;
    case 'floor': for (let i = 0; i < n; i++) out[i] = Math.floor(x[i]!); return;
    case 'ceil': for (let i = 0; i < n; i++) out[i] = Math.ceil(x[i]!); return;
    // Banker's rounding, as NumPy and tf.round do.
    case 'round': for (let i = 0; i < n; i++) { const v = x[i]!; const r = Math.round(v); out[i] = Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r; } return;
    case 'cosh': for (let i = 0; i < n; i++) out[i] = Math.cosh(x[i]!); return;
    case 'logCosh': for (let i = 0; i < n; i++) out[i] = logCosh(x[i]!); return;
    case 'erf': for (let i = 0; i < n; i++) out[i] = erf(x[i]!); return;
  }
}

/**
 * Gradient of a unary op: out = dy * f'(x), given the input `x` and the forward output `y`.
 * Returns false for ops whose gradient is zero almost everywhere (sign, floor, ...).
 */
export function unaryGrad(op: UnaryOp, x: NumArray, y: NumArray, dy: NumArray, out: NumArray): void {
  const n = x.length;
  switch (op) {
    case 'neg': for (let i = 0; i < n; i++) out[i] = -dy[i]!; return;
    case 'exp': for (let i = 0; i < n; i++) out[i] = dy[i]! * y[i]!; return;
    case 'log': for (let i = 0; i < n; i++) out[i] = dy[i]! / x[i]!; return;
    case 'sqrt': for (let i = 0; i < n; i++) out[i] = dy[i]! / (2 * y[i]!); return;
    case 'square': for (let i = 0; i < n; i++) out[i] = 2 * dy[i]! * x[i]!; return;
    case 'abs': for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v > 0 ? dy[i]! : v < 0 ? -dy[i]! : 0; } return;
    case 'reciprocal': for (let i = 0; i < n; i++) { const v = y[i]!; out[i] = -dy[i]! * v * v; } return;
    // NOTE: relu'(0) := 0, as in TensorFlow and Keras.
    case 'relu':
      if (dy instanceof Float32Array && out instanceof Float32Array) {
        // Branch-free select on the bits (dy where x > 0, else +0): the same values as the ternary below,
        // about 2x faster on half-negative activations, where its branch mispredicts.
        const di = new Int32Array(dy.buffer, dy.byteOffset, n), oi = new Int32Array(out.buffer, out.byteOffset, n);
        for (let i = 0; i < n; i++) oi[i] = di[i]! & -+(x[i]! > 0);
        return;
      }
      for (let i = 0; i < n; i++) out[i] = x[i]! > 0 ? dy[i]! : 0;
      return;
    case 'relu6': for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v > 0 && v < 6 ? dy[i]! : 0; } return;
    case 'selu': for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = dy[i]! * (v > 0 ? SELU_SCALE : y[i]! + SELU_SCALE * SELU_ALPHA); } return;
    case 'gelu':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        const cdf = 0.5 * (1 + erf(v / Math.SQRT2));
        const pdf = Math.exp(-0.5 * v * v) / Math.sqrt(2 * Math.PI);
        out[i] = dy[i]! * (cdf + v * pdf);
      }
      return;
    case 'geluTanh':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        const u = SQRT_2_OVER_PI * (v + 0.044715 * v * v * v);
        const t = Math.tanh(u);
        const du = SQRT_2_OVER_PI * (1 + 3 * 0.044715 * v * v);
        out[i] = dy[i]! * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * du);
      }
      return;
    case 'sigmoid': for (let i = 0; i < n; i++) { const s = y[i]!; out[i] = dy[i]! * s * (1 - s); } return;
    case 'hardSigmoid': for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v > -3 && v < 3 ? dy[i]! / 6 : 0; } return;
    case 'tanh': for (let i = 0; i < n; i++) { const t = y[i]!; out[i] = dy[i]! * (1 - t * t); } return;
    case 'softplus': for (let i = 0; i < n; i++) out[i] = dy[i]! * sigmoid(x[i]!); return;
    case 'softsign': for (let i = 0; i < n; i++) { const d = 1 + Math.abs(x[i]!); out[i] = dy[i]! / (d * d); } return;
    case 'swish': for (let i = 0; i < n; i++) { const v = x[i]!; const s = sigmoid(v); out[i] = dy[i]! * (s + v * s * (1 - s)); } return;
    case 'log1p': for (let i = 0; i < n; i++) out[i] = dy[i]! / (1 + x[i]!); return;
    case 'expm1': for (let i = 0; i < n; i++) out[i] = dy[i]! * (y[i]! + 1); return;
    case 'sin': for (let i = 0; i < n; i++) out[i] = dy[i]! * Math.cos(x[i]!); return;
    case 'cos': for (let i = 0; i < n; i++) out[i] = -dy[i]! * Math.sin(x[i]!); return;
    case 'cosh': for (let i = 0; i < n; i++) out[i] = dy[i]! * Math.sinh(x[i]!); return;
    case 'logCosh': for (let i = 0; i < n; i++) out[i] = dy[i]! * Math.tanh(x[i]!); return;
    case 'erf': for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = dy[i]! * (2 / Math.sqrt(Math.PI)) * Math.exp(-v * v); } return;
    case 'sign': case 'floor': case 'ceil': case 'round': out.fill(0); return;
  }
}

function applyBinary(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case 'add': return a + b;
    case 'sub': return a - b;
    case 'mul': return a * b;
    case 'div': return a / b;
    case 'pow': return Math.pow(a, b);
    // NaN propagates through maximum/minimum, as in NumPy and TensorFlow.
    case 'maximum': return a !== a || b !== b ? NaN : a > b ? a : b;
    case 'minimum': return a !== a || b !== b ? NaN : a < b ? a : b;
    case 'equal': return a === b ? 1 : 0;
    case 'notEqual': return a !== b ? 1 : 0;
    case 'greater': return a > b ? 1 : 0;
    case 'greaterEqual': return a >= b ? 1 : 0;
    case 'less': return a < b ? 1 : 0;
    case 'lessEqual': return a <= b ? 1 : 0;
    case 'squaredDifference': { const d = a - b; return d * d; }
  }
}

/**
 * `out = a (op) b` with NumPy broadcasting. `outShape` is the broadcast shape; `a` and `b` are row-major
 * with their own shapes. Same-shape, scalar and trailing-vector (bias) cases get direct loops.
 */
export function binary(op: BinaryOp, a: NumArray, aShape: Shape, b: NumArray, bShape: Shape, out: NumArray, outShape: Shape): void {
  const n = out.length;
  if (a.length === n && b.length === n) {
    switch (op) {
      case 'add': for (let i = 0; i < n; i++) out[i] = a[i]! + b[i]!; return;
      case 'sub': for (let i = 0; i < n; i++) out[i] = a[i]! - b[i]!; return;
      case 'mul': for (let i = 0; i < n; i++) out[i] = a[i]! * b[i]!; return;
      case 'div': for (let i = 0; i < n; i++) out[i] = a[i]! / b[i]!; return;
      default: for (let i = 0; i < n; i++) out[i] = applyBinary(op, a[i]!, b[i]!); return;
    }
  }
  if (b.length === 1 && a.length === n) {
    const s = b[0]!;
    switch (op) {
      case 'add': for (let i = 0; i < n; i++) out[i] = a[i]! + s; return;
      case 'sub': for (let i = 0; i < n; i++) out[i] = a[i]! - s; return;
      case 'mul': for (let i = 0; i < n; i++) out[i] = a[i]! * s; return;
      case 'div': for (let i = 0; i < n; i++) out[i] = a[i]! / s; return;
      default: for (let i = 0; i < n; i++) out[i] = applyBinary(op, a[i]!, s); return;
    }
  }
  if (a.length === 1 && b.length === n) {
    const s = a[0]!;
    for (let i = 0; i < n; i++) out[i] = applyBinary(op, s, b[i]!);
    return;
  }
  // b repeats along the leading axes of a (the bias-add shape [N, C] + [C]).
  if (a.length === n && b.length > 0 && n % b.length === 0 && isTrailingOf(bShape, outShape)) {
    const m = b.length;
    if (op === 'add') {
      for (let i = 0; i < n; i += m) for (let j = 0; j < m; j++) out[i + j] = a[i + j]! + b[j]!;
    } else {
      for (let i = 0; i < n; i += m) for (let j = 0; j < m; j++) out[i + j] = applyBinary(op, a[i + j]!, b[j]!);
    }
    return;
  }
  binaryGeneral(op, a, aShape, b, bShape, out, outShape);
}

/** True when `small` (ignoring leading 1s) equals the trailing axes of `big`. */
function isTrailingOf(small: Shape, big: Shape): boolean {
  let s = small.length - 1;
  let b = big.length - 1;
  while (s >= 0 && small[s] !== 1) {
    if (b < 0 || small[s] !== big[b]) return false;
    s--;
    b--;
  }
  for (; s >= 0; s--) if (small[s] !== 1) return false;
  return true;
}

function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const rank = outShape.length;
  const strides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const axis = rank - shape.length + i;
    strides[axis] = shape[i] === 1 ? 0 : s;
    s *= shape[i]!;
  }
  return strides;
}

function binaryGeneral(op: BinaryOp, a: NumArray, aShape: Shape, b: NumArray, bShape: Shape, out: NumArray, outShape: Shape): void {
  const rank = outShape.length;
  const n = out.length;
  if (n === 0) return;
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const idx = new Array<number>(rank).fill(0);
  let ia = 0;
  let ib = 0;
  const last = rank - 1;
  const inner = outShape[last]!;
  const saInner = sa[last]!;
  const sbInner = sb[last]!;
  for (let o = 0; o < n; o += inner) {
    for (let j = 0; j < inner; j++) out[o + j] = applyBinary(op, a[ia + j * saInner]!, b[ib + j * sbInner]!);
    // Advance the multi-index over the outer axes (odometer), keeping ia/ib in step.
    for (let ax = last - 1; ax >= 0; ax--) {
      idx[ax]!++;
      ia += sa[ax]!;
      ib += sb[ax]!;
      if (idx[ax]! < outShape[ax]!) break;
      ia -= sa[ax]! * outShape[ax]!;
      ib -= sb[ax]! * outShape[ax]!;
      idx[ax] = 0;
    }
  }
}

/** Copies `x` (shape `shape`) broadcast to `outShape` into `out`. */
export function broadcastTo(x: NumArray, shape: Shape, out: NumArray, outShape: Shape): void {
  if (x.length === out.length) { out.set(x); return; }
  if (x.length === 1) { out.fill(x[0]!); return; }
  binaryGeneral('add', x, shape, ZERO, [], out, outShape);
}
const ZERO = new Float32Array(1);

/** out[i] = cond[i] != 0 ? a[i] : b[i]; all three already broadcast to out's length. */
export function select(cond: NumArray, a: NumArray, b: NumArray, out: NumArray): void {
  for (let i = 0; i < out.length; i++) out[i] = cond[i] !== 0 ? a[i]! : b[i]!;
}

export function clip(x: NumArray, lo: number, hi: number, out: NumArray): void {
  for (let i = 0; i < x.length; i++) { const v = x[i]!; out[i] = v < lo ? lo : v > hi ? hi : v; }
}

/** Parametric activations: leakyRelu(alpha) and elu(alpha). */
export function leakyRelu(x: NumArray, alpha: number, out: NumArray): void {
  for (let i = 0; i < x.length; i++) { const v = x[i]!; out[i] = v >= 0 ? v : alpha * v; }
}
export function leakyReluGrad(x: NumArray, alpha: number, dy: NumArray, out: NumArray): void {
  for (let i = 0; i < x.length; i++) out[i] = x[i]! > 0 ? dy[i]! : alpha * dy[i]!;
}
export function elu(x: NumArray, alpha: number, out: NumArray): void {
  for (let i = 0; i < x.length; i++) { const v = x[i]!; out[i] = v > 0 ? v : alpha * Math.expm1(v); }
}
export function eluGrad(x: NumArray, y: NumArray, alpha: number, dy: NumArray, out: NumArray): void {
  for (let i = 0; i < x.length; i++) out[i] = x[i]! > 0 ? dy[i]! : dy[i]! * (y[i]! + alpha);
}
