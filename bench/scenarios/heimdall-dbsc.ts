import { join } from 'node:path';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { BENCH_PASSWORD, BROWSER_UA, COOKIE_NAME, type HeimdallInstance, startHeimdall } from '../lib/heimdall.js';
import { cookiesFrom, postJson, request } from '../lib/net.js';
import { readScenario } from './read-scenario.js';

/** A bound session as the browser holds it: both cookies, its public id and the device key's private half. */
export interface BoundSession {
  /** `__Host-heimdall=…` */
  sessionCookie: string;
  /** `__Host-heimdall-bound=…` */
  boundCookie: string;
  sessionId: string;
  privateKey: CryptoKey;
}

/** A DBSC proof over `challenge`, signed with the device key, as Chromium makes it. */
export async function dbscProof(challenge: string, privateKey: CryptoKey, jwk?: JWK): Promise<string> {
  return new SignJWT({ jti: challenge })
    .setProtectedHeader({ alg: 'ES256', typ: 'dbsc+jwt', ...(jwk ? { jwk } : {}) })
    .sign(privateKey);
}

/**
 * A device-bound session (DBSC, issue 21): signs up, answers the sign-in's registration challenge with a proof made
 * by a jose ES256 key as a browser would. The bound cookie lives as long as DBSC_COOKIE_TTL says.
 */
export async function boundSession(h: HeimdallInstance, email: string): Promise<BoundSession> {
  const headers = { 'user-agent': BROWSER_UA };
  // Sign-up signs in too, and offers registration: one session, as in heimdall-session-sqlite (GET /api/session
  // looks at every live session of the user for its warnings, so a second one would cost more for another reason).
  const login = await postJson(`${h.baseUrl}/api/auth/register`, { email, password: BENCH_PASSWORD }, headers);
  const challenge = /;challenge="([^"]+)"/.exec(login.headers.get('secure-session-registration') ?? '')?.[1];
  if (login.status !== 201 || !challenge) throw new Error(`sign-up offered no DBSC registration: ${login.status}`);
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const sessionCookie = cookiesFrom(login);
  const registered = await request(`${h.baseUrl}/api/dbsc/register`, {
    method: 'POST',
    headers: {
      ...headers,
      cookie: sessionCookie,
      'secure-session-response': `"${await dbscProof(challenge, privateKey, await exportJWK(publicKey))}"`,
    },
  });
  if (registered.status !== 200) throw new Error(`DBSC registration: ${registered.status} ${registered.body}`);
  const boundCookie = cookiesFrom(registered);
  if (!boundCookie.startsWith(`${COOKIE_NAME}-bound=`)) throw new Error('DBSC registration set no bound cookie');
  const sessionId = registered.json<{ session_identifier: string }>().session_identifier;
  return { sessionCookie, boundCookie, sessionId, privateKey };
}

/**
 * GET /api/session of a device-bound session, SQLite: the default read plus the bound cookie's check (one HMAC) —
 * compare with heimdall-session-sqlite for what binding adds to every request.
 */
export const heimdallSessionBound = readScenario({
  id: 'heimdall-session-bound',
  title: 'Heimdall GET /api/session, a device-bound session (DBSC), SQLite',
  stack: 'Heimdall, SQLite, device-bound session',
  family: 'heimdall',
  approach: 'stateful-sql',
  revocation: { immediate: true, note: 'every request reads the session and roles from the store' },
  async launch(ctx) {
    const heimdall = await startHeimdall({ dataDir: join(ctx.tmpDir, 'heimdall'), env: { DBSC_COOKIE_TTL: '1h' } });
    try {
      const bound = await boundSession(heimdall, 'odin@asgard.example');
      const cookie = `${bound.sessionCookie}; ${bound.boundCookie}`;
      return {
        server: heimdall.process,
        url: `${heimdall.baseUrl}/api/session`,
        headers: { 'user-agent': BROWSER_UA, cookie },
        accept: (status, body) => status === 200 && body.includes('"deviceBound":true'),
        stop: () => heimdall.stop(),
      };
    } catch (error) {
      await heimdall.stop();
      throw error;
    }
  },
});
