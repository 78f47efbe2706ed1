/**
 * The packages as a user outside this repo gets them: every public package is packed (with npm, and with pnpm
 * to compare), the npm tarballs are installed with plain `npm install` into a temporary project outside the
 * repo (so nothing resolves through the workspace), and that project then
 *   (a) imports minikeras on Node (ESM, no loader), trains a tiny model and predicts,
 *   (b) type-checks test/consumer/check.ts with tsc under moduleResolution nodenext, node16, bundler and node10,
 *       with skipLibCheck true and false (each @ts-expect-error line must be an error),
 *   (c) bundles a small training script for the browser with esbuild: no Node built-ins, under 300 KB minified,
 *   (d) reaches every export of minikeras as the same object as its own package's export.
 * Then @arethetypeswrong/core and publint lint the tarballs. One packed and installed project serves every case.
 * `pnpm test` builds the packages first; the tarballs are packed with --ignore-scripts (no second build).
 * npm installs the one npm dependency (seedrandom) from its cache when it can (--prefer-offline).
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkManifest } from '../scripts/check-manifest.mjs';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./consumer/', import.meta.url));
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
/** Directory under packages/ -> package name, in dependency order. */
const PACKAGES: Record<string, string> = {
  tensor: '@minikeras/tensor', optimizers: '@minikeras/optimizers', losses: '@minikeras/losses',
  layers: '@minikeras/layers', datasets: '@minikeras/datasets', minikeras: 'minikeras',
};
const tarballName = (name: string) => `${name.replace(/^@/, '').replace('/', '-')}-0.1.0.tgz`;

// The package managers run with the environment of a user's shell, not the one pnpm/vitest set up for us.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|pnpm_|NODE_OPTIONS|VITEST|MINIKERAS_)/i.test(k)));

let work = '';
let project = '';

async function sh(cmd: string, args: string[], cwd: string, timeout = 120_000): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { cwd, env, timeout, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
}

