import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestApp, PASSWORD, type TestApp, TestClient } from '../helpers/test-app.js';
import { auditOf, errorCode, mustLogin, mustRegister, proxiedApp, RemoteClient } from './attack-helpers.js';

const VICTIM = 'odin@asgard.example';
const WRONG = 'not the right password';

/** Moves wall-clock time (rate-limiter-flexible reads Date.now()); the app's session clock is separate. */
function advance(ms: number): void {
  vi.setSystemTime(Date.now() + ms);
}

describe('brute-force limits (ASVS 6.1.1, 6.3.1; NIST 800-63B-4 §3.2.2)', () => {
  let t: TestApp;
  let admin: TestClient;
  let victimId: string;

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    t = await proxiedApp();
    admin = new RemoteClient(t.app, '192.0.2.200');
    await mustRegister(admin, 'heimdall-admin@asgard.example');
    victimId = await mustRegister(new RemoteClient(t.app, '198.51.100.1'), VICTIM);
  });

  afterEach(async () => {
    vi.useRealTimers();
    await t.close();
  });

  it('6.3.1: guessing one password from one address is refused with 429 and Retry-After after 5 failures', async () => {
    const attacker = new RemoteClient(t.app, '203.0.113.9');
    const answers: number[] = [];
    for (let i = 0; i < 7; i++) answers.push((await attacker.login(VICTIM, WRONG)).statusCode);
    expect(answers).toEqual([401, 401, 401, 401, 401, 429, 429]);
    const refused = await attacker.login(VICTIM, WRONG);
    expect(errorCode(refused)).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('6.3.1: the delay between guesses doubles with every further failure, capped at 15 minutes', async () => {
    // The per-account rule would join in after 10 failures; raised here to watch the account+address rule alone.
    const local = await proxiedApp({ LOGIN_LIMIT_ACCOUNT: '99' });
    await mustRegister(new TestClient(local.app), VICTIM);
    const attacker = new RemoteClient(local.app, '203.0.113.9');
    for (let i = 0; i < 5; i++) await attacker.login(VICTIM, WRONG);
    const waits: number[] = [];
    for (let round = 0; round < 14; round++) {
      const refused = await attacker.login(VICTIM, WRONG);
      expect(refused.statusCode).toBe(429);
      const wait = Number(refused.headers['retry-after']);
      waits.push(wait);
      advance(wait * 1000);
      expect((await attacker.login(VICTIM, WRONG)).statusCode).toBe(401);
    }
    expect(waits.slice(0, 5)).toEqual([1, 2, 4, 8, 16]);
    expect(Math.max(...waits)).toBe(900);
    await local.close();
  });

  it('6.1.1: while an attacker is throttled on an account, its owner still signs in from their own address', async () => {
    const attacker = new RemoteClient(t.app, '203.0.113.9');
    for (let i = 0; i < 8; i++) await attacker.login(VICTIM, WRONG);
    expect((await attacker.login(VICTIM, PASSWORD)).statusCode).toBe(429);
    await mustLogin(new RemoteClient(t.app, '198.51.100.1'), VICTIM);
  });

  it('6.1.1: a spray from many addresses hits the per-account limit, but not the owner on an address they used', async () => {
    await mustLogin(new RemoteClient(t.app, '198.51.100.1'), VICTIM);
    let refused = 0;
    for (let i = 0; i < 40; i++) {
      const bot = new RemoteClient(t.app, `203.0.113.${i + 1}`);
      if ((await bot.login(VICTIM, WRONG)).statusCode === 429) refused++;
    }
    // 10 failures go through; after that one guess per growing window from unknown addresses.
    expect(refused).toBeGreaterThanOrEqual(29);
    await mustLogin(new RemoteClient(t.app, '198.51.100.1'), VICTIM);
  });

  it('6.1.1: a spray cannot lock the owner out for good: the per-account wait is capped at 30 minutes', async () => {
    for (let i = 0; i < 30; i++) {
      const bot = new RemoteClient(t.app, `203.0.113.${i + 1}`);
      const answer = await bot.login(VICTIM, WRONG);
      if (answer.statusCode === 429) expect(Number(answer.headers['retry-after'])).toBeLessThanOrEqual(1800);
      else advance(1_800_000);
    }
    const newDevice = new RemoteClient(t.app, '198.51.100.77');
    const blocked = await newDevice.login(VICTIM, PASSWORD);
    if (blocked.statusCode === 429) advance(Number(blocked.headers['retry-after']) * 1000);
    await mustLogin(newDevice, VICTIM);
  });

  it('6.3.1: password spraying, one address guessing across many accounts, hits the per-address limit', async () => {
    const local = await createTestApp({ TRUST_PROXY: 'loopback', LOGIN_LIMIT_IP: '20' });
    try {
      const sprayer = new RemoteClient(local.app, '203.0.113.50');
      const answers: number[] = [];
      for (let i = 0; i < 25; i++)
        answers.push((await sprayer.login(`user${i}@example.com`, 'Summer2026!')).statusCode);
      expect(answers.slice(0, 20).every((s) => s === 401)).toBe(true);
      expect(answers.slice(21)).toEqual([429, 429, 429, 429]);
    } finally {
      await local.close();
    }
  });

  it('6.3.1: a burst of parallel guesses cannot slip past the limit before any failure is recorded', async () => {
    const attacker = new RemoteClient(t.app, '203.0.113.9');
    const answers = await Promise.all(Array.from({ length: 30 }, () => attacker.login(VICTIM, WRONG)));
    expect(answers.filter((a) => a.statusCode === 401).length).toBe(5);
    expect(answers.filter((a) => a.statusCode === 429).length).toBe(25);
  });

  it('a successful sign-in resets the account+address streak, so a user who signs in often is never limited', async () => {
    const owner = new RemoteClient(t.app, '198.51.100.1');
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) expect((await owner.login(VICTIM, WRONG)).statusCode).toBe(401);
      await mustLogin(owner, VICTIM);
    }
  });

  it("guesses at one account never limit another account's sign-in from the same address", async () => {
    await mustRegister(new RemoteClient(t.app, '198.51.100.2'), 'thor@asgard.example');
    const shared = new RemoteClient(t.app, '198.51.100.3');
    for (let i = 0; i < 8; i++) await shared.login(VICTIM, WRONG);
    await mustLogin(shared, 'thor@asgard.example');
  });

  it('6.3.8: unknown emails are limited exactly like real ones, so a 429 reveals nothing about existence', async () => {
    const attacker = new RemoteClient(t.app, '203.0.113.9');
    const real: number[] = [];
    const ghost: number[] = [];
    for (let i = 0; i < 7; i++) real.push((await attacker.login(VICTIM, WRONG)).statusCode);
    for (let i = 0; i < 7; i++) ghost.push((await attacker.login('nobody@asgard.example', WRONG)).statusCode);
    expect(ghost).toEqual(real);
  });

  it('6.3.1: the current password cannot be brute-forced through POST /api/auth/password with a stolen session', async () => {
    const thief = new RemoteClient(t.app, '203.0.113.9');
    await mustLogin(thief, VICTIM);
    const answers: number[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await thief.request({
        method: 'POST',
        url: '/api/auth/password',
        payload: { currentPassword: `guess number ${i}`, newPassword: 'a brand new passphrase' },
      });
      answers.push(r.statusCode);
    }
    expect(answers).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });

  it('16.3.3: throttling is audited once per blocking period, not once per refused request', async () => {
    const attacker = new RemoteClient(t.app, '203.0.113.9');
    for (let i = 0; i < 20; i++) await attacker.login(VICTIM, WRONG);
    const limited = await auditOf(admin, victimId, 'rate.limited');
    expect(limited).toHaveLength(1);
    expect(limited[0]!.details).toMatchObject({ scope: 'account_ip' });
    expect(await auditOf(admin, victimId, 'auth.login_failed')).toHaveLength(5);
  });
});

