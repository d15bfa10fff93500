import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/core/tokens.js';
import { ApiClient, errorCode } from '../helpers/api-client.js';
import { tempDir } from '../helpers/heimdall-process.js';
import { createMailApp, type MailApp, PUBLIC_URL, post, stranger } from '../helpers/mail-app.js';
import { linkIn, tokenOf, urlsIn } from '../helpers/smtp-capture.js';
import { signedUpClient, TestClient } from '../helpers/test-app.js';

const NEW_PASSWORD = 'a brand new passphrase';
const ODIN = 'odin@asgard.example';

describe('password reset over real mail', () => {
  let m: MailApp;
  afterEach(async () => {
    await m?.stop();
  });

  const forgot = (email: string, client = stranger(m.app)) => post(client, '/api/auth/password/forgot', { email });
  const reset = (token: string, password = NEW_PASSWORD) =>
    post(stranger(m.app), '/api/auth/password/reset', { token, password });

  it('forgot → the link in the mail → reset: new password, every session and token family ended, email verified', async () => {
    m = await createMailApp();
    const odin = await signedUpClient(m.app, ODIN);
    const laptop = new TestClient(m.app);
    expect((await laptop.login(ODIN)).statusCode).toBe(200);
    const cli = new ApiClient(m.app);
    expect((await cli.signIn(ODIN)).statusCode).toBe(200);

    const asked = await forgot('  ODIN@Asgard.example ');
    expect(asked.statusCode).toBe(202);
    expect(asked.json()).toEqual({});
    await m.deliver();
    const mail = m.smtp.only(ODIN, 'password_reset_link');
    expect(mail.subject).toBe('Reset your password — Heimdall');
    const link = linkIn(mail, `${PUBLIC_URL}/reset-password?token=`);
    expect(tokenOf(link)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(mail.html).toContain(`href="${link}"`);
    expect(mail.text).toMatch(/works once, for 30 minutes/);

    const done = await reset(tokenOf(link));
    expect(done.statusCode).toBe(204);
    // A reset never signs anyone in: the next sign-in asks for every factor the account has.
    expect(done.headers['set-cookie']).toBeUndefined();
    for (const client of [odin, laptop]) expect((await client.get('/api/session')).statusCode).toBe(401);
    expect((await cli.get('/api/session')).statusCode).toBe(401);
    expect(errorCode(await cli.refresh())).toBe('unauthenticated');

    expect((await new TestClient(m.app).login(ODIN)).statusCode).toBe(401);
    const signedIn = await new TestClient(m.app).login(ODIN, NEW_PASSWORD);
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.json().user.emailVerified).toBe(true);

    await m.deliver();
    const notice = m.smtp.only(ODIN, 'password_reset');
    expect(notice.subject).toBe('Your password was reset — Heimdall');
    // Notices carry no link at all: a mail that asks to sign in through it is what phishing looks like.
    expect(urlsIn(notice)).toEqual([]);
  });

  it('keeps only the token’s digest and a sealed message at rest: no row holds the link', async () => {
    const dir = tempDir('heimdall-reset-');
    const file = join(dir.dir, 'heimdall.db');
    try {
      m = await createMailApp({ DATABASE_URL: `sqlite:${file}` });
      await signedUpClient(m.app, ODIN);
      await m.deliver();
      expect((await forgot(ODIN)).statusCode).toBe(202);
      await m.services.passwordResets.settle();
      const dump = () => {
        const db = new SQLite(file, { readonly: true });
        try {
          return JSON.stringify(
            ['users', 'email_tokens', 'mail_queue', 'audit_events'].map((t) => db.prepare(`select * from ${t}`).all()),
          );
        } finally {
          db.close();
        }
      };
      const atRest = dump();
      const token = await m.tokenFrom(ODIN, 'password_reset_link');
      expect(atRest).not.toContain(token);
      expect(atRest).not.toContain('reset-password');
      expect(atRest).toContain(hashToken(token));
      expect(dump()).not.toContain(token);
    } finally {
      dir.remove();
    }
  });

  it('answers 400 invalid_token for a used, unknown, expired, malformed or other-purpose token, and changes nothing', async () => {
    m = await createMailApp();
    await signedUpClient(m.app, ODIN);
    const verification = await m.tokenFrom(ODIN, 'verify_email');
    await forgot(ODIN);
    const first = await m.tokenFrom(ODIN, 'password_reset_link');
    await forgot(ODIN);
    const second = await m.tokenFrom(ODIN, 'password_reset_link');

    for (const token of [verification, 'A'.repeat(43), 'not-a-token', `${first}x`]) {
      const refused = await reset(token);
      expect(refused.statusCode, token).toBe(400);
      expect(errorCode(refused), token).toBe('invalid_token');
    }
    expect(errorCode(await reset(''))).toBe('invalid_request');
    // Thirty minutes (PASSWORD_RESET_TTL) later, both links are dead.
    m.clock.advance(30 * 60_000);
    expect(errorCode(await reset(first))).toBe('invalid_token');
    expect(errorCode(await reset(second))).toBe('invalid_token');
    expect((await new TestClient(m.app).login(ODIN)).statusCode).toBe(200);
  });

  it('lets any link sent work until one is used, then none; a link works up to its last millisecond', async () => {
    m = await createMailApp();
    await signedUpClient(m.app, ODIN);
    await forgot(ODIN);
    const older = await m.tokenFrom(ODIN, 'password_reset_link');
    m.clock.advance(60_000);
    await forgot(ODIN);
    const newer = await m.tokenFrom(ODIN, 'password_reset_link');
    m.clock.advance(29 * 60_000 - 1);
    expect((await reset(older)).statusCode).toBe(204);
    expect(errorCode(await reset(older, 'yet another passphrase'))).toBe('invalid_token');
    expect(errorCode(await reset(newer, 'yet another passphrase'))).toBe('invalid_token');
  });

  it('refuses a weak password with weak_password and leaves the link usable', async () => {
    m = await createMailApp();
    await signedUpClient(m.app, ODIN);
    await forgot(ODIN);
    const token = await m.tokenFrom(ODIN, 'password_reset_link');
    for (const weak of ['short', 'password123', ODIN]) {
      const refused = await reset(token, weak);
      expect(refused.statusCode).toBe(400);
      expect(errorCode(refused)).toBe('weak_password');
    }
    expect((await new TestClient(m.app).login(ODIN)).statusCode).toBe(200);
    expect((await reset(token)).statusCode).toBe(204);
  });

  it('lets exactly one of two resets racing with the same link win', async () => {
    m = await createMailApp();
    await signedUpClient(m.app, ODIN);
    await forgot(ODIN);
    const token = await m.tokenFrom(ODIN, 'password_reset_link');
    const [a, b] = await Promise.all([reset(token, 'first racer passphrase'), reset(token, 'second racer passphrase')]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([204, 400]);
    const winner = a.statusCode === 204 ? 'first racer passphrase' : 'second racer passphrase';
    const loser = a.statusCode === 204 ? 'second racer passphrase' : 'first racer passphrase';
    expect((await new TestClient(m.app).login(ODIN, winner)).statusCode).toBe(200);
    expect((await new TestClient(m.app).login(ODIN, loser)).statusCode).toBe(401);
  });

  it('answers an unknown or disabled address exactly as a known one, and mails it nothing', async () => {
    m = await createMailApp();
    const admin = await signedUpClient(m.app, 'admin@asgard.example');
    await signedUpClient(m.app, ODIN);
    const loki = await signedUpClient(m.app, 'loki@asgard.example');
    const lokiId = (await loki.get('/api/session')).json().user.id;
    expect((await post(admin, `/api/admin/users/${lokiId}/disable`)).statusCode).toBe(200);
    await m.deliver();
    m.smtp.clear();

    const answers = [];
    for (const email of [ODIN, 'nobody@asgard.example', 'loki@asgard.example']) answers.push(await forgot(email));
    const [known, ...others] = answers.map((r) => {
      // Only the date and the request's own id may differ.
      const { date: _date, 'x-request-id': _id, ...headers } = r.headers;
      return { status: r.statusCode, body: r.body, headers };
    });
    for (const other of others) expect(JSON.stringify(other)).toBe(JSON.stringify(known));
    await m.deliver();
    expect(m.smtp.messages.map((x) => [x.to, x.kind])).toEqual([[[ODIN], 'password_reset_link']]);
    expect(errorCode(await forgot('not an address'))).toBe('invalid_request');
  });

  it('takes as long to answer for an unknown address as for a known one', async () => {
    m = await createMailApp({ PASSWORD_RESET_LIMIT_IP: '1000', PASSWORD_RESET_LIMIT_EMAIL: '100' });
    const known = Array.from({ length: 15 }, (_, i) => `valkyrie-${i}@asgard.example`);
    for (const email of known) await signedUpClient(m.app, email);
    const time = async (email: string) => {
      const started = process.hrtime.bigint();
      const response = await forgot(email);
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      expect(response.statusCode).toBe(202);
      // The work after the answer is not timed, and not left to slow the next request down either.
      await m.services.passwordResets.settle();
      return elapsed;
    };
    const knownTimes: number[] = [];
    const unknownTimes: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (const [i, email] of known.entries()) {
        knownTimes.push(await time(email));
        unknownTimes.push(await time(`stranger-${round}-${i}@asgard.example`));
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const [k, u] = [median(knownTimes), median(unknownTimes)];
    // Both answers do the same work (check the address's shape, spend the client's budget): their medians differ by
    // scheduling noise only. Work for a known address that started before the answer went out (its lookup, token and
    // queued message) measured +0.3 ms on a 0.45 ms answer, which this bound catches.
    expect(Math.abs(k - u)).toBeLessThan(Math.max(0.2, 0.3 * Math.max(k, u)));
    await m.deliver();
    expect(m.smtp.messages.filter((x) => x.kind === 'password_reset_link')).toHaveLength(known.length * 3);
  });

  it('limits per address asked about without telling (same 202, no more mail) and per client address with 429', async () => {
    m = await createMailApp({ PASSWORD_RESET_LIMIT_EMAIL: '3', PASSWORD_RESET_LIMIT_IP: '8' });
    await signedUpClient(m.app, ODIN);
    await m.deliver();
    for (let i = 0; i < 5; i++) expect((await forgot(ODIN)).statusCode).toBe(202);
    await m.deliver();
    expect(m.smtp.to(ODIN, 'password_reset_link')).toHaveLength(3);
    for (let i = 0; i < 3; i++) expect((await forgot('nobody@asgard.example')).statusCode).toBe(202);
    const limited = await forgot('someone-else@asgard.example');
    expect(limited.statusCode).toBe(429);
    expect(errorCode(limited)).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('refuses a disabled account’s link with account_disabled, changing nothing, and accepts it once enabled', async () => {
    m = await createMailApp();
    const admin = await signedUpClient(m.app, 'admin@asgard.example');
    const odin = await signedUpClient(m.app, ODIN);
    const odinId = (await odin.get('/api/session')).json().user.id;
    await forgot(ODIN);
    const token = await m.tokenFrom(ODIN, 'password_reset_link');
    await post(admin, `/api/admin/users/${odinId}/disable`);
    const refused = await reset(token);
    expect(refused.statusCode).toBe(403);
    expect(errorCode(refused)).toBe('account_disabled');
    await post(admin, `/api/admin/users/${odinId}/enable`);
    expect((await new TestClient(m.app).login(ODIN)).statusCode).toBe(200);
    expect((await reset(token)).statusCode).toBe(204);
    expect((await new TestClient(m.app).login(ODIN, NEW_PASSWORD)).statusCode).toBe(200);
  });
});
