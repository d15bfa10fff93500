import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Argon2Hasher } from '../../src/core/passwords.js';
import { tempDir } from '../helpers/heimdall-process.js';
import { createTestApp, PASSWORD, signedUpClient, type TestApp, TestClient } from '../helpers/test-app.js';
import { errorCode } from './attack-helpers.js';

/** Full-width forms (U+FF01…U+FF5E) of printable ASCII: NFKC maps each back to its ASCII character. */
function fullWidth(ascii: string): string {
  return [...ascii].map((c) => (c >= '!' && c <= '~' ? String.fromCodePoint(c.codePointAt(0)! + 0xfee0) : c)).join('');
}

/**
 * Input that looks like something else: a common password typed in full-width characters is the same password to
 * the hash (NFKC), so it must meet the same blocklist; an email with invisible or full-width characters looks like
 * an existing account's and must not become a new one (outside security review, issue 15, finding 5).
 */
describe('lookalike passwords and emails (ASVS 6.2.4, 1.1.1, 2.2.1)', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await createTestApp();
  });

  afterEach(async () => {
    await t.close();
  });

  it('the blocklist judges the NFKC form that is hashed: full-width common passwords are refused', async () => {
    for (const common of ['password', '12345678', 'iloveyou', 'baseball1']) {
      const typed = fullWidth(common);
      expect(typed.normalize('NFKC')).toBe(common);
      const response = await new TestClient(t.app).register(`x${common}@asgard.example`, typed);
      expect([response.statusCode, errorCode(response)], typed).toEqual([400, 'weak_password']);
    }
    // The other context rules too: the account's own email, and one repeated character.
    const own = await new TestClient(t.app).register('heimdallr@asgard.example', fullWidth('heimdallr@asgard.example'));
    expect(errorCode(own)).toBe('weak_password');
    expect(errorCode(await new TestClient(t.app).register('r@asgard.example', fullWidth('aaaaaaaaaa')))).toBe(
      'weak_password',
    );
  });

  it('a password change to a full-width common password is refused as well', async () => {
    const odin = await signedUpClient(t.app, 'odin@asgard.example');
    const change = await odin.request({
      method: 'POST',
      url: '/api/auth/password',
      payload: { currentPassword: PASSWORD, newPassword: fullWidth('password') },
    });
    expect([change.statusCode, errorCode(change)]).toEqual([400, 'weak_password']);
  });

  it('emails with invisible or format characters cannot register at all', async () => {
    await signedUpClient(t.app, 'odin@asgard.example');
    for (const lookalike of [
      'o\u200bdin@asgard.example', // zero-width space
      'od\u200cin@asgard.example', // zero-width non-joiner
      'odi\u200dn@asgard.example', // zero-width joiner
      'odin\u2060@asgard.example', // word joiner
      'od\ufeffin@asgard.example', // byte order mark (at either end it is trimmed, as whitespace)
      'o\u00addin@asgard.example', // soft hyphen
      'odin@asgard\u200b.example',
      '\u202eodin@asgard.example', // right-to-left override
      'odin\u180e@asgard.example', // Mongolian vowel separator
    ]) {
      const response = await new TestClient(t.app).register(lookalike, PASSWORD);
      expect([response.statusCode, errorCode(response)], JSON.stringify(lookalike)).toEqual([400, 'invalid_request']);
    }
  });

  it('a full-width spelling of an existing email is the same account: 409 on registration, the same sign-in', async () => {
    await signedUpClient(t.app, 'odin@asgard.example');
    for (const lookalike of [
      fullWidth('odin@asgard.example'),
      `${fullWidth('ODIN')}@asgard.example`,
      'odin＠asgard．example',
    ]) {
      const response = await new TestClient(t.app).register(lookalike, PASSWORD);
      expect([response.statusCode, errorCode(response)], lookalike).toEqual([409, 'email_taken']);
    }
    expect(await t.services.users.list({ limit: 10 })).toMatchObject({ users: [{ email: 'odin@asgard.example' }] });
    const typedWide = new TestClient(t.app);
    expect((await typedWide.login(fullWidth('odin@asgard.example'))).statusCode).toBe(200);
    expect((await typedWide.get('/api/session')).json().user.email).toBe('odin@asgard.example');
  });

  it('a new account typed in full-width is stored in its NFKC form', async () => {
    const client = new TestClient(t.app);
    expect((await client.register(fullWidth('freya@vanaheim.example'), PASSWORD)).statusCode).toBe(201);
    expect((await client.get('/api/session')).json().user.email).toBe('freya@vanaheim.example');
  });

  it('accounts stored under the earlier rule (NFC only) still sign in with what their owners type', async () => {
    await t.close();
    const dir = tempDir('heimdall-lookalike-');
    try {
      const path = join(dir.dir, 'heimdall.db');
      t = await createTestApp({ DATABASE_URL: `sqlite:${path}` });
      // Rows as the earlier rule stored them, left as they are by migration 0006 because their NFKC form is taken
      // or not an address: full-width and zero-width characters kept as typed.
      await signedUpClient(t.app, 'loki@asgard.example');
      const hash = await new Argon2Hasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 }).hash(PASSWORD);
      const legacy = [`${fullWidth('loki')}@asgard.example`, 'b\u200baldr@asgard.example'];
      const db = new SQLite(path);
      const insert = db.prepare(
        `insert into users (id, email, name, roles, password_hash, created_at, updated_at) values (?, ?, 'legacy', '["user"]', ?, 0, 0)`,
      );
      for (const [i, email] of legacy.entries()) insert.run(`legacy-${i}`, email, hash);
      db.close();
      for (const email of legacy) {
        const client = new TestClient(t.app);
        expect((await client.login(email)).statusCode, JSON.stringify(email)).toBe(200);
        expect((await client.get('/api/session')).json().user.email).toBe(email);
      }
      // The canonical spelling still reaches the canonical account, not the legacy lookalike.
      const canonical = new TestClient(t.app);
      expect((await canonical.login('loki@asgard.example')).statusCode).toBe(200);
      expect((await canonical.get('/api/session')).json().user.email).toBe('loki@asgard.example');
    } finally {
      await t.close();
      t = await createTestApp();
      dir.remove();
    }
  });
});