describe('abuse limits on other endpoints and the client address (ASVS 2.4.1)', () => {
  afterEach(() => vi.useRealTimers());

  it('mass registration from one address is cut off with 429 after REGISTER_LIMIT_IP accounts', async () => {
    const t = await createTestApp({ REGISTER_LIMIT_IP: '3' });
    try {
      const answers: number[] = [];
      for (let i = 0; i < 5; i++)
        answers.push((await new TestClient(t.app).register(`bot${i}@example.com`)).statusCode);
      expect(answers).toEqual([201, 201, 201, 429, 429]);
    } finally {
      await t.close();
    }
  });

  it('a spoofed X-Forwarded-For changes nothing when TRUST_PROXY is off: the socket address is limited', async () => {
    const t = await createTestApp({ TRUST_PROXY: 'false' });
    try {
      await mustRegister(new TestClient(t.app), VICTIM);
      const answers: number[] = [];
      for (let i = 0; i < 8; i++) {
        const spoofing = new RemoteClient(t.app, `203.0.113.${i + 1}`);
        answers.push((await spoofing.login(VICTIM, WRONG)).statusCode);
      }
      expect(answers.slice(5)).toEqual([429, 429, 429]);
      const session = await new TestClient(t.app).login(VICTIM, PASSWORD);
      expect(session.statusCode).toBe(429);
    } finally {
      await t.close();
    }
  });

  it('with TRUST_PROXY set, each forwarded client address is limited on its own', async () => {
    const t = await proxiedApp();
    try {
      await mustRegister(new TestClient(t.app), VICTIM);
      for (let i = 0; i < 6; i++) await new RemoteClient(t.app, '203.0.113.1').login(VICTIM, WRONG);
      expect((await new RemoteClient(t.app, '203.0.113.1').login(VICTIM, PASSWORD)).statusCode).toBe(429);
      await mustLogin(new RemoteClient(t.app, '203.0.113.2'), VICTIM);
    } finally {
      await t.close();
    }
  });
});
