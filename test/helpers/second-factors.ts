import type { LightMyRequestResponse } from 'fastify';
import { generateTotp } from '../../src/core/totp.js';
import type { FakeClock } from './fake-clock.js';
import type { TestClient } from './test-app.js';

export const SECOND_FACTOR_COOKIE = '__Host-heimdall-2fa';
export const TOTP_STEP_MS = 30_000;

/** Enrols an authenticator app for the signed-in client (its session must be fresh); returns the secret and codes. */
export async function enrolTotp(
  client: TestClient,
  clock: FakeClock,
): Promise<{ secret: string; recoveryCodes: string[] }> {
  const started = await client.request({ method: 'POST', url: '/api/account/totp' });
  if (started.statusCode !== 200) throw new Error(`totp start: ${started.statusCode} ${started.body}`);
  const { secret } = started.json() as { secret: string };
  const confirmed = await client.request({
    method: 'POST',
    url: '/api/account/totp/confirm',
    payload: { code: generateTotp(secret, clock.now()) },
  });
  if (confirmed.statusCode !== 200) throw new Error(`totp confirm: ${confirmed.statusCode} ${confirmed.body}`);
  // The confirming code's step is spent: the next code comes from the next step.
  clock.advance(TOTP_STEP_MS);
  return { secret, recoveryCodes: (confirmed.json() as { recoveryCodes: string[] }).recoveryCodes };
}

/** The `__Host-heimdall-2fa` cookie a response set, if any. */
export function secondFactorCookieOf(response: LightMyRequestResponse) {
  return (response.cookies as { name: string; value: string }[]).find((c) => c.name === SECOND_FACTOR_COOKIE);
}

/** POST /api/auth/login/second-factor with the 2fa cookie and a proof, as the SPA's second-factor page does. */
export function presentSecondFactor(
  client: TestClient,
  cookie: string | undefined,
  proof: Record<string, unknown>,
): Promise<LightMyRequestResponse> {
  return client.request({
    method: 'POST',
    url: '/api/auth/login/second-factor',
    headers: cookie ? { cookie: `${SECOND_FACTOR_COOKIE}=${cookie}` } : {},
    payload: proof,
  });
}
