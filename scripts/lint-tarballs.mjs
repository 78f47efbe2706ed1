// Lints packed tarballs the way a registry user's tools see them: @arethetypeswrong/core ("are the types
// wrong": does every entry point resolve to matching types under node10, node16 from ESM and CJS, bundler?)
// and publint (package.json fields, exports, files) in strict mode, with suggestions counted as problems.
// One rule of attw is not applied: CJSResolvesToESM, which says a CommonJS `require` meets an ES module. These
// packages are ESM-only on purpose (a second, CommonJS copy would give a program two Tensor classes), and
// Node >= 20.19, the packages' engines, loads them with require() too. See docs/packaging.md.
//   node scripts/lint-tarballs.mjs a.tgz b.tgz ...   prints a JSON report, exits 1 on any problem
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

export const ATTW_IGNORED = ['CJSResolvesToESM'];

/** Problems per tarball: `{ file, attw: string[], publint: string[] }`. */
export async function lintTarballs(files) {
  const reports = [];
  for (const file of files) {
    const data = new Uint8Array(readFileSync(file));
    const result = await checkPackage(createPackageFromTarballData(data));
    const attw = result.types === false
      ? ['no types found']
      : result.problems.filter((p) => !ATTW_IGNORED.includes(p.kind))
        .map((p) => `${p.kind}${'entrypoint' in p ? ` at ${p.entrypoint}` : ''}${'resolutionKind' in p ? ` (${p.resolutionKind})` : ''}`);
    const { messages, pkg } = await publint({ pack: { tarball: data.buffer }, level: 'suggestion', strict: true });
    reports.push({ file: basename(file), attw, publint: messages.map((m) => `${m.type}: ${formatMessage(m, pkg, { color: false }) ?? m.code}`) });
  }
  return reports;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const reports = await lintTarballs(process.argv.slice(2));
  console.log(JSON.stringify(reports, null, 2));
  if (reports.some((r) => r.attw.length + r.publint.length > 0)) process.exitCode = 1;
}
