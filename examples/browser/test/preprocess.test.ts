import { describe, expect, it } from 'vitest';
import { datasets } from 'minikeras';
import { toMnistInput } from '../src/preprocess';

const PAD = 280;

function pad(fill: (x: number, y: number) => number): Float32Array {
  const ink = new Float32Array(PAD * PAD);
  for (let y = 0; y < PAD; y++) for (let x = 0; x < PAD; x++) ink[y * PAD + x] = fill(x, y);
  return ink;
}

function centreOfMass(img: Float32Array): [number, number] {
  let m = 0, mx = 0, my = 0;
  for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) {
    const v = img[y * 28 + x]!;
    m += v; mx += v * (x + 0.5); my += v * (y + 0.5);
  }
  return [mx / m, my / m];
}

function bestShiftedCosine(a: Float32Array, b: ArrayLike<number>): number {
  let best = -1;
  for (let sy = -1; sy <= 1; sy++) for (let sx = -1; sx <= 1; sx++) {
    let dot = 0, na = 0, nb = 0;
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) {
      const bx = x + sx, by = y + sy;
      const vb = bx >= 0 && bx < 28 && by >= 0 && by < 28 ? b[by * 28 + bx]! : 0;
      const va = a[y * 28 + x]!;
      dot += va * vb; na += va * va; nb += vb * vb;
    }
    best = Math.max(best, dot / Math.sqrt(na * nb));
  }
  return best;
}

describe('toMnistInput (MNIST-style preprocessing of a drawing)', () => {
  it('returns null for an empty pad', () => {
    expect(toMnistInput(new Float32Array(PAD * PAD), PAD, PAD)).toBeNull();
  });

  it('scales the bounding box to 20 px on its long side and centres it by mass', () => {
    // A solid 100x200 block at x 50..149, y 30..229: scale 20/200 = 0.1 gives a 10x20 block of ones
    // whose centre of mass (5, 10) goes to (14, 14), i.e. columns 9..18 and rows 4..23.
    const out = toMnistInput(pad((x, y) => (x >= 50 && x < 150 && y >= 30 && y < 230 ? 1 : 0)), PAD, PAD)!;
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        expect(out[y * 28 + x], `pixel (${x}, ${y})`).toBe(x >= 9 && x <= 18 && y >= 4 && y <= 23 ? 1 : 0);
      }
    }
  });

  it('averages the pixels each output pixel covers (anti-aliasing) and scales the peak to 1', () => {
    // A 40x40 checkerboard of 1 and 0.5 at (100, 100), scale 0.5: every 2x2 block averages to 0.75,
    // except the top-left block, all ones, which averages to 1. Peak 1 stays 1. The mass sits a hair
    // up-left of the box centre (10, 10), so the 20x20 box lands at round(14 - 9.99) = 4.
    const ink = pad((x, y) => {
      if (x < 100 || x >= 140 || y < 100 || y >= 140) return 0;
      if (x < 102 && y < 102) return 1;
      return (x + y) % 2 === 0 ? 1 : 0.5;
    });
    const out = toMnistInput(ink, PAD, PAD)!;
    expect(out[4 * 28 + 4]).toBeCloseTo(1, 6);
    expect(out[4 * 28 + 5]).toBeCloseTo(0.75, 6);
    expect(out[23 * 28 + 23]).toBeCloseTo(0.75, 6);
    expect(out[3 * 28 + 4]).toBe(0);
    expect(out[24 * 28 + 23]).toBe(0);
  });

  it('recovers real MNIST digits drawn 10x larger and off-centre', async () => {
    const { test } = await datasets.mnist.loadData({ normalize: true });
    for (let i = 0; i < 40; i++) {
      const digit = test.x.values.subarray(i * 784, (i + 1) * 784);
      // Upscaled 10x by pixel replication, shifted by up to 30 px so centring has work to do.
      const dx = (i * 7) % 30, dy = (i * 13) % 30;
      const ink = pad((x, y) => {
        const sx = Math.floor((x - dx) / 10), sy = Math.floor((y - dy) / 10);
        return sx >= 0 && sx < 28 && sy >= 0 && sy < 28 ? digit[sy * 28 + sx]! : 0;
      });
      const out = toMnistInput(ink, PAD, PAD)!;
      // MNIST digits already fill a 20-px box and sit near the centre, so the round trip returns nearly the
      // same picture, up to the whole-pixel shift that puts the centre of mass at (14, 14): cosine
      // similarity close to 1 at the best shift of at most one pixel.
      expect(bestShiftedCosine(out, digit), `test digit ${i}`).toBeGreaterThan(0.9);
      const [cx, cy] = centreOfMass(out);
      expect(Math.abs(cx - 14)).toBeLessThan(1);
      expect(Math.abs(cy - 14)).toBeLessThan(1);
    }
  });

  it('rejects a size that does not match the data', () => {
    expect(() => toMnistInput(new Float32Array(10), 4, 4)).toThrow(/toMnistInput: expected 4x4 = 16 values, got 10/);
    expect(() => toMnistInput(new Float32Array(0), 0, 4)).toThrow(/positive integers/);
  });
});
