import { type AccountCalls, accountCalls } from './account-calls.js';
import { type AdminCalls, adminCalls } from './admin-calls.js';
import { type EventStream, type EventStreamOptions, openEventStream } from './event-stream.js';
import { BROWSER_CEREMONIES, type PasskeyCeremonies, runCeremony } from './passkey-ceremonies.js';
import { type ShopCalls, shopCalls } from './shop-calls.js';
import { Transport, type TransportOptions } from './transport.js';
import type {
  AuditPage,
  CurrentSession,
  HeimdallEvent,
  LinkedIdentity,
  ListedSession,
  OidcProvider,
  PasskeyRequestOptions,
  SecondFactorRequired,
  Session,
  SignedIn,
  TokenPair,
  User,
} from './types.js';

export interface HeimdallClientOptions extends TransportOptions {
  /** The browser half of passkey ceremonies; the browser's own JSON WebAuthn API by default. */
  passkeys?: PasskeyCeremonies;
}

/** A second factor for a held sign-in; `{ passkey: true }` runs the passkey ceremony. */
export type SecondFactorProof = { totp: string } | { recoveryCode: string } | { passkey: true };
/** A proof for re-authentication; `{ passkey: true }` runs the passkey ceremony. */
export type ReauthenticationProof = { password: string } | { totp: string } | { passkey: true };

const id = encodeURIComponent;

/**
 * The typed client of Heimdall's API for browsers (no Node import): the session cookie goes along on every call,
 * the CSRF token is fetched and sent on unsafe methods, errors are ApiError with the API's `code`, a sign-in can
 * stop at its second factor, and a sensitive action can stop at re-authentication and be retried.
 */
export class HeimdallClient {
  readonly transport: Transport;
  readonly account: AccountCalls;
  readonly admin: AdminCalls;
  readonly shop: ShopCalls;
  readonly #passkeys: PasskeyCeremonies;

