/**
 * Turns a drawing into what the MNIST model was trained on. MNIST's own recipe (LeCun et al.): the digit is
 * scaled to fit a 20x20 box keeping its aspect ratio, with anti-aliasing (grey levels), then placed in a
 * 28x28 field so that its centre of mass is at the field's centre. A drawing that skips these steps (just
 * shrinking the whole pad to 28x28) is off-centre and the wrong size, and the MLP misreads it.
 */
export const MNIST_SIZE = 28;
export const MNIST_BOX = 20;
/** Pixels fainter than this do not count towards the bounding box (stray anti-aliasing). */
const INK_THRESHOLD = 0.05;

/**
 * `ink` is `width*height` intensities, row-major, 0 = background and 1 = full ink. Returns 784 values in
 * 0..1 (peak 1), or null when nothing is drawn.
 */
export function toMnistInput(ink: ArrayLike<number>, width: number, height: number): Float32Array | null {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new Error(`toMnistInput: width and height must be positive integers, got ${width}x${height}`);
  }
  if (ink.length !== width * height) throw new Error(`toMnistInput: expected ${width}x${height} = ${width * height} values, got ${ink.length}`);

  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x]! > INK_THRESHOLD) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return null;
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  const scale = MNIST_BOX / Math.max(bw, bh);
  const tw = Math.max(1, Math.round(bw * scale)), th = Math.max(1, Math.round(bh * scale));
  const small = resampleArea(ink, width, x0, y0, bw, bh, tw, th);

  let mass = 0, mx = 0, my = 0, peak = 0;
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const v = small[y * tw + x]!;
      mass += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
      if (v > peak) peak = v;
    }
  }
  // Centre of mass to the field's centre (14, 14 in pixel-edge coordinates), kept whole so the box
  // never leaves the field.
  const clamp = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  const ox = clamp(Math.round(MNIST_SIZE / 2 - mx / mass), MNIST_SIZE - tw);
  const oy = clamp(Math.round(MNIST_SIZE / 2 - my / mass), MNIST_SIZE - th);
  const out = new Float32Array(MNIST_SIZE * MNIST_SIZE);
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) out[(y + oy) * MNIST_SIZE + x + ox] = small[y * tw + x]! / peak;
  }
  return out;
}

/** Box-filter resampling of the source rectangle to tw x th: each output pixel is the area-weighted mean of what it covers. */
function resampleArea(src: ArrayLike<number>, width: number, x0: number, y0: number, bw: number, bh: number, tw: number, th: number): Float32Array {
  const out = new Float32Array(tw * th);
  const sx = bw / tw, sy = bh / th;
  for (let ty = 0; ty < th; ty++) {
    const top = ty * sy, bottom = top + sy;
    for (let tx = 0; tx < tw; tx++) {
      const left = tx * sx, right = left + sx;
      let acc = 0;
      for (let y = Math.floor(top); y < Math.ceil(bottom) && y < bh; y++) {
        const wy = Math.min(bottom, y + 1) - Math.max(top, y);
        const row = (y0 + y) * width + x0;
        for (let x = Math.floor(left); x < Math.ceil(right) && x < bw; x++) {
          acc += src[row + x]! * wy * (Math.min(right, x + 1) - Math.max(left, x));
        }
      }
      out[ty * tw + tx] = acc / (sx * sy);
    }
  }
  return out;
}
