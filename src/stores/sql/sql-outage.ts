import { HeimdallError } from '../../core/errors.js';

/** Network-level failures of the pg driver (Node socket errors). */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
]);

/**
 * True for errors that mean "the database cannot be reached or cannot serve now", as opposed to a bad query or a
 * constraint: PostgreSQL SQLSTATE classes 08 (connection exception), 53 (insufficient resources) and 57P (operator
 * intervention: shutdown, crash recovery), pg's own lost-connection errors, and SQLite's busy/locked past the
 * busy timeout.
 */
export function isDatabaseOutage(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (SOCKET_CODES.has(code) || /^(08|53|57P)/.test(code)) return true;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return true;
  }
  return typeof message === 'string' && /Connection terminated|timeout exceeded when trying to connect/i.test(message);
}

/**
 * Wraps a port so that a database outage surfaces as 503 `service_unavailable` (fail closed, retry later) instead of
 * a 500; every other error passes through unchanged.
 */
export function failClosedOnOutage<T extends object>(port: T): T {
  return new Proxy(port, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        try {
          return await value.apply(target, args);
        } catch (error) {
          if (error instanceof HeimdallError || !isDatabaseOutage(error)) throw error;
          throw new HeimdallError('service_unavailable', 'The database is unreachable; try again shortly.', {
            cause: error,
          });
        }
      };
    },
  });
}
