/**
 * Shares one run of an async check among all callers for `maxAgeMs`, and one in-flight run among concurrent callers.
 * For store probes behind GET /api/health and /api/ready: load balancers may ask many times a second, and each
 * answer would otherwise cost a database and a Redis round trip. Time here is the process's monotonic clock, not the
 * injected domain Clock: this is a rate limit on probes, and a frozen test clock must not freeze the answer.
 */
export function memoizeFor<T>(
  maxAgeMs: number,
  run: () => Promise<T>,
  now = () => performance.now(),
): () => Promise<T> {
  let last: { at: number; value: T } | undefined;
  let inFlight: Promise<T> | undefined;
  return () => {
    if (last && now() - last.at < maxAgeMs) return Promise.resolve(last.value);
    inFlight ??= run().then(
      (value) => {
        last = { at: now(), value };
        inFlight = undefined;
        return value;
      },
      (error: unknown) => {
        inFlight = undefined;
        throw error;
      },
    );
    return inFlight;
  };
}
