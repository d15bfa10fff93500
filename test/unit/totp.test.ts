import { describe, expect, it } from 'vitest';
import { generateRecoveryCodes, normaliseRecoveryCode, RecoveryCodeDigester } from '../../src/core/recovery-codes.js';
import { generateTotp, generateTotpSecret, verifyTotp } from '../../src/core/totp.js';

/** RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890" (base32 below), 8 digits. */
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const RFC_VECTORS: [unixSeconds: number, code: string][] = [
  [59, '94287082'],
  [1_111_111_109, '07081804'],
  [1_111_111_111, '14050471'],
  [1_234_567_890, '89005924'],
  [2_000_000_000, '69279037'],
  [20_000_000_000, '65353130'],
];
const EIGHT_DIGITS = { algorithm: 'SHA1', digits: 8, period: 30 };

describe('TOTP (RFC 6238)', () => {
  it.each(RFC_VECTORS)('at T = %i s the SHA-1 code is %s (RFC 6238 Appendix B)', (seconds, code) => {
    expect(generateTotp(RFC_SECRET, seconds * 1000, EIGHT_DIGITS)).toBe(code);
    expect(verifyTotp(RFC_SECRET, code, seconds * 1000, EIGHT_DIGITS)).toEqual({
      ok: true,
      step: Math.floor(seconds / 30),
    });
  });

  it.each(RFC_VECTORS)(
    'the 6-digit code at T = %i s is the last six digits of %s (RFC 4226 §5.3 truncation)',
    (seconds, code) => {
      expect(generateTotp(RFC_SECRET, seconds * 1000)).toBe(code.slice(-6));
    },
  );

  it('accepts the codes of one step either side and reports each one’s step, and nothing further', () => {
    const now = 1_111_111_111_000;
    const step = Math.floor(now / 30_000);
    for (const delta of [-1, 0, 1]) {
      const code = generateTotp(RFC_SECRET, now + delta * 30_000);
      expect(verifyTotp(RFC_SECRET, code, now)).toEqual({ ok: true, step: step + delta });
    }
    for (const delta of [-2, 2]) {
      expect(verifyTotp(RFC_SECRET, generateTotp(RFC_SECRET, now + delta * 30_000), now)).toEqual({ ok: false });
    }
  });

  it('refuses anything that is not six digits, and a secret that is not base32, without throwing', () => {
    for (const code of ['', '12345', '1234567', '12345a', ' 123456', '１２３４５６']) {
      expect(verifyTotp(RFC_SECRET, code, 0)).toEqual({ ok: false });
    }
    expect(verifyTotp('not base32!', '123456', 0)).toEqual({ ok: false });
  });

  it('new secrets are 160 random bits in base32, never repeated', () => {
    const secrets = Array.from({ length: 50 }, () => generateTotpSecret());
    for (const s of secrets) expect(s).toMatch(/^[A-Z2-7]{32}$/);
    expect(new Set(secrets).size).toBe(50);
  });
});

describe('recovery codes', () => {
  it('come ten at a time, 16 base32 characters in four groups, all different', () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
  });

  it('are read as typed: any case, spaces or hyphens; anything else is not a code', () => {
    expect(normaliseRecoveryCode('ABCD efgh-2345 6723')).toBe('abcdefgh23456723');
    expect(normaliseRecoveryCode('abcd-efgh-2345-672')).toBeNull();
    expect(normaliseRecoveryCode('abcd-efgh-2345-6781')).toBeNull();
  });

  it('digests depend on the secret and the account, so a digest copied elsewhere matches nothing', () => {
    const code = generateRecoveryCodes()[0]!;
    const a = new RecoveryCodeDigester('a'.repeat(32));
    const b = new RecoveryCodeDigester('b'.repeat(32));
    expect(a.digest('u1', code)).toBe(a.digest('u1', code.toUpperCase()));
    expect(a.digest('u1', code)).not.toBe(a.digest('u2', code));
    expect(a.digest('u1', code)).not.toBe(b.digest('u1', code));
    expect(a.digest('u1', 'nope')).toBeNull();
    expect(a.digest('u1', code)).not.toContain(code.replace(/-/g, ''));
  });
});
