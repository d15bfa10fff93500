import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../helpers/browser.js';
import { type OidcHarness, startOidcHarness } from '../helpers/oidc-harness.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const APP = 'http://localhost:5999';

/**
 * Hosted sign-in sends the browser back to `returnTo` (issue 20): Heimdall's own origin and HEIMDALL_ORIGINS only.
 * Each attack below is an address an attacker would put in a sign-in link to bounce a freshly signed-in victim to
 * their own site; none may come back as a place to go.
 */
const ATTACKS: [string, string][] = [
  ['another site', 'https://evil.example/'],
  ['an allowed origin as userinfo', `${APP}@evil.example/`],
  ['userinfo on an allowed origin', 'http://victim:pw@localhost:5999/'],
  ['an allowed origin as a host prefix', 'http://localhost:5999.evil.example/'],
  ['an allowed host on another port', 'http://localhost:6000/'],
  ['an allowed host over https (another origin)', 'https://localhost:5999/'],
  ['a protocol-relative address', '//evil.example/'],
  ['a protocol-relative allowed host', '//localhost:5999/'],
  ['a backslash read as a slash', '/\\evil.example/'],
  ['a backslash in the authority', `${APP}\\@evil.example/`],
  ['backslashes after the scheme', 'http:\\\\evil.example/'],
  ['a fragment hiding the host', `https://evil.example#@localhost:5999`],
  ['javascript:', 'javascript:alert(document.cookie)'],
  ['javascript: dressed as the app', `javascript://localhost:5999/%0aalert(1)`],
  ['data:', 'data:text/html,<script>alert(1)</script>'],
  ['a tab the parser drops', '/\t/evil.example/'],
  ['a newline in an absolute address', `${APP}\n.evil.example/`],
  ['dot segments that become //host', '/..//evil.example/'],
  ['a scheme without slashes', 'http:evil.example'],
];

describe('returnTo for hosted sign-in (GET /api/auth/return-to)', () => {
  let t: TestApp;
  const check = async (returnTo: string | string[]) => {
    const query = new URLSearchParams();
    for (const value of [returnTo].flat()) query.append('returnTo', value);
    const response = await t.app.inject({ method: 'GET', url: `/api/auth/return-to?${query}` });
    expect(response.statusCode).toBe(200);
    return (response.json() as { returnTo: string | null }).returnTo;
  };

  beforeAll(async () => {
    t = await createTestApp({ HEIMDALL_PUBLIC_URL: 'https://auth.example.com', HEIMDALL_ORIGINS: APP });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('allows an app on an origin of HEIMDALL_ORIGINS and Heimdall’s own pages', async () => {
    expect(await check(`${APP}/back?x=1`)).toBe(`${APP}/back?x=1`);
    expect(await check('/devices')).toBe('/devices');
    expect(await check('https://auth.example.com/security')).toBe('/security');
  });

  it.each(ATTACKS)('refuses %s', async (_what, returnTo) => {
    expect(await check(returnTo)).toBeNull();
  });

  it('refuses a repeated parameter and an empty one without an error', async () => {
    expect(await check([`${APP}/`, 'https://evil.example/'])).toBeNull();
    expect(await check('')).toBeNull();
  });

  it('allows no other origin when HEIMDALL_ORIGINS is empty', async () => {
    const bare = await createTestApp({ HEIMDALL_PUBLIC_URL: 'https://auth.example.com' });
    try {
      const response = await bare.app.inject({ method: 'GET', url: `/api/auth/return-to?returnTo=${APP}/` });
      expect(response.json()).toEqual({ returnTo: null });
    } finally {
      await bare.close();
    }
  });
});

describe('returnTo through third-party sign-on (the same rule)', () => {
  let h: OidcHarness;

  beforeAll(async () => {
    h = await startOidcHarness({ HEIMDALL_ORIGINS: APP });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('lands on an app of HEIMDALL_ORIGINS after the provider answers', async () => {
    const response = await h.signIn(new Browser(), 'idp', 'alice-sub', { returnTo: `${APP}/back` });
    expect(response.headers.get('location')).toBe(`${APP}/back`);
  });

  it.each(ATTACKS)('ignores %s and lands on the SPA’s own root', async (_what, returnTo) => {
    const response = await h.signIn(new Browser(), 'idp', 'alice-sub', { returnTo });
    expect(response.headers.get('location')).toBe(`${h.url}/`);
  });
});
