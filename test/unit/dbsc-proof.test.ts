import { describe, expect, it } from 'vitest';
import { BoundCookieSigner } from '../../src/core/bound-cookie.js';
import {
  checkRefreshProof,
  checkRegistrationProof,
  serializeDeviceKey,
  thumbprintOf,
} from '../../src/core/dbsc-proof.js';
import { hmacProof, makeDeviceKey, signProof, unsignedProof } from '../helpers/dbsc-keys.js';

const SECRET = 'test-secret-test-secret-test-secret-0123';

describe('checkRegistrationProof()', () => {
  it('accepts an ES256 dbsc+jwt signed by the key in its jwk header, and gives back that key and the jti', async () => {
    const key = await makeDeviceKey();
    const check = await checkRegistrationProof(await signProof(key, 'the-challenge'));
    expect(check).toEqual({
      ok: true,
      jti: 'the-challenge',
      key: { kty: 'EC', crv: 'P-256', x: key.jwk.x, y: key.jwk.y },
    });
  });

  it('refuses a proof signed by another key than the one its header names (wrong_key)', async () => {
    const [signer, named] = [await makeDeviceKey(), await makeDeviceKey()];
    const check = await checkRegistrationProof(await signProof(signer, 'c', { withJwk: named.jwk }));
    expect(check).toMatchObject({ ok: false, reason: 'wrong_key' });
  });

  it('refuses a typ other than dbsc+jwt, and a missing typ', async () => {
    const key = await makeDeviceKey();
    for (const typ of ['JWT', 'dpop+jwt', undefined]) {
      const check = await checkRegistrationProof(await signProof(key, 'c', { header: { typ } }));
      expect(check, String(typ)).toMatchObject({ ok: false, reason: 'malformed' });
    }
  });

  it('refuses alg none and HS256 (algorithm confusion), whatever jwk they carry', async () => {
    const key = await makeDeviceKey();
    const none = unsignedProof({ jwk: key.jwk }, { jti: 'c' });
    const hmac = await hmacProof({ jwk: key.jwk }, { jti: 'c' });
    const hmacWithOctKey = await hmacProof({ jwk: { kty: 'oct', k: 'c2VjcmV0' } }, { jti: 'c' });
    for (const proof of [none, hmac, hmacWithOctKey]) {
      expect(await checkRegistrationProof(proof)).toMatchObject({ ok: false, reason: 'malformed' });
    }
  });

  it('refuses a proof without jwk, with a private jwk, with another curve or with a point off the curve', async () => {
    const key = await makeDeviceKey();
    const privateJwk = { ...key.jwk, d: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' };
    const offCurve = { ...key.jwk, y: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' };
    const cases = [
      await signProof(key, 'c', { withJwk: false }),
      await signProof(key, 'c', { withJwk: privateJwk }),
      await signProof(key, 'c', { withJwk: { ...key.jwk, crv: 'P-384' } }),
      await signProof(key, 'c', { withJwk: offCurve }),
      await signProof(key, 'c', { withJwk: 'not an object' as never }),
    ];
    for (const proof of cases) {
      expect(await checkRegistrationProof(proof)).toMatchObject({ ok: false, reason: 'malformed' });
    }
  });

  it('refuses a proof without a string jti', async () => {
    const key = await makeDeviceKey();
    for (const jti of [undefined, 42, '']) {
      expect(await checkRegistrationProof(await signProof(key, jti)), String(jti)).toMatchObject({
        ok: false,
        reason: 'malformed',
      });
    }
  });

  it('refuses malformed input of every shape as malformed, never by throwing', async () => {
    const key = await makeDeviceKey();
    const valid = await signProof(key, 'c');
    const [header, payload, signature] = valid.split('.');
    const inputs = [
      '',
      'x',
      'a.b',
      'a.b.c.d',
      '...',
      `${header}.${payload}`,
      `${header}.${payload}.${signature}.`,
      `${header}.${payload}.${signature!.slice(0, -4)}`,
      `${header}.!!!.${signature}`,
      `${Buffer.from('{not json').toString('base64url')}.${payload}.${signature}`,
      `${header}.${Buffer.from('[1,2]').toString('base64url')}.${signature}`,
      `${header}.${payload}.${signature}`.repeat(10),
      '\u0000.\u0000.\u0000',
    ];
    for (const input of inputs) {
      const check = await checkRegistrationProof(input);
      expect(check.ok, input.slice(0, 40)).toBe(false);
    }
  });
});

describe('checkRefreshProof()', () => {
  it('accepts a proof signed by the stored key, with or without a jwk header', async () => {
    const key = await makeDeviceKey();
    const stored = serializeDeviceKey({ kty: 'EC', crv: 'P-256', x: key.jwk.x!, y: key.jwk.y! }, 0);
    expect(await checkRefreshProof(await signProof(key, 'r', { withJwk: false }), stored)).toMatchObject({
      ok: true,
      jti: 'r',
    });
    expect(await checkRefreshProof(await signProof(key, 'r'), stored)).toMatchObject({ ok: true });
  });

  it('checks against the stored key only: a proof by another key naming itself in jwk is wrong_key', async () => {
    const [bound, thief] = [await makeDeviceKey(), await makeDeviceKey()];
    const stored = serializeDeviceKey({ kty: 'EC', crv: 'P-256', x: bound.jwk.x!, y: bound.jwk.y! }, 0);
    expect(await checkRefreshProof(await signProof(thief, 'r'), stored)).toMatchObject({
      ok: false,
      reason: 'wrong_key',
    });
    expect(await checkRefreshProof(unsignedProof({}, { jti: 'r' }), stored)).toMatchObject({ ok: false });
    expect(await checkRefreshProof(await hmacProof({}, { jti: 'r' }), stored)).toMatchObject({ ok: false });
  });

  it('answers malformed, not an exception, for a stored key it cannot use', async () => {
    const key = await makeDeviceKey();
    expect(await checkRefreshProof(await signProof(key, 'r'), 'not json')).toMatchObject({ reason: 'malformed' });
    expect(await checkRefreshProof(await signProof(key, 'r'), '{"kty":"EC"}')).toMatchObject({ reason: 'malformed' });
  });

  it('gives an RFC 7638 thumbprint that jose agrees with', async () => {
    const { calculateJwkThumbprint } = await import('jose');
    const key = await makeDeviceKey();
    const publicKey = { kty: 'EC' as const, crv: 'P-256' as const, x: key.jwk.x!, y: key.jwk.y! };
    expect(thumbprintOf(publicKey)).toBe(await calculateJwkThumbprint(publicKey));
  });
});

describe('BoundCookieSigner', () => {
  const signer = new BoundCookieSigner(SECRET);
  const NOW = Date.UTC(2026, 11, 3, 6, 0, 0);

  it('accepts its own value for the same session until expiry plus grace, and not after', () => {
    const value = signer.issue('session-a', NOW + 60_000);
    expect(signer.verify('session-a', value, NOW, 10_000)).toBe(true);
    expect(signer.verify('session-a', value, NOW + 69_999, 10_000)).toBe(true);
    expect(signer.verify('session-a', value, NOW + 70_000, 10_000)).toBe(false);
  });

  it('refuses a value issued for another session, under another secret, or with its expiry moved', () => {
    const value = signer.issue('session-a', NOW + 60_000);
    expect(signer.verify('session-b', value, NOW, 0)).toBe(false);
    expect(new BoundCookieSigner(`${SECRET}-other`).verify('session-a', value, NOW, 0)).toBe(false);
    const [, mac] = value.split('.');
    const later = `${(NOW + 3_600_000).toString(36)}.${mac}`;
    expect(signer.verify('session-a', later, NOW + 120_000, 0)).toBe(false);
  });

  it('refuses absent, empty and malformed values without throwing', () => {
    for (const value of [undefined, '', '.', 'abc', '.mac', 'zzzzzzzzzzzzzz.mac', 'x'.repeat(500), 'AB.cd']) {
      expect(signer.verify('session-a', value, NOW, 0), String(value)).toBe(false);
    }
  });
});
