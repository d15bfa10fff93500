import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, HeimdallError, statusesOf } from '../../src/core/errors.js';

describe('error catalogue', () => {
  it('every code is documented with its status in docs/api.md', () => {
    const reference = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
    for (const code of Object.keys(ERROR_CATALOGUE) as (keyof typeof ERROR_CATALOGUE)[]) {
      // Every status a code may be answered with has its own row (second_factor_required: 401 and 403).
      for (const status of statusesOf(code)) {
        expect(reference, `${code} ${status}`).toMatch(new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${status}\\s*\\|`));
      }
    }
  });

  it('a code is answered with another status only where its catalogue entry allows it', () => {
    expect(new HeimdallError('second_factor_required', undefined, { status: 403 }).status).toBe(403);
    expect(new HeimdallError('second_factor_required').status).toBe(401);
    expect(() => new HeimdallError('forbidden', undefined, { status: 401 })).toThrow(TypeError);
  });

  it('HeimdallError takes its status and default message from the catalogue', () => {
    const error = new HeimdallError('csrf_failed');
    expect(error.status).toBe(403);
    expect(error.message).toBe(ERROR_CATALOGUE.csrf_failed.message);
    expect(error.name).toBe('HeimdallError');
    expect(new HeimdallError('rate_limited', 'Slow down.', { details: { retryAfterSeconds: 3 } }).details).toEqual({
      retryAfterSeconds: 3,
    });
  });
});
