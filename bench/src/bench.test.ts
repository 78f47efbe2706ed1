import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { W4_SEQ_LEN, W4_VOCAB, fixedPermutation, tokenBatches } from './data';
import { parseArgs, runBench, shortTitle, w4Area } from './main';
import { planJobs } from './plan';
import { decodeVlq, timeByArea, watFunctionNames } from './profile';
import type { CpuProfile } from './profile';
import { FULL_SLOW, measureSync, ONE_STEP, QUICK } from './protocol';
import type { Protocol } from './protocol';
import { BEGIN, END, aggregate, goalsTable, median, partialWorkloads, sectionMarkers, writeSection } from './report';
import { SYSTEMS, WORKLOADS } from './workloads';
import type { JobResult, SystemId } from './workloads';

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

  it('the budget running out on the step that ends the warm-up still times one step', () => {
    // Steps of 3 ms, a budget of 4.5 ms: the second step ends the warm-up and the budget together.
    const busy = () => { const end = performance.now() + 3; while (performance.now() < end) { /* 3 ms step */ } };
    const t = measureSync(busy, { warmupSeconds: 0, warmupSteps: 2, reps: 3, repSeconds: 10, repSteps: 1, budgetSeconds: 0.0045 });
    expect(t.cutShort).toBe(true);
    expect(t.reps).toHaveLength(1);
    expect(t.reps[0]!.steps).toBe(1);
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
    // W4 per sequence: 100 steps x (x·W 64x256 + h·R 64x256, each fwd + dW + dX: 3 * 2 * 64 * 256 = 98,304)
    // = 19,660,800; Dense 64x1 x3 = 384.
    expect(WORKLOADS.w4.flopPerItem).toBe(100 * 2 * 98_304 + 384);
    expect(WORKLOADS.w4.batchSize).toBe(32);
  });

  it("W4's token data is fixed, in range, cut into whole batches, and its label is the majority rule", () => {
    const a = tokenBatches(32, 100);
    expect(a.count).toBe(3);
    expect(a.x).toHaveLength(96 * W4_SEQ_LEN);
    expect(a.y).toHaveLength(96);
    expect(tokenBatches(32, 100).x).toEqual(a.x);
    let min = Infinity, max = -Infinity, fractional = 0;
    for (const id of a.x) { min = Math.min(min, id); max = Math.max(max, id); if (!Number.isInteger(id)) fractional++; }
    expect(fractional).toBe(0);
    expect(min).toBeGreaterThanOrEqual(1);
    expect(max).toBeLessThan(W4_VOCAB);
    // Spread over the vocabulary, not stuck in a corner of it.
    expect(min).toBeLessThan(100);
    expect(max).toBeGreaterThan(W4_VOCAB - 100);
    for (let r = 0; r < 96; r++) {
      const row = a.x.subarray(r * W4_SEQ_LEN, (r + 1) * W4_SEQ_LEN);
      const low = row.filter((id) => id < W4_VOCAB / 2).length;
      expect(a.y[r]).toBe(low > W4_SEQ_LEN - low ? 1 : 0);
    }
    // Both classes occur in a useful mix.
    const ones = a.y.reduce((p, v) => p + v, 0);
    expect(ones).toBeGreaterThan(25);
    expect(ones).toBeLessThan(71);
    expect(tokenBatches(32, 100, W4_SEQ_LEN, W4_VOCAB, 7).x).not.toEqual(a.x);
    expect(() => tokenBatches(32, 31)).toThrow(/tokenBatches: 31 sequences do not fill one batch of 32/);
  });

  it('shortens titles at the first comma outside parentheses', () => {
    expect(shortTitle(WORKLOADS.w4.title)).toBe('W4 Embedding(10k, 64)-LSTM(64)-Dense(1, sigmoid)');
    expect(shortTitle(WORKLOADS.w1.title)).toBe('W1 MLP 784-128(relu)-10(softmax)');
    expect(shortTitle('no comma')).toBe('no comma');
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

  it('time by area: each sample under the outermost classified frame on its stack, the rest as other', () => {
    const frame = (functionName: string) => ({ functionName, url: '', lineNumber: 0, columnNumber: 0 });
    // root -> step -> lstm -> matmul; root -> step -> backward -> lstm (a forward frame under a backward one) -> matmul;
    // root -> step -> loss; root -> (garbage collector); root -> (idle).
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 8, 9] },
        { id: 2, callFrame: frame('step'), children: [3, 5, 7] },
        { id: 3, callFrame: frame('lstm'), children: [4] },
        { id: 4, callFrame: frame('matmul') },
        { id: 5, callFrame: frame('backward'), children: [6] },
        { id: 6, callFrame: frame('lstm'), children: [10] },
        { id: 10, callFrame: frame('matmul') },
        { id: 7, callFrame: frame('loss') },
        { id: 8, callFrame: frame('(garbage collector)') },
        { id: 9, callFrame: frame('(idle)') },
      ],
      samples: [4, 4, 3, 10, 10, 10, 6, 7, 8, 9, 9, 2],
      startTime: 0,
      endTime: 12_000,
    };
    const areas = timeByArea(profile, (f) => ({ lstm: 'forward', backward: 'backward', '(garbage collector)': 'gc' } as Record<string, string>)[f.name] ?? null, '/');
    // 11 samples counted (the 2 idle ones not), 1 ms each (12 ms over 12 samples).
    expect(areas).toEqual([
      { area: 'backward', ms: 4, share: 4 / 10 },
      { area: 'forward', ms: 3, share: 3 / 10 },
      { area: 'other', ms: 2, share: 2 / 10 },
      { area: 'gc', ms: 1, share: 1 / 10 },
    ]);
  });

  it("W4's areas: the lstm op's forward and backward, the embedding's gather and scatter-add, Adam, GC", () => {
    expect(w4Area({ name: 'lstm', where: 'packages/tensor/src/ops/rnn.ts:266' })).toMatch(/^LSTM forward/);
    expect(w4Area({ name: '(anonymous)', where: 'packages/tensor/src/ops/rnn.ts:281' })).toMatch(/^LSTM backward/);
    expect(w4Area({ name: 'inputSideGrads', where: 'packages/tensor/src/ops/rnn.ts:219' })).toBeNull();
    expect(w4Area({ name: 'call', where: 'packages/layers/src/layers/embedding.ts:61' })).toMatch(/^Embedding forward/);
    expect(w4Area({ name: 'gather2', where: 'packages/tensor/src/ops/shape.ts:182' })).toMatch(/^Embedding forward/);
    expect(w4Area({ name: '(anonymous)', where: 'packages/tensor/src/ops/shape.ts:198' })).toMatch(/^Embedding backward/);
    expect(w4Area({ name: 'applyGradients', where: 'packages/optimizers/src/optimizer.ts:236' })).toMatch(/^Adam/);
    expect(w4Area({ name: '(garbage collector)', where: '' })).toBe('garbage collector');
    expect(w4Area({ name: 'kernel4x8 (wasm)', where: 'packages/tensor/src/kernels/wasm/kernels.wat' })).toBeNull();
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

  it('plans W4 for minikeras and both tfjs backends, interleaved, with notes for brain.js and ConvNetJS', () => {
    const plan = planJobs({ quick: false, rounds: 2, workloads: ['w4'], systems: [...SYSTEMS], fit: true, memory: true });
    expect(plan.jobs.map((j) => j.system)).toEqual(['minikeras', 'tfjs-cpu', 'tfjs-wasm', 'tfjs-wasm', 'tfjs-cpu', 'minikeras']);
    for (const j of plan.jobs) {
      expect(j.api).toBe('tob');
      expect(j.protocol).toEqual(FULL_SLOW);
      expect(j.timeoutSeconds).toBe(FULL_SLOW.budgetSeconds + 90);
    }
    expect(plan.notes.map((n) => `${n.job.system} ${n.job.workload}: ${n.status}`)).toEqual(['brain.js w4: skipped', 'convnetjs w4: skipped']);
    expect(plan.notes[0]!.message).toMatch(/no embedding layer/);
    const quick = planJobs({ quick: true, rounds: 2, workloads: ['w4'], systems: ['minikeras', 'tfjs-wasm'], fit: true, memory: false });
    expect(quick.jobs.map((j) => `${j.system} ${j.protocol === QUICK}`)).toEqual(['minikeras true', 'tfjs-wasm true']);
  });

  it('--workloads accepts w4; W4 is part of the default run', () => {
    expect(parseArgs(['--workloads', 'w4']).workloads).toEqual(['w4']);
    expect(parseArgs(['--workloads', 'w3,w4']).workloads).toEqual(['w3', 'w4']);
    expect(parseArgs([]).workloads).toEqual(['w1', 'w1b', 'w2', 'w3', 'w4']);
    expect(() => parseArgs(['--workloads', 'w5'])).toThrow(/--workloads takes w1, w1b, w2, w3, w4; got 'w5'/);
  });

  it('W4 goal: at least 5x the faster tfjs backend, peak RSS against tfjs-cpu; a partial run lists only its goals', () => {
    const result = (system: SystemId, rate: number, rss: number): JobResult => ({
      job: { system, workload: 'w4', api: 'tob', protocol: FULL_SLOW, timeoutSeconds: 1 }, status: 'ok', rates: [rate], peakRssMiB: rss,
    });
    const met = goalsTable(aggregate([result('minikeras', 600, 150), result('tfjs-cpu', 20, 400), result('tfjs-wasm', 60, 250)]));
    expect(met).toContain('| W4 ≥ 5× the fastest tfjs backend (trainOnBatch) | 600 samples/s | tfjs-wasm 60.0 | 10.0× | yes |');
    expect(met).toContain("| W4 peak RSS ≤ tfjs-cpu's | 150 MiB | tfjs-cpu 400 MiB | 0.375× | yes |");
    expect(met).not.toMatch(/W1|W2|W3/);
    const missed = goalsTable(aggregate([result('minikeras', 200, 450), result('tfjs-cpu', 50, 400), result('tfjs-wasm', 40, 250)]));
    expect(missed).toContain('| W4 ≥ 5× the fastest tfjs backend (trainOnBatch) | 200 samples/s | tfjs-cpu 50.0 | 4.00× | no (0.800 of the goal) |');
    expect(missed).toContain("| W4 peak RSS ≤ tfjs-cpu's | 450 MiB | tfjs-cpu 400 MiB | 1.13× | no |");
    // A peer process that reported no rate is not 'the fastest'.
    const noRate = goalsTable(aggregate([result('minikeras', 600, 150), { ...result('tfjs-cpu', 20, 400), rates: [] }, result('tfjs-wasm', 60, 250)]));
    expect(noRate).toContain('| tfjs-wasm 60.0 | 10.0× | yes |');
  });

  it('a partial run writes its own section and leaves the full run\'s alone', () => {
    expect(partialWorkloads(['w4', 'w3', 'w2', 'w1b', 'w1'])).toBeUndefined();
    expect(partialWorkloads(['w4'])).toEqual(['w4']);
    expect(partialWorkloads(['w4', 'w1'])).toEqual(['w1', 'w4']);
    const path = join(dir, 'perf-partial.md');
    writeFileSync(path, '# Performance\n');
    writeSection(path, 'full run', sectionMarkers(undefined));
    const w4 = sectionMarkers(['w4']);
    expect(w4.begin).toMatch(/^<!-- pnpm bench --workloads w4: begin/);
    writeSection(path, 'w4 run 1', w4);
    writeSection(path, 'w4 run 2', w4);
    const text = readFileSync(path, 'utf8');
    expect(text).toContain(`${BEGIN}\nfull run\n${END}`);
    expect(text).toContain(`${w4.begin}\nw4 run 2\n${w4.end}`);
    expect(text).not.toContain('w4 run 1');
  });

  it('--quick writes nothing unless asked', () => {
    expect(parseArgs(['--quick']).out).toBeNull();
    expect(parseArgs(['--quick', '--out', 'x.md']).out).toBe('x.md');
    expect(parseArgs([]).out).toMatch(/docs[\\/]performance\.md$/);
    expect(() => parseArgs(['--workloads', 'w9'])).toThrow(/--workloads takes w1, w1b, w2, w3, w4; got 'w9'/);
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
    expect(written).toContain(sectionMarkers(['w3']).begin);
    expect(written).toContain('#### W3 XOR');
  });
});