/** The files of a tarball and its package.json. */
async function readTarball(file: string): Promise<{ files: string[]; manifest: Record<string, unknown>; manifestText: string }> {
  const files = (await sh('tar', ['tzf', file], work)).trim().split('\n').map((f) => f.replace(/^package\//, '')).sort();
  const manifestText = await sh('tar', ['xzOf', file, 'package/package.json'], work);
  return { files, manifest: JSON.parse(manifestText) as Record<string, unknown>, manifestText };
}

beforeAll(async () => {
  for (const dir of Object.keys(PACKAGES)) {
    const dist = join(REPO, 'packages', dir, 'dist', 'index.d.ts');
    if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`pnpm build\` first (\`pnpm test\` does)`);
  }
  work = mkdtempSync(join(tmpdir(), 'minikeras-consumer-'));
  mkdirSync(join(work, 'npm'));
  mkdirSync(join(work, 'pnpm'));
  for (const dir of Object.keys(PACKAGES)) {
    await sh('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', join(work, 'npm')], join(REPO, 'packages', dir));
  }
  await sh('npx', ['-y', 'pnpm@10', '-r', '--filter', './packages/*', '--filter', '!@minikeras/test-utils',
    '--config.ignore-scripts=true', 'pack', '--pack-destination', join(work, 'pnpm')], REPO);

  project = join(work, 'project');
  mkdirSync(project);
  cpSync(FIXTURES, join(project, 'src'), { recursive: true });
  const dependencies = Object.fromEntries(Object.values(PACKAGES).map((name) => [name, `file:../npm/${tarballName(name)}`]));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies }, null, 2));
  await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], project, 300_000);
}, 400_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('packing', () => {
  it('npm pack and pnpm pack give the same tarballs: dist, README, LICENSE (and the digits), no src/ or workspace:', async () => {
    const license = readFileSync(join(REPO, 'LICENSE'), 'utf8');
    for (const [dir, name] of Object.entries(PACKAGES)) {
      const npm = await readTarball(join(work, 'npm', tarballName(name)));
      const pnpm = await readTarball(join(work, 'pnpm', tarballName(name)));
      const data = dir === 'datasets'
        ? ['data/LICENSE', 'data/README.md', 'data/mnist-10k-images-idx3-ubyte.gz', 'data/mnist-10k-labels-idx1-ubyte.gz']
        : [];
      // dist/ holds one .js (+ map) per module of the package's source that its entry reaches, and one .d.ts.
      const built = readdirSync(join(REPO, 'packages', dir, 'dist'), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(join(REPO, 'packages', dir).length + 1).split(sep).join('/'));
      expect(built.filter((f) => f.endsWith('.d.ts')), name).toEqual(['dist/index.d.ts']);
      expect(built.every((f) => f === 'dist/index.d.ts' || /\.js(\.map)?$/.test(f)), name).toBe(true);
      expect(built.some((f) => /(^|\/)(testing|test-utils)\/|\.test\.|fixture/.test(f)), name).toBe(false);
      expect(npm.files, name).toEqual(['LICENSE', 'README.md', ...data, ...built, 'package.json'].sort());
      expect(pnpm.files, name).toEqual(npm.files);
      // pnpm drops the lifecycle scripts (prepack) from what it packs; otherwise the manifests are the same.
      const { scripts: _npmScripts, ...npmManifest } = npm.manifest;
      const { scripts: _pnpmScripts, ...pnpmManifest } = pnpm.manifest;
      expect(pnpmManifest, name).toEqual(npmManifest);
      for (const text of [npm.manifestText, pnpm.manifestText]) {
        expect(text, name).not.toMatch(/workspace:|"\.\/src\//);
      }
      expect(readFileSync(join(REPO, 'packages', dir, 'LICENSE'), 'utf8'), `${dir}/LICENSE`).toBe(license);
      expect(checkManifest(join(REPO, 'packages', dir)), name).toEqual([]);
    }
  });

  it('the manifest check refuses a workspace manifest (what npm would otherwise publish as it is)', () => {
    const dir = join(work, 'raw');
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({
      name: '@minikeras/raw', version: '0.1.0', type: 'module',
      exports: { '.': { default: './src/index.ts', types: './src/index.ts' } },
      publishConfig: { exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } } },
      files: ['dist'], dependencies: { '@minikeras/tensor': 'workspace:*' },
    }));
    const problems = checkManifest(dir).join('\n');
    for (const expected of [/"private"|publishConfig/, /workspace:\*/, /"main" is missing/, /"types" first/, /not under \.\/dist\//, /README\.md is missing/, /LICENSE is missing/]) {
      expect(problems).toMatch(expected);
    }
  });

  it('npm installs exactly one copy of each package', () => {
    const found: Record<string, number> = {};
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (!entry.isDirectory()) continue;
        const sub = join(dir, entry.name);
        const manifest = join(sub, 'package.json');
        if (existsSync(manifest)) {
          const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
          if (name && Object.values(PACKAGES).includes(name)) found[name] = (found[name] ?? 0) + 1;
        }
        // Into scopes, and into packages that carry a nested node_modules (where npm puts a second copy).
        if (entry.name.startsWith('@')) walk(sub);
        if (existsSync(join(sub, 'node_modules'))) walk(join(sub, 'node_modules'));
      }
    };
    walk(join(project, 'node_modules'));
    expect(found).toEqual(Object.fromEntries(Object.values(PACKAGES).map((n) => [n, 1])));
  });
});

describe('(a) Node ESM', () => {
  it('imports minikeras, trains a tiny model, predicts, loads the bundled digits, and has the method forms', async () => {
    const out = await sh(process.execPath, ['src/main.mjs'], project);
    const result = JSON.parse(out.trim().split('\n').at(-1)!) as { backend: string; methods: number; accuracy: number; predicted: number[]; mnist: number[][] };
    expect(result.backend).toMatch(/^wasm/);
    expect(result.methods).toBe(3);
    expect(result.accuracy).toBe(1);
    expect(result.predicted).toEqual([0, 1, 1, 0]);
    expect(result.mnist).toEqual([[8000, 28, 28], [2000]]);
  });
});

