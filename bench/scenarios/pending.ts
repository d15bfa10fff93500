import type { Scenario } from './types.js';

/**
 * Measurements the issue asks for whose subject has not landed yet. Each is listed so that the run and the report say
 * plainly that it was not measured, and why; bench/README.md says how each one is to be written.
 */
function pending(id: string, title: string, reason: string): Scenario {
  return {
    id,
    title,
    unavailable: async () => reason,
    run: async () => ({ kind: 'skipped', id, title, reason }),
  };
}

export const heimdallCacheMemory = pending(
  'heimdall-rss-per-100k-cached',
  'Server memory (RSS) per 100k sessions in the client-side cache',
  'not written yet (the Redis store landed during this issue); see bench/README.md for the plan',
);
