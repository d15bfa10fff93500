import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/core/audit.js';
import { ApiClient, type TokenPairBody } from '../helpers/api-client.js';
import { createTestApp, PASSWORD, signedUpClient, type TestApp, TestClient } from '../helpers/test-app.js';
import { ADDRESSES, errorCode, mustRegister, proxiedApp, RemoteClient } from './attack-helpers.js';

const ODIN = 'odin@asgard.example';
const WRONG = 'not the right password';

describe('the token endpoints and the defence layer', () => {
  let t: TestApp;

  afterEach(async () => {
    await t.close();
  });

  async function auditTypes(userId: string): Promise<AuditEvent[]> {
    return (await t.services.audit.list({ userId, limit: 100 })).events;
  }

  it('POST /api/tokens counts wrong passwords with sign-in: after 5 failures both answer 429', async () => {
    t = await createTestApp();
    await signedUpClient(t.app, ODIN);
    const api = new ApiClient(t.app);
    const answers: number[] = [];
    for (let i = 0; i < 6; i++) answers.push((await api.signIn(ODIN, WRONG)).statusCode);
    expect(answers).toEqual([401, 401, 401, 401, 401, 429]);
    const refused = await api.signIn(ODIN);
    expect(errorCode(refused)).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await new TestClient(t.app).login(ODIN)).statusCode).toBe(429);
  });

  it('the three token endpoints share a per-address budget (TOKENS_LIMIT_IP)', async () => {
    t = await createTestApp({ TOKENS_LIMIT_IP: '3' });
    await signedUpClient(t.app, ODIN);
    const api = new ApiClient(t.app);
    expect((await api.signIn(ODIN)).statusCode).toBe(200);
    expect((await api.refresh()).statusCode).toBe(200);
    expect((await api.refresh()).statusCode).toBe(200);
    for (const response of [await api.refresh(), await api.revoke(), await api.signIn(ODIN)]) {
      expect([response.statusCode, errorCode(response)]).toEqual([429, 'rate_limited']);
    }
    // Bearer use of the API is not a token request and is not limited by it.
    expect((await api.get('/api/session')).statusCode).toBe(200);
  });

  it('audits grants, failed grants, reuse and revocation', async () => {
    t = await createTestApp();
    const odin = await signedUpClient(t.app, ODIN);
    const odinId = (await t.services.users.findByEmail(ODIN))!.id;
    const api = new ApiClient(t.app);
    await api.signIn(ODIN, WRONG);
    await api.signIn(ODIN);
    await odin.request({ method: 'POST', url: '/api/tokens' });
    const spent = api.refreshToken;
    await api.refresh();
    await api.refresh(spent);
    const second = new ApiClient(t.app);
    second.keep((await odin.request({ method: 'POST', url: '/api/tokens' })).json() as TokenPairBody);
    await second.revoke();

    const events = (await auditTypes(odinId)).reverse();
    const grants = events.filter((e) => e.type === 'auth.login' && e.details.method === 'api_tokens');
    expect(grants.map((e) => e.details.via)).toEqual(['password', 'session', 'session']);
    expect(events.find((e) => e.type === 'auth.login_failed')).toBeDefined();
    const reused = events.find((e) => e.type === 'token.reused');
    expect(reused).toMatchObject({ sessionId: grants[0]!.sessionId, ip: '127.0.0.1' });
    const revocations = events.filter((e) => e.type === 'session.revoked').map((e) => [e.sessionId, e.details.by]);
    expect(revocations).toEqual([
      [grants[0]!.sessionId, 'system'],
      [grants[2]!.sessionId, 'user'],
    ]);
  });

  it('ANOMALY_ACTION=revoke ends a token family signed in from another country, access token included', async () => {
    t = await proxiedApp({ ANOMALY_ACTION: 'revoke' });
    await mustRegister(new RemoteClient(t.app, ADDRESSES.US), ODIN);
    const granted = await t.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: { 'x-forwarded-for': ADDRESSES.GB },
      payload: { email: ODIN, password: PASSWORD },
    });
    const { accessToken } = granted.json() as TokenPairBody;
    const bearer = { authorization: `Bearer ${accessToken}`, 'x-forwarded-for': ADDRESSES.GB };
    expect((await t.app.inject({ method: 'GET', url: '/api/session', headers: bearer })).statusCode).toBe(200);
    // A third country: the policy ends every session of the account, the token family and the new one among them.
    const jp = new RemoteClient(t.app, ADDRESSES.JP);
    expect((await jp.login(ODIN)).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/session', headers: bearer })).statusCode).toBe(401);
  });
});
