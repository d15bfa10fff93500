import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode } from '../helpers/api-client.js';
import { enrolTotp, presentSecondFactor, secondFactorCookieOf } from '../helpers/second-factors.js';
import { createTestApp, signedUpClient, type TestApp, TestClient } from '../helpers/test-app.js';

const RUNS = Number(process.env.FACTOR_FUZZ_RUNS ?? 60);

const base64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
/** A credential of the right shape whose contents are random bytes, or random JSON posing as client data. */
const shapedCredential = (kind: 'attestation' | 'assertion') =>
  fc
    .record({
      id: fc.uint8Array({ minLength: 1, maxLength: 64 }),
      clientData: fc.oneof(
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        fc
          .record({ type: fc.string(), challenge: fc.string(), origin: fc.string() })
          .map((data) => new TextEncoder().encode(JSON.stringify(data))),
      ),
      blob: fc.uint8Array({ minLength: 1, maxLength: 300 }),
      signature: fc.uint8Array({ minLength: 1, maxLength: 100 }),
    })
    .map(({ id, clientData, blob, signature }) => ({
      id: base64url(id),
      rawId: base64url(id),
      type: 'public-key',
      clientExtensionResults: {},
      response:
        kind === 'attestation'
          ? { clientDataJSON: base64url(clientData), attestationObject: base64url(blob) }
          : {
              clientDataJSON: base64url(clientData),
              authenticatorData: base64url(blob),
              signature: base64url(signature),
            },
    }));

/**
 * ASVS 1.2.x / 16.5.3: malformed WebAuthn and TOTP input gets the documented 400 `invalid_request` and never a 5xx;
 * credentials of the right shape whose contents are junk are refused (400 or 401), never trusted, never a crash.
 */
describe('hostile input to the second-factor endpoints', () => {
  let t: TestApp;
  let fresh: TestClient;
  let held: string;

  beforeAll(async () => {
    t = await createTestApp({ SIGN_ON_LIMIT_IP: '100000' });
    fresh = await signedUpClient(t.app, 'odin@asgard.example');
    // An enrolment waiting for its first code, for the confirmation's input.
    expect((await fresh.request({ method: 'POST', url: '/api/account/totp' })).statusCode).toBe(200);
    // Someone else's sign-in held for its second factor, for the second step's input.
    await enrolTotp(await signedUpClient(t.app, 'loki@asgard.example'), t.clock);
    held = secondFactorCookieOf(await new TestClient(t.app).login('loki@asgard.example'))!.value;
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (client: TestClient, url: string, payload: unknown, cookie?: string) =>
    client.request({
      method: 'POST',
      url,
      payload: payload as Record<string, unknown>,
      ...(cookie ? { headers: { cookie } } : {}),
    });

  it('bodies that are not WebAuthn credentials are 400 invalid_request on every endpoint that takes one', async () => {
    const anonymous = new TestClient(t.app);
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (junk) => {
        for (const [client, url, body] of [
          [anonymous, '/api/auth/passkey', { response: junk }],
          [anonymous, '/api/auth/login/second-factor', { passkey: junk }],
          [fresh, '/api/account/passkeys', { response: junk }],
          [fresh, '/api/auth/reauthenticate', { passkey: junk }],
        ] as const) {
          const response = await post(client, url, body);
          expect(response.statusCode, `${url} ${JSON.stringify(junk)}`).toBe(400);
          expect(errorCode(response)).toBe('invalid_request');
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('credentials of the right shape with junk inside are refused with 400 or 401, never accepted, never a 5xx', async () => {
    const anonymous = new TestClient(t.app);
    await fc.assert(
      fc.asyncProperty(
        shapedCredential('assertion'),
        shapedCredential('attestation'),
        async (assertion, attestation) => {
          const signIn = await anonymous.request({
            method: 'POST',
            url: '/api/auth/passkey/options',
            payload: {},
          });
          const cookie = signIn.cookies.find((c) => c.name === '__Host-heimdall-webauthn');
          const answers = [
            await post(
              anonymous,
              '/api/auth/passkey',
              { response: assertion },
              `__Host-heimdall-webauthn=${cookie?.value}`,
            ),
            await post(fresh, '/api/auth/reauthenticate', { passkey: assertion }),
          ];
          await post(fresh, '/api/account/passkeys/options', {});
          answers.push(await post(fresh, '/api/account/passkeys', { response: attestation }));
          for (const answer of answers) expect([400, 401], answer.body).toContain(answer.statusCode);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('TOTP and recovery codes that are not codes are 400; wrong ones are 401; none is a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.jsonValue()), async (code) => {
        const sixDigits = typeof code === 'string' && /^[0-9]{6}$/.test(code);
        const confirm = await post(fresh, '/api/account/totp/confirm', { code });
        expect(confirm.statusCode).toBe(400);
        const step = await presentSecondFactor(new TestClient(t.app), held, { totp: code });
        // A wrong six-digit code counts toward the limits (429 once they bite) and, five times, ends the hold (401).
        expect(sixDigits ? [401, 429] : [400]).toContain(step.statusCode);
        const recovery = await presentSecondFactor(new TestClient(t.app), undefined, { recoveryCode: code });
        const fits = typeof code === 'string' && code.length >= 1 && code.length <= 64;
        expect(recovery.statusCode).toBe(fits ? 401 : 400);
        const grant = await t.app.inject({
          method: 'POST',
          url: '/api/tokens',
          payload: { email: 'odin@asgard.example', password: 'x', totp: code },
        });
        expect([400, 401, 429]).toContain(grant.statusCode);
      }),
      { numRuns: RUNS },
    );
  });
});
