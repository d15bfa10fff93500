import { afterEach, describe, expect, it } from 'vitest';
import { AnomalyDetector, type SecurityWarning } from '../../src/core/anomaly.js';
import { AuditTrail } from '../../src/core/audit.js';
import type { EventBus, PushEvent } from '../../src/core/events.js';
import type { AccountNotifier, Notice } from '../../src/core/notices.js';
import { SessionRevoker } from '../../src/core/revocation.js';
import { SessionService } from '../../src/core/session-service.js';
import { GeoipCountryLookup } from '../../src/geo/geoip-country-lookup.js';
import { openDatabase } from '../../src/stores/sql/database.js';
import { migrateToLatest } from '../../src/stores/sql/migrator.js';
import { SqlAuditLog } from '../../src/stores/sql/sql-audit-log.js';
import { SqlSessionStore } from '../../src/stores/sql/sql-session-store.js';
import { SqlUserRepository } from '../../src/stores/sql/sql-user-repository.js';
import { ApiClient } from '../helpers/api-client.js';
import { FakeClock } from '../helpers/fake-clock.js';
import type { TestApp } from '../helpers/test-app.js';
import {
  ADDRESSES,
  auditOf,
  errorCode,
  FIREFOX_MAC,
  mustLogin,
  mustRegister,
  proxiedApp,
  RemoteClient,
  SAFARI_IPHONE,
} from './attack-helpers.js';

/** Sessions made as a password sign-in makes them. */
const PASSWORD = { methods: ['password' as const] };

const EMAIL = 'odin@asgard.example';

