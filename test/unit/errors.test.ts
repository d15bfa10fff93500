import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, HeimdallError } from '../../src/core/errors.js';

describe('error catalogue', () => {
  it('every code is documented with its status in docs/api.md', () => {
    const reference = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
    for (const [code, { status }] of Object.entries(ERROR_CATALOGUE)) {
      expect(reference, code).toMatch(new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${status}\\s*\\|`));
    }
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
