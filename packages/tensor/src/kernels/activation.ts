/**
 * Keras' relu with options, `keras.activations.relu(x, negative_slope, max_value, threshold)`, as one pass:
 *   pos = threshold != 0 ? (x > threshold ? x : 0) : max(x, 0), then clipped to [0, maxValue] when maxValue is set;
 *   y   = pos - negativeSlope * max(threshold - x, 0).
 * Keras composes it from up to five ops (relu, greater * x, clip, relu of the shifted negation, subtract);
 * this is the same per-element formula, with the gradient of each branch: 1 where pos passes x through, plus
 * negativeSlope where x < threshold. NaN stays NaN.
 */

/** y = relu(x) with Keras' options; `maxValue` null for none. */
export function reluOptions(x: Float32Array, negativeSlope: number, maxValue: number | null, threshold: number, y: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    let pos = threshold !== 0 ? (v > threshold ? v : 0) : (v > 0 ? v : 0);
    if (maxValue !== null) pos = pos < 0 ? 0 : pos > maxValue ? maxValue : pos;
    const neg = threshold - v > 0 ? threshold - v : 0;
    y[i] = v !== v ? v : pos - negativeSlope * neg;
  }
}

/** dx = dy * d relu(x)/dx for `reluOptions`. */
export function reluOptionsGrad(x: Float32Array, negativeSlope: number, maxValue: number | null, threshold: number, dy: Float32Array, dx: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    let slope = (threshold !== 0 ? v > threshold : v > 0) ? 1 : 0;
    if (maxValue !== null && !(v > 0 && v < maxValue)) slope = 0;
    if (v < threshold) slope += negativeSlope;
    dx[i] = dy[i]! * slope;
  }
}