describe('anomaly warnings (ASVS 6.3.4, 8.2.4; the seeds: "three sessions from different countries")', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function signInFrom(app: TestApp, countries: (keyof typeof ADDRESSES)[]) {
    const clients = [];
    for (const country of countries) {
      const client = new RemoteClient(app.app, ADDRESSES[country]);
      await mustLogin(client, EMAIL);
      clients.push(client);
    }
    return clients;
  }

  it('each session records the country of its client address, looked up offline', async () => {
    t = await proxiedApp();
    const odin = new RemoteClient(t.app, ADDRESSES.SE);
    await mustRegister(odin, EMAIL);
    const session = (await odin.get('/api/session')).json() as { session: { country: string | null } };
    expect(session.session.country).toBe('SE');
  });

  it('live sessions from three countries raise multiple_countries in GET /api/session and the audit log', async () => {
    t = await proxiedApp();
    const userId = await mustRegister(new RemoteClient(t.app, ADDRESSES.US), EMAIL);
    const [, , third] = await signInFrom(t, ['GB', 'FR']).then(async (c) => [...c, ...(await signInFrom(t!, ['JP']))]);
    const body = (await third!.get('/api/session')).json() as { warnings: { code: string; countries: string[] }[] };
    expect(body.warnings).toEqual([expect.objectContaining({ code: 'multiple_countries' })]);
    expect(body.warnings[0]!.countries).toEqual(['FR', 'GB', 'JP', 'US']);
    // The first account is the admin here, so it can also read the entry through the admin view.
    expect(await auditOf(third!, userId, 'anomaly.multiple_countries')).not.toHaveLength(0);
    const own = (await third!.get('/api/audit?type=anomaly.multiple_countries')).json() as { events: unknown[] };
    expect(own.events.length).toBeGreaterThanOrEqual(1);
  });

  it('the warning clears once the foreign sessions end (recomputed at most 5 s later)', async () => {
    t = await proxiedApp();
    await mustRegister(new RemoteClient(t.app, ADDRESSES.US), EMAIL);
    const [gb, fr] = await signInFrom(t, ['GB', 'FR']);
    const warnings = async () => ((await gb!.get('/api/session')).json() as { warnings: unknown[] }).warnings;
    expect(await warnings()).toHaveLength(1);
    await fr!.request({ method: 'POST', url: '/api/auth/logout' });
    t.clock.advance(5_001);
    expect(await warnings()).toEqual([]);
  });

  it('two countries stay quiet at the default of three; ANOMALY_COUNTRIES=2 warns', async () => {
    t = await proxiedApp();
    await mustRegister(new RemoteClient(t.app, ADDRESSES.US), EMAIL);
    const [gb] = await signInFrom(t, ['GB']);
    expect(((await gb!.get('/api/session')).json() as { warnings: unknown[] }).warnings).toEqual([]);
    await t.close();
    t = await proxiedApp({ ANOMALY_COUNTRIES: '2' });
    await mustRegister(new RemoteClient(t.app, ADDRESSES.US), EMAIL);
    const [gb2] = await signInFrom(t, ['GB']);
    expect(((await gb2!.get('/api/session')).json() as { warnings: { code: string }[] }).warnings[0]?.code).toBe(
      'multiple_countries',
    );
  });

  it('ANOMALY_ACTION=revoke ends every session of the account, the newest included, and says so', async () => {
    t = await proxiedApp({ ANOMALY_ACTION: 'revoke' });
    const us = new RemoteClient(t.app, ADDRESSES.US);
    const userId = await mustRegister(us, EMAIL);
    const [gb] = await signInFrom(t, ['GB']);
    const versionBefore = (await t.services.users.findById(userId))!.sessionVersion;
    const api = new ApiClient(t.app);
    expect((await api.signIn(EMAIL)).statusCode).toBe(200);
    // The third country: typically the attacker's sign-in. Keeping it would sign the owner out and let them in.
    const jp = new RemoteClient(t.app, ADDRESSES.JP);
    const login = await jp.login(EMAIL);
    expect([login.statusCode, errorCode(login)]).toEqual([401, 'unauthenticated']);
    expect(login.json().error.message).toMatch(/countries/);
    expect(login.cookies.find((c) => c.name === '__Host-heimdall' && c.value !== '')).toBeUndefined();
    for (const client of [us, gb!]) expect((await client.get('/api/session')).statusCode).toBe(401);
    expect((await api.get('/api/session')).statusCode).toBe(401);
    expect(await t.services.sessions.list(userId)).toEqual([]);
    // The version bump ends whatever a crash might have left behind, and earlier download links with it.
    expect((await t.services.users.findById(userId))?.sessionVersion).toBeGreaterThan(versionBefore);
    const owner = new RemoteClient(t.app, ADDRESSES.US);
    await mustLogin(owner, EMAIL);
    const revoked = await auditOf(owner, userId, 'session.revoked');
    expect(revoked[0]?.details).toMatchObject({ by: 'anomaly', scope: 'all', revoked: 4 });
    const anomaly = await auditOf(owner, userId, 'anomaly.multiple_countries');
    expect(anomaly[0]?.details).toMatchObject({ countries: ['GB', 'JP', 'US'], action: 'revoke' });
  });

  it('a session whose address moves to another country mid-session is audited for its owner', async () => {
    t = await proxiedApp();
    const odin = new RemoteClient(t.app, ADDRESSES.SE);
    await mustRegister(odin, EMAIL);
    t.clock.advance(61_000);
    odin.ip = ADDRESSES.FR;
    expect((await odin.get('/api/session')).statusCode).toBe(200);
    const moved = (await odin.get('/api/audit?type=anomaly.country_changed')).json() as {
      events: { details: object; country: string }[];
    };
    expect(moved.events).toHaveLength(1);
    expect(moved.events[0]).toMatchObject({ country: 'FR', details: { from: 'SE', to: 'FR' } });
  });

  it('a sign-in from a new device family is audited; the same browser again, or a newer version, is not', async () => {
    t = await proxiedApp();
    await mustRegister(new RemoteClient(t.app, ADDRESSES.US), EMAIL);
    await mustLogin(new RemoteClient(t.app, ADDRESSES.US), EMAIL);
    const mac = new RemoteClient(t.app, ADDRESSES.US, FIREFOX_MAC);
    await mustLogin(mac, EMAIL);
    await mustLogin(new RemoteClient(t.app, ADDRESSES.US, FIREFOX_MAC.replace('128.0', '131.0')), EMAIL);
    await mustLogin(new RemoteClient(t.app, ADDRESSES.US, SAFARI_IPHONE), EMAIL);
    const events = (await mac.get('/api/audit?type=anomaly.new_device')).json() as {
      events: { details: { device: string } }[];
    };
    expect(events.events.map((e) => e.details.device)).toEqual(['Mobile Safari on iOS', 'Firefox on Mac OS']);
  });

  it('private, loopback and documentation addresses record no country and never count toward the warning', async () => {
    t = await proxiedApp({ ANOMALY_COUNTRIES: '2' });
    const clients = ['10.0.0.1', '192.168.1.1', '127.0.0.1', '192.0.2.1'].map((ip) => new RemoteClient(t!.app, ip));
    await mustRegister(clients[0]!, EMAIL);
    for (const c of clients.slice(1)) await mustLogin(c, EMAIL);
    const body = (await clients[3]!.get('/api/session')).json() as { session: { country: null }; warnings: [] };
    expect(body.session.country).toBeNull();
    expect(body.warnings).toEqual([]);
  });
});

