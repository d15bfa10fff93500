/** The API's shapes (docs/api.md), as the SPA uses them. */

export interface User {
  id: string;
  email: string;
  name: string;
  roles: string[];
  createdAt: string;
}

export interface SessionInfo {
  id: string;
  kind: string;
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
