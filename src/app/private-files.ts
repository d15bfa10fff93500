import { chmodSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import { parseDatabaseUrl } from '../stores/sql/database.js';

/** What only Heimdall's own user may read: the data directory, the generated secret, SQLite's files. */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** The files and directories Heimdall keeps that must be private to its own user, where they exist. */
export function privatePaths(config: Pick<Config, 'dataDir' | 'databaseUrl'>): { dirs: string[]; files: string[] } {
  const files = [join(config.dataDir, 'secret')];
  const database = parseDatabaseUrl(config.databaseUrl);
  if (database.dialect === 'sqlite' && database.path !== ':memory:') {
    files.push(database.path, `${database.path}-wal`, `${database.path}-shm`, `${database.path}-journal`);
  }
  return { dirs: [config.dataDir], files };
}

/**
 * New files are created private (secret-file.ts, database.ts); this tightens those an earlier version, a restore
 * or a copy left readable by other local users — the database holds password hashes — and says so. Unix only:
 * Windows has no such mode bits.
 */
export function tightenPrivateFiles(
  config: Pick<Config, 'dataDir' | 'databaseUrl'>,
  warn: (message: string) => void,
): void {
  if (process.platform === 'win32') return;
  const { dirs, files } = privatePaths(config);
  const tighten = (path: string, wanted: number) => {
    if (!existsSync(path)) return;
    const mode = statSync(path).mode & 0o777;
    if ((mode & ~wanted) === 0) return;
    chmodSync(path, mode & wanted);
    warn(
      `${path} was open to other local users (mode ${mode.toString(8).padStart(4, '0')}): ` +
        `changed to ${(mode & wanted).toString(8).padStart(4, '0')}.`,
    );
  };
  for (const dir of dirs) tighten(dir, PRIVATE_DIR_MODE);
  for (const file of files) tighten(file, PRIVATE_FILE_MODE);
}
