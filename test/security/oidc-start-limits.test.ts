import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PendingSignOn } from '../../src/core/identity.js';
import { SqlPendingSignOnStore } from '../../src/stores/sql/sql-pending-sign-on-store.js';
import { type OidcHarness, startOidcHarness } from '../helpers/oidc-harness.js';
import { DIALECT_LABELS, DIALECTS, useSqlDatabases } from '../helpers/sql-dialects.js';
import { errorCode, RemoteClient } from './attack-helpers.js';

const BUDGET = 5;

/**
 * GET /api/oidc/:provider/start writes a pending sign-on row for every request and needs no credential: without a
 * budget a script fills the table (outside security review, issue 15, finding 5).
 */
describe('starting third-party sign-on is budgeted per address, and pending attempts are bounded (ASVS 2.4.1)', () => {
  let h: OidcHarness;

  beforeAll(async () => {
    h = await startOidcHarness({ SIGN_ON_LIMIT_IP: String(BUDGET), TRUST_PROXY: 'loopback' });
  });
  afterAll(async () => {
    await h?.close();
  });

  const pendingRows = () => {
    const db = new SQLite(h.dbPath, { readonly: true });
    try {
      return (db.prepare('select count(*) as n from oidc_pending').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  const start = (ip: string) =>
    h.app.inject({ method: 'GET', url: '/api/oidc/idp/start', headers: { 'x-forwarded-for': ip } });

  it('one address gets SIGN_ON_LIMIT_IP starts, then 429 with Retry-After and no new row', async () => {
    const before = pendingRows();
    for (let i = 0; i < BUDGET; i++) expect((await start('198.51.100.7')).statusCode).toBe(302);
    expect(pendingRows()).toBe(before + BUDGET);
    for (let i = 0; i < 20; i++) {
      const refused = await start('198.51.100.7');
      expect([refused.statusCode, errorCode(refused)]).toEqual([429, 'rate_limited']);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(pendingRows()).toBe(before + BUDGET);
    // Another address has its own budget.
    expect((await start('198.51.100.8')).statusCode).toBe(302);
  });

  it('linking an identity spends the same budget (it starts the same kind of attempt)', async () => {
    const odin = new RemoteClient(h.app, '198.51.100.9');
    expect((await odin.register('odin@asgard.example')).statusCode).toBe(201);
    for (let i = 0; i < BUDGET; i++) expect((await start('198.51.100.9')).statusCode).toBe(302);
    const refused = await odin.request({ method: 'POST', url: '/api/oidc/idp/link' });
    expect([refused.statusCode, errorCode(refused)]).toEqual([429, 'rate_limited']);
  });
});

describe('pending sign-on attempts are bounded in the store, oldest dropped first', () => {
  const databases = useSqlDatabases();

  for (const dialect of DIALECTS) {
    it(`keeps at most maxPending live attempts on ${DIALECT_LABELS[dialect]}`, async () => {
      const database = await databases.open(dialect);
      const store = new SqlPendingSignOnStore(database.db, { maxPending: 10 });
      const attempt = (n: number): PendingSignOn => ({
        keyHash: `key-${String(n).padStart(3, '0')}`,
        provider: 'idp',
        intent: 'sign-in',
        userId: null,
        sessionId: null,
        state: `s${n}`,
        nonce: `n${n}`,
        codeVerifier: `v${n}`,
        returnTo: '/',
        createdAt: 1_000 + n,
        expiresAt: 601_000 + n,
      });
      for (let n = 0; n < 25; n++) await store.insert(attempt(n), 1_000 + n);
      const rows = await database.db.selectFrom('oidc_pending').select('key_hash').orderBy('key_hash').execute();
      expect(rows.map((r) => r.key_hash)).toEqual(
        Array.from({ length: 10 }, (_, i) => `key-${String(15 + i).padStart(3, '0')}`),
      );
      expect(await store.take('key-014')).toBeNull();
      expect(await store.take('key-024')).toMatchObject({ state: 's24' });
    });
  }
});
