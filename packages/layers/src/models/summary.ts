/** Keras 3's `model.summary()` table (rich's heavy-head box, Sequential column layout). */
import type { Layer, SymbolicShape } from '../engine/layer';
import { formatSymbolicShape } from '../engine/layer';
import type { Node } from '../engine/symbolic-tensor';
import type { FunctionalGraph } from './functional-graph';

export interface SummaryRow {
  name: string;
  className: string;
  /** One shape, several (a layer with several outputs), or null when unknown (unbuilt). */
  outputShape: SymbolicShape | readonly SymbolicShape[] | null;
  params: number;
  /** "Connected to" entries (`dense[0][0]`), shown for graphs that are not a plain chain. */
  connectedTo?: string[];
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
 * Formats the summary. Column widths follow Keras 3: the line (88 characters; 108 with "Connected to") is split
 * at fixed fractions, then, as rich does for a table of fixed total width, the columns shrink in proportion until
 * the borders and one space of padding on each side of every cell fit in the line. A long "Connected to" cell
 * wraps at its commas.
 */
export function formatSummary(modelName: string, rows: readonly SummaryRow[], totals: SummaryTotals, lineLength?: number, sequentialLike = true): string {
  const length = lineLength ?? (sequentialLike ? 88 : 108);
  const positions = sequentialLike ? [0.45, 0.8, 1.0] : [0.3, 0.56, 0.74, 1.0];
  const raw: number[] = [];
  let current = 0;
  for (const p of positions) {
    const w = Math.floor(p * length) - current;
    if (w < 4) throw new Error(`summary: lineLength ${length} is too small to print the summary`);
    raw.push(w);
    current += w;
  }
  const available = length - (positions.length * 2 + positions.length + 1);
  const widths = raw.map((w) => Math.floor((w * available) / length));
  for (let i = 0; widths.reduce((a, b) => a + b, 0) < available; i = (i + 1) % widths.length) widths[i]!++;
  const aligns = ['left', 'left', 'right', 'left'] as const;
  const line = (l: string, m: string, r: string, fillChar: string) => l + widths.map((w) => fillChar.repeat(w + 2)).join(m) + r;
  const row = (cells: string[], sep: string) => sep + cells.map((c, i) => ` ${fit(c, widths[i]!, aligns[i]!)} `).join(sep) + sep;
  const out: string[] = [`Model: "${modelName}"`];
  out.push(line('┏', '┳', '┓', '━'));
  out.push(row(['Layer (type)', 'Output Shape', 'Param #', 'Connected to'].slice(0, positions.length), '┃'));
  out.push(line('┡', '╇', '┩', '━'));
  rows.forEach((r, i) => {
    const shape = r.outputShape === null ? '?' : isShapeList(r.outputShape) ? `[${r.outputShape.map(formatSymbolicShape).join(', ')}]` : formatSymbolicShape(r.outputShape);
    const cells = [`${r.name} (${r.className})`, shape, r.outputShape ? withCommas(r.params) : '0 (unbuilt)'];
    if (sequentialLike) out.push(row(cells, '│'));
    else {
      const wrapped = wrapList(r.connectedTo ?? [], widths[3]!);
      wrapped.forEach((c, k) => out.push(row(k === 0 ? [...cells, c] : ['', '', '', c], '│')));
    }
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

function isShapeList(s: SymbolicShape | readonly SymbolicShape[]): s is readonly SymbolicShape[] {
  return s.length > 0 && Array.isArray(s[0]);
}

/** Entries joined with ", ", broken into lines of at most `width` characters at entry boundaries. */
function wrapList(items: readonly string[], width: number): string[] {
  if (items.length === 0) return ['-'];
  const lines: string[] = [];
  let current = '';
  items.forEach((item, i) => {
    const piece = i < items.length - 1 ? `${item},` : item;
    if (current && current.length + 1 + piece.length > width) {
      lines.push(current);
      current = piece;
    } else current = current ? `${current} ${piece}` : piece;
  });
  lines.push(current);
  return lines;
}

/** One row per layer; shapes and connections come from the model's graph when it has one. */
export function summaryRows(layers: readonly Layer[], graph: FunctionalGraph | null): SummaryRow[] {
  const inGraph = (n: Node) => graph !== null && (graph.nodes.includes(n) || (n.isInput && graph.flatInputs.includes(n.outputTensors[0]!)));
  const nodeIndex = (n: Node) => n.layer.inboundNodes.filter(inGraph).indexOf(n);
  return layers.map((layer) => {
    const nodes = layer.inboundNodes.filter(inGraph);
    const first = nodes[0];
    const outs = first?.outputTensors.map((t) => t.shape) ?? null;
    const row: SummaryRow = {
      name: layer.name,
      className: layer.className,
      outputShape: outs === null ? null : outs.length === 1 ? outs[0]! : outs,
      params: layer.countParams(),
    };
    if (graph) row.connectedTo = nodes.flatMap((n) => n.inputTensors.map((t) => `${t.node.layer.name}[${nodeIndex(t.node)}][${t.tensorIndex}]`));
    return row;
  });
}