describe('(b) tsc --noEmit on the typed program', () => {
  const RESOLUTIONS = [
    { resolution: 'nodenext', module: 'nodenext' },
    { resolution: 'node16', module: 'node16' },
    { resolution: 'bundler', module: 'esnext' },
    { resolution: 'node10', module: 'esnext' },
  ];
  const cases = RESOLUTIONS.flatMap((r) => [true, false].map((skipLibCheck) => ({ ...r, skipLibCheck, lib: ['ES2022', 'DOM'], types: [] as string[] })));
  // A Node project with @types/node and no DOM library: the declarations need nothing from the DOM.
  cases.push({ resolution: 'nodenext', module: 'nodenext', skipLibCheck: false, lib: ['ES2022'], types: ['node'] });

  it.concurrent.each(cases)('moduleResolution $resolution, skipLibCheck $skipLibCheck, lib $lib', async ({ resolution, module, skipLibCheck, lib, types }) => {
    const name = `tsconfig.${resolution}.${skipLibCheck}.${lib.length}.json`;
    writeFileSync(join(project, name), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module, moduleResolution: resolution, lib, types, strict: true, noEmit: true, skipLibCheck,
        // With skipLibCheck false our declarations (and @types/node) are checked; TypeScript's own lib files are not.
        skipDefaultLibCheck: true,
        ...(types.length ? { typeRoots: [join(REPO, 'node_modules', '@types')] } : {}),
      },
      files: ['src/check.ts'],
    }));
    let output = '';
    try {
      await run(process.execPath, [TSC, '-p', name, '--pretty', 'false'], { cwd: project, env, timeout: 120_000 });
    } catch (e) {
      output = (e as { stdout?: string }).stdout ?? String(e);
    }
    expect(output).toBe('');
  }, 240_000);
});

