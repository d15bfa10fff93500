import { describe, expect, it } from 'vitest';
import { type Identification, RequestAuthenticator } from '../../src/auth/request-authenticator.js';
import type { RequestFacts } from '../../src/auth/request-facts.js';
import type { User } from '../../src/core/user.js';
import { makeSession } from '../contracts/session-store.js';
import { FakeClock } from '../helpers/fake-clock.js';

const TEN_MINUTES = 10 * 60_000;

const user: User = {
  id: 'u1',
  email: 'odin@asgard.example',
  name: 'Odin',
  roles: ['user'],
  passwordHash: null,
  disabled: false,
  emailVerified: true,
  secondFactors: [],
  sessionVersion: 0,
  createdAt: 0,
  updatedAt: 0,
};

function setUp() {
  const clock = new FakeClock();
  const authenticator = new RequestAuthenticator({
    clock,
    sessions: { validate: async () => null },
    bearer: { authenticate: async () => ({ ok: false, code: 'unauthenticated' }) },
    cookieName: '__Host-heimdall',
    allowedOrigins: [],
  });
  const session = makeSession(user.id, { authenticatedAt: clock.now() });
  const facts: RequestFacts = { method: 'GET', headers: {}, ip: '127.0.0.1', ownOrigin: 'http://localhost' };
  const identified = (scheme: 'cookie' | 'bearer'): Identification => ({
    scheme,
    auth: { session, user },
    failure: null,
    staleCookie: false,
  });
  return { clock, authenticator, facts, identified };
}

describe('fresh authentication (step-up)', () => {
  it('lets a cookie session through while its last proof is within the allowed age', () => {
    const { clock, authenticator, facts, identified } = setUp();
    clock.advance(TEN_MINUTES);
    expect(authenticator.authorize(facts, identified('cookie'), { recentWithinMs: TEN_MINUTES }).ok).toBe(true);
  });

  it('refuses a cookie session whose last proof is older, with 403 reauthentication_required and the age asked', () => {
    const { clock, authenticator, facts, identified } = setUp();
    clock.advance(TEN_MINUTES + 1);
    const verdict = authenticator.authorize(facts, identified('cookie'), { recentWithinMs: TEN_MINUTES });
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.error).toMatchObject({ code: 'reauthentication_required', status: 403 });
    expect(verdict.error.details).toEqual({ maxAgeSeconds: 600 });
  });

  it('never counts a Bearer access token as recent, however fresh its family', () => {
    const { authenticator, facts, identified } = setUp();
    const verdict = authenticator.authorize(facts, identified('bearer'), { recentWithinMs: TEN_MINUTES });
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.error.code).toBe('reauthentication_required');
    expect(authenticator.authorize(facts, identified('bearer')).ok).toBe(true);
  });
});
