/**
 * Runs jobs in child processes, one at a time. The worker entry files are bundled once per run (workspace
 * packages from their TypeScript sources, as scripts/run.mjs does), with the peers left as ordinary
 * node_modules imports so tfjs-backend-wasm finds its .wasm files and each child loads only its own system.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BuildOptions } from 'esbuild';
import { RESULT_TAG } from './workloads';
import type { Job, JobResult, SystemId } from './workloads';

export const BENCH_DIR = findBenchDir();

/** bench/ from this file, whether it runs from source (vitest) or from a bundle under node_modules/.cache. */
function findBenchDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === '@minikeras/bench') return dir;
    } catch { /* keep walking up */ }
    const monorepoBench = join(dir, 'bench');
    try {
      const pkg = JSON.parse(readFileSync(join(monorepoBench, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === '@minikeras/bench') return monorepoBench;
    } catch { /* keep walking up */ }
    dir = dirname(dir);
  }
  throw new Error('bench: cannot find the bench/ package directory');
}

export const REPO_DIR = dirname(BENCH_DIR);

const ENTRY: Record<SystemId, string> = {
  minikeras: 'minikeras',
  'tfjs-cpu': 'tfjs',
  'tfjs-wasm': 'tfjs',
  'brain.js': 'brain',
  convnetjs: 'convnet',
};

export interface Bundles {
  dir: string;
  /** Path of the bundled worker for a system. */
  entry(system: SystemId): string;
  dispose(): void;
}

/**
 * esbuild cannot be bundled into the script that calls it (its JS API locates its own binary), and this file
 * is itself bundled by scripts/run.mjs: a non-literal import keeps it a runtime import.
 */
async function loadEsbuild(name = 'esbuild'): Promise<typeof import('esbuild')> {
  return (await import(name)) as typeof import('esbuild');
}

/** Spelled in two parts: scripts/run.mjs rewrites that expression wherever it appears in this file's text. */
const IMPORT_META_URL = ['import', 'meta', 'url'].join('.');

export async function bundleWorkers(): Promise<Bundles> {
  const { build } = await loadEsbuild();
  // Under bench/node_modules so the bundles resolve the peers from bench's own node_modules.
  const dir = join(BENCH_DIR, 'node_modules', '.cache', 'minikeras-bench', String(process.pid));
  mkdirSync(dir, { recursive: true });
  const options: BuildOptions = {
    entryPoints: Object.fromEntries([...new Set(Object.values(ENTRY))].map((e) => [e, join(BENCH_DIR, 'src', 'systems', `${e}.ts`)])),
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // A separate map, so CPU profiles (which name bundle lines) map back to source files.
    sourcemap: 'linked',
    logLevel: 'warning',
    external: ['@tensorflow/*', 'brain.js', 'convnetjs', 'esbuild'],
    plugins: [{
      // The datasets package finds its bundled digits next to its source file: keep each file's import.meta.url.
      name: 'keep-import-meta-url',
      setup(b) {
        b.onLoad({ filter: /\.[cm]?ts$/ }, (args) => ({
          contents: readFileSync(args.path, 'utf8').replaceAll(IMPORT_META_URL, JSON.stringify(pathToFileURL(args.path).href)),
          loader: 'ts',
        }));
      },
    }],
    banner: { js: `import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(${IMPORT_META_URL});` },
  };
  await build(options);
  return {
    dir,
    entry: (system) => join(dir, `${ENTRY[system]}.mjs`),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface RunOptions {
  /** Extra node flags (--cpu-prof, --expose-gc). */
  nodeFlags?: string[];
  /** Called with each line the child prints that is not its result (for --verbose). */
  onOutput?: (line: string) => void;
}

/** Runs one job in its own node process; never throws (a crash or a timeout is a result). */
export function runJob(bundles: Bundles, job: Job, options: RunOptions = {}): Promise<JobResult> {
  return new Promise((resolvePromise) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...(options.nodeFlags ?? []), bundles.entry(job.system), JSON.stringify(job)], {
      cwd: BENCH_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    let out = '';
    let err = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (s: string) => { out += s; });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { err += s; });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, job.timeoutSeconds * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      let result: JobResult | null = null;
      for (const line of out.split('\n')) {
        if (line.startsWith(RESULT_TAG)) result = JSON.parse(line.slice(RESULT_TAG.length)) as JobResult;
        else if (line.trim() && options.onOutput) options.onOutput(line);
      }
      if (result) {
        resolvePromise(result);
      } else if (timedOut) {
        resolvePromise({ job, status: 'timeout', rates: [], processSeconds: seconds, message: `no result within the ${job.timeoutSeconds} s cap; the process was stopped` });
      } else {
        const tail = err.trim().split('\n').slice(-5).join(' | ');
        resolvePromise({ job, status: 'error', rates: [], processSeconds: seconds, message: `exited with ${signal ?? `code ${code}`}: ${tail}` });
      }
    });
  });
}
