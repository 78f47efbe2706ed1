/**
 * A live line chart on a canvas: the x range is fixed up front (the planned epochs), so the curve grows from
 * left to right as training runs; the y range follows the data. Redraws are coalesced into one per frame,
 * so calling `add` from a per-batch callback costs almost nothing.
 */
export interface SeriesStyle { color: string; dots?: boolean }

interface Series extends SeriesStyle { xs: number[]; ys: number[] }

export class LossChart {
  private readonly series = new Map<string, Series>();
  private xMax = 1;
  private pending = false;

  constructor(private readonly canvas: HTMLCanvasElement, private readonly xLabel: string) {
    this.draw();
  }

  reset(xMax: number, styles: Record<string, SeriesStyle>): void {
    this.xMax = xMax;
    this.series.clear();
    for (const [name, style] of Object.entries(styles)) this.series.set(name, { ...style, xs: [], ys: [] });
    this.requestDraw();
  }

  add(name: string, x: number, y: number): void {
    const s = this.series.get(name);
    if (!s) throw new Error(`LossChart.add: unknown series '${name}'; reset() declares the series`);
    if (!Number.isFinite(y)) return;
    s.xs.push(x);
    s.ys.push(y);
    this.requestDraw();
  }

  private requestDraw(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  draw(): void {
    const canvas = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const cssW = canvas.clientWidth || 480, cssH = canvas.clientHeight || 240;
    if (canvas.width !== Math.round(cssW * dpr) || canvas.height !== Math.round(cssH * dpr)) {
      canvas.width = Math.round(cssW * dpr);
      canvas.height = Math.round(cssH * dpr);
    }
    const g = canvas.getContext('2d')!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, cssW, cssH);
    g.fillStyle = '#fff';
    g.fillRect(0, 0, cssW, cssH);

    const left = 48, right = 14, top = 12, bottom = 34;
    const w = cssW - left - right, h = cssH - top - bottom;
    let yMax = 0;
    for (const s of this.series.values()) for (const y of s.ys) yMax = Math.max(yMax, y);
    const yStep = niceStep((yMax || 1) / 4);
    const yTop = Math.max(yStep, Math.ceil((yMax || 1) / yStep - 1e-9) * yStep);
    const px = (x: number) => left + (x / this.xMax) * w;
    const py = (y: number) => top + h - (y / yTop) * h;

    g.font = '11px system-ui, sans-serif';
    g.lineWidth = 1;
    g.strokeStyle = '#e9ebf0';
    g.fillStyle = '#6b7384';
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    for (let y = 0; y <= yTop + 1e-9; y += yStep) {
      g.beginPath();
      g.moveTo(left, Math.round(py(y)) + 0.5);
      g.lineTo(left + w, Math.round(py(y)) + 0.5);
      g.stroke();
      g.fillText(formatTick(y, yStep), left - 6, py(y));
    }
    const xStep = Math.max(1, niceStep(this.xMax / 5));
    g.textAlign = 'center';
    g.textBaseline = 'top';
    for (let x = 0; x <= this.xMax + 1e-9; x += xStep) {
      g.beginPath();
      g.moveTo(Math.round(px(x)) + 0.5, top + h);
      g.lineTo(Math.round(px(x)) + 0.5, top + h + 4);
      g.strokeStyle = '#b8bec9';
      g.stroke();
      g.fillText(String(x), px(x), top + h + 6);
    }
    g.fillText(this.xLabel, left + w / 2, top + h + 19);
    g.strokeStyle = '#b8bec9';
    g.beginPath();
    g.moveTo(left + 0.5, top);
    g.lineTo(left + 0.5, top + h + 0.5);
    g.lineTo(left + w, top + h + 0.5);
    g.stroke();

    for (const s of this.series.values()) {
      g.strokeStyle = g.fillStyle = s.color;
      if (s.dots) {
        for (let i = 0; i < s.xs.length; i++) {
          g.beginPath();
          g.arc(px(s.xs[i]!), py(s.ys[i]!), 3.5, 0, 2 * Math.PI);
          g.fill();
        }
        continue;
      }
      g.lineWidth = 2;
      g.lineJoin = 'round';
      g.beginPath();
      for (let i = 0; i < s.xs.length; i++) {
        if (i === 0) g.moveTo(px(s.xs[i]!), py(s.ys[i]!));
        else g.lineTo(px(s.xs[i]!), py(s.ys[i]!));
      }
      g.stroke();
    }
  }
}

/** 1, 2 or 5 times a power of ten, at least `raw`. */
function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw - 1e-12) return m * p;
  return 10 * p;
}

function formatTick(v: number, step: number): string {
  const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return v.toFixed(digits);
}