  constructor(options: HeimdallClientOptions = {}) {
    this.transport = new Transport(options);
    this.#passkeys = options.passkeys ?? BROWSER_CEREMONIES;
    this.account = accountCalls(this.transport, this.#passkeys);
    this.admin = adminCalls(this.transport);
    this.shop = shopCalls(this.transport);
  }

  /** The CSRF token the client holds (null before a session is known). */
  get csrfToken(): string | null {
    return this.transport.csrfToken;
  }

  /** An absolute URL on Heimdall (for links and navigations such as third-party sign-on). */
  url(path: string): string {
    return this.transport.url(path);
  }

  /** GET /api/session: who is signed in, with the CSRF token; ApiError `unauthenticated` when nobody is. */
  getSession(): Promise<CurrentSession> {
    return this.transport.request('GET', '/api/session', { expectUnauthenticated: true });
  }

  /**
   * GET /api/auth/return-to: Heimdall's verdict on a `returnTo` (its own paths, or an origin in HEIMDALL_ORIGINS);
   * null when it is refused. A hosted sign-in page follows nothing else.
   */
  async checkReturnTo(returnTo: string): Promise<string | null> {
    const answer: { returnTo: string | null } = await this.transport.request(
      'GET',
      `/api/auth/return-to?${new URLSearchParams({ returnTo })}`,
      { expectUnauthenticated: true },
    );
    return answer.returnTo;
  }

  register(body: { email: string; password: string; name?: string }): Promise<SignedIn> {
    return this.transport.request('POST', '/api/auth/register', { body, anonymous: true });
  }

  /** A session, or `{ secondFactorRequired: true, methods }`: then call submitSecondFactor. */
  login(body: { email: string; password: string; rememberMe?: boolean }): Promise<SignedIn | SecondFactorRequired> {
    return this.transport.request('POST', '/api/auth/login', { body, anonymous: true, expectUnauthenticated: true });
  }

  /** Finishes a sign-in held for its second factor (the `-2fa` cookie names it). */
  async submitSecondFactor(proof: SecondFactorProof): Promise<SignedIn> {
    const options = { anonymous: true, expectUnauthenticated: true } as const;
    if ('passkey' in proof) {
      const request = await this.transport.request<PasskeyRequestOptions>(
        'POST',
        '/api/auth/login/second-factor/options',
        { ...options, body: {} },
      );
      const passkey = await runCeremony(() => this.#passkeys.get(request));
      return this.transport.request('POST', '/api/auth/login/second-factor', { ...options, body: { passkey } });
    }
    return this.transport.request('POST', '/api/auth/login/second-factor', { ...options, body: proof });
  }

  /** Signs in with a passkey alone (discoverable credentials: no email asked). */
  async signInWithPasskey(): Promise<SignedIn> {
    const options = { anonymous: true, expectUnauthenticated: true } as const;
    const request = await this.transport.request<PasskeyRequestOptions>('POST', '/api/auth/passkey/options', {
      ...options,
      body: {},
    });
    const response = await runCeremony(() => this.#passkeys.get(request));
    return this.transport.request('POST', '/api/auth/passkey', { ...options, body: { response } });
  }

  /** Proves a factor again: the session stays, its cookie and CSRF token are new (the client keeps the token). */
  async reauthenticate(proof: ReauthenticationProof): Promise<{ user: User; session: Session; csrfToken: string }> {
    const options = { noReauthentication: true } as const;
    if ('passkey' in proof) {
      const request = await this.transport.request<PasskeyRequestOptions>('POST', '/api/auth/reauthenticate/options', {
        ...options,
        body: {},
      });
      const passkey = await runCeremony(() => this.#passkeys.get(request));
      return this.transport.request('POST', '/api/auth/reauthenticate', { ...options, body: { passkey } });
    }
    return this.transport.request('POST', '/api/auth/reauthenticate', { ...options, body: proof });
  }

  async logout(): Promise<void> {
    await this.transport.request<void>('POST', '/api/auth/logout', { expectUnauthenticated: true });
    this.transport.csrfToken = null;
  }

  async logoutEverywhere(removeIdentities = false): Promise<void> {
    const body = removeIdentities ? { removeIdentities } : undefined;
    await this.transport.request<void>('POST', '/api/auth/logout-everywhere', { body });
    this.transport.csrfToken = null;
  }

  changePassword(body: {
    currentPassword: string;
    newPassword: string;
  }): Promise<{ session: Session; csrfToken: string }> {
    return this.transport.request('POST', '/api/auth/password', { body });
  }

  listSessions(): Promise<{ sessions: ListedSession[]; identities: LinkedIdentity[] }> {
    return this.transport.request('GET', '/api/sessions');
  }

  revokeSession(sessionId: string): Promise<void> {
    return this.transport.request('DELETE', `/api/sessions/${id(sessionId)}`);
  }

  revokeOtherSessions(): Promise<{ revoked: number }> {
    return this.transport.request('POST', '/api/sessions/revoke-others');
  }

  /** The caller's own security activity, newest first. */
  listAudit(limit: number, cursor?: string | null): Promise<AuditPage> {
    const params = new URLSearchParams({ limit: String(limit) });
    if (cursor) params.set('cursor', cursor);
    return this.transport.request('GET', `/api/audit?${params}`);
  }

  /** Third-party sign-on buttons; none when the server cannot say. */
  async oidcProviders(): Promise<OidcProvider[]> {
    try {
      const { providers } = await this.transport.request<{ providers: OidcProvider[] }>('GET', '/api/oidc/providers', {
        expectUnauthenticated: true,
      });
      return Array.isArray(providers) ? providers : [];
    } catch {
      return [];
    }
  }

  listIdentities(): Promise<{ identities: LinkedIdentity[]; hasPassword: boolean }> {
    return this.transport.request('GET', '/api/oidc/identities');
  }

  /** Starts linking a provider to this account; the answer is the provider's address to navigate to. */
  startLink(provider: string, returnTo: string): Promise<{ url: string }> {
    return this.transport.request('POST', `/api/oidc/${id(provider)}/link?returnTo=${id(returnTo)}`);
  }

  unlinkIdentity(identityId: string): Promise<void> {
    return this.transport.request('DELETE', `/api/oidc/identities/${id(identityId)}`);
  }

  /** An API token pair: from this (recently proven) cookie session, or from email and password. */
  issueTokens(
    credentials?: { email: string; password: string; totp?: string; recoveryCode?: string } | null,
  ): Promise<TokenPair> {
    return this.transport.request('POST', '/api/tokens', credentials ? { body: credentials, anonymous: true } : {});
  }

  refreshTokens(refreshToken: string): Promise<TokenPair> {
    return this.transport.request('POST', '/api/tokens/refresh', { body: { refreshToken }, anonymous: true });
  }

  revokeTokens(refreshToken: string): Promise<void> {
    return this.transport.request('POST', '/api/tokens/revoke', { body: { refreshToken }, anonymous: true });
  }

  /** GET /api/events as typed events; close() ends the stream. */
  events(onEvent: (event: HeimdallEvent) => void, options: EventStreamOptions = {}): EventStream {
    return openEventStream(this.url('/api/events'), onEvent, options);
  }
}

/** A sign-in answer that still needs its second factor. */
export function needsSecondFactor(answer: SignedIn | SecondFactorRequired): answer is SecondFactorRequired {
  return 'secondFactorRequired' in answer && answer.secondFactorRequired === true;
}
