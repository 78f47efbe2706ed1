/** A black square to draw white digits on with mouse, pen or finger, as MNIST digits are white on black. */
export class DrawPad {
  private drawing = false;
  private last: [number, number] | null = null;
  private empty = true;
  private readonly g: CanvasRenderingContext2D;

  /** `lineWidth` is in canvas pixels; ~22 on a 280 px pad matches MNIST's stroke after scaling to 20 px. */
  constructor(private readonly canvas: HTMLCanvasElement, private readonly onStrokeEnd: () => void, private readonly lineWidth = 22) {
    this.g = canvas.getContext('2d', { willReadFrequently: true })!;
    this.clear();
    canvas.addEventListener('pointerdown', (e) => {
      e.preventDefault();
      canvas.setPointerCapture(e.pointerId);
      this.drawing = true;
      this.last = this.toCanvas(e);
      this.segment(this.last, this.last);
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!this.drawing) return;
      const p = this.toCanvas(e);
      this.segment(this.last ?? p, p);
      this.last = p;
    });
    const end = () => {
      if (!this.drawing) return;
      this.drawing = false;
      this.last = null;
      this.onStrokeEnd();
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  }

  get isEmpty(): boolean {
    return this.empty;
  }

  clear(): void {
    this.g.fillStyle = '#000';
    this.g.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.empty = true;
  }

  /** Ink per pixel, 0..1, row-major over the canvas. */
  ink(): Float32Array {
    const { width, height } = this.canvas;
    const rgba = this.g.getImageData(0, 0, width, height).data;
    const out = new Float32Array(width * height);
    for (let i = 0; i < out.length; i++) out[i] = rgba[i * 4]! / 255;
    return out;
  }

  /** Shows a 28x28 image (0..1) scaled up to fill the pad, smoothed as if drawn. */
  showDigit(pixels: ArrayLike<number>): void {
    const small = document.createElement('canvas');
    small.width = small.height = 28;
    paintGray(small, pixels);
    this.clear();
    this.g.imageSmoothingEnabled = true;
    this.g.imageSmoothingQuality = 'high';
    this.g.drawImage(small, 0, 0, this.canvas.width, this.canvas.height);
    this.empty = false;
  }

  private toCanvas(e: PointerEvent): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * this.canvas.width, ((e.clientY - r.top) / r.height) * this.canvas.height];
  }

  private segment(a: [number, number], b: [number, number]): void {
    const g = this.g;
    g.strokeStyle = '#fff';
    g.lineWidth = this.lineWidth;
    g.lineCap = 'round';
    g.lineJoin = 'round';
    g.beginPath();
    g.moveTo(a[0], a[1]);
    g.lineTo(b[0], b[1]);
    g.stroke();
    this.empty = false;
  }
}

/** Paints `pixels` (0..1, row-major, canvas-sized) as grey levels. */
export function paintGray(canvas: HTMLCanvasElement, pixels: ArrayLike<number>): void {
  const g = canvas.getContext('2d')!;
  const img = g.createImageData(canvas.width, canvas.height);
  for (let i = 0; i < canvas.width * canvas.height; i++) {
    const v = Math.round(Math.min(1, Math.max(0, pixels[i]!)) * 255);
    img.data[i * 4] = img.data[i * 4 + 1] = img.data[i * 4 + 2] = v;
    img.data[i * 4 + 3] = 255;
  }
  g.putImageData(img, 0, 0);
}
