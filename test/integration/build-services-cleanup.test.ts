import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildServices } from '../../src/app/build-services.js';
import { HeimdallMetrics } from '../../src/metrics/heimdall-metrics.js';
import { tempDir } from '../helpers/heimdall-process.js';
import { testConfig } from '../helpers/test-config.js';

/** This process's open file descriptors that point at `path` (the SQLite file and its WAL, on Linux). */
function openFilesUnder(path: string): string[] {
  const fds = '/proc/self/fd';
  return readdirSync(fds)
    .map((fd) => {
      try {
        return readlinkSync(join(fds, fd));
      } catch {
        return '';
      }
    })
    .filter((target) => target.startsWith(path));
}

/** A start refused part-way (after the database opened) leaves nothing open behind it. */
describe('buildServices on a failure after storage opened', () => {
  const dir = tempDir('heimdall-cleanup-');
  afterAll(() => dir.remove());

  it('closes the database (and the stores) again before it rethrows', async () => {
    const dbPath = join(dir.dir, 'heimdall.db');
    const config = testConfig({ DATABASE_URL: `sqlite:${dbPath}` });
    // A step well after the database and stores are open throws: the metrics' scrape-time sources are registered.
    const metrics = new HeimdallMetrics();
    metrics.observeCaches = () => {
      throw new Error('metrics refused');
    };
    await expect(buildServices(config, { metrics })).rejects.toThrow('metrics refused');
    expect(openFilesUnder(dbPath)).toEqual([]);

    // The same database then opens and closes normally: the file was left usable, and the helper sees an open one.
    const services = await buildServices(config);
    expect(openFilesUnder(dbPath).length).toBeGreaterThan(0);
    await services.close();
    expect(openFilesUnder(dbPath)).toEqual([]);
  });
});
