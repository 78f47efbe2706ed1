import { describe, expect, it } from 'vitest';
import { compareOptimizers } from '../src/compare';
import { formatTable, renderHtml } from '../src/report';

describe('examples/compare-optimizers', () => {
  it('trains each optimizer from the same start and writes a table and an HTML report with one curve per optimizer', async () => {
    const results = await compareOptimizers({ epochs: 2, samples: 400, only: ['sgd', 'adam', 'adadelta'], targetAccuracy: 0.5 });
    expect(results.map((r) => r.label)).toEqual(['sgd', 'adam', 'adadelta']);
    for (const r of results) {
      expect(r.loss).toHaveLength(2);
      expect(r.valAccuracy).toHaveLength(2);
    }
    // Same start: adam learns faster than Keras-default adadelta (lr 0.001, the seed's "no tuning" optimizer).
    expect(results[1]!.loss[1]!).toBeLessThan(results[2]!.loss[1]!);

    const table = formatTable(results, 0.5).split('\n');
    expect(table[0]).toMatch(/^optimizer\s+final loss\s+train acc\s+val loss\s+val acc\s+epochs to 50%\s+time$/);
    expect(table).toHaveLength(2 + 3);

    const html = renderHtml(results, { epochs: 2, batchSize: 32, samples: 400, targetAccuracy: 0.5, date: 'test' });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/); // self-contained: no scripts, no network
    const svgs = html.match(/<svg[\s\S]*?<\/svg>/g)!;
    expect(svgs).toHaveLength(4);
    for (const svg of svgs) {
      const curves = [...svg.matchAll(/<polyline class="curve" data-optimizer="([^"]+)"[^>]*points="([^"]+)"/g)];
      expect(curves.map((c) => c[1])).toEqual(['sgd', 'adam', 'adadelta']);
      for (const c of curves) expect(c[2]!.trim().split(' ')).toHaveLength(2);
    }
    expect(html.match(/<tbody>([\s\S]*)<\/tbody>/)![1]!.match(/<tr>/g)).toHaveLength(3);
  });
});
