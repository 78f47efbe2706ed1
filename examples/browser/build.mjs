// Builds the demo page into dist/: esbuild bundles src/main.ts for the browser (ESM), and the page's
// HTML and CSS plus the two bundled MNIST files from @minikeras/datasets are copied beside it.
//   node build.mjs            (also run by `pnpm browser` and by the end-to-end test)
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const defaultOutDir = join(here, 'dist');
const dataDir = join(here, '..', '..', 'packages', 'datasets', 'data');
const dataFiles = ['mnist-10k-images-idx3-ubyte.gz', 'mnist-10k-labels-idx1-ubyte.gz'];

/** Bundles the page into `outDir` (emptied first) and returns the bundle's size in bytes. */
export async function buildPage(outDir = defaultOutDir) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, 'data'), { recursive: true });
  await build({
    entryPoints: [join(here, 'src', 'main.ts')],
    outdir: outDir,
    // Code the page loads with import() only (h5wasm and fflate, for Keras files) goes to chunks/, fetched
    // on first use, so main.js stays small.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  // Node-only code in the libraries reaches builtins via process.getBuiltinModule at call time, never by
  // import; a `node:` specifier here would make the browser refuse the whole module.
  const code = readFileSync(join(outDir, 'main.js'), 'utf8');
  const chunks = existsSync(join(outDir, 'chunks')) ? readdirSync(join(outDir, 'chunks')).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(outDir, 'chunks', f), 'utf8')) : [];
  const nodeImport = [code, ...chunks].join('\n').match(/(?:\bfrom\s*|\bimport\s*\(\s*)["']node:[a-z_/]+["']/);
  if (nodeImport) throw new Error(`build.mjs: the browser bundle imports a Node builtin (${nodeImport[0]}); keep node: imports out of browser code paths`);
  for (const file of ['index.html', 'style.css']) copyFileSync(join(here, 'src', file), join(outDir, file));
  for (const file of dataFiles) copyFileSync(join(dataDir, file), join(outDir, 'data', file));
  return Buffer.byteLength(code);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const bytes = await buildPage();
  console.log(`built ${defaultOutDir} (main.js ${(bytes / 1024).toFixed(0)} KiB)`);
}
