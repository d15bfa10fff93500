import type { Generated } from 'kysely';

/** Row types. Times are epoch milliseconds (BIGINT); booleans are 0/1 integers so one schema fits SQLite and PostgreSQL. */
export interface UsersTable {
  id: string;
  email: string;
  name: string;
  /** JSON array of role names. */
  roles: string;
  password_hash: string | null;
  disabled: number;
  session_version: number;
  created_at: number;
  updated_at: number;
  email_verified: number;
  /** JSON array of second-factor kinds. */
  second_factors: string;
}

export interface SessionsTable {
  token_hash: string;
  id: string;
  user_id: string;
  kind: string;
  user_version: number;
  created_at: number;
  last_seen_at: number;
  idle_expires_at: number;
  absolute_expires_at: number;
  idle_timeout_ms: number;
  remember_me: number;
  ip: string;
  user_agent: string;
  browser: string | null;
  os: string | null;
  country: string | null;
  csrf_token: string;
  provider: string | null;
  authenticated_at: number;
  /** JSON array of the methods proven at authenticated_at. */
  methods: string;
  /** DBSC: the bound public key (JWK, JSON), or null. */
  device_key: string | null;
}

/** Small key/value facts about this installation (e.g. who claimed the first-admin slot). */
export interface AppMetaTable {
  key: string;
  value: string;
  created_at: number;
}

export interface IdentitiesTable {
  id: string;
  user_id: string;
  provider: string;
  issuer: string;
  subject: string;
  email: string | null;
  created_at: number;
  last_used_at: number;
}

export interface OidcPendingTable {
  key_hash: string;
  provider: string;
  intent: string;
  user_id: string | null;
  session_id: string | null;
  state: string;
  nonce: string;
  code_verifier: string;
  return_to: string;
  created_at: number;
  expires_at: number;
}

/** Security events (migration 0002-audit). `id` is generated; details is a JSON object. */
export interface AuditEventsTable {
  id: Generated<number>;
  at: number;
  type: string;
  user_id: string | null;
  session_id: string | null;
  ip: string | null;
  user_agent: string | null;
  country: string | null;
  details: string;
}

export interface KnownDevicesTable {
  user_id: string;
  family: string;
  first_seen_at: number;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  app_meta: AppMetaTable;
  identities: IdentitiesTable;
  oidc_pending: OidcPendingTable;
  audit_events: AuditEventsTable;
  known_devices: KnownDevicesTable;
  signing_keys: SigningKeysTable;
  refresh_tokens: RefreshTokensTable;
  denied_families: DeniedFamiliesTable;
  products: ProductsTable;
  purchases: PurchasesTable;
  email_tokens: EmailTokensTable;
  mail_queue: MailQueueTable;
  totp_factors: TotpFactorsTable;
  recovery_codes: RecoveryCodesTable;
  webauthn_user_handles: WebAuthnUserHandlesTable;
  passkeys: PasskeysTable;
  webauthn_challenges: WebAuthnChallengesTable;
  pending_sign_ins: PendingSignInsTable;
}

/** Email links (migration 0007): only the SHA-256 of each token is stored. */
export interface EmailTokensTable {
  token_hash: string;
  purpose: string;
  user_id: string;
  email: string;
  created_at: number;
  expires_at: number;
}

/** Outgoing mail (migration 0007): `sealed` is the message, AES-GCM under a key derived from HEIMDALL_SECRET. */
export interface MailQueueTable {
  id: string;
  kind: string;
  user_id: string | null;
  sealed: string;
  attempts: number;
  created_at: number;
  next_attempt_at: number;
  expires_at: number | null;
  lease_owner: string | null;
  lease_until: number;
  last_error: string | null;
}

/** Authenticator apps (migration 0008): secrets sealed with SecretBox; the pending one waits for a first code. */
export interface TotpFactorsTable {
  user_id: string;
  sealed_secret: string | null;
  last_step: number | null;
  enabled_at: number | null;
  pending_sealed_secret: string | null;
  pending_expires_at: number | null;
}

/** Recovery codes: HMAC digests only; a used code keeps its row (used_at) until the set is replaced. */
export interface RecoveryCodesTable {
  user_id: string;
  code_digest: string;
  created_at: number;
  used_at: number | null;
}

/** Each account's opaque WebAuthn user handle (base64url of 32 random bytes), never the email. */
export interface WebAuthnUserHandlesTable {
  user_id: string;
  handle: string;
}

export interface PasskeysTable {
  /** Heimdall's public id; the WebAuthn credential id is `credential_id` (unique). */
  id: string;
  credential_id: string;
  user_id: string;
  name: string;
  public_key: string;
  counter: number;
  /** JSON array of transport hints. */
  transports: string;
  device_type: string;
  backed_up: number;
  created_at: number;
  last_used_at: number | null;
}

export interface WebAuthnChallengesTable {
  key_hash: string;
  purpose: string;
  user_id: string | null;
  challenge: string;
  expires_at: number;
}

/** Sign-ins waiting for their second factor, under the SHA-256 of the 2fa cookie's secret. */
export interface PendingSignInsTable {
  key_hash: string;
  user_id: string;
  /** JSON array of the methods proven so far. */
  methods: string;
  provider: string | null;
  remember_me: number;
  return_to: string | null;
  failures: number;
  created_at: number;
  expires_at: number;
}

/** Signing keys (issue 7). `public_jwk` is JSON; `sealed_private_jwk` is AES-GCM under a key derived from HEIMDALL_SECRET. */
export interface SigningKeysTable {
  kid: string;
  alg: string;
  state: string;
  public_jwk: string;
  sealed_private_jwk: string | null;
  created_at: number;
  retire_after: number | null;
  retired_at: number | null;
}

/** Refresh tokens of API token families; only the SHA-256 of each token is stored. */
export interface RefreshTokensTable {
  token_hash: string;
  family_id: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  spent_at: number | null;
}

/** Revoked API token families whose access JWTs are refused until `denied_until`. */
export interface DeniedFamiliesTable {
  session_id: string;
  denied_until: number;
}

export interface ProductsTable {
  id: string;
  name: string;
  description: string;
  price_cents: number;
  currency: string;
  file_name: string;
  media_type: string;
  created_at: number;
}

export interface PurchasesTable {
  id: string;
  user_id: string;
  product_id: string;
  created_at: number;
}
