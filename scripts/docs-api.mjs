// Builds the API reference (docs/api/, HTML) from the TSDoc comments of the public packages with TypeDoc, and
// fails on a broken {@link}, on a public type that is used but not exported, and on an undocumented public
// export of a package that is held to it (DOCUMENTATION_REQUIRED below).
//   pnpm docs:api                 build docs/api/ and check
//   pnpm docs:api --check         check only (what `pnpm test` runs; writes nothing)
//   pnpm docs:api --list PACKAGE  print the undocumented exports of one package, held to it or not
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Application, LogLevel, ReflectionKind } from 'typedoc';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * Entry point of each documented package, in the reference's order. The umbrella comes last, so that its
 * re-exports become links to the declarations in their own packages.
 */
export const PACKAGES = {
  '@minikeras/tensor': 'packages/tensor/src/index.ts',
  '@minikeras/optimizers': 'packages/optimizers/src/index.ts',
  '@minikeras/losses': 'packages/losses/src/index.ts',
  '@minikeras/layers': 'packages/layers/src/index.ts',
  '@minikeras/datasets': 'packages/datasets/src/index.ts',
  minikeras: 'packages/minikeras/src/index.ts',
};

/**
 * The packages whose every public export must carry a TSDoc comment. @minikeras/layers is not held to it yet
 * (its engine is being rewritten): add it here once its exports are documented (`--list @minikeras/layers`).
 */
export const DOCUMENTATION_REQUIRED = ['minikeras', '@minikeras/tensor', '@minikeras/optimizers', '@minikeras/losses', '@minikeras/datasets'];

/** What a public export is: the declarations directly in a package or in one of its namespaces. */
const DECLARATION_KINDS = ReflectionKind.Class | ReflectionKind.Interface | ReflectionKind.Function | ReflectionKind.Variable
  | ReflectionKind.TypeAlias | ReflectionKind.Enum;

function isDocumented(r) {
  if (r.hasComment()) return true;
  return (r.signatures ?? []).some((s) => s.hasComment()) || (r.type?.declaration?.signatures ?? []).some((s) => s.hasComment());
}

/** The undocumented exports of one package module: `name (kind) at file:line`. */
function undocumented(module) {
  const out = [];
  const walk = (container, prefix) => {
    for (const child of container.children ?? []) {
      if (child.kindOf(ReflectionKind.Reference)) continue; // a re-export: documented where it is declared
      if (child.kindOf(ReflectionKind.Namespace)) walk(child, `${prefix}${child.name}.`);
      else if (child.kindOf(DECLARATION_KINDS) && !isDocumented(child)) {
        const source = child.sources?.[0];
        out.push(`${prefix}${child.name} (${ReflectionKind.singularString(child.kind)})${source ? ` at ${source.fileName}:${source.line}` : ''}`);
      }
    }
  };
  walk(module, '');
  return out;
}

/** Converts the packages; returns the project and the app (null project on conversion errors). */
export async function convert({ out = join(root, 'docs', 'api') } = {}) {
  const app = await Application.bootstrapWithPlugins({
    entryPoints: Object.values(PACKAGES).map((p) => join(root, p)),
    entryPointStrategy: 'resolve',
    tsconfig: join(root, 'tsconfig.docs.json'),
    out,
    name: 'minikeras API reference',
    readme: 'none',
    excludePrivate: true,
    excludeInternal: true,
    sort: ['source-order'],
    // Source links relative to the repository, so the check does not depend on a git remote (CI clones have none
    // that TypeDoc recognizes, which it reports as a warning).
    disableGit: true,
    sourceLinkTemplate: '../../{path}#L{line}',
    validation: { notExported: true, invalidLink: true, rewrittenLink: true, notDocumented: false, unusedMergeModuleWith: true },
    treatValidationWarningsAsErrors: true,
    logLevel: LogLevel.Warn,
  });
  const project = await app.convert();
  if (project) {
    // Name each module after its package (TypeDoc would name them by path).
    for (const module of project.children ?? []) {
      const entry = Object.entries(PACKAGES).find(([, p]) => module.sources?.[0]?.fullFileName === join(root, p));
      if (entry) module.name = entry[0];
    }
  }
  return { app, project };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check');
  const listIndex = process.argv.indexOf('--list');
  const { app, project } = await convert();
  if (!project) {
    console.error('docs:api: TypeDoc could not convert the packages');
    process.exit(1);
  }
  const modules = new Map((project.children ?? []).map((m) => [m.name, m]));
  if (listIndex > 0) {
    const name = process.argv[listIndex + 1];
    const module = modules.get(name);
    if (!module) throw new Error(`docs:api --list: no package '${name}' (one of ${[...modules.keys()].join(', ')})`);
    const missing = undocumented(module);
    console.log(missing.join('\n'));
    console.log(`docs:api: ${missing.length} undocumented export(s) in ${name}`);
    process.exit(0);
  }
  app.validate(project);
  let failed = app.logger.hasErrors() || app.logger.hasWarnings();
  for (const name of DOCUMENTATION_REQUIRED) {
    const missing = undocumented(modules.get(name));
    if (missing.length > 0) {
      failed = true;
      console.error(`docs:api: ${name} has ${missing.length} undocumented export(s):\n  ${missing.join('\n  ')}`);
    }
  }
  if (failed) {
    console.error('docs:api: the API reference has problems (above)');
    process.exit(1);
  }
  if (!check) {
    await app.generateDocs(project, app.options.getValue('out'));
    console.log(`docs:api: wrote ${app.options.getValue('out')}`);
  } else console.log('docs:api: every link resolves and every required export is documented');
}
