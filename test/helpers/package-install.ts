import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ROOT } from './heimdall-process.js';

interface LockEntry {
  version?: string;
  dev?: boolean;
  link?: boolean;
  [key: string]: unknown;
}

/**
 * What a fresh `git clone` of this working tree holds: tracked and new, not ignored files (no dist/, no web/dist, no
 * node_modules). node_modules is linked to the checkout's own, so nothing is downloaded to build it.
 */
export function copyFreshClone(destination: string): void {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  for (const file of listed.split('\0').filter(Boolean)) {
    if (!existsSync(join(ROOT, file)) || file === 'node_modules') continue;
    mkdirSync(dirname(join(destination, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(destination, file));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(destination, 'node_modules'));
}

/** `npm pack` (which runs `prepare`, i.e. the build); returns the tarball's path and the files it holds. */
export function packTarball(packageDir: string, outDir: string): { tarball: string; files: string[] } {
  const json = execFileSync('npm', ['pack', '--json', '--pack-destination', outDir], {
    cwd: packageDir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 240_000,
  });
  const [packed] = JSON.parse(json.slice(json.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  return { tarball: join(outDir, basename(packed!.filename)), files: packed!.files.map((f) => f.path) };
}

/**
 * Installs the tarball into an empty app with the network off (`npm ci --offline`). Offline, npm cannot resolve
 * version ranges (the local cache holds package contents, not the registry's metadata), so the app's lockfile pins
 * the runtime dependencies at the versions Heimdall's own lockfile resolved — the ones its tests run against — and
 * npm installs them from the cache by their integrity. Install scripts are not run: better-sqlite3's would fetch a
 * prebuilt binary or compile SQLite, which is better-sqlite3's business, not the package's layout.
 */
export function installOffline(appDir: string, tarball: string): void {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
    license: string;
    dependencies: Record<string, string>;
    bin: Record<string, string>;
    engines: Record<string, string>;
  };
  const ours = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const spec = `file:${tarball}`;
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  const packages: Record<string, unknown> = {
    '': { name: 'app', version: '1.0.0', dependencies: { [manifest.name]: spec } },
    [`node_modules/${manifest.name}`]: {
      version: manifest.version,
      resolved: spec,
      integrity,
      license: manifest.license,
      dependencies: manifest.dependencies,
      bin: manifest.bin,
      engines: manifest.engines,
    },
  };
  for (const [path, entry] of Object.entries(ours.packages)) {
    if (path.startsWith('node_modules/') && !entry.dev && !entry.link) packages[path] = entry;
  }
  mkdirSync(appDir, { recursive: true });
  const app = { name: 'app', version: '1.0.0', private: true, type: 'module', dependencies: { [manifest.name]: spec } };
  writeFileSync(join(appDir, 'package.json'), JSON.stringify(app));
  writeFileSync(
    join(appDir, 'package-lock.json'),
    JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages }),
  );
  execFileSync('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: appDir,
    stdio: 'pipe',
    timeout: 240_000,
  });
}
