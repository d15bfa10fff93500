import { describe, expect, it } from 'vitest';
import { safeReturnTo } from '../../src/core/return-to.js';

const ORIGIN = 'https://auth.example.com';

describe('safeReturnTo()', () => {
  it('keeps same-origin paths with their query and fragment', () => {
    expect(safeReturnTo('/account', ORIGIN)).toBe('/account');
    expect(safeReturnTo('/a/b?tab=devices#top', ORIGIN)).toBe('/a/b?tab=devices#top');
    expect(safeReturnTo('/', ORIGIN)).toBe('/');
  });

  it.each([
    ['an absolute URL elsewhere', 'https://evil.example'],
    ['an absolute URL on our own origin (only paths are accepted)', 'https://auth.example.com/account'],
    ['a protocol-relative URL', '//evil.example'],
    ['a backslash that browsers read as a slash', '/\\evil.example'],
    ['a backslash later in the path', '/a\\..\\\\evil.example'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a data: URL', 'data:text/html,<script>alert(1)</script>'],
    ['a relative path without a leading slash', 'account'],
    ['a tab the URL parser would drop', '/\t/evil.example'],
    ['a newline', '/\n/evil.example'],
    ['dot segments that normalise into //host', '/..//evil.example'],
    ['an empty string', ''],
    ['a very long value', `/${'a'.repeat(2000)}`],
  ])('refuses %s and lands on /', (_what, value) => {
    expect(safeReturnTo(value, ORIGIN)).toBe('/');
  });

  it('refuses values that are not one string', () => {
    expect(safeReturnTo(undefined, ORIGIN)).toBe('/');
    expect(safeReturnTo(['/a', '/b'], ORIGIN)).toBe('/');
    expect(safeReturnTo(42, ORIGIN)).toBe('/');
  });

  it('never returns anything that resolves off the public origin', () => {
    const tricky = ['/%2F%2Fevil.example', '/.%2e/evil', '/@evil.example', '/;//evil.example', '/ /evil.example'];
    for (const value of tricky) {
      const path = safeReturnTo(value, ORIGIN);
      expect(new URL(`${ORIGIN}${path}`).origin).toBe(ORIGIN);
      expect(path.startsWith('/') && !path.startsWith('//')).toBe(true);
    }
  });
});
