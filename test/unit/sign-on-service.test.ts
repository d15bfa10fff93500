import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  AuthorizationRequest,
  ExpectedResponse,
  SignOnFailure,
  SignOnProvider,
  VerifiedIdentity,
} from '../../src/core/sign-on.js';
import { PENDING_SIGN_ON_TTL_MS, SignOnService } from '../../src/core/sign-on-service.js';
import { hashToken } from '../../src/core/tokens.js';
import { SqlIdentityRepository } from '../../src/stores/sql/sql-identity-repository.js';
import { SqlPendingSignOnStore } from '../../src/stores/sql/sql-pending-sign-on-store.js';
import { type CoreFixture, createCoreFixture } from '../helpers/core-fixture.js';

/** Sessions made as a password sign-in makes them. */
const PASSWORD = { methods: ['password' as const] };

const ISSUER = 'https://idp.example';
const CLIENT = { ip: '203.0.113.9', userAgent: 'test' };

/**
 * Stands in for the openid-client adapter (tested against a real provider in test/integration and test/security):
 * answers each callback with the identity the test chose, after checking what the service expects.
 */
class ScriptedProvider implements SignOnProvider {
  readonly label = 'Scripted';
  next: VerifiedIdentity | SignOnFailure = {
    issuer: ISSUER,
    subject: 'sub-1',
    email: null,
    emailVerified: false,
    name: null,
  };
  seen: ExpectedResponse[] = [];
  #count = 0;
  constructor(readonly name: string) {}

  async createAuthorizationRequest(redirectUri: string): Promise<AuthorizationRequest> {
    this.#count++;
    return {
      url: `${ISSUER}/auth?redirect_uri=${encodeURIComponent(redirectUri)}`,
      state: `state-${this.#count}`,
      nonce: `nonce-${this.#count}`,
      codeVerifier: `verifier-${this.#count}`,
    };
  }

  async handleCallback(_url: URL, expected: ExpectedResponse) {
    this.seen.push(expected);
    return 'ok' in this.next ? this.next : { ok: true as const, identity: this.next };
  }
}

