import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixedPermutation } from './data';
import { parseArgs, runBench } from './main';
import { planJobs } from './plan';
import { decodeVlq, watFunctionNames } from './profile';
import { measureSync, ONE_STEP } from './protocol';
import type { Protocol } from './protocol';
import { BEGIN, END, median, writeSection } from './report';
import { SYSTEMS, WORKLOADS } from './workloads';

const dir = mkdtempSync(join(tmpdir(), 'minikeras-bench-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('timing protocol', () => {
  it('counts every step exactly once: warm-up steps + timed steps = calls, and each rep has >= repSteps', () => {
    let calls = 0;
    const p: Protocol = { warmupSeconds: 0, warmupSteps: 7, reps: 3, repSeconds: 0, repSteps: 10, budgetSeconds: 0 };
    const t = measureSync(() => { calls++; }, p);
    expect(t.reps).toHaveLength(3);
    expect(t.warmupSteps).toBeGreaterThanOrEqual(7);
    for (const r of t.reps) expect(r.steps).toBeGreaterThanOrEqual(10);
    expect(t.warmupSteps + t.reps.reduce((s, r) => s + r.steps, 0)).toBe(calls);
  });

  it('a rep lasts at least repSeconds', () => {
    const t = measureSync(() => {}, { warmupSeconds: 0.01, warmupSteps: 1, reps: 2, repSeconds: 0.02, repSteps: 1, budgetSeconds: 0 });
    expect(t.warmupSeconds).toBeGreaterThanOrEqual(0.01);
    for (const r of t.reps) expect(r.seconds).toBeGreaterThanOrEqual(0.02);
  });

  it('the budget cuts a slow measurement short but keeps one partial rep', () => {
    const busy = () => { const end = performance.now() + 3; while (performance.now() < end) { /* 3 ms step */ } };
    const t = measureSync(busy, { warmupSeconds: 0, warmupSteps: 2, reps: 3, repSeconds: 10, repSteps: 1, budgetSeconds: 0.05 });
    expect(t.cutShort).toBe(true);
    expect(t.reps).toHaveLength(1);
    expect(t.reps[0]!.steps).toBeGreaterThanOrEqual(1);
  });

  it('ONE_STEP times exactly one step with no warm-up', () => {
    let calls = 0;
    const t = measureSync(() => { calls++; }, ONE_STEP);
    expect(calls).toBe(1);
    expect(t.reps).toEqual([expect.objectContaining({ steps: 1 })]);
  });
});

