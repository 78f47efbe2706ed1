/**
 * The published artifacts (`pnpm test` builds them before running vitest). The umbrella's dist/index.js is a thin
 * re-export of the `@minikeras/*` packages' dist files, each one ESM file that plain Node 20 imports with no
 * loader (the WebAssembly kernels embedded in @minikeras/tensor's, the bundled digits beside @minikeras/datasets').
 * What users install from the tarballs is tested in test/consumer.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PACKAGES = ['tensor', 'optimizers', 'losses', 'layers', 'datasets', 'minikeras'];
const distOf = (name: string) => fileURLToPath(new URL(`../../${name}/dist/index.js`, import.meta.url));

function readDist(name: string): string {
  const file = distOf(name);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`pnpm build\` first (\`pnpm test\` does)`);
  return readFileSync(file, 'utf8');
}

describe('packages/*/dist/index.js', () => {
  it('minikeras re-exports the @minikeras/* packages, and plain Node imports it and trains with it', () => {
    const source = readDist('minikeras');
    // A re-export, not a second copy: no class or kernel of its own.
    expect(source).not.toMatch(/\bclass\s/);
    expect([...source.matchAll(/from\s*"([^"]+)"/g)].map((m) => m[1]).sort()).toEqual([
      '@minikeras/datasets', '@minikeras/layers', '@minikeras/losses', '@minikeras/losses', '@minikeras/optimizers', '@minikeras/tensor',
    ]);
    const script = `
      const mk = await import(${JSON.stringify(distOf('minikeras'))});
      const tensorPkg = await import('@minikeras/tensor');
      const d = await mk.datasets.mnist.loadData({ normalize: true });
      mk.setSeed(1);
      const m = new mk.Sequential([mk.layers.Input({ shape: [2] }), new mk.layers.Dense(8, { activation: 'tanh' }), new mk.layers.Dense(1, { activation: 'sigmoid' })]);
      m.compile({ optimizer: new mk.optimizers.Adam({ learningRate: 0.1 }), loss: 'binary_crossentropy', metrics: ['accuracy'] });
      // A tensor made by @minikeras/tensor is the same class as minikeras' own.
      const x = tensorPkg.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
      const h = await m.fit(x, [[0], [1], [1], [0]], { epochs: 200, batchSize: 4, verbose: 0 });
      console.log(JSON.stringify({ backend: mk.getBackendName(), train: d.train.x.shape, accuracy: h.history.accuracy.at(-1), same: mk.Tensor === tensorPkg.Tensor, methods: tensorPkg.tensor([[-1, 2]]).add(1).relu().sum().item() }));
    `;
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd });
    const result = JSON.parse(out.trim().split('\n').at(-1)!);
    expect(result.backend).toMatch(process.env['MINIKERAS_BACKEND'] === 'js' ? /^js$/ : /^wasm/);
    expect(result.train).toEqual([8000, 28, 28]);
    expect(result.accuracy).toBe(1);
    expect(result.same).toBe(true);
    // The method forms are wired up by the tensor package's entry module: its bundle must keep that.
    expect(result.methods).toBe(3);
  });

  it('loads h5wasm and fflate (Keras files) on first use only, and round-trips a .keras file', () => {
    const h5 = readFileSync(fileURLToPath(new URL('../../layers/dist/saving/h5.js', import.meta.url)), 'utf8');
    const zip = readFileSync(fileURLToPath(new URL('../../layers/dist/saving/zip.js', import.meta.url)), 'utf8');
    // Imported where Keras files are read or written, not at the top: 4 MB of HDF5 WebAssembly stays out of
    // programs (and bundles with code splitting) that never touch .keras / .h5 files.
    expect(h5).toMatch(/import\("h5wasm"\)/);
    expect(zip).toMatch(/import\("fflate"\)/);
    expect(h5 + zip).not.toMatch(/from\s*"(h5wasm|fflate)"/);
    const script = `
      const mk = await import(${JSON.stringify(distOf('minikeras'))});
      mk.setSeed(2);
      const m = new mk.Sequential([mk.layers.Input({ shape: [3] }), new mk.layers.Dense(4, { activation: 'relu' }), new mk.layers.Dense(1)]);
      m.compile({ optimizer: 'adam', loss: 'mse' });
      await m.fit([[1, 2, 3], [0, 1, 0]], [[1], [0]], { epochs: 3, batchSize: 2, verbose: 0 });
      const back = await mk.loadModel(await mk.toKerasBytes(m));
      const same = JSON.stringify(Array.from(back.predict([[1, 2, 3]]).values)) === JSON.stringify(Array.from(m.predict([[1, 2, 3]]).values));
      console.log(JSON.stringify({ same, iterations: back.optimizer.iterations }));
    `;
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd });
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({ same: true, iterations: 3 });
  });

  it('ships one file per module: the lazily loaded file back-ends stay separate files, nothing is wrapped', () => {
    // A single pre-bundled file once wrapped modules reached by import() in init functions whose module-level
    // constants became mutable bindings (that slowed every kernel loop); one file per module has no wrappers.
    for (const name of PACKAGES) expect(readDist(name), name).not.toMatch(/__esm\(/);
    expect(existsSync(fileURLToPath(new URL('../../layers/dist/saving/io-node.js', import.meta.url)))).toBe(true);
    expect(readFileSync(fileURLToPath(new URL('../../layers/dist/saving/save-model.js', import.meta.url)), 'utf8')).toMatch(/import\("\.\/io-node\.js"\)/);
  });
});
