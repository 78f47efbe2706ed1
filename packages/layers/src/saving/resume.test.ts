// Resuming in a fresh process: fit 2 epochs, save, load in another Node process, fit epochs 2..4, and get
// exactly (bit for bit) what fitting 4 epochs in one go gives. fit shuffles by (seed, epoch, optimizer
// step), so this holds only if the weights, the BatchNormalization statistics, the whole Adam state
// (iterations, slots, the learning-rate schedule) and the Dropout layer's seed generator come back exactly.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const fixture = fileURLToPath(new URL('./resume.fixture.ts', import.meta.url));
const dir = join(mkdtempSync(join(tmpdir(), 'minikeras-resume-')), 'ckpt');
afterAll(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

interface Run { weights: number[][]; iterations: number; losses: number[]; dropoutDraws: number }

function run(mode: string, target = dir): Run {
  const out = execFileSync(process.execPath, [join(repo, 'scripts/run.mjs'), fixture, mode, target], { cwd: repo, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as Run;
}

let full: Run | null = null;
const fullRun = (): Run => (full ??= run('full'));

describe('resume after a restart', () => {
  it('fit 2 epochs + save + load in a fresh process + fit 2 more == fit 4 epochs, bit for bit', () => {
    const full = fullRun();
    const first = run('first');
    const resumed = run('resume');
    // 40 samples in batches of 8: 5 steps per epoch.
    expect(first.iterations).toBe(10);
    expect(resumed.iterations).toBe(20);
    expect(full.iterations).toBe(20);
    expect([...first.losses, ...resumed.losses]).toEqual(full.losses);
    expect(resumed.weights).toEqual(full.weights);
    // The comparison is not vacuous: training changed the weights after the save.
    expect(resumed.weights).not.toEqual(first.weights);
    // Dropout drew masks: its generator counted one draw per step, and that count was saved and restored.
    expect(resumed.dropoutDraws).toBe(20);
  });

  it.each(['ckpt.keras', 'ckpt.h5'])('the same through Keras\' %s file', (name) => {
    const target = join(dir, '..', name);
    const full = fullRun();
    const first = run('first', target);
    const resumed = run('resume', target);
    expect(resumed.iterations).toBe(20);
    expect([...first.losses, ...resumed.losses]).toEqual(full.losses);
    expect(resumed.weights).toEqual(full.weights);
    expect(resumed.weights).not.toEqual(first.weights);
  });
});
