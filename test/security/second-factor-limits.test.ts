import { afterEach, describe, expect, it } from 'vitest';
import { generateTotp } from '../../src/core/totp.js';
import { enrolTotp, presentSecondFactor, secondFactorCookieOf } from '../helpers/second-factors.js';
import { createTestApp, type TestApp, TestClient } from '../helpers/test-app.js';
import { ADDRESSES, errorCode, mustRegister, proxiedApp, RemoteClient } from './attack-helpers.js';

/** The sign-in defences of issue 15 hold on the second-factor ways in too. */
describe('second-factor sign-ins under the abuse defences', () => {
  let t: TestApp;
  afterEach(async () => {
    await t.close();
  });

  it('ANOMALY_ACTION=revoke: a two-step sign-in that makes the third country gets no session either', async () => {
    t = await proxiedApp({ ANOMALY_ACTION: 'revoke' });
    const us = new RemoteClient(t.app, ADDRESSES.US);
    await mustRegister(us, 'odin@asgard.example');
    const { secret } = await enrolTotp(us, t.clock);
    for (const ip of [ADDRESSES.GB, ADDRESSES.JP]) {
      const client = new RemoteClient(t.app, ip);
      const held = secondFactorCookieOf(await client.login('odin@asgard.example'))!.value;
      t.clock.advance(30_000);
      const answer = await presentSecondFactor(client, held, { totp: generateTotp(secret, t.clock.now()) });
      if (ip === ADDRESSES.GB) {
        expect(answer.statusCode).toBe(200);
        continue;
      }
      expect([answer.statusCode, errorCode(answer)]).toEqual([401, 'unauthenticated']);
      expect(answer.json().error.message).toMatch(/countries/);
      expect(answer.cookies.find((c) => c.name === '__Host-heimdall' && c.value !== '')).toBeUndefined();
    }
    expect((await us.get('/api/session')).statusCode).toBe(401);
  });

  it('passkey sign-in starts share the per-address sign-on budget (each writes a challenge)', async () => {
    t = await createTestApp({ SIGN_ON_LIMIT_IP: '3' });
    const browser = new TestClient(t.app);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(
        (await browser.request({ method: 'POST', url: '/api/auth/passkey/options', payload: {} })).statusCode,
      );
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});
