/** Keras 3's `model.summary()` table (rich's heavy-head box, Sequential column layout). */
import type { Layer, SymbolicShape } from '../layer';
import { formatSymbolicShape } from '../layer';

export interface SummaryRow {
  name: string;
  className: string;
  outputShape: SymbolicShape | null;
  params: number;
}

export interface SummaryTotals {
  trainable: number;
  nonTrainable: number;
  /** Optimizer state values, once the optimizer has built its slots (Keras prints them then). */
  optimizer?: number;
}

/** Keras' readable_memory_size: bytes in B / KB / MB / GB (powers of 1024), two decimals. */
export function readableMemorySize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let size = bytes;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) { size /= 1024; unit++; }
  return `${size.toFixed(2)} ${units[unit]}`;
}

const withCommas = (n: number) => n.toLocaleString('en-US');

function fit(text: string, width: number, align: 'left' | 'right'): string {
  if (text.length > width) return text.slice(0, width - 1) + '…';
  return align === 'left' ? text.padEnd(width) : text.padStart(width);
}

/**
 * Formats the summary. Column widths follow Keras 3: the line (88 characters) is split at 45% / 80% / 100%,
 * then, as rich does for a table of fixed total width, the columns shrink in proportion until the borders
 * and one space of padding on each side of every cell fit in the line.
 */
export function formatSummary(modelName: string, rows: readonly SummaryRow[], totals: SummaryTotals, lineLength = 88): string {
  const positions = [0.45, 0.8, 1.0];
  const raw: number[] = [];
  let current = 0;
  for (const p of positions) {
    const w = Math.floor(p * lineLength) - current;
    if (w < 4) throw new Error(`summary: lineLength ${lineLength} is too small to print the summary`);
    raw.push(w);
    current += w;
  }
  const available = lineLength - (positions.length * 2 + positions.length + 1);
  const widths = raw.map((w) => Math.floor((w * available) / lineLength));
  for (let i = 0; widths.reduce((a, b) => a + b, 0) < available; i = (i + 1) % widths.length) widths[i]!++;
  const aligns = ['left', 'left', 'right'] as const;
  const line = (l: string, m: string, r: string, fillChar: string) => l + widths.map((w) => fillChar.repeat(w + 2)).join(m) + r;
  const row = (cells: string[], sep: string) => sep + cells.map((c, i) => ` ${fit(c, widths[i]!, aligns[i]!)} `).join(sep) + sep;
  const out: string[] = [`Model: "${modelName}"`];
  out.push(line('┏', '┳', '┓', '━'));
  out.push(row(['Layer (type)', 'Output Shape', 'Param #'], '┃'));
  out.push(line('┡', '╇', '┩', '━'));
  rows.forEach((r, i) => {
    out.push(row([`${r.name} (${r.className})`, r.outputShape ? formatSymbolicShape(r.outputShape) : '?', r.outputShape ? withCommas(r.params) : '0 (unbuilt)'], '│'));
    if (i < rows.length - 1) out.push(line('├', '┼', '┤', '─'));
  });
  out.push(line('└', '┴', '┘', '─'));
  const total = totals.trainable + totals.nonTrainable + (totals.optimizer ?? 0);
  out.push(` Total params: ${withCommas(total)} (${readableMemorySize(total * 4)})`);
  out.push(` Trainable params: ${withCommas(totals.trainable)} (${readableMemorySize(totals.trainable * 4)})`);
  out.push(` Non-trainable params: ${withCommas(totals.nonTrainable)} (${readableMemorySize(totals.nonTrainable * 4)})`);
  if (totals.optimizer) out.push(` Optimizer params: ${withCommas(totals.optimizer)} (${readableMemorySize(totals.optimizer * 4)})`);
  return out.join('\n');
}

export function summaryRows(layers: readonly Layer[], inputShape: SymbolicShape | null): SummaryRow[] {
  let shape = inputShape;
  return layers.map((layer) => {
    shape = shape && layer.built ? layer.computeOutputShape(shape) : null;
    return { name: layer.name, className: layer.className, outputShape: shape, params: layer.countParams() };
  });
}
