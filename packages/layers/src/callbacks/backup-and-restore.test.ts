// BackupAndRestore against SIGKILL: a child process training with the callback is killed (by itself after a
// chosen batch, or by this test at a random moment, possibly mid-save), then the same script runs again and
// must end with exactly the weights of an uninterrupted run. The backup is gone afterwards.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BackupAndRestore } from './backup-and-restore';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const fixture = fileURLToPath(new URL('./backup-and-restore.fixture.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'minikeras-backup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Result { weights: number[][]; iterations: number; batchesThisRun: number }
const args = (dir: string, freq: string, kill?: number) => [join(repo, 'scripts/run.mjs'), fixture, dir, freq, ...(kill === undefined ? [] : [String(kill)])];

function runToEnd(dir: string, freq: string): Result {
  const out = execFileSync(process.execPath, args(dir, freq), { cwd: repo, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as Result;
}

/** Runs until the child kills itself after `batch` batches; resolves with its exit signal. */
function runKilledAt(dir: string, freq: string, batch: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args(dir, freq, batch), { cwd: repo, stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve(signal));
  });
}

/** Starts a run and SIGKILLs it `delayMs` after it starts training (anywhere: mid-batch or mid-save). */
function runKilledAfter(dir: string, freq: string, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args(dir, freq), { cwd: repo, stdio: ['ignore', 'pipe', 'ignore'] });
    child.on('error', reject);
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('training')) setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.on('exit', () => resolve());
  });
}

// 40 samples in batches of 8: 5 batches per epoch, 6 epochs, 30 steps.
const reference = runToEnd(join(root, 'reference'), 'epoch');

describe('BackupAndRestore', () => {
  it('an uninterrupted run leaves no backup behind', () => {
    expect(reference.iterations).toBe(30);
    expect(existsSync(join(root, 'reference'))).toBe(false);
  });

  it.each([
    ['epoch', 13],
    ['epoch', 6],
    [3, 7],
    [2, 29],
  ])('saveFreq %s, killed after batch %i: the rerun ends bit-identical to an uninterrupted run', async (freq, kill) => {
    const dir = join(root, `kill-${freq}-${kill}`);
    expect(await runKilledAt(dir, String(freq), kill)).toBe('SIGKILL');
    expect(existsSync(join(dir, 'model.json'))).toBe(true);
    const resumed = runToEnd(dir, String(freq));
    // Only the batches after the last backup ran again.
    // (The kill comes after the callback's own backup at that batch, so a backup at the kill batch counts.)
    const backedUp = freq === 'epoch' ? Math.floor(kill / 5) * 5 : Math.floor(kill / (freq as number)) * (freq as number);
    expect(resumed.batchesThisRun).toBe(30 - backedUp);
    expect(resumed.iterations).toBe(30);
    expect(resumed.weights).toEqual(reference.weights);
    expect(existsSync(dir)).toBe(false);
  });

  it('killed at random moments (mid-batch or mid-save) three times in a row, it still ends bit-identical', async () => {
    const dir = join(root, 'random');
    // A fixed pseudo-random schedule keeps the test reproducible.
    for (const delay of [3, 17, 41]) await runKilledAfter(dir, '1', delay);
    const resumed = runToEnd(dir, '1');
    expect(resumed.weights).toEqual(reference.weights);
    expect(readdirSync(root).filter((f) => f.startsWith('.random'))).toEqual([]);
  });

  it('checks its options', () => {
    expect(() => new BackupAndRestore('')).toThrow(/backupDir must be a directory path/);
    expect(() => new BackupAndRestore('d', { saveFreq: 0 })).toThrow(/saveFreq must be 'epoch' or a positive integer/);
    expect(() => new BackupAndRestore('d', { save_freq: 1 } as never)).toThrow(/unknown option 'save_freq'/);
  });
});
