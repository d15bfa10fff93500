import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CountingHasher } from '../helpers/counting-hasher.js';
import { createTestApp, PASSWORD, signedUpClient, type TestApp, TestClient } from '../helpers/test-app.js';
import { errorCode, mustRegister } from './attack-helpers.js';

describe('authentication attacks (ASVS V6; NIST 800-63B-4 §3.1.1)', () => {
  let t: TestApp;
  let n = 0;
  const fresh = () => `user${++n}@asgard.example`;

  beforeAll(async () => {
    t = await createTestApp();
    await mustRegister(new TestClient(t.app), 'odin@asgard.example');
  });
  afterAll(async () => {
    await t.close();
  });

  it('6.2.1: a password under 8 characters is refused as weak', async () => {
    const response = await new TestClient(t.app).register(fresh(), 'short7!');
    expect(response.statusCode).toBe(400);
    expect(errorCode(response)).toBe('weak_password');
  });

  it('6.2.4: a password from the common-password list is refused', async () => {
    for (const common of ['password123', 'qwertyuiop', 'iloveyou1']) {
      expect(errorCode(await new TestClient(t.app).register(fresh(), common))).toBe('weak_password');
    }
  });

  it('6.2.5: no composition rules: a long all-lower-case passphrase is accepted', async () => {
    expect((await new TestClient(t.app).register(fresh(), 'purple monkey dishwasher')).statusCode).toBe(201);
  });

  it('6.2.8: the password is checked exactly as typed: changed case or a trailing space is wrong', async () => {
    const email = fresh();
    await mustRegister(new TestClient(t.app), email, 'Exact Passphrase Here');
    expect((await new TestClient(t.app).login(email, 'exact passphrase here')).statusCode).toBe(401);
    expect((await new TestClient(t.app).login(email, 'Exact Passphrase Here ')).statusCode).toBe(401);
    expect((await new TestClient(t.app).login(email, 'Exact Passphrase Here')).statusCode).toBe(200);
  });

  it('6.2.9: passwords of 64 and up to 128 characters work; longer ones get a clear 400, never a 500', async () => {
    const email = fresh();
    const long = 'correct horse battery staple '.repeat(4).slice(0, 120);
    await mustRegister(new TestClient(t.app), email, long);
    expect((await new TestClient(t.app).login(email, long)).statusCode).toBe(200);
    const tooLong = await new TestClient(t.app).register(fresh(), 'x'.repeat(1024));
    expect(tooLong.statusCode).toBe(400);
  });

  it('6.2.11: the account email (a context-specific word) is refused as its own password', async () => {
    const email = 'brokkr@asgard.example';
    expect(errorCode(await new TestClient(t.app).register(email, email))).toBe('weak_password');
  });

  it('6.2.3: changing the password needs the current one: missing is 400, wrong is 401', async () => {
    const client = await signedUpClient(t.app, fresh());
    const missing = await client.request({
      method: 'POST',
      url: '/api/auth/password',
      payload: { newPassword: 'another long passphrase' },
    });
    expect(missing.statusCode).toBe(400);
    const wrong = await client.request({
      method: 'POST',
      url: '/api/auth/password',
      payload: { currentPassword: 'not my password', newPassword: 'another long passphrase' },
    });
    expect(errorCode(wrong)).toBe('invalid_credentials');
  });

  it('6.3.8: an unknown email and a wrong password get the same status and body (no account enumeration)', async () => {
    const unknown = await new TestClient(t.app).login('ghost@asgard.example', PASSWORD);
    const wrong = await new TestClient(t.app).login('odin@asgard.example', 'not the password at all');
    expect(unknown.statusCode).toBe(wrong.statusCode);
    expect(unknown.body).toBe(wrong.body);
  });

  it('6.3.8: unknown emails spend the same argon2 work as wrong passwords', async () => {
    // Counting the work rather than timing it: an early return for unknown emails would skip the verify.
    const hasher = new CountingHasher();
    const counted = await createTestApp({}, { hasher });
    try {
      await mustRegister(new TestClient(counted.app), 'odin@asgard.example');
      const before = hasher.work();
      await new TestClient(counted.app).login('odin@asgard.example', 'a wrong password guess');
      const wrongPassword = hasher.work() - before;
      await new TestClient(counted.app).login('ghost@asgard.example', 'a wrong password guess');
      const unknownEmail = hasher.work() - before - wrongPassword;
      expect(wrongPassword).toBe(1);
      expect(unknownEmail).toBe(wrongPassword);
    } finally {
      await counted.close();
    }
  });

  it('6.2.8: Unicode passwords are normalised (NFKC), so the same password typed differently still works', async () => {
    const email = fresh();
    await mustRegister(new TestClient(t.app), email, 'ｆｕｌｌｗｉｄｔｈ passphrase');
    expect((await new TestClient(t.app).login(email, 'fullwidth passphrase')).statusCode).toBe(200);
  });

  it('credential stuffing with malformed input (no email shape, huge email) is a 400 or 401, never a 500', async () => {
    for (const email of ['not-an-email', '@', `${'a'.repeat(300)}@x.example`, ' odin@asgard.example ']) {
      const status = (await new TestClient(t.app).login(email, 'whatever password')).statusCode;
      expect([200, 400, 401, 429]).toContain(status);
    }
  });
});
