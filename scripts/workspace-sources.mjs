// The workspace packages' TypeScript entry points, read from the `paths` of tsconfig.base.json: inside the repo,
// `minikeras` and `@minikeras/*` resolve to their sources (the manifests point at dist/, for users). Vitest
// uses this as resolve.alias; esbuild reads the same paths from the tsconfig by itself.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** Package name -> absolute path of its src/index.ts. */
export function workspaceSources() {
  const file = join(root, 'tsconfig.base.json');
  const { config, error } = ts.readConfigFile(file, (f) => readFileSync(f, 'utf8'));
  if (error) throw new Error(`workspace-sources: cannot read ${file}: ${ts.flattenDiagnosticMessageText(error.messageText, '\n')}`);
  const paths = config.compilerOptions.paths;
  return Object.fromEntries(Object.entries(paths).map(([name, [target]]) => [name, join(root, target)]));
}
