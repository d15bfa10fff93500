import type {
  AuditPage,
  DownloadLink,
  LinkedIdentity,
  ListedSession,
  OidcProvider,
  Product,
  SecondFactorAsked,
  SessionEnvelope,
  SessionInfo,
  User,
  UserPage,
  WhoAmI,
} from './api-types.js';

/**
 * The API base: empty for the SPA's own origin (served by Heimdall), or an origin set at build time or by the host
 * in <meta name="heimdall-api-url">.
 */
function readApiBase(): string {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="heimdall-api-url"]');
  const value = (meta?.content ?? '').trim().replace(/\/+$/, '');
  return /^https?:\/\//.test(value) ? value : '';
}

const API_BASE = readApiBase();

export function apiUrl(path: string): string {
  return `${API_BASE}${path}`;
}

/** An error answer from the API, with its stable code (docs/api.md, "Error codes"). */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly retryAfterSeconds: number | null;

  constructor(code: string, message: string, status: number, retryAfterSeconds: number | null = null) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * The anti-CSRF token from GET /api/session (or the sign-in answer), kept in memory only. It is not a credential:
 * the session itself lives in an HttpOnly cookie that no script here can read, and nothing is ever put in storage.
 */
let csrfToken: string | null = null;
let onUnauthenticated: (() => void) | null = null;
let onReauthenticationRequired: (() => Promise<boolean>) | null = null;

/** Called when a request that needed a session finds none (it ended elsewhere or expired). */
export function setUnauthenticatedHandler(handler: (() => void) | null): void {
  onUnauthenticated = handler;
}

/**
 * Called when an action answers `reauthentication_required` (a sensitive action on a session without a recent
 * proof): it asks the person to confirm it is them and resolves true once the session is fresh, false if they
 * decline. Every request gets it, so every sensitive action is retried once after a successful confirmation.
 */
export function setReauthenticationHandler(handler: (() => Promise<boolean>) | null): void {
  onReauthenticationRequired = handler;
}

export interface RequestOptions {
  body?: unknown;
  /** Do not treat a 401 as "the session ended" (sign-in and who-am-I answer 401 as a normal outcome). */
  expectUnauthenticated?: boolean;
  /** This is the retry after a re-authentication (or the re-authentication itself): never ask again. */
  noReauthentication?: boolean;
}

/** The API's error answer as an ApiError (its code, message and Retry-After). */
function errorOf(response: Response, payload: unknown): ApiError {
  const error = (payload as { error?: { code?: string; message?: string } } | null)?.error;
  const retryAfter = Number(response.headers.get('retry-after'));
  return new ApiError(
    error?.code ?? 'internal_error',
    error?.message ?? `The server answered ${response.status}.`,
    response.status,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
  );
}

/** One API call: JSON in and out, the CSRF token on unsafe methods, errors as ApiError. */
export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(apiUrl(path), {
      method,
      headers,
      // The session cookie goes along, also when the API is on another origin of the same site.
      credentials: 'include',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError('network_error', 'Cannot reach the server.', 0);
  }
  if (response.status === 204) return undefined as T;
  const payload = (await response.json().catch(() => null)) as
    | (T & { csrfToken?: unknown })
    | { error?: { code?: string; message?: string } }
    | null;
  if (!response.ok) {
    const apiError = errorOf(response, payload);
    if (apiError.code === 'unauthenticated' && !options.expectUnauthenticated) onUnauthenticated?.();
    if (apiError.code === 'reauthentication_required' && onReauthenticationRequired && !options.noReauthentication) {
      if (await onReauthenticationRequired()) return request<T>(method, path, { ...options, noReauthentication: true });
    }
    throw apiError;
  }
  const token = (payload as { csrfToken?: unknown } | null)?.csrfToken;
  if (typeof token === 'string') csrfToken = token;
  return payload as T;
}

