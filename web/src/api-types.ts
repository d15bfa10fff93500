/** The API's shapes (docs/api.md), as the SPA uses them. */

export interface User {
  id: string;
  email: string;
  name: string;
  roles: string[];
  createdAt: string;
  /** Heimdall confirmed the address (a link it mailed was followed). */
  emailVerified: boolean;
  disabled: boolean;
  /** Second factors enrolled (`totp`, `passkey`). */
  secondFactors: ('totp' | 'passkey')[];
}

export interface SessionInfo {
  id: string;
  kind: 'cookie' | 'api';
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  idleExpiresAt: string;
  ip: string;
  userAgent: string;
  browser: string | null;
  os: string | null;
  country: string | null;
  provider: string | null;
  rememberMe: boolean;
  /** When a factor was last proven on this session. */
  authenticatedAt?: string;
  methods?: string[];
  /** Bound to a key the browser holds (DBSC): a copied cookie stops working within minutes. */
  deviceBound?: boolean;
}

export interface ListedSession extends SessionInfo {
  current: boolean;
}

export interface Warning {
  code: string;
  message: string;
  [key: string]: unknown;
}

export interface SessionEnvelope {
  user: User;
  session: SessionInfo;
  csrfToken: string | null;
}

/** A password (or third-party) sign-in of an account with a second factor: finished on /second-factor. */
export interface SecondFactorAsked {
  secondFactorRequired: true;
  methods: SecondFactorMethod[];
}

export type SecondFactorMethod = 'totp' | 'passkey' | 'recovery_code';

export interface WhoAmI extends SessionEnvelope {
  warnings: Warning[];
}

export interface OidcProvider {
  name: string;
  label: string;
  startUrl: string;
}

export interface UserPage {
  users: User[];
  nextCursor: string | null;
}

export interface Product {
  id: string;
  name: string;
  description: string;
  /** In the currency's major unit (4.99). */
  price: number;
  currency: string;
  mediaType: string;
  purchased: boolean;
}

export interface DownloadLink {
  /** Relative to the API (`/downloads/<id>?token=…`); the token in it is the whole credential. */
  url: string;
  expiresAt: string;
}

export interface LinkedIdentity {
  id: string;
  provider: string;
  label: string;
  email: string | null;
  createdAt: string;
  lastUsedAt: string;
}

export interface AuditEvent {
  id: string;
  at: string;
  type: string;
  userId: string | null;
  sessionId: string | null;
  ip: string | null;
  userAgent: string | null;
  country: string | null;
  browser?: string | null;
  os?: string | null;
  details: Record<string, unknown>;
}

export interface AuditPage {
  events: AuditEvent[];
  nextCursor: string | null;
}

export interface PasskeyInfo {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  /** Synced between devices by its provider. */
  backedUp: boolean;
}
