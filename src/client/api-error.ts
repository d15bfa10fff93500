import type { ApiErrorCode } from './types.js';

/**
 * An error answer from Heimdall with its stable `code` (docs/api.md, "Error codes"), or the client's own
 * `network_error` (the server could not be reached) and `passkey_cancelled` (the browser's ceremony failed).
 */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  /** The HTTP status; 0 when no answer came. */
  readonly status: number;
  /** Retry-After of a 429 or 503, in seconds. */
  readonly retryAfterSeconds: number | null;
  /** The whole `error` object (some codes carry more fields, e.g. `countries`). */
  readonly details: Record<string, unknown>;

  constructor(
    code: ApiErrorCode,
    message: string,
    status: number,
    retryAfterSeconds: number | null = null,
    details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
    this.details = details;
  }
}

/** The API's error body as an ApiError (its code, message and Retry-After). */
export function errorFromAnswer(status: number, headers: Headers, payload: unknown): ApiError {
  const error = (payload as { error?: { code?: string; message?: string } } | null)?.error;
  const retryAfter = Number(headers.get('retry-after'));
  return new ApiError(
    (error?.code ?? 'internal_error') as ApiErrorCode,
    error?.message ?? `The server answered ${status}.`,
    status,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
    error ?? {},
  );
}
