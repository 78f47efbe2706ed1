// Builds the package in the current directory into what npm publishes (see docs/packaging.md):
//   dist/**/*.js     esbuild compiles each module src/index.ts reaches into an ESM file of its own; every
//                    dependency (workspace or npm) stays an import, so each class and each piece of global
//                    state exists once in a user's program, and bundlers can leave out unused modules.
//   dist/index.d.ts  tsc emits the declarations into .cache/dts, then rollup-plugin-dts bundles them
//                    into one self-contained file whose only imports are the package's dependencies: no
//                    relative imports for a resolver to get wrong, no declarations of test helpers.
// The workspace dependencies must be built first (`pnpm build` builds in dependency order): the declarations
// are compiled against their published dist/index.d.ts, as a user's compiler will see them.
//   node ../../scripts/build-package.mjs            build
//   node ../../scripts/build-package.mjs --prepack  build, then check the manifest (run by npm/pnpm pack/publish)
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { rollup } from 'rollup';
import { dts } from 'rollup-plugin-dts';
import ts from 'typescript';
import { checkManifest } from './check-manifest.mjs';

const dir = process.cwd();
const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const dependencies = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies });
const isDependency = (id) => id.startsWith('node:') || dependencies.some((d) => id === d || id.startsWith(`${d}/`));

// Workspace dependencies resolve to their built dist/ (the manifests' exports): say so when one is missing.
const require = createRequire(join(dir, 'package.json'));
for (const dep of dependencies.filter((d) => d === 'minikeras' || d.startsWith('@minikeras/'))) {
  const depDir = dirname(require.resolve(`${dep}/package.json`));
  if (!existsSync(join(depDir, 'dist', 'index.d.ts'))) {
    throw new Error(`build-package: ${pkg.name} needs ${dep} built first (no ${join(depDir, 'dist', 'index.d.ts')}); run \`pnpm build\` at the repo root`);
  }
}

rmSync(join(dir, 'dist'), { recursive: true, force: true });
// JavaScript: one ESM file per source module reachable from src/index.ts (so test helpers never ship), with
// relative imports given their file extensions for Node. Keeping the modules apart lets a user's bundler drop
// what a program does not use, even behind namespaces such as `layers.Dense` (a single pre-bundled file would
// turn each namespace into one object that keeps every member). First find the modules the entry reaches.
const probe = await build({
  entryPoints: [join(dir, 'src', 'index.ts')],
  bundle: true,
  write: false,
  metafile: true,
  format: 'esm',
  platform: 'neutral',
  mainFields: ['module', 'main'],
  target: 'es2022',
  external: [...dependencies, 'node:*'],
  logLevel: 'silent',
});
const srcDir = join(dir, 'src');
const modules = Object.keys(probe.metafile.inputs).map((f) => resolve(f)).filter((f) => f.startsWith(srcDir + sep) && f.endsWith('.ts'));
await build({
  entryPoints: modules,
  outdir: join(dir, 'dist'),
  outbase: srcDir,
  bundle: false,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  sourcemap: true,
  logLevel: 'warning',
});
// Relative specifiers as Node resolves them: './tensor' -> './tensor.js', './ops' -> './ops/index.js'.
for (const file of modules) {
  const out = join(dir, 'dist', relative(srcDir, file)).replace(/\.ts$/, '.js');
  const from = dirname(file);
  const code = readFileSync(out, 'utf8').replace(/((?:\bfrom|\bimport)\s*\(?\s*)"(\.{1,2}\/[^"]*)"/g, (m, lead, spec) => {
    const target = resolve(from, spec);
    if (existsSync(`${target}.ts`)) return `${lead}"${spec}.js"`;
    if (existsSync(join(target, 'index.ts'))) return `${lead}"${spec}/index.js"`;
    throw new Error(`build-package: ${relative(dir, file)} imports '${spec}', which is not a module of the package`);
  });
  writeFileSync(out, code);
}

// Declarations: the package's tsconfig.json, with the repo-wide `paths` to the workspace sources cleared.
// (Not under node_modules: rollup-plugin-dts takes anything there for an external package.)
const cache = join(dir, '.cache', 'dts');
rmSync(cache, { recursive: true, force: true });
const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); } };
const parsed = ts.getParsedCommandLineOfConfigFile(join(dir, 'tsconfig.json'), {
  paths: {}, noEmit: false, declaration: true, emitDeclarationOnly: true, outDir: cache, declarationDir: cache, declarationMap: false,
}, host);
const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, projectReferences: parsed.projectReferences });
const emitted = program.emit();
const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
if (diagnostics.length > 0) {
  const formatHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => dir, getNewLine: () => '\n' };
  console.error(ts.formatDiagnosticsWithColorAndContext(diagnostics, formatHost));
  throw new Error(`build-package: ${pkg.name}: the declaration build has ${diagnostics.length} error(s)`);
}
const warnings = [];
const bundle = await rollup({
  input: join(cache, 'index.d.ts'),
  external: isDependency,
  plugins: [dts()],
  // Type-only import cycles are harmless in declarations; anything else is a build error.
  onwarn: (w) => { if (w.code !== 'CIRCULAR_DEPENDENCY') warnings.push(w.message); },
});
await bundle.write({ file: join(dir, 'dist', 'index.d.ts'), format: 'es' });
await bundle.close();
if (warnings.length > 0) throw new Error(`build-package: ${pkg.name}: rollup-plugin-dts warned:\n${warnings.join('\n')}`);
rmSync(cache, { recursive: true, force: true });

if (process.argv.includes('--prepack')) {
  const problems = checkManifest(dir);
  if (problems.length > 0) {
    throw new Error(`build-package: ${pkg.name} is not fit to pack:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}
console.log(`build-package: built ${pkg.name} (${basename(resolve(dir))}/dist)`);