describe('pnpm bench --quick on W4 (tiny configuration)', () => {
  it('trains Embedding-LSTM-Dense in minikeras and tfjs-wasm child processes, profiles minikeras, writes a W4 section', async () => {
    const out = join(dir, 'performance-w4.md');
    writeFileSync(out, '# Performance\n\nkept\n');
    const tiny: Protocol = { warmupSeconds: 0, warmupSteps: 1, reps: 2, repSeconds: 0, repSteps: 1, budgetSeconds: 30 };
    const { results, report, markdown } = await runBench({
      quick: true, rounds: 1, workloads: ['w4'], systems: ['minikeras', 'tfjs-wasm', 'brain.js'], fit: true, memory: true,
      optimizers: false, profile: true, out, verbose: false, protocol: tiny, trainSamples: 64, log: () => {},
    });
    const byKey = new Map(results.map((r) => [`${r.job.system} ${r.job.api}`, r]));
    expect([...byKey.keys()].sort()).toEqual(['brain.js tob', 'minikeras tob', 'tfjs-wasm tob']);
    expect(byKey.get('brain.js tob')!.status).toBe('skipped');
    for (const key of ['minikeras tob', 'tfjs-wasm tob']) {
      const r = byKey.get(key)!;
      expect(r.status, `${key}: ${r.message}`).toBe('ok');
      expect(r.rates).toHaveLength(2);
      for (const rate of r.rates) expect(rate).toBeGreaterThan(0);
      // Binary crossentropy of a fresh model on balanced labels starts near ln 2.
      expect(r.firstLoss).toBeGreaterThan(0.6);
      expect(r.firstLoss).toBeLessThan(0.8);
    }
    expect(byKey.get('tfjs-wasm tob')!.backend).toMatch(/wasm.*UnsortedSegmentSum/);
    expect(report.profiles).toHaveLength(1);
    expect(report.profiles[0]!.title).toMatch(/^W4 Embedding\(10k, 64\)-LSTM\(64\)-Dense\(1, sigmoid\) — trainOnBatch/);
    expect(report.profiles[0]!.entries.some((e) => /^packages\/[a-z-]+\/src\/.+\.ts:\d+$/.test(e.where))).toBe(true);
    // The step by area: the LSTM's forward and backward are found on the stacks, and the shares add up.
    const areas = report.profiles[0]!.areas!;
    expect(areas.map((a) => a.area)).toEqual(expect.arrayContaining([expect.stringMatching(/^LSTM forward/), expect.stringMatching(/^LSTM backward/)]));
    expect(areas.reduce((p, a) => p + a.share, 0)).toBeCloseTo(1, 6);
    expect(markdown).toContain('By area (inclusive');
    expect(markdown).toMatch(/\| W4 ≥ 5× the fastest tfjs backend \(trainOnBatch\) \| [\d,.]+ samples\/s \| tfjs-wasm [\d,.]+ \|/);
    expect(markdown).not.toContain('Memory over long training');
    const written = readFileSync(out, 'utf8');
    expect(written.startsWith('# Performance\n\nkept\n')).toBe(true);
    expect(written).toContain(sectionMarkers(['w4']).begin);
    expect(written).not.toContain(BEGIN);
    expect(written).toContain('## Side by side: `pnpm bench --workloads w4` --quick');
  });
});
