/**
 * Third-party sign-on, as core sees it. The protocol itself (discovery, PKCE, code exchange, ID token validation) is
 * an adapter's job (src/oidc, openid-client); core only decides what a verified identity means for accounts.
 */

/** Codes sent back to the SPA as `?error=<code>`. A closed list: nothing from the request is ever reflected. */
export type SignOnErrorCode =
  /** No such provider is configured. */
  | 'unknown_provider'
  /** Discovery, JWKS or token endpoint unreachable. */
  | 'provider_unavailable'
  /** The user declined at the provider. */
  | 'access_denied'
  /** The provider answered the authorization request with another error. */
  | 'provider_error'
  /** No, unknown, expired, spent or foreign pre-login cookie, or a `state` that does not match it. */
  | 'invalid_state'
  /** The answer arrived at another provider's callback than the one the sign-on started with (mix-up). */
  | 'provider_mismatch'
  /** The code exchange or ID token validation failed (wrong iss/aud/nonce/alg/signature, expired, spent code, PKCE). */
  | 'invalid_response'
  /** An account with the provider's email exists and may not be linked automatically. */
  | 'email_taken'
  /** The provider gave no usable email, which a new account needs. */
  | 'email_required'
  /** The provider does not vouch for the email (`email_verified` is not true), so no account is made from it. */
  | 'email_unverified'
  /** New accounts are closed (HEIMDALL_ALLOW_REGISTRATION=false). */
  | 'registration_closed'
  /** The account is disabled. */
  | 'account_disabled'
  /** Linking: the identity already belongs to another account. */
  | 'identity_taken'
  /** Linking: the session that asked for it is gone. */
  | 'unauthenticated'
  /** ANOMALY_ACTION=revoke: the sign-in completed a country spread and every session, its own included, was ended. */
  | 'signed_out_everywhere';

export type SignOnFailure = { ok: false; code: SignOnErrorCode; reason: string };

/** Claims of a validated ID token (plus userinfo where the ID token lacked them). */
export interface VerifiedIdentity {
  issuer: string;
  subject: string;
  email: string | null;
  /** Only a provider's explicit `email_verified: true` counts. */
  emailVerified: boolean;
  name: string | null;
}

/** What /start hands the browser to, and the secrets the callback will be checked against. */
export interface AuthorizationRequest {
  url: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** What the callback must match: the values stored when the sign-on started. */
export interface ExpectedResponse {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Port: one configured OpenID provider. */
export interface SignOnProvider {
  readonly name: string;
  readonly label: string;
  createAuthorizationRequest(redirectUri: string): Promise<AuthorizationRequest | SignOnFailure>;
  /** Validates the authorization response at `callbackUrl`, exchanges the code and validates the ID token. */
  handleCallback(
    callbackUrl: URL,
    expected: ExpectedResponse,
  ): Promise<{ ok: true; identity: VerifiedIdentity } | SignOnFailure>;
}

/** Port: the configured providers, by path name. */
export interface SignOnProviders {
  list(): SignOnProvider[];
  get(name: string): SignOnProvider | null;
}

export const noSignOnProviders: SignOnProviders = { list: () => [], get: () => null };
