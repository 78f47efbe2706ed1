/**
 * Output buffers for ops. V8 keeps typed arrays of at most 64 bytes inside the JS heap, where allocating one
 * costs ~40 ns; anything larger gets its own ArrayBuffer with an external, zeroed backing store, measured at
 * 0.5-1 µs for 17-32 floats and ~4 µs for 4,096 (Node 20, this machine). A small model's training step makes
 * dozens of such arrays, so that cost, not arithmetic, set its speed.
 *
 * `allocFloat32` hands out mid-sized arrays as views into a shared 64 KB slab instead (~60 ns each): a bump
 * pointer, never reused, so every view starts zeroed like a fresh array. A slab is freed by the garbage
 * collector once no view into it is alive; the worst case is a single long-lived small tensor keeping its
 * 64 KB slab, which is why only arrays up to 8 KB come from slabs.
 */
const SLAB_BYTES = 1 << 16;
const ON_HEAP_FLOATS = 16;
const MAX_SLAB_FLOATS = 2048;

let slab = new ArrayBuffer(SLAB_BYTES);
let offset = 0;

/** A zeroed Float32Array of length `n` (possibly a view into a shared slab: use byteOffset with `.buffer`). */
export function allocFloat32(n: number): Float32Array {
  if (n <= ON_HEAP_FLOATS || n > MAX_SLAB_FLOATS) return new Float32Array(n);
  const bytes = n * 4;
  if (offset + bytes > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    offset = 0;
  }
  const out = new Float32Array(slab, offset, n);
  // 16-byte alignment keeps every view ready for 4-lane SIMD copies.
  offset += (bytes + 15) & ~15;
  return out;
}
