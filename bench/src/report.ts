/**
 * Turns job results into the tables `pnpm bench` prints and writes to docs/performance.md: pooled medians,
 * per-process medians, effective GFLOP/s, peak RSS, minikeras ÷ peer ratios and the issue's goals.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Machine } from './machine';
import { machineLine } from './machine';
import type { Protocol } from './protocol';
import type { AreaTime, SelfTimeEntry } from './profile';
import { SYSTEMS, WORKLOADS } from './workloads';
import type { Api, Job, JobResult, MemorySample, SystemId, WorkloadId } from './workloads';

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface Row {
  workload: WorkloadId;
  system: SystemId;
  api: Api;
  status: JobResult['status'];
  /** Median of every timed rep of every process. */
  median: number;
  /** The same per second of process CPU time. */
  cpuMedian: number;
  perProcess: number[];
  gflops: number;
  peakRssMiB?: number;
  cpuShare?: number;
  backend?: string;
  firstLoss?: number;
  lastLoss?: number;
  message?: string;
  cutShort: boolean;
  memory?: MemorySample[];
  /** The first process's job (settings such as the memory run's epochs). */
  job: Job;
}

const WORKLOAD_ORDER: WorkloadId[] = ['w1', 'w1b', 'w2', 'w3', 'w4'];
const API_ORDER: Api[] = ['tob', 'fit', 'memory'];

