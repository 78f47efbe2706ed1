// Checks that a public package directory is fit to pack as it is, with npm as well as pnpm (npm applies no
// publishConfig and does not rewrite `workspace:` ranges): run by `prepack` after the build, and by the tests.
//   node scripts/check-manifest.mjs packages/tensor ...
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const DEPENDENCY_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'];
const NPM_PUBLISH_CONFIG = ['access', 'registry', 'tag', 'provenance'];

/** The problems of the package in `dir` (empty when it is fit to pack). */
export function checkManifest(dir) {
  const problems = [];
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (pkg.private) problems.push('package.json: "private" is set');
  // npm reads publishConfig for its own settings only (access, registry, tag); pnpm also overrides manifest
  // fields with it, which npm would publish unchanged.
  const pnpmOnly = Object.keys(pkg.publishConfig ?? {}).filter((k) => !NPM_PUBLISH_CONFIG.includes(k));
  if (pnpmOnly.length > 0) problems.push(`package.json: publishConfig.${pnpmOnly.join(', publishConfig.')} is applied by pnpm only; write the published fields themselves`);
  for (const field of DEPENDENCY_FIELDS) {
    for (const [name, range] of Object.entries(pkg[field] ?? {})) {
      if (/^(workspace|link|file|portal):/.test(range)) problems.push(`package.json: ${field}.${name} is "${range}", which npm cannot install from a registry`);
    }
  }
  for (const field of ['name', 'version', 'description', 'license', 'type', 'main', 'types', 'exports', 'files', 'engines']) {
    if (pkg[field] === undefined) problems.push(`package.json: "${field}" is missing`);
  }
  if (pkg.sideEffects === undefined) problems.push('package.json: "sideEffects" is missing');
  if (pkg.type !== 'module') problems.push('package.json: "type" must be "module" (dist/index.js is ESM)');
  const root = pkg.exports?.['.'];
  if (root) {
    const keys = Object.keys(root);
    if (keys[0] !== 'types') problems.push(`package.json: exports["."] must list "types" first (it lists ${keys.join(', ')})`);
    if (root.types !== pkg.types) problems.push('package.json: exports["."].types and "types" differ');
    if (root.default !== pkg.main) problems.push('package.json: exports["."].default and "main" differ');
  } else problems.push('package.json: exports["."] is missing');
  const targets = [pkg.main, pkg.types, ...Object.values(root ?? {})].filter((t) => typeof t === 'string');
  for (const target of new Set(targets)) {
    if (!target.startsWith('./dist/')) problems.push(`package.json: ${target} is not under ./dist/ (sources are not published)`);
    else if (!existsSync(join(dir, target))) problems.push(`${target} does not exist: build the package first`);
  }
  if (!(pkg.files ?? []).includes('dist') || (pkg.files ?? []).some((f) => /^\.?\/?src\b/.test(f))) {
    problems.push(`package.json: "files" must publish dist/ and not src/ (it is ${JSON.stringify(pkg.files)})`);
  }
  for (const file of ['README.md', 'LICENSE']) if (!existsSync(join(dir, file))) problems.push(`${file} is missing`);

  const dependencies = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies });
  const declared = (spec) => spec.startsWith('node:') || dependencies.some((d) => spec === d || spec.startsWith(`${d}/`));
  // The module specifiers of each built file, as the TypeScript scanner sees them (imports, re-exports,
  // import() calls and types, triple-slash references; not text in strings or comments). The code is one file
  // per module, whose relative imports must name files that are there; the declarations are one file.
  const builtFiles = (sub) => {
    const root = join(dir, 'dist', sub);
    if (!existsSync(root)) return [];
    return readdirSync(root, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? builtFiles(join(sub, e.name)) : e.name.endsWith('.js') || e.name === 'index.d.ts' ? [join(sub, e.name)] : []));
  };
  for (const file of builtFiles('')) {
    const path = join(dir, 'dist', file);
    const info = ts.preProcessFile(readFileSync(path, 'utf8'), true, true);
    const specs = [...info.importedFiles, ...info.referencedFiles, ...info.typeReferenceDirectives].map((r) => r.fileName);
    for (const spec of specs) {
      if (declared(spec)) continue;
      const relativeJs = file.endsWith('.js') && /^\.\.?\//.test(spec) && spec.endsWith('.js');
      if (relativeJs && existsSync(join(dirname(path), spec))) continue;
      problems.push(`dist/${file} refers to '${spec}': built code may import only the package's dependencies and its own built modules (with their .js extension), and the declarations must be one file`);
    }
  }
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let failed = false;
  for (const dir of process.argv.slice(2)) {
    const problems = checkManifest(dir);
    for (const p of problems) console.error(`${dir}: ${p}`);
    failed ||= problems.length > 0;
  }
  if (failed) process.exitCode = 1;
}
