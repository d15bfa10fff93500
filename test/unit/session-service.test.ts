import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/core/tokens.js';
import type { User } from '../../src/core/user.js';
import { type CoreFixture, createCoreFixture, TEST_POLICY } from '../helpers/core-fixture.js';

/** Sessions made as a password sign-in makes them. */
const PASSWORD = { methods: ['password' as const] };

const CLIENT = { ip: '198.51.100.20', userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/140.0' };
const MINUTE = 60_000;

describe('SessionService', () => {
  let f: CoreFixture;
  let user: User;

  beforeEach(async () => {
    f = await createCoreFixture();
    const registered = await f.users.register({ email: 'odin@asgard.example', password: 'all father of asgard' });
    if (!registered.ok) throw new Error('register failed');
    user = registered.user;
  });

  afterEach(async () => {
    await f.close();
  });

  it('create() stores only the digest of the secret it returns', async () => {
    const { session, secret } = await f.sessions.create(user, CLIENT, PASSWORD);
    expect(session.tokenHash).toBe(hashToken(secret));
    const rows = await f.database.db.selectFrom('sessions').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(session.id).not.toBe(session.tokenHash);
    expect(session.browser).toBe('Firefox 140');
    expect(session.os).toBe('Windows 10');
  });

  it('create() gives every session its own CSRF token of 128 random bits', async () => {
    const tokens = new Set<string>();
    for (let i = 0; i < 20; i++) tokens.add((await f.sessions.create(user, CLIENT, PASSWORD)).session.csrfToken);
    expect(tokens.size).toBe(20);
    for (const token of tokens) expect(Buffer.from(token, 'base64url').length).toBe(16);
  });

  it('validate() returns the session and the user as the database has them now', async () => {
    const { secret } = await f.sessions.create(user, CLIENT, PASSWORD);
    await f.userRepository.setRoles(user.id, ['admin', 'god'], f.clock.now());
    const auth = await f.sessions.validate(secret);
    expect(auth?.user.roles).toEqual(['admin', 'god']);
  });

  it('validate() refuses a session idle for longer than the idle timeout', async () => {
    const { secret } = await f.sessions.create(user, CLIENT, PASSWORD);
    f.clock.advance(TEST_POLICY.idleTimeoutMs - 1);
    expect(await f.sessions.validate(secret)).not.toBeNull();
    f.clock.advance(TEST_POLICY.idleTimeoutMs);
    expect(await f.sessions.validate(secret)).toBeNull();
  });

  it('activity slides the idle expiry, written back at most once a minute', async () => {
    const { secret } = await f.sessions.create(user, CLIENT, PASSWORD);
    for (let i = 0; i < 10; i++) {
      f.clock.advance(20 * MINUTE);
      expect(await f.sessions.validate(secret), `after ${(i + 1) * 20} min`).not.toBeNull();
    }
    expect(f.store.touches).toBe(10);
    const before = f.store.touches;
    for (let i = 0; i < 50; i++) {
      f.clock.advance(1000);
      await f.sessions.validate(secret);
    }
    // 50 s of requests every second: no write until a minute has passed since the last one.
    expect(f.store.touches).toBe(before);
    f.clock.advance(10_000);
    await f.sessions.validate(secret);
    expect(f.store.touches).toBe(before + 1);
  });

  it('validate() refuses a session past its absolute expiry however active it was', async () => {
    const { secret } = await f.sessions.create(user, CLIENT, PASSWORD);
    const steps = TEST_POLICY.absoluteTimeoutMs / (10 * MINUTE);
    for (let i = 1; i < steps; i++) {
      f.clock.advance(10 * MINUTE);
      expect(await f.sessions.validate(secret)).not.toBeNull();
    }
    f.clock.advance(10 * MINUTE);
    expect(await f.sessions.validate(secret)).toBeNull();
    expect(await f.store.findByTokenHash(hashToken(secret))).toBeNull();
  });

  it('the idle expiry never slides past the absolute expiry', async () => {
    const { secret, session } = await f.sessions.create(user, CLIENT, PASSWORD);
    let auth = null;
    while (f.clock.now() < session.absoluteExpiresAt - 20 * MINUTE) {
      f.clock.advance(20 * MINUTE);
      auth = await f.sessions.validate(secret);
    }
    expect(auth?.session.idleExpiresAt).toBe(session.absoluteExpiresAt);
    expect((await f.store.findByTokenHash(session.tokenHash))?.idleExpiresAt).toBe(session.absoluteExpiresAt);
  });

  it('"remember me" sessions use the longer timeouts', async () => {
    const { secret, session } = await f.sessions.create(user, CLIENT, { ...PASSWORD, rememberMe: true });
    expect(session.absoluteExpiresAt - session.createdAt).toBe(TEST_POLICY.rememberAbsoluteTimeoutMs);
    f.clock.advance(3 * 86_400_000);
    expect(await f.sessions.validate(secret)).not.toBeNull();
  });

  it('short idle timeouts still slide: writes happen every third of the timeout', async () => {
    const { secret } = await f.sessions.create(user, CLIENT, PASSWORD);
    const shortSession = await f.store.findByTokenHash(hashToken(secret));
    await f.store.delete(shortSession!.tokenHash);
    await f.store.insert({ ...shortSession!, idleTimeoutMs: 90_000, idleExpiresAt: shortSession!.createdAt + 90_000 });
    for (let i = 0; i < 20; i++) {
      f.clock.advance(40_000);
      expect(await f.sessions.validate(secret), `step ${i}`).not.toBeNull();
    }
  });

  it("validate() refuses every session minted before the user's session version was bumped", async () => {
    const a = await f.sessions.create(user, CLIENT, PASSWORD);
    const b = await f.sessions.create(user, CLIENT, PASSWORD);
    await f.userRepository.bumpSessionVersion(user.id, f.clock.now());
    expect(await f.sessions.validate(a.secret)).toBeNull();
    expect(await f.sessions.validate(b.secret)).toBeNull();
  });

  it('validate() refuses malformed and unknown secrets without a store lookup of their text', async () => {
    expect(await f.sessions.validate('')).toBeNull();
    expect(await f.sessions.validate('x'.repeat(10_000))).toBeNull();
    expect(await f.sessions.validate('A'.repeat(43))).toBeNull();
  });

  it('rotate() issues a new id and secret and kills the old pair', async () => {
    const old = await f.sessions.create(user, CLIENT, PASSWORD);
    const rotated = await f.sessions.rotate(old.session, user, CLIENT);
    expect(rotated.session.id).not.toBe(old.session.id);
    expect(rotated.secret).not.toBe(old.secret);
    expect(await f.sessions.validate(old.secret)).toBeNull();
    expect(await f.sessions.validate(rotated.secret)).not.toBeNull();
  });

  it('list() shows live sessions newest first and hides expired ones', async () => {
    const first = await f.sessions.create(user, CLIENT, PASSWORD);
    f.clock.advance(29 * MINUTE);
    const second = await f.sessions.create(user, CLIENT, PASSWORD);
    f.clock.advance(2 * MINUTE);
    const listed = await f.sessions.list(user.id);
    expect(listed.map((s) => s.id)).toEqual([second.session.id]);
    expect(listed.map((s) => s.id)).not.toContain(first.session.id);
  });

  it('revokeOthers() keeps only the current session; revokeAll() ends every one', async () => {
    const current = await f.sessions.create(user, CLIENT, PASSWORD);
    await f.sessions.create(user, CLIENT, PASSWORD);
    await f.sessions.create(user, CLIENT, PASSWORD);
    expect(await f.sessions.revokeOthers(current.session)).toBe(2);
    expect((await f.sessions.list(user.id)).map((s) => s.id)).toEqual([current.session.id]);
    const { revoked } = await f.sessions.revokeAll(user.id);
    expect(revoked).toBe(1);
    expect(await f.sessions.validate(current.secret)).toBeNull();
  });

  it('pruneExpired() removes only dead sessions', async () => {
    const dead = await f.sessions.create(user, CLIENT, PASSWORD);
    f.clock.advance(31 * MINUTE);
    const live = await f.sessions.create(user, CLIENT, PASSWORD);
    expect(await f.sessions.pruneExpired()).toBe(1);
    expect(await f.store.findByTokenHash(dead.session.tokenHash)).toBeNull();
    expect(await f.store.findByTokenHash(live.session.tokenHash)).not.toBeNull();
  });
});
