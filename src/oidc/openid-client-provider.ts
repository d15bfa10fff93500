import * as client from 'openid-client';
import type { OidcProviderConfig } from '../config/oidc-config.js';
import type {
  AuthorizationRequest,
  ExpectedResponse,
  SignOnErrorCode,
  SignOnFailure,
  SignOnProvider,
  SignOnProviders,
  VerifiedIdentity,
} from '../core/sign-on.js';

export interface OpenIdClientOptions {
  /** Outbound HTTP for discovery, JWKS, token and userinfo requests (tests inject one that tampers with answers). */
  fetch?: client.CustomFetch;
  /** Seconds each outbound request may take. */
  timeoutSeconds?: number;
}

/** API.md: clock tolerance on every token's expiry is at most 5 s (openid-client's default is 30). */
const CLOCK_TOLERANCE_SECONDS = 5;
const DEFAULT_TIMEOUT_SECONDS = 10;

/**
 * One OpenID provider through openid-client: discovery from the issuer, authorization code flow with PKCE (S256),
 * state and nonce; openid-client validates the authorization response (state, RFC 9207 `iss` against mix-up), the
 * token response and the ID token (signature against the provider's JWKS, alg, iss, aud/azp, exp/iat, nonce).
 */
export class OpenIdClientProvider implements SignOnProvider {
  readonly name: string;
  readonly label: string;
  readonly #settings: OidcProviderConfig;
  readonly #options: OpenIdClientOptions;
  #configuration: Promise<client.Configuration> | undefined;

  constructor(settings: OidcProviderConfig, options: OpenIdClientOptions = {}) {
    this.name = settings.name;
    this.label = settings.label;
    this.#settings = settings;
    this.#options = options;
  }

  async createAuthorizationRequest(redirectUri: string): Promise<AuthorizationRequest | SignOnFailure> {
    const config = await this.#discover();
    if (!(config instanceof client.Configuration)) return config;
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: this.#settings.scopes.join(' '),
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, state, nonce, codeVerifier };
  }

  async handleCallback(
    callbackUrl: URL,
    expected: ExpectedResponse,
  ): Promise<{ ok: true; identity: VerifiedIdentity } | SignOnFailure> {
    const config = await this.#discover();
    if (!(config instanceof client.Configuration)) return config;
    try {
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: expected.codeVerifier,
        expectedState: expected.state,
        expectedNonce: expected.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) return failure('invalid_response', 'no ID token in the token response');
      let email = typeof claims.email === 'string' ? claims.email : null;
      let verified = claims.email_verified;
      let name = typeof claims.name === 'string' ? claims.name : null;
      // Providers may keep email and profile claims out of the ID token and serve them at userinfo instead.
      if ((email === null || verified === undefined) && config.serverMetadata().userinfo_endpoint) {
        const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
        // The verified flag only counts for the address it was sent with.
        if (typeof info.email === 'string' && (email === null || info.email === email)) {
          email = info.email;
          verified = info.email_verified;
        }
        name ??= typeof info.name === 'string' ? info.name : null;
      }
      return {
        ok: true,
        identity: { issuer: claims.iss, subject: claims.sub, email, emailVerified: verified === true, name },
      };
    } catch (error) {
      return classify(error);
    }
  }

  /** The provider's configuration, discovered once; a failed discovery is retried on the next request. */
  async #discover(): Promise<client.Configuration | SignOnFailure> {
    this.#configuration ??= this.#runDiscovery().catch((error: unknown) => {
      this.#configuration = undefined;
      throw error;
    });
    try {
      return await this.#configuration;
    } catch (error) {
      return failure('provider_unavailable', `discovery of ${this.#settings.issuer} failed: ${describe(error)}`);
    }
  }

  #runDiscovery(): Promise<client.Configuration> {
    const { issuer, clientId, clientSecret } = this.#settings;
    const issuerUrl = new URL(issuer);
    const metadata: Partial<client.ClientMetadata> = { [client.clockTolerance]: CLOCK_TOLERANCE_SECONDS };
    if (clientSecret) metadata.client_secret = clientSecret;
    // RFC 6749 §2.3.1: every server must accept HTTP Basic; without a secret the client is public (PKCE only).
    const auth = clientSecret ? client.ClientSecretBasic(clientSecret) : client.None();
    // ID tokens come over TLS from the token endpoint, where openid-client may skip the signature; verify it anyway,
    // so a tampered or injected token is refused even where TLS is terminated or the issuer is on loopback HTTP.
    const execute = [client.enableNonRepudiationChecks];
    // oidc-config only lets plain-HTTP issuers through on loopback.
    if (issuerUrl.protocol === 'http:') execute.push(client.allowInsecureRequests);
    return client.discovery(issuerUrl, clientId, metadata, auth, {
      execute,
      timeout: this.#options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
      ...(this.#options.fetch ? { [client.customFetch]: this.#options.fetch } : {}),
    });
  }
}

/** The configured providers, each discovered lazily so that Heimdall starts even when a provider is down. */
export class OpenIdClientProviders implements SignOnProviders {
  readonly #providers: Map<string, OpenIdClientProvider>;

  constructor(settings: OidcProviderConfig[], options: OpenIdClientOptions = {}) {
    this.#providers = new Map(settings.map((s) => [s.name, new OpenIdClientProvider(s, options)]));
  }

  list(): SignOnProvider[] {
    return [...this.#providers.values()];
  }

  get(name: string): SignOnProvider | null {
    return this.#providers.get(name) ?? null;
  }
}

function failure(code: SignOnErrorCode, reason: string): SignOnFailure {
  return { ok: false, code, reason };
}

/** openid-client's errors → our closed list of codes; the library's own words go to the log as the reason. */
function classify(error: unknown): SignOnFailure {
  if (error instanceof client.AuthorizationResponseError) {
    const code = error.error === 'access_denied' ? 'access_denied' : 'provider_error';
    return failure(code, `the provider answered ${error.error.slice(0, 100)}${describeCause(error.error_description)}`);
  }
  if (error instanceof client.ResponseBodyError) {
    // invalid_grant: a spent or foreign code, or a PKCE verifier that does not match the challenge.
    return failure(
      'invalid_response',
      `the token endpoint answered ${error.error}${describeCause(error.error_description)}`,
    );
  }
  if (isNetworkError(error)) return failure('provider_unavailable', describe(error));
  return failure('invalid_response', describe(error));
}

function isNetworkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return true;
  return error instanceof TypeError && error.message === 'fetch failed';
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error && error.cause.message !== error.message ? error.cause.message : '';
  return `${error.message}${describeCause(cause)}`;
}

/** Provider-sent text reaches only the log, JSON-encoded and cut short. */
function describeCause(detail: string | undefined): string {
  return detail ? ` (${detail.slice(0, 200)})` : '';
}