describe('(c) esbuild browser bundle', () => {
  it('bundles a small training script with no Node built-ins, one copy of each package, under 300 KB', async () => {
    const result = await build({
      entryPoints: [join(project, 'src', 'browser.ts')],
      absWorkingDir: project,
      bundle: true,
      minify: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      write: false,
      metafile: true,
      logLevel: 'silent',
      // Code the packages load with import() (h5wasm and fflate, for Keras' .keras / .h5 files) becomes chunks
      // a page fetches on first use, as every bundler with code splitting does.
      splitting: true,
      outdir: join(project, 'out'),
    });
    // The script's own output (chunks a package loads with import(), such as datasets' text-io, are entry points
    // of their own in the metafile, and may be listed first).
    const [entryName, entry] = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint === 'src/browser.ts')!;
    const file = result.outputFiles.find((f) => f.path === join(project, entryName))!;
    const everything = result.outputFiles.filter((f) => f.path.endsWith('.js')).map((f) => f.text).join('\n');
    // Nothing for the script itself to import at run time (only the lazily loaded chunks), least of all a Node built-in.
    expect(entry.imports.filter((i) => i.kind !== 'dynamic-import' && !i.path.startsWith('out/chunk-'))).toEqual([]);
    expect(everything).not.toMatch(/(?:\bfrom\s*|\bimport\s*\(\s*)["'](node:|fs["']|path["']|zlib["']|crypto["'])/);
    // The HDF5 library (h5wasm, megabytes of WebAssembly) is a chunk of its own, not imported up front.
    const big = Object.entries(result.metafile.outputs).filter(([name, o]) => name.endsWith('.js') && o.bytes > 1_000_000).map(([name]) => name);
    expect(big).toHaveLength(1);
    expect(big[0]).not.toBe(entryName);
    expect(entry.imports.filter((i) => i.kind === 'import-statement').map((i) => i.path)).not.toContain(big[0]);
    // Every package's code comes from its installed dist file, once.
    const inputs = Object.keys(result.metafile.inputs).filter((f) => f.includes('node_modules'));
    for (const name of ['@minikeras/tensor', '@minikeras/layers', '@minikeras/optimizers', '@minikeras/losses', 'minikeras']) {
      expect(inputs.filter((f) => f.endsWith(`node_modules/${name}/dist/index.js`)), name).toHaveLength(1);
    }
    // What the page loads up front: the entry and every chunk it imports statically, transitively (chunks reached
    // only through import() load on first use and are not counted).
    const upFront = new Set<string>([entryName]);
    for (const name of upFront) {
      for (const i of result.metafile.outputs[name]!.imports) if (i.kind === 'import-statement' && result.metafile.outputs[i.path]) upFront.add(i.path);
    }
    const loaded = Buffer.concat([...upFront].map((name) => Buffer.from(result.outputFiles.find((f) => f.path === join(project, name))!.contents)));
    const raw = loaded.byteLength;
    const gzip = gzipSync(loaded, { level: 9 }).byteLength;
    console.log(`consumer browser bundle (minified): ${(raw / 1024).toFixed(1)} KiB, gzip -9 ${(gzip / 1024).toFixed(1)} KiB`);
    // Keras' own file formats (their readers and writers, h5wasm and fflate) are import()-ed on first use, so
    // they are chunks of their own, outside this figure.
    expect(raw).toBeLessThan(300 * 1024);
  });
});

describe('(d) one copy of everything', () => {
  it("every export of minikeras is its own package's object, by import, namespace and require()", async () => {
    const out = await sh(process.execPath, ['src/same.mjs'], project);
    const result = JSON.parse(out.trim().split('\n').at(-1)!) as { checked: number; mismatches: string[] };
    expect(result.mismatches).toEqual([]);
    expect(result.checked).toBeGreaterThan(300);
  });
});

describe('tarball lint', () => {
  it('@arethetypeswrong/core and publint (strict, with suggestions) find nothing', async () => {
    const files = Object.values(PACKAGES).map((name) => join(work, 'npm', tarballName(name)));
    const out = await sh(process.execPath, [join(REPO, 'scripts', 'lint-tarballs.mjs'), ...files], REPO).catch((e: Error) => e.message);
    const reports = JSON.parse(out.slice(out.indexOf('['), out.lastIndexOf(']') + 1)) as { file: string; attw: string[]; publint: string[] }[];
    expect(reports.map((r) => r.file).sort()).toEqual(Object.values(PACKAGES).map(tarballName).sort());
    expect(reports.filter((r) => r.attw.length + r.publint.length > 0)).toEqual([]);
  });

  it('the lint finds the problems of a badly packed package', async () => {
    const dir = join(work, 'bad');
    mkdirSync(join(dir, 'dist'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'index.js'), 'export const a = 1;\n');
    writeFileSync(join(dir, 'dist', 'index.d.ts'), "export { a } from './a';\n");
    writeFileSync(join(dir, 'package.json'), JSON.stringify({
      name: 'bad', version: '1.0.0', type: 'module', main: './dist/index.js',
      exports: { '.': { default: './dist/index.js', types: './dist/index.d.ts' } },
    }));
    await sh('npm', ['pack', '--silent', '--pack-destination', work], dir);
    const out = await sh(process.execPath, [join(REPO, 'scripts', 'lint-tarballs.mjs'), join(work, 'bad-1.0.0.tgz')], REPO).catch((e: Error) => e.message);
    const [report] = JSON.parse(out.slice(out.indexOf('['), out.lastIndexOf(']') + 1)) as { attw: string[]; publint: string[] }[];
    expect(report!.attw.join('\n')).toMatch(/InternalResolutionError/);
    expect(report!.publint.join('\n')).toMatch(/types/);
  });
});
