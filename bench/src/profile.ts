/**
 * Summarizes a V8 CPU profile (`node --cpu-prof`): self time per function, mapped from the bundle back to
 * the TypeScript source through the bundle's source map.
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; hitCount?: number; children?: number[] }
export interface CpuProfile { nodes: ProfileNode[]; samples: number[]; startTime: number; endTime: number }

export interface SelfTimeEntry {
  /** Function name, or '(garbage collector)', '(program)', ... */
  name: string;
  /** Source location `path:line` (repo-relative when the source map resolves it), or the raw URL. */
  where: string;
  selfMs: number;
  /** Share of all samples (idle excluded). */
  share: number;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** One decoded mapping: generated column -> (source index, original line, 0-based). */
interface Segment { col: number; source: number; line: number }

/** A decoder of source map v3 `mappings` (base64 VLQ), enough to map generated positions to source lines. */
export class SourceMap {
  readonly sources: string[];
  private readonly lines: Segment[][] = [];

  constructor(map: { sources: string[]; sourceRoot?: string; mappings: string }, mapDir: string) {
    this.sources = map.sources.map((s) => resolve(mapDir, map.sourceRoot ?? '', s));
    let source = 0, line = 0;
    for (const text of map.mappings.split(';')) {
      const segs: Segment[] = [];
      let col = 0;
      for (const seg of text.split(',')) {
        if (!seg) continue;
        const v = decodeVlq(seg);
        col += v[0]!;
        if (v.length >= 4) {
          source += v[1]!;
          line += v[2]!;
          segs.push({ col, source, line });
        }
      }
      this.lines.push(segs);
    }
  }

  /** Source file and 0-based line of a 0-based generated position, or null when unmapped. */
  lookup(genLine: number, genCol: number): { source: string; line: number } | null {
    const segs = this.lines[genLine];
    if (!segs || segs.length === 0) return null;
    let best: Segment | null = null;
    for (const s of segs) {
      if (s.col <= genCol) best = s;
      else break;
    }
    best ??= segs[0]!;
    return { source: this.sources[best.source]!, line: best.line };
  }
}

export function decodeVlq(segment: string): number[] {
  const out: number[] = [];
  let value = 0, shift = 0;
  for (const ch of segment) {
    const digit = B64.indexOf(ch);
    if (digit < 0) throw new Error(`SourceMap: bad base64 digit '${ch}' in mappings`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

/** Loads `file.map` next to a bundle URL, if there is one. */
function mapFor(url: string, cache: Map<string, SourceMap | null>): SourceMap | null {
  if (cache.has(url)) return cache.get(url)!;
  let map: SourceMap | null = null;
  if (url.startsWith('file://')) {
    const path = fileURLToPath(url);
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')) as { sources: string[]; mappings: string }, dirname(path));
    } catch {
      map = null;
    }
  }
  cache.set(url, map);
  return map;
}

/**
 * Function names of a WAT module in index order, for profiles, which name WebAssembly functions only
 * `wasm-function[i]` when the binary has no name section. Valid while the module imports no functions
 * (imports would come first in the index space).
 */
export function watFunctionNames(wat: string): string[] {
  const names: string[] = [];
  for (const m of wat.matchAll(/\(func\s+(?:\$([\w.]+)|\(export\s+"([^"]+)"\))?/g)) names.push(m[1] ?? m[2] ?? `func${names.length}`);
  return names;
}

/** A profile node's function as the tables name it: `name` and `where` (source `path:line`, repo-relative). */
export interface Frame { name: string; where: string }

/** Names a node's call frame, mapping bundle positions back to sources and WebAssembly indices to WAT names. */
function frameOf(f: CallFrame, maps: Map<string, SourceMap | null>, root: string, wasm?: { names: string[]; file: string }): Frame {
  let where = f.url ? `${f.url.replace(/^file:\/\//, '')}:${f.lineNumber + 1}` : '';
  const map = f.url ? mapFor(f.url, maps) : null;
  const hit = map?.lookup(f.lineNumber, f.columnNumber);
  if (hit) where = `${relative(root, hit.source)}:${hit.line + 1}`;
  else if (where.startsWith('node:')) where = f.url;
  let name = f.functionName || '(anonymous)';
  const wasmIndex = /^wasm-function\[(\d+)\]$/.exec(name);
  const wasmName = wasmIndex && f.url.startsWith('wasm://') ? wasm?.names[Number(wasmIndex[1])] : undefined;
  if (wasmName) {
    name = `${wasmName} (wasm)`;
    where = relative(root, wasm!.file);
  }
  return { name, where };
}

/**
 * The `top` functions by self time. `root` makes source paths relative (the repository); `wasm` names the
 * functions of a WebAssembly module (see `watFunctionNames`) and the file they come from.
 */
export function topSelfTime(profile: CpuProfile, top: number, root: string, wasm?: { names: string[]; file: string }): SelfTimeEntry[] {
  const totalSamples = profile.samples.length;
  if (totalSamples === 0) return [];
  const msPerSample = (profile.endTime - profile.startTime) / 1000 / totalSamples;
  const hits = new Map<number, number>();
  for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const maps = new Map<string, SourceMap | null>();
  const byKey = new Map<string, { name: string; where: string; samples: number }>();
  let counted = 0;
  for (const node of profile.nodes) {
    const n = hits.get(node.id) ?? 0;
    if (n === 0) continue;
    if (node.callFrame.functionName === '(idle)') continue;
    counted += n;
    const { name, where } = frameOf(node.callFrame, maps, root, wasm);
    const key = `${name}@${where}`;
    const entry = byKey.get(key) ?? { name, where, samples: 0 };
    entry.samples += n;
    byKey.set(key, entry);
  }
  return [...byKey.values()]
    .sort((a, b) => b.samples - a.samples)
    .slice(0, top)
    .map((e) => ({ name: e.name, where: e.where, selfMs: e.samples * msPerSample, share: e.samples / counted }));
}

/** Time per area of the code: `ms` and `share` of all samples (idle excluded). */
export interface AreaTime { area: string; ms: number; share: number }

/**
 * Inclusive time per area: each sample goes to the area of the OUTERMOST frame on its stack that `classify`
 * names (so a matmul called by the LSTM's backward counts as that backward), else to `otherArea`; largest first.
 */
export function timeByArea(
  profile: CpuProfile, classify: (frame: Frame) => string | null, root: string, wasm?: { names: string[]; file: string }, otherArea = 'other',
): AreaTime[] {
  const totalSamples = profile.samples.length;
  if (totalSamples === 0) return [];
  const msPerSample = (profile.endTime - profile.startTime) / 1000 / totalSamples;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const maps = new Map<string, SourceMap | null>();
  // The area of each node: its outermost classified ancestor (itself included), memoized from the root down.
  const areaOf = new Map<number, string | null>();
  const resolveArea = (id: number): string | null => {
    if (areaOf.has(id)) return areaOf.get(id)!;
    const up = parent.get(id);
    const outer = up === undefined ? null : resolveArea(up);
    const area = outer ?? classify(frameOf(byId.get(id)!.callFrame, maps, root, wasm));
    areaOf.set(id, area);
    return area;
  };
  const samples = new Map<string, number>();
  let counted = 0;
  for (const id of profile.samples) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    counted++;
    const area = resolveArea(id) ?? otherArea;
    samples.set(area, (samples.get(area) ?? 0) + 1);
  }
  return [...samples.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([area, n]) => ({ area, ms: n * msPerSample, share: n / counted }));
}
