/** What the numbers were measured on. */
import { cpus, loadavg, totalmem, platform, release } from 'node:os';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

export interface Machine {
  cpu: string;
  cores: number;
  /** CPU flags that matter for the kernels (avx2, fma), from /proc/cpuinfo where readable. */
  flags: string[];
  memoryGiB: number;
  node: string;
  os: string;
  date: string;
  /** 1-minute load average when the run started and ended (other work on the machine). */
  loadStart: number;
  loadEnd?: number;
  /** The measured code: `git describe`-like short commit, '+ uncommitted changes' when the tree differs. */
  commit: string;
}

function gitCommit(repo: string): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const head = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain', '--untracked-files=no') ? `${head} + uncommitted changes` : head;
  } catch {
    return 'unknown (no git)';
  }
}

export function describeMachine(repo: string): Machine {
  const list = cpus();
  let flags: string[] = [];
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const line = info.split('\n').find((l) => l.startsWith('flags'));
    const all = new Set((line?.split(':')[1] ?? '').trim().split(/\s+/));
    flags = ['avx2', 'fma', 'avx512f'].filter((f) => all.has(f));
  } catch { /* not Linux */ }
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    flags,
    memoryGiB: totalmem() / 1024 ** 3,
    node: process.version,
    os: `${platform()} ${release()}`,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    loadStart: loadavg()[0]!,
    commit: gitCommit(repo),
  };
}

export function finishMachine(m: Machine): Machine {
  return { ...m, loadEnd: loadavg()[0]! };
}

export function machineLine(m: Machine): string {
  const load = `load average ${m.loadStart.toFixed(2)}${m.loadEnd === undefined ? '' : ` → ${m.loadEnd.toFixed(2)}`}`;
  return `${m.cpu}, ${m.cores} cores${m.flags.length ? ` (${m.flags.join('+')})` : ''}, ${m.memoryGiB.toFixed(0)} GiB, Node ${m.node}, ${m.os}; ${m.date}; ${load}; code at ${m.commit}`;
}
