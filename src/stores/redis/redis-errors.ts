import { HeimdallError } from '../../core/errors.js';

/** Driver failures (refused, timed out, offline) become the API's 503: authenticated requests fail closed. */
export function toUnavailable(error: unknown): HeimdallError {
  if (error instanceof HeimdallError) return error;
  return new HeimdallError('service_unavailable', 'Redis is unreachable; try again shortly.', { cause: error });
}

/** A command that Redis, connected, did not answer in time (REDIS_COMMAND_TIMEOUT_MS): 503 like any outage. */
export function redisTimedOut(timeoutMs: number): HeimdallError {
  return new HeimdallError('service_unavailable', 'Redis is unreachable; try again shortly.', {
    cause: new Error(`Redis did not answer within ${timeoutMs} ms`),
  });
}
