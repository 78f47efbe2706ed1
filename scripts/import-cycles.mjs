// Finds value-carrying import cycles in packages/*/src: a module graph over the TypeScript sources in which
// an edge is a static `import`/`export ... from` that can carry a value at run time. Type-only edges
// (`import type`, `export type`, `import { type A, type B }`) are erased by the compiler and cannot make
// module initialisation order-dependent, so they are left out; so are dynamic `import()` calls, which run
// after every module has initialised. Workspace imports (`@minikeras/x`, `minikeras`) are edges to that
// package's src/index.ts, so a cycle through two packages is found too. Test files are not part of the
// graph (they are leaves: nothing imports them).
//
//   node scripts/import-cycles.mjs        prints every cycle, exits 1 if there is one
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const isTest = (f) => /\.(test|test-d|test-helpers|fixture)\.ts$/.test(f);

function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts') && !isTest(name)) out.push(path);
  }
  return out;
}

/** Package name -> absolute path of its src/index.ts, for every package under packages/. */
function workspaceEntries(root) {
  const map = new Map();
  for (const dir of readdirSync(join(root, 'packages'))) {
    const manifest = join(root, 'packages', dir, 'package.json');
    const entry = join(root, 'packages', dir, 'src', 'index.ts');
    if (existsSync(manifest) && existsSync(entry)) map.set(JSON.parse(readFileSync(manifest, 'utf8')).name, entry);
  }
  return map;
}

function resolveRelative(root, from, spec) {
  const base = resolve(dirname(from), spec.replace(/\.(m?js)$/, ''));
  for (const candidate of [base, `${base}.ts`, `${base}.mts`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`import-cycles: cannot resolve '${spec}' imported by ${relative(root, from)}`);
}

/** The specifiers of the static imports/re-exports of `file` that can carry a value. */
export function valueImports(file) {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const specs = [];
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st)) {
      const clause = st.importClause;
      if (clause?.isTypeOnly) continue;
      // `import { type A, type B } from` with no default import erases completely (verbatimModuleSyntax keeps
      // an empty `import {} from`, which still runs the module, so that counts as a value edge).
      const named = clause?.namedBindings;
      if (clause && !clause.name && named && ts.isNamedImports(named) && named.elements.length > 0 &&
          named.elements.every((e) => e.isTypeOnly)) continue;
      specs.push(st.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier) {
      if (st.isTypeOnly) continue;
      const clause = st.exportClause;
      if (clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly)) continue;
      specs.push(st.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(st) && !st.isTypeOnly && ts.isExternalModuleReference(st.moduleReference)) {
      specs.push(st.moduleReference.expression.text);
    }
  }
  return specs;
}

/** The value-import graph of `root`/packages/*\/src: absolute file -> Set of absolute files. */
export function buildGraph(root = repoRoot) {
  const entries = workspaceEntries(root);
  const graph = new Map();
  const files = [...entries.values()].flatMap((entry) => sourceFiles(dirname(entry)));
  for (const file of files) {
    const edges = new Set();
    for (const spec of valueImports(file)) {
      if (spec.startsWith('.')) edges.add(resolveRelative(root, file, spec));
      else if (entries.has(spec)) edges.add(entries.get(spec));
    }
    graph.set(file, edges);
  }
  return graph;
}

/** Strongly connected components with more than one file (or a file importing itself), by Tarjan. */
function cyclicComponents(graph) {
  let index = 0;
  const idx = new Map(), low = new Map(), onStack = new Set(), stack = [], out = [];
  for (const start of graph.keys()) {
    if (idx.has(start)) continue;
    // Iterative Tarjan: a frame is [node, iterator over its edges].
    const frames = [[start, graph.get(start)[Symbol.iterator]()]];
    idx.set(start, index); low.set(start, index++); stack.push(start); onStack.add(start);
    while (frames.length) {
      const [v, it] = frames.at(-1);
      const next = it.next();
      if (!next.done) {
        const w = next.value;
        if (!graph.has(w)) continue;
        if (!idx.has(w)) {
          idx.set(w, index); low.set(w, index++); stack.push(w); onStack.add(w);
          frames.push([w, graph.get(w)[Symbol.iterator]()]);
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
        continue;
      }
      frames.pop();
      if (frames.length) { const u = frames.at(-1)[0]; low.set(u, Math.min(low.get(u), low.get(v))); }
      if (low.get(v) === idx.get(v)) {
        const comp = [];
        let w;
        do { w = stack.pop(); onStack.delete(w); comp.push(w); } while (w !== v);
        if (comp.length > 1 || graph.get(v).has(v)) out.push(comp);
      }
    }
  }
  return out;
}

/** The shortest cycle through `from` inside one component (breadth-first), as a file chain ending at `from`. */
function shortestCycle(graph, comp, from) {
  const inComp = new Set(comp);
  const prev = new Map([[from, null]]);
  const queue = [from];
  while (queue.length) {
    const v = queue.shift();
    for (const w of graph.get(v)) {
      if (!inComp.has(w)) continue;
      if (w === from) {
        const chain = [from];
        for (let u = v; u !== from; u = prev.get(u)) chain.splice(1, 0, u);
        return [...chain, from];
      }
      if (!prev.has(w)) { prev.set(w, v); queue.push(w); }
    }
  }
  return [from, from];
}

/**
 * Every value-carrying cycle, grouped by strongly connected component: for each component its files and a set
 * of concrete cycles (file chains, repo-relative) that together touch every file of the component.
 */
export function findImportCycles(root = repoRoot) {
  const graph = buildGraph(root);
  return cyclicComponents(graph).map((comp) => {
    const files = comp.map((f) => relative(root, f)).sort();
    const cycles = [];
    const covered = new Set();
    for (const file of [...comp].sort()) {
      if (covered.has(file)) continue;
      const chain = shortestCycle(graph, comp, file);
      chain.forEach((f) => covered.add(f));
      cycles.push(chain.map((f) => relative(root, f)));
    }
    return { files, cycles };
  }).sort((a, b) => a.files[0].localeCompare(b.files[0]));
}

/** A report of the cycles for a person: one block per component. */
export function formatCycles(components) {
  return components.map(({ files, cycles }, i) =>
    `cycle group ${i + 1} (${files.length} files):\n` + cycles.map((c) => `  ${c.join('\n    -> ')}`).join('\n')).join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const components = findImportCycles();
  if (components.length === 0) {
    console.log('import-cycles: no value-carrying import cycle in packages/*/src');
  } else {
    console.log(formatCycles(components));
    console.log(`import-cycles: ${components.length} group(s) of value-carrying import cycles`);
    process.exitCode = 1;
  }
}
