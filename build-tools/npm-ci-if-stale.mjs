// Installs the pinned npm dev tools (Azurite) with `npm ci` unless node_modules already matches
// package-lock.json. Run by the Maven build before the tests, so `./mvnw verify` works on a fresh clone
// without paying for a reinstall on every build. Plain Node, no dependencies.
import { readFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
const hiddenLockPath = join(root, 'node_modules', '.package-lock.json');

function current() {
  if (!existsSync(hiddenLockPath)) return false;
  const installed = JSON.parse(readFileSync(hiddenLockPath, 'utf8')).packages ?? {};
  return Object.entries(lock.packages ?? {})
    .filter(([path, pkg]) => path !== '' && !pkg.optional)
    .every(([path, pkg]) => installed[path]?.version === pkg.version
      && existsSync(join(root, path, 'package.json')));
}

if (current()) {
  console.log('node_modules matches package-lock.json; skipping npm ci');
} else {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  process.exit(result.status ?? 1);
}
