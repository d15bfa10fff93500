/**
 * The one catalogue of errors the API can answer with (API.md, "Conventions").
 * Core raises these for misuse and refusals; expected outcomes such as a wrong password are return values instead.
 */
export const ERROR_CATALOGUE = {
  // 409 where the request is well-formed but refused for the last active admin (API.md, "Accounts").
  invalid_request: { status: 400, message: 'The request is not valid.', otherStatuses: [409] },
  weak_password: { status: 400, message: 'The password does not meet the password policy.' },
  invalid_token: { status: 400, message: 'This link is not valid any more: it is unknown, used or expired.' },
  invalid_credentials: { status: 401, message: 'The email or password is incorrect.' },
  unauthenticated: { status: 401, message: 'Sign-in is required.' },
  token_expired: { status: 401, message: 'The token has expired.' },
  token_reused: { status: 401, message: 'The refresh token was already used; its family has been revoked.' },
  // 401 where a sign-in lacks its second factor; 403 where MFA_REQUIRED_ROLES refuses a role's routes to a user who
  // has not enrolled one (API.md, "Second factors"): the one code whose contract names two statuses.
  second_factor_required: {
    status: 401,
    message: 'A second factor is required to sign in.',
    otherStatuses: [403],
  },
  forbidden: { status: 403, message: 'You are not allowed to do this.' },
  csrf_failed: { status: 403, message: 'The request failed cross-site request forgery checks.' },
  reauthentication_required: { status: 403, message: 'Confirm it is you: sign in again to do this.' },
  account_disabled: { status: 403, message: 'This account is disabled.' },
  not_found: { status: 404, message: 'Not found.' },
  method_not_allowed: { status: 405, message: 'This method is not allowed here.' },
  email_taken: { status: 409, message: 'An account with this email already exists.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  unsupported_media_type: { status: 415, message: 'Request bodies must be application/json.' },
  misdirected_request: { status: 421, message: 'This server does not answer for that host name.' },
  rate_limited: { status: 429, message: 'Too many attempts; try again later.' },
  service_unavailable: { status: 503, message: 'A backing service is unavailable; try again shortly.' },
  internal_error: { status: 500, message: 'An unexpected error occurred.' },
} as const satisfies Record<string, { status: number; message: string; otherStatuses?: readonly number[] }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** A code answered with one of the other statuses its catalogue entry allows (OpenAPI documents it per route). */
export interface ErrorAtStatus {
  code: ErrorCode;
  status: number;
}

/** What a route or guard can answer with: a code at its catalogue status, or at an allowed other one. */
export type ErrorAnswer = ErrorCode | ErrorAtStatus;

/** The statuses a code may be answered with: its own first, then the others its catalogue entry allows. */
export function statusesOf(code: ErrorCode): readonly number[] {
  const entry: { status: number; otherStatuses?: readonly number[] } = ERROR_CATALOGUE[code];
  return [entry.status, ...(entry.otherStatuses ?? [])];
}

export interface HeimdallErrorOptions {
  cause?: unknown;
  /** Extra fields for the error body, e.g. `retryAfterSeconds` for `rate_limited`. */
  details?: Record<string, unknown>;
  /** Another status than the catalogue's, only one its entry allows (`otherStatuses`); anything else throws. */
  status?: number;
}

/** An error with a stable API code; its status comes from the catalogue (or is one the catalogue allows). */
export class HeimdallError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, options: HeimdallErrorOptions = {}) {
    super(message ?? ERROR_CATALOGUE[code].message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    const status = options.status ?? ERROR_CATALOGUE[code].status;
    if (!statusesOf(code).includes(status))
      throw new TypeError(`HeimdallError: ${code} is never answered with ${status}`);
    this.status = status;
    this.details = options.details;
  }
}

export function isHeimdallError(value: unknown): value is HeimdallError {
  return value instanceof HeimdallError;
}

/**
 * API.md, "Accounts": refusing to disable, delete or demote the last active admin answers 409 with code
 * `invalid_request` — the request is well-formed but conflicts with the current state, which is what 409 says; the
 * code stays the catalogue's (its entry's `otherStatuses`) (docs/api.md, "Error codes").
 */
export function lastActiveAdminError(): HeimdallError {
  return new HeimdallError(
    'invalid_request',
    'At least one active admin must remain: make another account an admin before disabling, deleting or demoting this one.',
    { status: 409 },
  );
}

/** How routes that may refuse for the last active admin declare it (`config.errorCodes`), for OpenAPI. */
export const LAST_ACTIVE_ADMIN_OVERRIDE: ErrorAtStatus = { code: 'invalid_request', status: 409 };