export const api = {
  whoAmI: () => request<WhoAmI>('GET', '/api/session', { expectUnauthenticated: true }),
  register: (body: { email: string; password: string; name?: string }) =>
    request<SessionEnvelope>('POST', '/api/auth/register', { body }),
  login: (body: { email: string; password: string; rememberMe: boolean }) =>
    request<SessionEnvelope | SecondFactorAsked>('POST', '/api/auth/login', { body, expectUnauthenticated: true }),
  async logout(): Promise<void> {
    await request<void>('POST', '/api/auth/logout', { expectUnauthenticated: true });
    csrfToken = null;
  },
  async logoutEverywhere(removeIdentities = false): Promise<void> {
    await request<void>('POST', '/api/auth/logout-everywhere', removeIdentities ? { body: { removeIdentities } } : {});
    csrfToken = null;
  },
  changePassword: (body: { currentPassword: string; newPassword: string }) =>
    request<{ session: SessionInfo; csrfToken: string }>('POST', '/api/auth/password', { body }),
  listSessions: () => request<{ sessions: ListedSession[]; identities: LinkedIdentity[] }>('GET', '/api/sessions'),
  revokeSession: (id: string) => request<void>('DELETE', `/api/sessions/${encodeURIComponent(id)}`),
  revokeOtherSessions: () => request<{ revoked: number }>('POST', '/api/sessions/revoke-others'),
  listUsers: (query: string, cursor?: string | null) => {
    const params = new URLSearchParams();
    if (query) params.set('query', query);
    if (cursor) params.set('cursor', cursor);
    const qs = params.toString();
    return request<UserPage>('GET', `/api/admin/users${qs ? `?${qs}` : ''}`);
  },
  setRoles: (userId: string, roles: string[]) =>
    request<{ user: User }>('PUT', `/api/admin/users/${encodeURIComponent(userId)}/roles`, { body: { roles } }),
  listUserSessions: (userId: string) =>
    request<{ sessions: ListedSession[] }>('GET', `/api/admin/users/${encodeURIComponent(userId)}/sessions`),
  revokeUserSessions: (userId: string) =>
    request<{ revoked: number }>('DELETE', `/api/admin/users/${encodeURIComponent(userId)}/sessions`),
  revokeAnySession: (sessionId: string) =>
    request<void>('DELETE', `/api/admin/sessions/${encodeURIComponent(sessionId)}`),
  sendMessage: (userId: string, text: string) =>
    request<{ delivered: number }>('POST', `/api/admin/users/${encodeURIComponent(userId)}/messages`, {
      body: { text },
    }),
  listProducts: () => request<{ products: Product[] }>('GET', '/api/products'),
  purchase: (productId: string) =>
    request<{ purchase: { id: string; productId: string; createdAt: string } }>(
      'POST',
      `/api/products/${encodeURIComponent(productId)}/purchase`,
    ),
  createDownloadLink: (productId: string, ttlSeconds: number) =>
    request<DownloadLink>('POST', `/api/downloads/${encodeURIComponent(productId)}/link`, { body: { ttlSeconds } }),
  listIdentities: () => request<{ identities: LinkedIdentity[]; hasPassword: boolean }>('GET', '/api/oidc/identities'),
  /** Starts linking a provider to this account; the answer is the provider's address to navigate to. */
  startLink: (provider: string, returnTo: string) =>
    request<{ url: string }>(
      'POST',
      `/api/oidc/${encodeURIComponent(provider)}/link?returnTo=${encodeURIComponent(returnTo)}`,
    ),
  unlinkIdentity: (id: string) => request<void>('DELETE', `/api/oidc/identities/${encodeURIComponent(id)}`),
  listAudit: (limit: number, cursor?: string | null) => {
    const params = new URLSearchParams({ limit: String(limit) });
    if (cursor) params.set('cursor', cursor);
    return request<AuditPage>('GET', `/api/audit?${params}`);
  },
  /** Third-party sign-on buttons; none when the server has no such route (404) or cannot say. */
  async oidcProviders(): Promise<OidcProvider[]> {
    try {
      const { providers } = await request<{ providers: OidcProvider[] }>('GET', '/api/oidc/providers', {
        expectUnauthenticated: true,
      });
      return Array.isArray(providers) ? providers : [];
    } catch {
      return [];
    }
  },
};

/** A file fetched through a signed download link. */
export interface DownloadedFile {
  blob: Blob;
  /** From Content-Disposition, when the browser lets the page read it. */
  fileName: string | null;
}

/**
 * Fetches a file through a signed link (`url` as POST /api/downloads/:id/link returned it). The link is the whole
 * credential, so no cookie goes along; a refusal (401 token_expired, unauthenticated) is about the link, not the
 * session, and does not send the page back to sign-in.
 */
export async function fetchDownload(url: string): Promise<DownloadedFile> {
  let response: Response;
  try {
    response = await fetch(apiUrl(url), { credentials: 'omit' });
  } catch {
    throw new ApiError('network_error', 'Cannot reach the server.', 0);
  }
  if (!response.ok) throw errorOf(response, await response.json().catch(() => null));
  return { blob: await response.blob(), fileName: fileNameOf(response.headers.get('content-disposition')) };
}

/** `filename*=UTF-8''…` (RFC 6266, RFC 8187) when present, else the plain `filename="…"`. */
function fileNameOf(disposition: string | null): string | null {
  if (!disposition) return null;
  const extended = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
  if (extended) {
    try {
      return decodeURIComponent(extended.trim());
    } catch {
      // Fall through to the plain name.
    }
  }
  return /filename="([^"]*)"/i.exec(disposition)?.[1] ?? null;
}