describe('SignOnService', () => {
  let fx: CoreFixture;
  let idp: ScriptedProvider;
  let identities: SqlIdentityRepository;
  const build = (
    options: {
      linkVerifiedEmail?: boolean;
      allowRegistration?: boolean;
      anomalies?: ConstructorParameters<typeof SignOnService>[0]['anomalies'];
    } = {},
  ) =>
    new SignOnService({
      providers: { list: () => [idp], get: (name) => (name === idp.name ? idp : name === 'other' ? other : null) },
      identities,
      pending: new SqlPendingSignOnStore(fx.database.db),
      users: fx.userRepository,
      sessions: fx.sessions,
      clock: fx.clock,
      publicOrigin: 'https://auth.example.com',
      linkVerifiedEmail: options.linkVerifiedEmail ?? false,
      allowRegistration: options.allowRegistration ?? true,
      anomalies: options.anomalies,
    });
  const other = new ScriptedProvider('other');
  let service: SignOnService;

  beforeEach(async () => {
    fx = await createCoreFixture();
    idp = new ScriptedProvider('idp');
    identities = new SqlIdentityRepository(fx.database.db);
    service = build();
  });
  afterEach(async () => {
    await fx.close();
  });

  const start = async (returnTo: unknown = '/', s = service, provider = 'idp') => {
    const started = await s.start({ provider, redirectUri: 'https://auth.example.com/cb', returnTo, client: CLIENT });
    if (!started.ok) throw new Error(started.code);
    return started;
  };
  const answer = (secret: string | undefined, state = 'state-1', provider = 'idp', s = service) =>
    s.complete({
      provider,
      callbackUrl: new URL(`https://auth.example.com/cb?code=c&state=${state}`),
      preLoginSecret: secret,
      client: CLIENT,
    });
  /** The identity the provider answers with next; its email counts as verified by the provider unless said. */
  const as = (identity: Partial<VerifiedIdentity>) => {
    idp.next = { issuer: ISSUER, subject: 'sub-1', email: null, emailVerified: true, name: null, ...identity };
  };

  it('start() keeps only the hash of the pre-login secret, with the state, nonce and verifier to expect', async () => {
    const started = await start('/account');
    const row = await fx.database.db.selectFrom('oidc_pending').selectAll().executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(hashToken(started.secret));
    expect(JSON.stringify(row)).not.toContain(started.secret);
    expect([row.state, row.nonce, row.code_verifier, row.return_to]).toEqual([
      'state-1',
      'nonce-1',
      'verifier-1',
      '/account',
    ]);
    expect(Number(row.expires_at) - fx.clock.now()).toBe(PENDING_SIGN_ON_TTL_MS);
  });

  it('start() refuses an unknown provider without storing anything', async () => {
    const started = await service.start({ provider: 'nope', redirectUri: 'x', returnTo: '/', client: CLIENT });
    expect(started).toMatchObject({ ok: false, code: 'unknown_provider' });
  });

  it('a first sign-on creates an account without a password and a session that names the provider', async () => {
    as({ email: 'Freya@Vanaheim.example', emailVerified: true, name: 'Freya' });
    const outcome = await answer((await start('/account')).secret);
    if (!outcome.ok || outcome.intent !== 'sign-in') throw new Error(JSON.stringify(outcome));
    expect(outcome.createdAccount).toBe(true);
    expect(outcome.user).toMatchObject({ email: 'freya@vanaheim.example', name: 'Freya', passwordHash: null });
    expect(outcome.issued.session.provider).toBe('idp');
    expect(outcome.returnTo).toBe('/account');
    expect(idp.seen).toEqual([{ ...idp.seen[0], state: 'state-1', nonce: 'nonce-1', codeVerifier: 'verifier-1' }]);
  });

  it('a sign-on after which ANOMALY_ACTION=revoke ended every session is refused, not answered with a dead session', async () => {
    const anomalous = build({
      anomalies: {
        afterSignIn: async (session) => {
          await fx.sessions.revokeAll(session.userId, { by: 'anomaly' });
          return [{ code: 'multiple_countries', message: 'Signed out everywhere.', action: 'revoked', revoked: 1 }];
        },
      },
    });
    as({ email: 'a@example.com' });
    const outcome = await answer((await start('/', anomalous)).secret, 'state-1', 'idp', anomalous);
    expect(outcome).toMatchObject({ ok: false, code: 'signed_out_everywhere' });
    const user = await fx.userRepository.findByEmail('a@example.com');
    expect(await fx.sessions.list(user!.id)).toEqual([]);
  });

  it('a known (issuer, subject) signs in to the same account even when the email changed', async () => {
    as({ email: 'a@example.com' });
    const first = await answer((await start()).secret);
    as({ email: 'renamed@example.com' });
    const second = await answer((await start()).secret, 'state-2');
    expect(first.ok && second.ok && first.user.id === second.user.id).toBe(true);
    expect((await identities.listForUser(first.ok ? first.user.id : ''))[0]?.email).toBe('renamed@example.com');
  });

  it('the same subject at another issuer is another person', async () => {
    as({ email: 'a@example.com' });
    await answer((await start()).secret);
    as({ issuer: 'https://other-issuer.example', email: 'b@example.com' });
    const second = await answer((await start()).secret, 'state-2');
    expect(second).toMatchObject({ ok: true, createdAccount: true });
  });

  it('each attempt is single-use, expires after ten minutes and must come back with its state', async () => {
    const { secret } = await start();
    expect(await answer(undefined)).toMatchObject({ ok: false, code: 'invalid_state', reason: 'no pre-login cookie' });
    expect(await answer(secret, 'state-forged')).toMatchObject({ ok: false, code: 'invalid_state' });
    // The forged attempt consumed it: the genuine answer now fails too.
    expect(await answer(secret)).toMatchObject({ ok: false, code: 'invalid_state' });

    const late = await start();
    fx.clock.advance(PENDING_SIGN_ON_TTL_MS);
    expect(await answer(late.secret, 'state-2')).toMatchObject({ ok: false, code: 'invalid_state' });
    expect(idp.seen).toHaveLength(0);
  });

  it('an answer at another provider than the one started is refused (mix-up)', async () => {
    const { secret } = await start();
    expect(await answer(secret, 'state-1', 'other')).toMatchObject({ ok: false, code: 'provider_mismatch' });
    expect(idp.seen).toHaveLength(0);
    expect(other.seen).toHaveLength(0);
  });

  it('passes the provider adapter’s refusal through', async () => {
    idp.next = { ok: false, code: 'invalid_response', reason: 'unexpected JWT "aud"' };
    expect(await answer((await start()).secret)).toMatchObject({ ok: false, code: 'invalid_response' });
  });

  describe('an email that belongs to an existing account', () => {
    let ownerId: string;
    beforeEach(async () => {
      const registered = await fx.users.register({ email: 'odin@asgard.example', password: 'correct horse battery' });
      if (!registered.ok) throw new Error('register');
      ownerId = registered.user.id;
    });

    it('is never linked when the provider does not vouch for it, even with linking on', async () => {
      service = build({ linkVerifiedEmail: true });
      as({ email: 'odin@asgard.example', emailVerified: false });
      const outcome = await answer((await start()).secret);
      expect(outcome).toMatchObject({ ok: false, code: 'email_taken', userId: ownerId });
      expect(await identities.listForUser(ownerId)).toEqual([]);
    });

    it('is not linked when linking by email is off, verified or not', async () => {
      as({ email: 'odin@asgard.example', emailVerified: true });
      expect(await answer((await start()).secret)).toMatchObject({ ok: false, code: 'email_taken' });
    });

    it('is not linked while Heimdall has not verified the account’s address itself (pre-hijacking)', async () => {
      service = build({ linkVerifiedEmail: true });
      as({ email: 'odin@asgard.example', emailVerified: true });
      const outcome = await answer((await start()).secret);
      expect(outcome).toMatchObject({ ok: false, code: 'email_taken', userId: ownerId });
      expect(outcome.ok || outcome.reason).toMatch(/Heimdall has not verified/);
      expect(await identities.listForUser(ownerId)).toEqual([]);
    });

    it('is linked when verified by the provider and by Heimdall, and OIDC_LINK_VERIFIED_EMAIL is on', async () => {
      await fx.userRepository.update(ownerId, { emailVerified: true }, fx.clock.now());
      service = build({ linkVerifiedEmail: true });
      as({ email: 'ODIN@asgard.example', emailVerified: true });
      const outcome = await answer((await start()).secret);
      expect(outcome).toMatchObject({ ok: true, createdAccount: false, linkedIdentity: true, user: { id: ownerId } });
    });
  });

  it('makes no account from an email the provider does not vouch for', async () => {
    as({ email: 'new@example.com', emailVerified: false });
    const outcome = await answer((await start()).secret);
    expect(outcome).toMatchObject({ ok: false, code: 'email_unverified' });
    expect(await fx.userRepository.findByEmail('new@example.com')).toBeNull();
  });

  it('makes a new account from a vouched-for email unverified: only Heimdall’s own link verifies it', async () => {
    as({ email: 'new@example.com' });
    const outcome = await answer((await start()).secret);
    expect(outcome).toMatchObject({ ok: true, createdAccount: true, user: { emailVerified: false } });
  });

  it('refuses a new account without an email, or when registration is closed', async () => {
    as({ email: null });
    expect(await answer((await start()).secret)).toMatchObject({ ok: false, code: 'email_required' });
    service = build({ allowRegistration: false });
    as({ email: 'new@example.com' });
    expect(await answer((await start()).secret, 'state-2')).toMatchObject({ ok: false, code: 'registration_closed' });
  });

  describe('linking from a signed-in session', () => {
    const startLink = async (auth: Awaited<ReturnType<typeof fx.sessions.validate>>) => {
      const started = await service.start({
        provider: 'idp',
        redirectUri: 'x',
        returnTo: '/account',
        link: auth!,
        client: CLIENT,
      });
      if (!started.ok) throw new Error(started.code);
      return started.secret;
    };
    const signedIn = async (email: string) => {
      const registered = await fx.users.register({ email, password: 'correct horse battery' });
      if (!registered.ok) throw new Error('register');
      const issued = await fx.sessions.create(registered.user, CLIENT, PASSWORD);
      return fx.sessions.validate(issued.secret);
    };

    it('adds the identity to the account that asked, whatever email the provider reports', async () => {
      const auth = await signedIn('thor@asgard.example');
      as({ email: 'someone-else@example.com', emailVerified: false });
      const outcome = await answer(await startLink(auth));
      expect(outcome).toMatchObject({ ok: true, intent: 'link', user: { id: auth!.user.id }, returnTo: '/account' });
      expect(await identities.listForUser(auth!.user.id)).toHaveLength(1);
    });

    it('refuses when the session that asked has ended meanwhile', async () => {
      const auth = await signedIn('thor@asgard.example');
      const secret = await startLink(auth);
      await fx.sessions.revoke(auth!.session);
      expect(await answer(secret)).toMatchObject({ ok: false, code: 'unauthenticated' });
    });

    it('refuses an identity that belongs to another account', async () => {
      as({ email: 'loki@example.com' });
      await answer((await start()).secret);
      const auth = await signedIn('thor@asgard.example');
      expect(await answer(await startLink(auth), 'state-2')).toMatchObject({ ok: false, code: 'identity_taken' });
    });
  });

  describe('unlink()', () => {
    it('never removes the last way to sign in of an account without a password', async () => {
      as({ email: 'solo@example.com' });
      const outcome = await answer((await start()).secret);
      if (!outcome.ok) throw new Error(outcome.reason);
      const [only] = await identities.listForUser(outcome.user.id);
      expect(await service.unlink(outcome.user, only!.id)).toEqual({ ok: false, code: 'last_sign_in_method' });
      expect(await identities.listForUser(outcome.user.id)).toHaveLength(1);
    });

    it('removes an identity of an account that has a password, and not another user’s', async () => {
      const registered = await fx.users.register({ email: 'tyr@asgard.example', password: 'correct horse battery' });
      if (!registered.ok) throw new Error('register');
      const auth = await fx.sessions.validate((await fx.sessions.create(registered.user, CLIENT, PASSWORD)).secret);
      as({ email: 'tyr@elsewhere.example' });
      const started = await service.start({
        provider: 'idp',
        redirectUri: 'x',
        returnTo: '/',
        link: auth!,
        client: CLIENT,
      });
      await answer(started.ok ? started.secret : undefined);
      const [identity] = await identities.listForUser(registered.user.id);
      const stranger = await fx.users.register({ email: 'x@asgard.example', password: 'correct horse battery' });
      if (!stranger.ok) throw new Error('register');
      expect(await service.unlink(stranger.user, identity!.id)).toEqual({ ok: false, code: 'not_found' });
      expect(await service.unlink(registered.user, identity!.id)).toMatchObject({ ok: true });
      expect(await identities.listForUser(registered.user.id)).toEqual([]);
    });
  });
});
