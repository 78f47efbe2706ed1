/** The comparison as a terminal table and as a self-contained HTML page with inline SVG charts. */
import type { RunResult } from './compare';

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#000000'];

export function formatTable(results: readonly RunResult[], targetAccuracy: number): string {
  const header = ['optimizer', 'final loss', 'train acc', 'val loss', 'val acc', `epochs to ${(targetAccuracy * 100).toFixed(0)}%`, 'time'];
  const rows = results.map((r) => {
    const last = r.loss.length - 1;
    return [
      r.label,
      r.loss[last]!.toFixed(4),
      `${(r.accuracy[last]! * 100).toFixed(2)}%`,
      r.valLoss[last]!.toFixed(4),
      `${(r.valAccuracy[last]! * 100).toFixed(2)}%`,
      r.epochsToTarget === null ? '-' : String(r.epochsToTarget),
      `${r.seconds.toFixed(1)}s`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The options that matter for reading the table: no nulls, no name, no EMA/accumulation defaults. */
export function compactConfig(config: Record<string, unknown>): string {
  const skip = new Set(['name', 'useEma', 'emaMomentum', 'emaOverwriteFrequency', 'loss_scale_factor', 'lossScaleFactor', 'gradientAccumulationSteps']);
  return Object.entries(config).filter(([k, v]) => v !== null && v !== undefined && v !== false && !skip.has(k)).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ');
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** One line chart: a polyline per optimizer over epochs 1..E, with axes, ticks and a legend. */
export function lineChart(title: string, series: readonly { label: string; values: readonly number[] }[], options: { width?: number; height?: number; percent?: boolean } = {}): string {
  const width = options.width ?? 560, height = options.height ?? 320;
  const pad = { left: 56, right: 130, top: 28, bottom: 36 };
  const all = series.flatMap((s) => s.values.filter(Number.isFinite));
  let lo = Math.min(...all), hi = Math.max(...all);
  if (!(hi > lo)) { lo -= 0.5; hi += 0.5; }
  const epochs = Math.max(...series.map((s) => s.values.length));
  const px = (i: number) => pad.left + (epochs <= 1 ? 0 : (i / (epochs - 1)) * (width - pad.left - pad.right));
  const py = (v: number) => pad.top + (1 - (v - lo) / (hi - lo)) * (height - pad.top - pad.bottom);
  const fmt = (v: number) => (options.percent ? `${(v * 100).toFixed(0)}%` : v.toPrecision(3));
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}">`);
  parts.push(`<text x="${pad.left}" y="18" font-size="14" font-weight="bold">${escapeHtml(title)}</text>`);
  parts.push(`<line x1="${pad.left}" y1="${height - pad.bottom}" x2="${width - pad.right}" y2="${height - pad.bottom}" stroke="#444"/>`);
  parts.push(`<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${height - pad.bottom}" stroke="#444"/>`);
  for (let t = 0; t <= 4; t++) {
    const v = lo + ((hi - lo) * t) / 4;
    parts.push(`<text x="${pad.left - 6}" y="${py(v) + 4}" font-size="11" text-anchor="end">${fmt(v)}</text>`);
    parts.push(`<line x1="${pad.left}" y1="${py(v)}" x2="${width - pad.right}" y2="${py(v)}" stroke="#eee"/>`);
  }
  for (let i = 0; i < epochs; i++) parts.push(`<text x="${px(i)}" y="${height - pad.bottom + 16}" font-size="11" text-anchor="middle">${i + 1}</text>`);
  parts.push(`<text x="${(pad.left + width - pad.right) / 2}" y="${height - 4}" font-size="11" text-anchor="middle">epoch</text>`);
  series.forEach((s, k) => {
    const color = COLORS[k % COLORS.length]!;
    const points = s.values.map((v, i) => `${px(i).toFixed(1)},${py(Number.isFinite(v) ? v : hi).toFixed(1)}`).join(' ');
    parts.push(`<polyline class="curve" data-optimizer="${escapeHtml(s.label)}" fill="none" stroke="${color}" stroke-width="2" points="${points}"/>`);
    const ly = pad.top + 8 + k * 16;
    parts.push(`<line x1="${width - pad.right + 10}" y1="${ly}" x2="${width - pad.right + 28}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<text x="${width - pad.right + 32}" y="${ly + 4}" font-size="11">${escapeHtml(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

export function renderHtml(results: readonly RunResult[], meta: { epochs: number; batchSize: number; samples: number; targetAccuracy: number; date: string }): string {
  const chart = (title: string, key: 'loss' | 'valLoss' | 'accuracy' | 'valAccuracy', percent = false) =>
    lineChart(title, results.map((r) => ({ label: r.label, values: r[key] })), { percent });
  const tableRows = results.map((r) => {
    const last = r.loss.length - 1;
    return `<tr><td>${escapeHtml(r.label)}</td><td>${r.loss[last]!.toFixed(4)}</td><td>${(r.valAccuracy[last]! * 100).toFixed(2)}%</td><td>${r.epochsToTarget ?? '-'}</td><td>${r.seconds.toFixed(1)} s</td><td class="config"><code>${escapeHtml(compactConfig(r.config))}</code></td></tr>`;
  }).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>minikeras: optimizer comparison</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}code{font-size:11px;white-space:normal}td.config{text-align:left;max-width:28rem}.charts{display:flex;flex-wrap:wrap;gap:1rem}</style>
</head><body>
<h1>Optimizer comparison</h1>
<p>MNIST MLP 784-64-10, ${meta.samples} training digits, ${meta.epochs} epochs, batch ${meta.batchSize}, same seed and initial weights for every optimizer (Keras defaults unless noted). Validation: the 2,000 bundled test digits. Generated ${escapeHtml(meta.date)}.</p>
<table id="results"><thead><tr><th>optimizer</th><th>final loss</th><th>val accuracy</th><th>epochs to ${(meta.targetAccuracy * 100).toFixed(0)}%</th><th>time</th><th>config</th></tr></thead><tbody>
${tableRows}
</tbody></table>
<div class="charts">
${chart('Training loss', 'loss')}
${chart('Validation loss', 'valLoss')}
${chart('Training accuracy', 'accuracy', true)}
${chart('Validation accuracy', 'valAccuracy', true)}
</div>
</body></html>
`;
}
