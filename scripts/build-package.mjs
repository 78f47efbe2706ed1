// Builds the package in the current directory: esbuild bundles src/index.ts to dist/index.js (ESM),
// tsc emits the .d.ts files. Workspace and npm dependencies stay external, except for the umbrella
// package (`--bundle-all`), which must be one file that plain Node can import.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const bundleAll = process.argv.includes('--bundle-all');
// h5wasm (4 MB: HDF5 in WebAssembly) and fflate are import()-ed only by Keras file saving and loading: they stay
// external even in the umbrella bundle, so a program that never touches .keras / .h5 files never loads them.
const LAZY_LIBRARIES = ['h5wasm', 'fflate'];
const external = bundleAll ? LAZY_LIBRARIES : Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies });

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: ['src/index.ts'],
  outfile: 'dist/index.js',
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  mainFields: ['module', 'main'],
  target: 'es2022',
  external: [...external, 'node:*'],
  sourcemap: true,
  logLevel: 'warning',
});
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { stdio: 'inherit' });

// The umbrella bundle inlines @minikeras/datasets, which finds its bundled digits at ../data/ relative
// to the module: ship a copy of them beside dist/.
if (bundleAll) {
  const datasetsDir = new URL('../packages/datasets/data/', import.meta.url);
  rmSync('data', { recursive: true, force: true });
  cpSync(datasetsDir, 'data', { recursive: true });
}
