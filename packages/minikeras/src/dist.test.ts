/**
 * The published artifact: dist/index.js is one ESM file that plain Node 20 imports with no loader, with the
 * WebAssembly kernels embedded and the bundled digits beside it. `pnpm test` builds it before running vitest.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe('packages/minikeras/dist/index.js', () => {
  it('is one self-contained ESM file that plain Node imports and trains with', () => {
    if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`pnpm build\` first (\`pnpm test\` does)`);
    const source = readFileSync(dist, 'utf8');
    // Bundled: no imports of workspace or npm packages remain (only Node built-ins, loaded lazily).
    expect(source).not.toMatch(/from\s*["']@minikeras\//);
    expect(source).not.toMatch(/from\s*["']seedrandom/);
    const script = `
      const mk = await import(${JSON.stringify(dist)});
      const d = await mk.datasets.mnist.loadData({ normalize: true });
      mk.setSeed(1);
      const m = new mk.Sequential([mk.layers.Input({ shape: [2] }), new mk.layers.Dense(8, { activation: 'tanh' }), new mk.layers.Dense(1, { activation: 'sigmoid' })]);
      m.compile({ optimizer: new mk.optimizers.Adam({ learningRate: 0.1 }), loss: 'binary_crossentropy', metrics: ['accuracy'] });
      const h = await m.fit([[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [0]], { epochs: 200, batchSize: 4, verbose: 0 });
      console.log(JSON.stringify({ backend: mk.getBackendName(), train: d.train.x.shape, accuracy: h.history.accuracy.at(-1) }));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    const result = JSON.parse(out.trim().split('\n').at(-1)!);
    expect(result.backend).toMatch(process.env['MINIKERAS_BACKEND'] === 'js' ? /^js$/ : /^wasm/);
    expect(result.train).toEqual([8000, 28, 28]);
    expect(result.accuracy).toBe(1);
  });

  it('loads h5wasm and fflate (Keras files) from node_modules on first use only, and round-trips a .keras file', () => {
    const source = readFileSync(dist, 'utf8');
    // Not bundled: 4 MB of HDF5 WebAssembly stays out of programs that never touch .keras / .h5 files.
    expect(source).toMatch(/import\("h5wasm"\)/);
    expect(source).toMatch(/import\("fflate"\)/);
    expect(source.length).toBeLessThan(2_000_000);
    const script = `
      const mk = await import(${JSON.stringify(dist)});
      mk.setSeed(2);
      const m = new mk.Sequential([mk.layers.Input({ shape: [3] }), new mk.layers.Dense(4, { activation: 'relu' }), new mk.layers.Dense(1)]);
      m.compile({ optimizer: 'adam', loss: 'mse' });
      await m.fit([[1, 2, 3], [0, 1, 0]], [[1], [0]], { epochs: 3, batchSize: 2, verbose: 0 });
      const back = await mk.loadModel(await mk.toKerasBytes(m));
      const same = JSON.stringify(Array.from(back.predict([[1, 2, 3]]).values)) === JSON.stringify(Array.from(m.predict([[1, 2, 3]]).values));
      console.log(JSON.stringify({ same, iterations: back.optimizer.iterations }));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({ same: true, iterations: 3 });
  });

  it('initializes only the lazily loaded file back-ends lazily, not the kernels', () => {
    // esbuild wraps a module reached by import() in an init function together with everything it imports,
    // and its module-level constants become mutable bindings: that once slowed every kernel loop. The
    // Node/browser back-ends (import()-ed) must reach only small modules of their own.
    const source = readFileSync(dist, 'utf8');
    const wrapped = [...source.matchAll(/__esm\(\{\s*"([^"]+)"/g)].map((m) => m[1]!);
    expect(wrapped.length).toBeGreaterThan(0); // the back-ends are still loaded lazily
    expect(wrapped.filter((f) => !/\/(saving\/(errors|model-json|io-node|io-browser)|src\/(errors|node-io|download))\.ts$/.test(f))).toEqual([]);
  });
});
