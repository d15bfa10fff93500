import { HeimdallError } from '../../core/errors.js';

/** Driver failures (refused, timed out, offline) become the API's 503: authenticated requests fail closed. */
export function toUnavailable(error: unknown): HeimdallError {
  if (error instanceof HeimdallError) return error;
  return new HeimdallError('service_unavailable', 'Redis is unreachable; try again shortly.', { cause: error });
}
