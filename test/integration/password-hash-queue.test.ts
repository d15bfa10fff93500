import { afterEach, describe, expect, it } from 'vitest';
import { Argon2Hasher, type PasswordHasher } from '../../src/core/passwords.js';
import { errorCode } from '../helpers/api-client.js';
import { createTestApp, PASSWORD, signedUpClient, type TestApp, TestClient } from '../helpers/test-app.js';

/** A real (cheap) argon2 hasher that holds every call at a gate until the test opens it. */
class GatedHasher implements PasswordHasher {
  readonly #inner = new Argon2Hasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });
  #gate: Promise<void> = Promise.resolve();
  #open: () => void = () => {};
  entered = 0;

  close(): void {
    this.entered = 0;
    this.#gate = new Promise((resolve) => {
      this.#open = resolve;
    });
  }

  open(): void {
    this.#open();
  }

  async #held<T>(work: () => Promise<T>): Promise<T> {
    this.entered += 1;
    await this.#gate;
    return work();
  }

  hash(password: string) {
    return this.#held(() => this.#inner.hash(password));
  }

  verify(passwordHash: string, password: string) {
    return this.#held(() => this.#inner.verify(passwordHash, password));
  }

  verifyDummy(password: string) {
    return this.#held(() => this.#inner.verifyDummy(password));
  }
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  if (!condition()) throw new Error('condition never held');
}

describe('password hashing queue (PASSWORD_HASH_CONCURRENCY, PASSWORD_HASH_QUEUE)', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  /** One hash running, one waiting: the queue is full until the gate opens. */
  async function fullQueue() {
    const hasher = new GatedHasher();
    t = await createTestApp({ PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE: '1' }, { hasher });
    const app = t.app;
    const alice = await signedUpClient(app, 'alice@example.com');
    const reset = await t.services.passwordResets.createResetLink('alice@example.com');
    const resetToken = new URL(reset?.url ?? '').searchParams.get('token') ?? '';
    hasher.close();
    const first = new TestClient(app).login('alice@example.com');
    const second = new TestClient(app).login('alice@example.com');
    const services = t.services;
    await until(() => services.hashLoad().running === 1 && services.hashLoad().queued === 1);
    return { app, hasher, alice, resetToken, waiting: [first, second] };
  }

  it('sheds sign-in, registration, reset and token requests with 503 and Retry-After, and serves reads', async () => {
    const { app, hasher, alice, resetToken, waiting } = await fullQueue();
    const shed = [
      await new TestClient(app).login('alice@example.com'),
      await new TestClient(app).login('alice@example.com', 'a wrong password entirely'),
      // The unknown email's dummy verify waits in the same queue: a full queue answers it alike (no enumeration).
      await new TestClient(app).login('nobody@example.com'),
      await new TestClient(app).register('bob@example.com'),
      await app.inject({
        method: 'POST',
        url: '/api/auth/password/reset',
        payload: { token: resetToken, password: 'a brand new passphrase' },
      }),
      await app.inject({
        method: 'POST',
        url: '/api/tokens',
        payload: { email: 'alice@example.com', password: PASSWORD },
      }),
    ];
    for (const response of shed) {
      expect(response.statusCode).toBe(503);
      expect(errorCode(response)).toBe('service_unavailable');
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    // Reads never hash: they are answered while the queue is full.
    for (let i = 0; i < 20; i++) {
      const read = await alice.get('/api/session');
      expect(read.statusCode).toBe(200);
    }
    expect(t?.services.hashLoad().shed).toBe(shed.length);
    hasher.open();
    for (const response of await Promise.all(waiting)) expect(response.statusCode).toBe(200);

    // The shed reset left its link usable, and the shed registration left the address free.
    const redone = await app.inject({
      method: 'POST',
      url: '/api/auth/password/reset',
      payload: { token: resetToken, password: 'a brand new passphrase' },
    });
    expect(redone.statusCode).toBe(204);
    expect((await new TestClient(app).register('bob@example.com')).statusCode).toBe(201);
  });

  it('does not count shed sign-ins against the login limits', async () => {
    const { app, hasher, waiting } = await fullQueue();
    // Far more than LOGIN_LIMIT_ACCOUNT_IP (5) wrong passwords, every one shed before it was judged.
    for (let i = 0; i < 12; i++) {
      const response = await new TestClient(app).login('alice@example.com', 'a wrong password entirely');
      expect(response.statusCode).toBe(503);
    }
    hasher.open();
    await Promise.all(waiting);
    expect((await new TestClient(app).login('alice@example.com')).statusCode).toBe(200);
  });

  it('lets queued sign-ins through in turn once hashing catches up', async () => {
    const { hasher, waiting } = await fullQueue();
    expect(hasher.entered).toBe(1);
    hasher.open();
    const answers = await Promise.all(waiting);
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200]);
    expect(hasher.entered).toBe(2);
  });
});
