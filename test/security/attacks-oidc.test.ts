import SQLite from 'better-sqlite3';
import { decodeJwt, generateKeyPair, type JWTPayload, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret, hashToken } from '../../src/core/tokens.js';
import { Browser, locationOf } from '../helpers/browser.js';
import { type OidcHarness, sessionOf, startOidcHarness } from '../helpers/oidc-harness.js';
import { PASSWORD } from '../helpers/test-app.js';

const PRE_LOGIN = '__Host-heimdall-oidc';
const SESSION = '__Host-heimdall';

/**
 * Attacks on third-party sign-on, each performed against a real provider (oidc-provider) over real HTTP. Every
 * refusal must land on the SPA with a fixed error code, set no session cookie, and be recorded with its reason.
 */
describe('attacks on OIDC sign-on', () => {
  let h: OidcHarness;

  beforeAll(async () => {
    h = await startOidcHarness({ OIDC_LINK_VERIFIED_EMAIL: 'true' });
  });
  afterAll(async () => {
    await h?.close();
  });
  afterEach(() => {
    h.tamperTokenResponse = null;
  });

  /** Delivers a callback and checks it was refused with `code`, with no session; returns the recorded reason. */
  async function expectRefused(browser: Browser, callback: string, code: string): Promise<string> {
    const before = h.audits('auth.login_failed').length;
    const response = await browser.request(callback);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(`${h.url}/?error=${code}`);
    expect(response.headers.getSetCookie().some((c) => c.startsWith(`${SESSION}=`))).toBe(false);
    expect(await sessionOf(browser, h.url)).toBeNull();
    const recorded = h.audits('auth.login_failed').slice(before);
    expect(recorded).toEqual([expect.objectContaining({ code, stage: 'callback' })]);
    return String(recorded[0]?.reason);
  }

  /** A callback URL with one parameter changed (or removed with `null`). */
  function withParam(callback: string, name: string, value: string | null): string {
    const url = new URL(callback);
    if (value === null) url.searchParams.delete(name);
    else url.searchParams.set(name, value);
    return url.href;
  }

  function database<T>(work: (db: SQLite.Database) => T): T {
    const db = new SQLite(h.dbPath);
    try {
      return work(db);
    } finally {
      db.close();
    }
  }

  /** Stores a copy of `browser`'s sign-on attempt under a new pre-login secret, with `changes`; returns the secret. */
  function copyAttempt(browser: Browser, changes: Record<string, string> = {}): string {
    const secret = generateSecret();
    database((db) => {
      const row = db
        .prepare('select * from oidc_pending where key_hash = ?')
        .get(hashToken(browser.cookie(h.url, PRE_LOGIN)!)) as Record<string, unknown>;
      const copy = { ...row, ...changes, key_hash: hashToken(secret) };
      const columns = Object.keys(copy);
      db.prepare(
        `insert into oidc_pending (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`,
      ).run(copy);
    });
    return secret;
  }

  describe('state and the pre-login cookie', () => {
    it('refuses an answer delivered to a browser that started nothing (login CSRF)', async () => {
      const attacker = new Browser();
      const planted = await h.authorize(attacker, 'idp', 'alice-sub');
      const reason = await expectRefused(new Browser(), planted, 'invalid_state');
      expect(reason).toBe('no pre-login cookie');
    });

    it('refuses an answer without state', async () => {
      const browser = new Browser();
      const callback = await h.authorize(browser, 'idp', 'alice-sub');
      await expectRefused(browser, withParam(callback, 'state', null), 'invalid_state');
    });

    it('refuses a foreign state: one browser’s answer does not complete another browser’s sign-on', async () => {
      const mine = new Browser();
      const theirs = new Browser();
      await h.authorize(mine, 'idp', 'alice-sub');
      const theirCallback = await h.authorize(theirs, 'idp', 'frigg-sub');
      const reason = await expectRefused(mine, theirCallback, 'invalid_state');
      expect(reason).toBe('state does not match the pre-login cookie');
      // Their own attempt is untouched and still completes.
      expect((await theirs.request(theirCallback)).headers.get('location')).toBe(`${h.url}/`);
    });

    it('refuses a replayed callback: each attempt is single-use', async () => {
      const browser = new Browser();
      const callback = await h.authorize(browser, 'idp', 'alice-sub');
      const preLogin = browser.cookie(h.url, PRE_LOGIN)!;
      expect((await browser.request(callback)).headers.get('location')).toBe(`${h.url}/`);
      const replayer = new Browser();
      replayer.setCookie(h.url, PRE_LOGIN, preLogin);
      expect(await expectRefused(replayer, callback, 'invalid_state')).toBe('unknown or spent pre-login cookie');
    });
  });

  describe('the authorization code and PKCE', () => {
    it('refuses a spent code even with the right state, nonce and verifier (code replay)', async () => {
      const victim = new Browser();
      const callback = await h.authorize(victim, 'idp', 'alice-sub');
      const attacker = new Browser();
      attacker.setCookie(h.url, PRE_LOGIN, copyAttempt(victim));
      expect((await victim.request(callback)).headers.get('location')).toBe(`${h.url}/`);
      const reason = await expectRefused(attacker, callback, 'invalid_response');
      expect(reason).toMatch(/invalid_grant/);
    });

    it('refuses a code exchanged with another PKCE verifier', async () => {
      const browser = new Browser();
      const callback = await h.authorize(browser, 'idp', 'alice-sub');
      const wrongVerifier = generateSecret();
      browser.setCookie(h.url, PRE_LOGIN, copyAttempt(browser, { code_verifier: wrongVerifier }));
      expect(await expectRefused(browser, callback, 'invalid_response')).toMatch(/invalid_grant/);
    });

    it('refuses a stolen code injected into the attacker’s own sign-on (PKCE binds the code to its browser)', async () => {
      const victim = new Browser();
      const stolen = new URL(await h.authorize(victim, 'idp', 'alice-sub')).searchParams.get('code')!;
      const attacker = new Browser();
      const own = await h.authorize(attacker, 'idp', 'frigg-sub');
      expect(await expectRefused(attacker, withParam(own, 'code', stolen), 'invalid_response')).toMatch(
        /invalid_grant/,
      );
    });
  });

  describe('the ID token', () => {
    /** Re-signs the provider's ID token after `change`, with the provider's own key unless told otherwise. */
    function reSign(change: (claims: JWTPayload) => void, sign?: (claims: JWTPayload) => Promise<string>) {
      h.tamperTokenResponse = async (body) => {
        const claims = decodeJwt(String(body.id_token));
        change(claims);
        const signer =
          sign ??
          ((c: JWTPayload) =>
            new SignJWT(c).setProtectedHeader({ alg: 'RS256', kid: h.idp.signingKid }).sign(h.idp.signingKey));
        return { ...body, id_token: await signer(claims) };
      };
    }

    async function refusedWith(code = 'invalid_response'): Promise<string> {
      const browser = new Browser();
      return expectRefused(browser, await h.authorize(browser, 'idp', 'alice-sub'), code);
    }

    it('accepts the provider’s own claims re-signed with its key (the tampering harness alone changes nothing)', async () => {
      reSign(() => {});
      const browser = new Browser();
      const response = await h.signIn(browser, 'idp', 'alice-sub');
      expect(response.headers.get('location')).toBe(`${h.url}/`);
      expect((await sessionOf(browser, h.url))?.user.email).toBe('alice@example.com');
    });

    it('refuses an ID token for another audience', async () => {
      reSign((claims) => {
        claims.aud = 'some-other-client';
      });
      expect(await refusedWith()).toMatch(/"aud"/);
    });

    it('refuses an ID token from another issuer', async () => {
      reSign((claims) => {
        claims.iss = h.rogue.issuer;
      });
      expect(await refusedWith()).toMatch(/"iss"/);
    });

    it('refuses an expired ID token (tolerance is at most 5 s)', async () => {
      reSign((claims) => {
        const now = Math.floor(Date.now() / 1000);
        claims.iat = now - 310;
        claims.exp = now - 10;
      });
      expect(await refusedWith()).toMatch(/"exp"/);
    });

    it('refuses an unsigned ID token (alg: none)', async () => {
      reSign(
        () => {},
        async (claims) => new UnsecuredJWT(claims).encode(),
      );
      expect(await refusedWith()).toMatch(/"alg"/);
    });

    it('refuses an ID token signed by a key the provider does not publish', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      reSign(
        () => {},
        (claims) => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'attacker-key' }).sign(privateKey),
      );
      expect(await refusedWith()).toMatch(/key/i);
    });

    it('refuses an ID token signed by another key under the provider’s key id', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      reSign(
        () => {},
        (claims) => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: h.idp.signingKid }).sign(privateKey),
      );
      expect(await refusedWith()).toMatch(/signature/i);
    });

    it('refuses a genuine ID token from an earlier sign-on (wrong nonce)', async () => {
      let captured = '';
      h.tamperTokenResponse = async (body) => {
        captured = String(body.id_token);
        return body;
      };
      await h.signIn(new Browser(), 'idp', 'alice-sub');
      h.tamperTokenResponse = async (body) => ({ ...body, id_token: captured });
      expect(await refusedWith()).toMatch(/"nonce"/);
    });
  });

  describe('mix-up between providers', () => {
    it('refuses an answer delivered to another provider’s callback than the one started', async () => {
      const browser = new Browser();
      const callback = await h.authorize(browser, 'idp', 'alice-sub');
      const elsewhere = callback.replace('/api/oidc/idp/callback', '/api/oidc/rogue/callback');
      expect(await expectRefused(browser, elsewhere, 'provider_mismatch')).toMatch(/started with "idp"/);
    });

    it('refuses a code from another provider delivered with this provider’s state', async () => {
      const victim = new Browser();
      const started = await victim.request(`${h.url}/api/oidc/idp/start`);
      const state = new URL(locationOf(started, h.url)).searchParams.get('state')!;
      const rogueAnswer = new URL(await h.authorize(new Browser(), 'rogue', 'alice-sub'));
      expect(rogueAnswer.searchParams.get('iss')).toBe(h.rogue.issuer);
      const injected = `${h.url}/api/oidc/idp/callback?${new URLSearchParams({
        code: rogueAnswer.searchParams.get('code')!,
        state,
        iss: h.rogue.issuer,
      })}`;
      expect(await expectRefused(victim, injected, 'invalid_response')).toMatch(/"iss"/);
    });

    it('refuses an answer without `iss` from a provider that announces it (RFC 9207)', async () => {
      const browser = new Browser();
      const callback = await h.authorize(browser, 'idp', 'alice-sub');
      expect(await expectRefused(browser, withParam(callback, 'iss', null), 'invalid_response')).toMatch(/"iss"/);
    });
  });

  describe('returnTo', () => {
    it.each(['https://evil.example', '//evil.example', '/\\evil.example', 'javascript:alert(document.cookie)'])(
      'ignores %s and lands on the SPA’s own root',
      async (returnTo) => {
        const response = await h.signIn(new Browser(), 'idp', 'alice-sub', { returnTo });
        expect(response.headers.get('location')).toBe(`${h.url}/`);
      },
    );

    it('never reflects what the provider’s error answer says', async () => {
      const browser = new Browser();
      const started = await browser.request(`${h.url}/api/oidc/idp/start?returnTo=/account`);
      const state = new URL(locationOf(started, h.url)).searchParams.get('state')!;
      const forged = `${h.url}/api/oidc/idp/callback?${new URLSearchParams({
        error: 'https://evil.example/<script>',
        error_description: '<script>alert(1)</script>',
        state,
        iss: h.idp.issuer,
      })}`;
      await expectRefused(browser, forged, 'provider_error');
    });
  });

  describe('account takeover by email', () => {
    it('an unverified email equal to an existing account’s never takes it over; a verified one links into a verified account', async () => {
      const owner = new Browser();
      const registered = await owner.request(`${h.url}/api/auth/register`, {
        method: 'POST',
        body: JSON.stringify({ email: 'odin@asgard.example', password: PASSWORD }),
        headers: { 'content-type': 'application/json', origin: h.url },
      });
      const ownerId = ((await registered.json()) as { user: { id: string } }).user.id;

      const mallory = new Browser();
      const reason = await expectRefused(mallory, await h.authorize(mallory, 'idp', 'mallory-sub'), 'email_taken');
      expect(reason).toMatch(/does not vouch/);
      const identities = await owner.request(`${h.url}/api/oidc/identities`);
      expect(((await identities.json()) as { identities: unknown[] }).identities).toEqual([]);

      // The same address, verified by the provider, links (OIDC_LINK_VERIFIED_EMAIL=true here) once Heimdall has
      // verified it too: the owner followed the link Heimdall mailed (pre-hijacking.test.ts does it over real mail).
      database((db) => db.prepare('update users set email_verified = 1 where id = ?').run(ownerId));
      const odin = new Browser();
      await h.signIn(odin, 'idp', 'odin-sub');
      expect((await sessionOf(odin, h.url))?.user.id).toBe(ownerId);
      // Mallory's identity still reaches nothing, even now that the account has an identity at the same provider.
      const again = new Browser();
      await expectRefused(again, await h.authorize(again, 'idp', 'mallory-sub'), 'email_taken');
    });
  });
});