/** A detector over real SQL stores with a bus and a notifier that record what they are given. */
async function detectorWith(action: 'warn' | 'revoke') {
  const database = await openDatabase('sqlite::memory:');
  await migrateToLatest(database.db);
  const clock = new FakeClock();
  const published: PushEvent[] = [];
  const notices: Notice[] = [];
  const bus: EventBus = {
    publish: async (event) => {
      published.push(event);
    },
    subscribe: () => () => {},
    close: async () => {},
  };
  const notifier: AccountNotifier = {
    notify: async (notice) => {
      notices.push(notice);
    },
  };
  const store = new SqlSessionStore(database.db);
  const users = new SqlUserRepository(database.db);
  const geo = new GeoipCountryLookup();
  const audit = new AuditTrail({ log: new SqlAuditLog(database.db), clock, geo });
  const anomalies = new AnomalyDetector({
    store,
    revoker: new SessionRevoker({ store, users, clock, audit, events: bus }),
    audit,
    clock,
    policy: { countries: 3, action },
    events: bus,
    notifier,
  });
  const sessions = new SessionService({
    store,
    users,
    clock,
    geo,
    audit,
    policy: {
      idleTimeoutMs: 60_000,
      absoluteTimeoutMs: 600_000,
      rememberIdleTimeoutMs: 1,
      rememberAbsoluteTimeoutMs: 1,
    },
  });
  const created = await users.create({
    id: 'u1',
    email: 'u1@example.com',
    name: 'u1',
    passwordHash: null,
    createdAt: 0,
  });
  if (!created.ok) throw new Error('user');
  const signInFromEach = async (ips: string[]) => {
    let warnings: SecurityWarning[] = [];
    for (const ip of ips) {
      const issued = await sessions.create(created.user, { ip, userAgent: 'test' }, PASSWORD);
      warnings = await anomalies.afterSignIn(issued.session, { ip, userAgent: 'test' });
    }
    return warnings;
  };
  return { published, notices, store, signInFromEach, close: () => database.close() };
}

describe('AnomalyDetector with an event bus and a notifier', () => {
  it('publishes security.warning to the user when push is wired, and sends no notice under warn', async () => {
    const d = await detectorWith('warn');
    await d.signInFromEach([ADDRESSES.US, ADDRESSES.GB, ADDRESSES.JP]);
    expect(d.published).toEqual([
      expect.objectContaining({
        type: 'security.warning',
        userId: 'u1',
        data: expect.objectContaining({ code: 'multiple_countries' }),
      }),
    ]);
    expect(d.notices).toEqual([]);
    await d.close();
  });

  it('under revoke, tells the owner out of band (sessions_revoked_by_anomaly), and warns open pages before closing them', async () => {
    const d = await detectorWith('revoke');
    const warnings = await d.signInFromEach([ADDRESSES.US, ADDRESSES.GB, ADDRESSES.JP]);
    expect(warnings).toEqual([expect.objectContaining({ code: 'multiple_countries', action: 'revoked', revoked: 3 })]);
    expect(await d.store.listForUser('u1')).toEqual([]);
    expect(d.notices).toEqual([
      { kind: 'sessions_revoked_by_anomaly', userId: 'u1', details: { countries: 'GB, JP, US', revoked: '3' } },
    ]);
    expect(d.published.map((e) => e.type)).toEqual(['security.warning', 'session.revoked']);
    expect(d.published[1]).toMatchObject({ data: { reason: 'anomaly' } });
    expect(d.published[1]?.sessionIds).toHaveLength(3);
    await d.close();
  });
});
