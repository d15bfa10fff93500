import { describe, expect, it } from 'vitest';
import { checkReturnTo, safeReturnTo } from '../../src/core/return-to.js';

const ORIGIN = 'https://auth.example.com';
const APP = 'https://app.example.com';
const POLICY = { publicOrigin: ORIGIN, allowedOrigins: [APP, 'http://localhost:5173'] };

describe('safeReturnTo()', () => {
  it('keeps same-origin paths with their query and fragment', () => {
    expect(safeReturnTo('/account', POLICY)).toBe('/account');
    expect(safeReturnTo('/a/b?tab=devices#top', POLICY)).toBe('/a/b?tab=devices#top');
    expect(safeReturnTo('/', POLICY)).toBe('/');
  });

  it('turns an absolute URL on Heimdall’s own origin into its path', () => {
    expect(safeReturnTo('https://auth.example.com/account?tab=x', POLICY)).toBe('/account?tab=x');
  });

  it('keeps an absolute URL on an allowed origin whole', () => {
    expect(safeReturnTo('https://app.example.com/after-sign-in?x=1#y', POLICY)).toBe(
      'https://app.example.com/after-sign-in?x=1#y',
    );
    expect(safeReturnTo('http://localhost:5173', POLICY)).toBe('http://localhost:5173/');
    expect(safeReturnTo('HTTPS://APP.EXAMPLE.COM/a', POLICY)).toBe('https://app.example.com/a');
  });

  it.each([
    ['an absolute URL elsewhere', 'https://evil.example'],
    ['an allowed host on another scheme', 'http://app.example.com/'],
    ['an allowed host on another port', 'https://app.example.com:8443/'],
    ['an allowed origin as a prefix of another host', 'https://app.example.com.evil.example/'],
    ['an allowed origin as userinfo', 'https://app.example.com@evil.example/'],
    ['userinfo on an allowed origin', 'https://user:pass@app.example.com/'],
    ['empty userinfo', 'https://@app.example.com/'],
    ['a fragment that hides the real host', 'https://evil.example#@app.example.com'],
    ['a backslash in an absolute URL', 'https://app.example.com\\@evil.example/'],
    ['a backslash after the scheme', 'https:\\\\evil.example'],
    ['a scheme without slashes', 'https:evil.example'],
    ['a protocol-relative URL', '//evil.example'],
    ['a protocol-relative URL to an allowed host', '//app.example.com/'],
    ['a backslash that browsers read as a slash', '/\\evil.example'],
    ['a backslash later in the path', '/a\\..\\\\evil.example'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a javascript: URL in capitals', 'JavaScript:alert(1)//https://app.example.com'],
    ['a data: URL', 'data:text/html,<script>alert(1)</script>'],
    ['an ftp: URL', 'ftp://app.example.com/'],
    ['a relative path without a leading slash', 'account'],
    ['a tab the URL parser would drop', '/\t/evil.example'],
    ['a newline', '/\n/evil.example'],
    ['a leading space before an absolute URL', ' https://app.example.com/'],
    ['a tab inside an absolute URL', 'https://app.example.com\t.evil.example/'],
    ['dot segments that normalise into //host', '/..//evil.example'],
    ['an empty string', ''],
    ['a very long value', `/${'a'.repeat(2000)}`],
    ['a very long URL on an allowed origin', `${APP}/${'a'.repeat(2000)}`],
  ])('refuses %s and lands on /', (_what, value) => {
    expect(safeReturnTo(value, POLICY)).toBe('/');
    expect(checkReturnTo(value, POLICY)).toBeNull();
  });

  it('refuses values that are not one string', () => {
    expect(safeReturnTo(undefined, POLICY)).toBe('/');
    expect(safeReturnTo(['/a', '/b'], POLICY)).toBe('/');
    expect(safeReturnTo(42, POLICY)).toBe('/');
  });

  it('allows no other origin when none is configured', () => {
    expect(checkReturnTo(`${APP}/`, { publicOrigin: ORIGIN, allowedOrigins: [] })).toBeNull();
  });

  it('never returns anything that resolves off the public origin or the allowed ones', () => {
    const tricky = ['/%2F%2Fevil.example', '/.%2e/evil', '/@evil.example', '/;//evil.example', '/ /evil.example'];
    for (const value of tricky) {
      const path = safeReturnTo(value, POLICY);
      expect(new URL(`${ORIGIN}${path}`).origin).toBe(ORIGIN);
      expect(path.startsWith('/') && !path.startsWith('//')).toBe(true);
    }
  });
});
