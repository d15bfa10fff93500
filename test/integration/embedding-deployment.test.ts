import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heimdall } from '../../src/adapters/express.js';
import { buildServices } from '../../src/app/build-services.js';
import { openEmbeddedHeimdall } from '../../src/app/embedded-heimdall.js';
import { openDatabase } from '../../src/stores/sql/database.js';
import { tempDir } from '../helpers/heimdall-process.js';
import { testConfig } from '../helpers/test-config.js';

const SECRET = 'embedding-secret-embedding-secret-0123456';
const PUBLIC_URL = 'https://auth.example.test';

describe('embedding an existing deployment: settings as options, derived from the server, or a loud error', () => {
  const dir = tempDir('heimdall-embedding-');
  const databaseUrl = `sqlite:${join(dir.dir, 'heimdall.db')}`;

  beforeAll(async () => {
    // The Heimdall server starts once on the database: it migrates and records what the others must share.
    const server = await buildServices(
      testConfig({
        DATABASE_URL: databaseUrl,
        HEIMDALL_SECRET: SECRET,
        HEIMDALL_PUBLIC_URL: PUBLIC_URL,
        HEIMDALL_ORIGINS: 'https://app.example.test',
      }),
      { recordDeployment: true },
    );
    await server.close();
  });
  afterAll(() => dir.remove());

  it('takes its settings as an options object, with no environment at all', async () => {
    const embedded = await openEmbeddedHeimdall({ env: {}, databaseUrl, secret: SECRET });
    try {
      expect(await embedded.services.pendingMigrations()).toEqual([]);
    } finally {
      await embedded.close();
    }
  });

  it('checks options exactly as the variables they stand for, and names the option in the error', async () => {
    await expect(
      openEmbeddedHeimdall({ env: {}, databaseUrl: 'mysql://db/heimdall', secret: 'short' }),
    ).rejects.toThrow(
      /heimdall-auth: Invalid configuration:\n {2}databaseUrl \(DATABASE_URL\)="mysql:\/\/db\/heimdall" is not valid: expected sqlite:<path> or postgres:[\s\S]*secret \(HEIMDALL_SECRET\)="short" is not valid/,
    );
    await expect(openEmbeddedHeimdall({ env: { SESSION_IDLE_TIMEOUT: 'soon' }, databaseUrl })).rejects.toThrow(
      /^heimdall-auth: Invalid configuration:\n {2}SESSION_IDLE_TIMEOUT="soon" is not valid/,
    );
  });

  it("takes the server's cookie name, token issuer and origins from its record when the app sets none", async () => {
    const embedded = await openEmbeddedHeimdall({ env: {}, databaseUrl, secret: SECRET });
    try {
      expect(embedded.config.cookieName).toBe('__Host-heimdall');
      expect(embedded.config.tokens.issuer).toBe(PUBLIC_URL);
      expect(embedded.config.publicUrl).toBe(PUBLIC_URL);
      expect(embedded.config.origins).toEqual(expect.arrayContaining(['https://app.example.test', PUBLIC_URL]));
    } finally {
      await embedded.close();
    }
  });

  it("keeps the app's own public URL as an allowed origin, and still verifies the server's tokens", async () => {
    const embedded = await openEmbeddedHeimdall({
      env: {},
      databaseUrl,
      secret: SECRET,
      publicUrl: 'https://api.example.test',
    });
    try {
      expect(embedded.config.publicUrl).toBe('https://api.example.test');
      expect(embedded.config.tokens.issuer).toBe(PUBLIC_URL);
      expect(embedded.config.origins).toContain(PUBLIC_URL);
    } finally {
      await embedded.close();
    }
  });

  it('refuses to start when a setting contradicts the server, naming both values', async () => {
    const start = heimdall({
      env: {},
      databaseUrl,
      secret: SECRET,
      cookieName: 'sid',
      tokenIssuer: 'https://other.test',
    });
    await expect(start).rejects.toThrow(
      /cookieName \(HEIMDALL_COOKIE_NAME\) is sid, but the Heimdall server's session cookie is __Host-heimdall/,
    );
    await expect(start).rejects.toThrow(
      /tokenIssuer \(TOKEN_ISSUER\) is https:\/\/other\.test, but the Heimdall server signs its tokens with iss https:\/\/auth\.example\.test/,
    );
    const fromEnv = openEmbeddedHeimdall({
      env: { DATABASE_URL: databaseUrl, HEIMDALL_SECRET: SECRET, HEIMDALL_COOKIE_NAME: 'sid' },
    });
    await expect(fromEnv).rejects.toThrow(/HEIMDALL_COOKIE_NAME is sid, but/);
  });

  it('names the database it looked for, creates nothing, and gives no advice that would make a second database', async () => {
    const missing = join(dir.dir, 'elsewhere', '..', 'missing.db');
    const error = await openEmbeddedHeimdall({ env: {}, databaseUrl: `sqlite:${missing}`, secret: SECRET }).catch(
      (e: Error) => e,
    );
    expect(String(error)).toMatch(
      new RegExp(`found no database at ${join(dir.dir, 'missing.db')} \\(databaseUrl \\(DATABASE_URL\\)=sqlite:`),
    );
    expect(String(error)).toMatch(/Give this app the Heimdall server's database/);
    expect(String(error)).not.toMatch(/migrate/);
    expect(existsSync(join(dir.dir, 'missing.db'))).toBe(false);
  });

  it('never makes a secret of its own: without one it says where it looked', async () => {
    const data = join(dir.dir, 'app-data');
    await expect(openEmbeddedHeimdall({ env: {}, databaseUrl, dataDir: data })).rejects.toThrow(
      `HEIMDALL_SECRET is not set and there is no secret at ${join(data, 'secret')}`,
    );
    expect(existsSync(data)).toBe(false);
  });

  it("names a database without Heimdall's schema, and one whose schema is older than the package", async () => {
    const empty = join(dir.dir, 'empty.db');
    writeFileSync(empty, '');
    await expect(openEmbeddedHeimdall({ env: {}, databaseUrl: `sqlite:${empty}`, secret: SECRET })).rejects.toThrow(
      new RegExp(`sqlite ${empty} has no Heimdall schema.*the server installs its schema when it starts`),
    );

    const olderUrl = `sqlite:${join(dir.dir, 'older.db')}`;
    const older = await buildServices(testConfig({ DATABASE_URL: olderUrl, HEIMDALL_SECRET: SECRET }));
    await older.close();
    const database = await openDatabase(olderUrl);
    await sql`delete from heimdall_migrations where name = '0004-identities'`.execute(database.db);
    await database.close();
    await expect(openEmbeddedHeimdall({ env: {}, databaseUrl: olderUrl, secret: SECRET })).rejects.toThrow(
      /schema of sqlite .*older\.db is older than this copy of heimdall-auth \(pending: 0004-identities\): upgrade the Heimdall server, which migrates at start, or run `heimdall migrate` with DATABASE_URL=sqlite:.*older\.db/,
    );
    expect(
      readdirSync(dir.dir)
        .filter((f) => f.endsWith('.db'))
        .sort(),
    ).toEqual(['empty.db', 'heimdall.db', 'older.db']);
  });
});
