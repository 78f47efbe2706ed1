// Packs every public package into tarballs/ (at the repo root), in dependency order, with plain `npm pack`:
// each package's prepack builds it and checks its manifest first. A user outside the repo then installs them
// with `npm install /path/to/tarballs/*.tgz` (README, Install).
//   pnpm tarballs
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(root, 'tarballs');
rmSync(out, { recursive: true, force: true });
mkdirSync(out);
for (const dir of ['tensor', 'optimizers', 'losses', 'layers', 'datasets', 'minikeras']) {
  execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: join(root, 'packages', dir), stdio: ['ignore', 'ignore', 'inherit'] });
}
console.log(`packed into ${out}:\n  ${readdirSync(out).join('\n  ')}`);