describe('bench building blocks', () => {
  it('FLOP per item follows the layer shapes', () => {
    // W1: 784*128*2 (fwd) *2 (+dW) = 401,408; 128*10*2*3 (fwd, dW, dX) = 7,680 -> 409,088.
    expect(WORKLOADS.w1.flopPerItem).toBe(409_088);
    // W2: conv1 26*26*32*9*1*2*2 = 778,752; conv2 11*11*64*9*32*2*3 = 13,381,632; dense 1600*10*2*3 = 96,000.
    expect(WORKLOADS.w2.flopPerItem).toBe(778_752 + 13_381_632 + 96_000);
    // W3 per step of 4 samples: (2*8*2*2 + 8*1*2*3) * 4 = (64 + 48) * 4 = 448.
    expect(WORKLOADS.w3.flopPerItem).toBe(448);
  });

  it('the fixed permutation is a permutation and the same every time', () => {
    const p = fixedPermutation(1000);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(fixedPermutation(1000)).toEqual(p);
    expect([...p.slice(0, 10)]).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('median of odd and even lists', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('decodes source-map VLQ digits', () => {
    // 'A' = 0, 'C' = 1 (binary 000010: value 1, sign bit 0), 'D' = -1 (000011), 'gB' = 32 + (1 << 5) -> 32 >> 1 = 16.
    expect(decodeVlq('AACA')).toEqual([0, 0, 1, 0]);
    expect(decodeVlq('D')).toEqual([-1]);
    expect(decodeVlq('gB')).toEqual([16]);
  });

  it('names WAT functions in index order (named, exported-only, anonymous)', () => {
    const wat = '(module (func $kernel (param $a i32)) (func (export "sgemm") (param i32)) (func (result i32) i32.const 0))';
    expect(watFunctionNames(wat)).toEqual(['kernel', 'sgemm', 'func2']);
  });

  it('plans interleaved rounds, one slow tfjs-cpu W2 step, and notes instead of impossible runs', () => {
    const plan = planJobs({ quick: false, rounds: 2, workloads: ['w1', 'w2'], systems: [...SYSTEMS], fit: false, memory: true });
    const w1 = plan.jobs.filter((j) => j.workload === 'w1' && j.api === 'tob').map((j) => j.system);
    expect(w1).toEqual(['minikeras', 'tfjs-cpu', 'tfjs-wasm', 'brain.js', 'convnetjs', 'convnetjs', 'brain.js', 'tfjs-wasm', 'tfjs-cpu', 'minikeras']);
    const cpuW2 = plan.jobs.filter((j) => j.workload === 'w2' && j.system === 'tfjs-cpu');
    expect(cpuW2).toHaveLength(1);
    expect(cpuW2[0]!.protocol).toEqual(ONE_STEP);
    expect(plan.notes.map((n) => `${n.job.system} ${n.job.workload}`)).toEqual(['brain.js w2']);
    expect(plan.jobs.filter((j) => j.api === 'memory')).toHaveLength(1);
  });

  it('--quick writes nothing unless asked', () => {
    expect(parseArgs(['--quick']).out).toBeNull();
    expect(parseArgs(['--quick', '--out', 'x.md']).out).toBe('x.md');
    expect(parseArgs([]).out).toMatch(/docs[\\/]performance\.md$/);
    expect(() => parseArgs(['--workloads', 'w9'])).toThrow(/--workloads takes w1, w1b, w2, w3; got 'w9'/);
  });

  it('replaces only its own section of the performance doc', () => {
    const path = join(dir, 'perf-section.md');
    writeFileSync(path, '# Performance\n\nhand-written intro\n');
    writeSection(path, 'first run');
    writeSection(path, 'second run');
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('hand-written intro');
    expect(text).toContain(`${BEGIN}\nsecond run\n${END}`);
    expect(text).not.toContain('first run');
  });
});

describe('pnpm bench --quick harness (tiny configuration)', () => {
  it('runs minikeras and brain.js on W3 in child processes, profiles, and writes the section', async () => {
    const out = join(dir, 'performance.md');
    writeFileSync(out, '# Performance\n\nkept\n');
    const tiny: Protocol = { warmupSeconds: 0, warmupSteps: 3, reps: 2, repSeconds: 0.02, repSteps: 3, budgetSeconds: 5 };
    const { results, report, markdown } = await runBench({
      quick: true, rounds: 1, workloads: ['w3'], systems: ['minikeras', 'brain.js'], fit: true, memory: false,
      optimizers: false, profile: true, out, verbose: false, protocol: tiny, log: () => {},
    });
    const byKey = new Map(results.map((r) => [`${r.job.system} ${r.job.api}`, r]));
    expect([...byKey.keys()].sort()).toEqual(['brain.js tob', 'minikeras fit', 'minikeras tob']);
    for (const r of results) {
      expect(r.status, `${r.job.system} ${r.job.api}: ${r.message}`).toBe('ok');
      expect(r.rates).toHaveLength(2);
      for (const rate of r.rates) expect(rate).toBeGreaterThan(0);
      expect(r.peakRssMiB).toBeGreaterThan(20);
    }
    expect(byKey.get('minikeras tob')!.backend).toMatch(/^minikeras /);
    // The profile maps bundle positions back to the workspace's TypeScript sources.
    expect(report.profiles).toHaveLength(1);
    expect(report.profiles[0]!.entries.some((e) => /^packages\/[a-z-]+\/src\/.+\.ts:\d+$/.test(e.where))).toBe(true);
    expect(markdown).toMatch(/\| minikeras \| trainOnBatch \| \*\*[\d,.]+\*\* \|/);
    expect(markdown).toMatch(/\| brain\.js 1\.6\.1 \| trainPattern \| \*\*[\d,.]+\*\* \|.*\| [\d.]+× \|/);
    const written = readFileSync(out, 'utf8');
    expect(written.startsWith('# Performance\n\nkept\n')).toBe(true);
    expect(written).toContain(BEGIN);
    expect(written).toContain('#### W3 XOR');
  });
});
