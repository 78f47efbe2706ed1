import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { workspaceSources } from './scripts/workspace-sources.mjs';

const packages = 'packages/*/src/**/*.test.ts';

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources (their manifests point at the built dist/).
  resolve: { alias: Object.entries(workspaceSources()).map(([find, replacement]) => ({ find: new RegExp(`^${find}$`), replacement })) },
  test: {
    // One worker per core (vitest's default leaves one core free, i.e. a single worker on CI's 2 cores); many
    // files spend much of their time waiting on child processes, npm or the browser, so both cores stay busy.
    maxWorkers: Math.max(2, availableParallelism()),
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
        // correct. Datasets and the examples do not depend on the kernels and run once, above; so do the
        // integration tests that run whole programs in child processes or load real pretrained models (their
        // kernels are the ones the unit tests above check on both back-ends), which keeps CI well inside its time.
        extends: true,
        test: {
          name: 'js',
          include: [packages],
          exclude: [
            'packages/datasets/**', '**/node_modules/**', 'packages/minikeras/src/dist.test.ts',
            'packages/layers/src/saving/pretrained-models.test.ts', 'packages/layers/src/saving/resume.test.ts',
            'packages/layers/src/callbacks/backup-and-restore.test.ts',
          ],
          env: { MINIKERAS_BACKEND: 'js' },
        },
      },
    ],
  },
});
