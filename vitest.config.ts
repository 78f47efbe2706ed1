import { defineConfig } from 'vitest/config';
import { workspaceSources } from './scripts/workspace-sources.mjs';

const packages = 'packages/*/src/**/*.test.ts';

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources (their manifests point at the built dist/).
  resolve: { alias: Object.entries(workspaceSources()).map(([find, replacement]) => ({ find: new RegExp(`^${find}$`), replacement })) },
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    setupFiles: ['./scripts/vitest-setup.ts'],
    reporters: ['default', './scripts/vitest-summary-reporter.ts'],
    projects: [
      {
        // The default backend: WebAssembly SIMD kernels where the runtime has them.
        extends: true,
        test: { name: 'wasm', include: [packages, 'examples/*/{src,test}/**/*.test.ts', 'bench/src/**/*.test.ts', 'test/**/*.test.ts'] },
      },
      {
        // The same package tests on the plain TypeScript kernels (MINIKERAS_BACKEND=js), so both paths stay
        // correct. Datasets and the examples do not depend on the kernels and run once, above.
        extends: true,
        test: { name: 'js', include: [packages], exclude: ['packages/datasets/**', '**/node_modules/**'], env: { MINIKERAS_BACKEND: 'js' } },
      },
    ],
  },
});