export function aggregate(results: readonly JobResult[]): Row[] {
  const groups = new Map<string, JobResult[]>();
  for (const r of results) {
    const key = `${r.job.workload}|${r.job.system}|${r.job.api}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const rows: Row[] = [];
  for (const list of groups.values()) {
    const { workload, system, api } = list[0]!.job;
    const ok = list.filter((r) => r.status === 'ok' && r.rates.length > 0);
    const pooled = ok.flatMap((r) => r.rates);
    const med = median(pooled);
    const rss = list.map((r) => r.peakRssMiB).filter((x): x is number => x !== undefined);
    const shares = ok.map((r) => r.cpuShare).filter((x): x is number => x !== undefined);
    const first = ok[0] ?? list[0]!;
    const last = ok.at(-1) ?? list.at(-1)!;
    rows.push({
      workload, system, api,
      status: ok.length > 0 ? 'ok' : list[0]!.status,
      median: med,
      cpuMedian: median(ok.flatMap((r) => r.cpuRates ?? [])),
      perProcess: ok.map((r) => median(r.rates)),
      gflops: (med * WORKLOADS[workload].flopPerItem) / 1e9,
      peakRssMiB: rss.length ? Math.max(...rss) : undefined,
      cpuShare: shares.length ? Math.min(...shares) : undefined,
      backend: first.backend,
      firstLoss: first.firstLoss,
      lastLoss: last.lastLoss,
      message: list.find((r) => r.message)?.message,
      cutShort: ok.some((r) => r.cutShort),
      memory: first.memory,
      job: first.job,
    });
  }
  return rows.sort((a, b) => WORKLOAD_ORDER.indexOf(a.workload) - WORKLOAD_ORDER.indexOf(b.workload)
    || API_ORDER.indexOf(a.api) - API_ORDER.indexOf(b.api)
    || SYSTEMS.indexOf(a.system) - SYSTEMS.indexOf(b.system));
}

/** 3 significant digits, thousands separated. */
export function fmt(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '–';
  if (x !== 0 && Math.abs(x) < 0.01) return x.toPrecision(2);
  const digits = Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : Math.abs(x) >= 1 ? 2 : 3;
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

const SYSTEM_LABEL: Record<SystemId, string> = {
  minikeras: 'minikeras',
  'tfjs-cpu': 'tfjs-cpu 4.22',
  'tfjs-wasm': 'tfjs-wasm 4.22',
  'brain.js': 'brain.js 1.6.1',
  convnetjs: 'convnetjs 0.3.0',
};

function apiLabel(system: SystemId, api: Api): string {
  if (api !== 'tob') return api;
  if (system === 'brain.js') return 'trainPattern';
  if (system === 'convnetjs') return 'Trainer.train';
  return 'trainOnBatch';
}

/** The row minikeras is compared with: same workload and API (its trainOnBatch when it has no such API). */
function minikerasFor(rows: readonly Row[], row: Row): Row | undefined {
  const same = (api: Api) => rows.find((r) => r.workload === row.workload && r.system === 'minikeras' && r.api === api && r.status === 'ok');
  return same(row.api) ?? same('tob');
}

export function ratio(rows: readonly Row[], row: Row): number | undefined {
  if (row.system === 'minikeras' || row.status !== 'ok') return undefined;
  const mk = minikerasFor(rows, row);
  return mk ? mk.median / row.median : undefined;
}

function loss(r: Row): string {
  if (r.firstLoss === undefined || r.lastLoss === undefined) return '';
  return `${r.firstLoss.toFixed(3)} → ${r.lastLoss.toFixed(3)}`;
}

function rateCell(r: Row): string {
  if (r.status === 'ok') return `**${fmt(r.median)}**`;
  return r.status === 'error' ? 'error' : r.status;
}

/** One markdown table per workload (memory rows go to `memoryTable`). */
export function workloadTables(rows: readonly Row[]): string {
  const out: string[] = [];
  for (const id of WORKLOAD_ORDER) {
    const list = rows.filter((r) => r.workload === id && r.api !== 'memory');
    if (list.length === 0) continue;
    const w = WORKLOADS[id];
    out.push(`#### ${w.title}`, '');
    out.push(`| system | API | ${w.unit} (median) | per-process medians | per CPU-second | GFLOP/s | peak RSS MiB | minikeras ÷ this | CPU/wall | loss first → last | notes |`);
    out.push('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of list) {
      const notes = [r.backend, r.cutShort ? 'cut short by the time budget' : '', r.status !== 'ok' ? r.message : ''].filter(Boolean).join('; ');
      const ratioValue = ratio(rows, r);
      out.push(`| ${SYSTEM_LABEL[r.system]} | ${apiLabel(r.system, r.api)} | ${rateCell(r)} | ${r.perProcess.map(fmt).join(' / ')} | ${r.status === 'ok' ? fmt(r.cpuMedian) : ''} | ${r.status === 'ok' ? fmt(r.gflops) : ''} | ${fmt(r.peakRssMiB)} | ${ratioValue === undefined ? '' : `${fmt(ratioValue)}×`} | ${r.cpuShare === undefined ? '' : `${Math.round(r.cpuShare * 100)} %`} | ${loss(r)} | ${notes.replaceAll('|', '\\|')} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

export function memoryTable(rows: readonly Row[]): string {
  const mem = rows.find((r) => r.api === 'memory' && r.memory && r.memory.length >= 2);
  if (!mem) {
    const failed = rows.find((r) => r.api === 'memory');
    return failed ? `Memory run: ${failed.status}${failed.message ? ` (${failed.message})` : ''}.\n` : '';
  }
  const [a, b] = [mem.memory![0]!, mem.memory!.at(-1)!];
  const change = (b.rssMiB / a.rssMiB - 1) * 100;
  return [
    '| after epoch | RSS MiB | after a full gc: heap total MiB | heap used MiB | external MiB | array buffers MiB |',
    '|---|---|---|---|---|---|',
    ...mem.memory!.map((m) => `| ${m.epoch} | ${fmt(m.rssMiB)} | ${fmt(m.heapTotalMiB)} | ${fmt(m.heapUsedMiB)} | ${fmt(m.externalMiB)} | ${fmt(m.arrayBuffersMiB)} |`),
    '',
    `${mem.job.options?.epochs ?? 50} epochs of ${mem.job.options?.trainSamples ?? 8000} samples (batch ${WORKLOADS[mem.workload].batchSize}, shuffled). RSS change epoch ${a.epoch} → ${b.epoch}: ${change >= 0 ? '+' : ''}${change.toFixed(1)} % (goal: within 10 %): **${Math.abs(change) <= 10 ? 'met' : 'not met'}**. Peak RSS of the run ${fmt(mem.peakRssMiB)} MiB; ${fmt(mem.median)} samples/s over the whole fit.`,
    '',
  ].join('\n');
}

function find(rows: readonly Row[], w: WorkloadId, s: SystemId, api: Api = 'tob'): Row | undefined {
  return rows.find((r) => r.workload === w && r.system === s && r.api === api && r.status === 'ok');
}

/** Issue 7's "done means" and issue 14's W4 goal, each with the measured value. */
export function goalsTable(rows: readonly Row[]): string {
  const lines = ['| goal | minikeras | reference | ratio | met? |', '|---|---|---|---|---|'];
  // A run of some workloads (`--workloads w4`) lists only their goals.
  const measured = new Set(rows.map((r) => r.workload));
  const add = (goal: string, mk: Row | undefined, refText: string, value: number | undefined, target: number) => {
    if (!measured.has(WORKLOADS[goalWorkload(goal)].id)) return;
    const met = value === undefined ? '–' : value >= target ? 'yes' : `no (${fmt(value / target)} of the goal)`;
    lines.push(`| ${goal} | ${mk ? `${fmt(mk.median)} ${WORKLOADS[mk.workload].unit}` : '–'} | ${refText} | ${value === undefined ? '–' : `${fmt(value)}×`} | ${met} |`);
  };
  for (const w of ['w1', 'w1b'] as const) {
    const mk = find(rows, w, 'minikeras'), peer = find(rows, w, 'tfjs-wasm');
    add(`${w.toUpperCase()} ≥ 3× tfjs-wasm (trainOnBatch)`, mk, peer ? `tfjs-wasm ${fmt(peer.median)}` : 'tfjs-wasm not measured', mk && peer ? mk.median / peer.median : undefined, 3);
  }
  const w2 = find(rows, 'w2', 'minikeras');
  add('W2 ≥ 300 samples/s', w2, 'goal 300 samples/s', w2 ? w2.median / 300 : undefined, 1);
  const w3 = find(rows, 'w3', 'minikeras'), brain = find(rows, 'w3', 'brain.js');
  add('W3 ≥ brain.js steps/s', w3, brain ? `brain.js ${fmt(brain.median)}` : 'brain.js not measured', w3 && brain ? w3.median / brain.median : undefined, 1);
  const w4 = find(rows, 'w4', 'minikeras');
  const fastest = fastestTfjs(rows, 'w4');
  add('W4 ≥ 5× the fastest tfjs backend (trainOnBatch)', w4, fastest ? `${fastest.system} ${fmt(fastest.median)}` : 'no tfjs backend measured', w4 && fastest ? w4.median / fastest.median : undefined, 5);
  for (const w of WORKLOAD_ORDER) {
    const mk = rows.find((r) => r.workload === w && r.system === 'minikeras' && r.api === 'tob');
    const tc = rows.find((r) => r.workload === w && r.system === 'tfjs-cpu' && r.api === 'tob');
    if (mk?.peakRssMiB === undefined || tc?.peakRssMiB === undefined) continue;
    const met = mk.peakRssMiB <= tc.peakRssMiB ? 'yes' : 'no';
    lines.push(`| ${w.toUpperCase()} peak RSS ≤ tfjs-cpu's | ${fmt(mk.peakRssMiB)} MiB | tfjs-cpu ${fmt(tc.peakRssMiB)} MiB | ${fmt(mk.peakRssMiB / tc.peakRssMiB)}× | ${met} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** The workload a goal line is about, from its leading 'W1', 'W1B', ... */
function goalWorkload(goal: string): WorkloadId {
  return goal.split(' ')[0]!.toLowerCase() as WorkloadId;
}

/** The faster of tfjs-cpu and tfjs-wasm on a workload (trainOnBatch), among those that ran. */
export function fastestTfjs(rows: readonly Row[], w: WorkloadId): Row | undefined {
  const peers = (['tfjs-cpu', 'tfjs-wasm'] as const).map((s) => find(rows, w, s)).filter((r): r is Row => r !== undefined && Number.isFinite(r.median));
  return peers.sort((a, b) => b.median - a.median)[0];
}

export function profileTable(title: string, entries: readonly SelfTimeEntry[]): string {
  return [
    `#### ${title}`,
    '',
    '| # | function | source | self ms | share |',
    '|---|---|---|---|---|',
    ...entries.map((e, i) => `| ${i + 1} | \`${e.name}\` | ${e.where} | ${fmt(e.selfMs)} | ${(e.share * 100).toFixed(1)} % |`),
    '',
  ].join('\n');
}

/** Inclusive time by area of the step (the profile above, regrouped by `timeByArea`). */
export function areaTable(areas: readonly AreaTime[]): string {
  return [
    'By area (inclusive: each sample counted once, under the outermost of these on its stack):',
    '',
    '| area | ms | share |',
    '|---|---|---|',
    ...areas.map((a) => `| ${a.area} | ${fmt(a.ms)} | ${(a.share * 100).toFixed(1)} % |`),
    '',
  ].join('\n');
}

export interface Report {
  machine: Machine;
  quick: boolean;
  rounds: number;
  protocol: Protocol;
  rows: Row[];
  optimizers?: string;
  profiles: { title: string; entries: SelfTimeEntry[]; areas?: AreaTime[] }[];
  seconds: number;
  /** The workloads of a partial run (`--workloads w4`); undefined for the full set. */
  workloads?: WorkloadId[];
}

export const BEGIN = '<!-- pnpm bench: begin (generated by bench/src/main.ts; edits inside are overwritten) -->';
export const END = '<!-- pnpm bench: end -->';

/** The default workloads of `pnpm bench`; a run of any other set writes its own section. */
export const DEFAULT_WORKLOADS: readonly WorkloadId[] = ['w1', 'w1b', 'w2', 'w3', 'w4'];

/** The subset a run measured, or undefined when it ran the whole default set. */
export function partialWorkloads(workloads: readonly WorkloadId[]): WorkloadId[] | undefined {
  const set = new Set(workloads);
  if (set.size === DEFAULT_WORKLOADS.length && DEFAULT_WORKLOADS.every((w) => set.has(w))) return undefined;
  return WORKLOAD_ORDER.filter((w) => set.has(w));
}

/**
 * The markers of a run's generated section: the full run's, or for a partial run (`--workloads w4`) its own
 * pair, so that measuring one workload leaves the full run's tables in place.
 */
export function sectionMarkers(workloads?: readonly WorkloadId[]): { begin: string; end: string } {
  if (!workloads) return { begin: BEGIN, end: END };
  const name = `pnpm bench --workloads ${workloads.join(',')}`;
  return { begin: `<!-- ${name}: begin (generated by bench/src/main.ts; edits inside are overwritten) -->`, end: `<!-- ${name}: end -->` };
}

export function renderReport(r: Report): string {
  const p = r.protocol;
  const parts = [
    `## Side by side: \`pnpm bench${r.workloads ? ` --workloads ${r.workloads.join(',')}` : ''}\`${r.quick ? ' --quick (smoke run: these numbers mean little)' : ''}`,
    '',
    `Machine: ${machineLine(r.machine)}. The whole run took ${Math.round(r.seconds)} s.`,
    '',
    `Protocol: every system × workload × API runs in its own Node process (${r.rounds} round${r.rounds > 1 ? 's' : ''}, systems interleaved, one process at a time); an untimed warm-up of ≥ ${p.warmupSeconds} s and ≥ ${p.warmupSteps} steps, then ${p.reps} timed reps of ≥ ${p.repSeconds} s and ≥ ${p.repSteps} steps (W2 and W4: a warm-up of ≥ 2 steps and reps of ≥ 1 step; tfjs-cpu W2: one timed step). The bold median pools every rep of every process; per-process medians follow. Same data for all: the 8,000 bundled training digits in one fixed shuffled order, the same batches, one-hot labels (W4: 2,048 synthetic 100-token sequences from a fixed-seed generator, ids uniform in [1, 10000), label 1 when ids below 5,000 are the majority); trainOnBatch awaits/reads the loss every step; fit is timed from its batch-end callback. GFLOP/s counts the matrix products forward and backward (W1 0.409 MFLOP/sample, W2 14.26 MFLOP/sample, W3 448 FLOP/step, W4 19.66 MFLOP/sequence). Peak RSS = \`process.resourceUsage().maxRSS\` of that process (Node + library + data). CPU/wall below ~95 % means the process waited for a core on a busy machine; "per CPU-second" divides by the process's CPU time instead of wall time (it includes V8's GC and compiler threads) and is the steadier figure then. Treat differences under ~1.3× as noise.`,
    '',
    'Machine limits measured on this kind of machine (shared/benchmarks/peers-2026-11-23.md, single precision): plain JS Float32Array matmul 1.1–1.5 GFLOP/s; hand-written WASM SIMD128 17–21 GFLOP/s (1 thread); OpenBLAS sgemm 61–78 GFLOP/s (1 thread), ~139 GFLOP/s at 1024³ (2 threads). The W1 GEMM shapes reach 45–63 GFLOP/s with OpenBLAS, 16–19 with WASM SIMD.',
    '',
    '### Goals (issues 7 and 14)',
    '',
    goalsTable(r.rows),
    '### Results',
    '',
    workloadTables(r.rows),
  ];
  const memory = memoryTable(r.rows);
  if (memory) parts.push('### Memory over long training (minikeras W1, `fit`)', '', memory);
  if (r.optimizers) parts.push('### Optimizer step (bench/src/optimizers.ts, run by `pnpm bench`)', '', '```', r.optimizers.trim(), '```', '');
  if (r.profiles.length) {
    parts.push('### Where minikeras spends its time', '', 'Self time per function from the V8 sampling profiler (the one behind `node --cpu-prof`), started after the warm-up so that only the timed steady-state steps are sampled; bundle positions are mapped back to the TypeScript sources.', '');
    for (const pr of r.profiles) {
      parts.push(profileTable(pr.title, pr.entries));
      if (pr.areas?.length) parts.push(areaTable(pr.areas));
    }
  }
  return parts.join('\n');
}

/** Replaces the generated section of `path` (or appends it), leaving everything else in the file alone. */
export function writeSection(path: string, markdown: string, markers: { begin: string; end: string } = { begin: BEGIN, end: END }): void {
  const { begin, end } = markers;
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  if (!existsSync(path)) {
    writeFileSync(path, `# Performance\n\n${block}\n`);
    return;
  }
  const text = readFileSync(path, 'utf8');
  const a = text.indexOf(begin), b = text.indexOf(end);
  if (a >= 0 && b > a) writeFileSync(path, text.slice(0, a) + block + text.slice(b + end.length));
  else writeFileSync(path, `${text.trimEnd()}\n\n${block}\n`);
}
