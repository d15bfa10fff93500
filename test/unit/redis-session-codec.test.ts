import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedMemo } from '../../src/core/bounded-memo.js';
import { describeUserAgent } from '../../src/core/device.js';
import { AUTH_METHODS, type Session } from '../../src/core/session.js';
import { RedisSessionCodec } from '../../src/stores/redis/redis-session-codec.js';
import { packUserAgent, unpackUserAgent } from '../../src/stores/redis/user-agent-packing.js';
import { sessionFixture as session } from '../helpers/session-fixture.js';
import { COMMON_USER_AGENTS } from '../helpers/user-agents.js';

describe('user agent packing', () => {
  it('is exact for any string at all', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (ua) => {
        const packed = packUserAgent(ua);
        if (packed !== null) expect(unpackUserAgent(packed)).toBe(ua);
      }),
      { numRuns: 2_000 },
    );
  });

  it('packs every Latin-1 string (all an HTTP header can carry), dictionary phrases included', () => {
    const phrases = fc.constantFrom(...COMMON_USER_AGENTS.flatMap((ua) => ua.split(/(?<=[ ;()/])/)));
    const latin1 = fc.string({ unit: fc.integer({ min: 0, max: 0xff }).map((c) => String.fromCharCode(c)) });
    fc.assert(
      fc.property(fc.array(fc.oneof(phrases, latin1), { maxLength: 12 }), (parts) => {
        const ua = parts.join('');
        const packed = packUserAgent(ua);
        expect(packed).not.toBeNull();
        expect(unpackUserAgent(packed!)).toBe(ua);
      }),
      { numRuns: 2_000 },
    );
  });

  it('leaves a user agent with characters above Latin-1 unpacked, so no marker is ever ambiguous', () => {
    expect(packUserAgent('Mozilla/5.0 \u0100')).toBeNull();
    expect(packUserAgent('☃')).toBeNull();
  });

  it('makes the common browsers 9 to 52 bytes instead of 80 to 146', () => {
    for (const ua of COMMON_USER_AGENTS) {
      const bytes = Buffer.byteLength(packUserAgent(ua)!);
      expect(bytes, ua).toBeLessThanOrEqual(52);
      expect(bytes, ua).toBeLessThan(ua.length / 2);
    }
  });
});

describe('RedisSessionCodec', () => {
  it('decode(encode(s)) gives back every field of any session', () => {
    const codec = new RedisSessionCodec({ describe: (ua) => ({ browser: `b${ua.length}`, os: null }) });
    const time = fc.integer({ min: 1_500_000_000_000, max: 4_000_000_000_000 });
    const span = fc.integer({ min: 0, max: 400 * 86_400_000 });
    const text = fc.string({ unit: 'binary', maxLength: 80 });
    const arbitrarySession = fc
      .record({
        id: text,
        userId: text,
        kind: fc.constantFrom('cookie' as const, 'api' as const),
        userVersion: fc.nat(1_000_000),
        createdAt: time,
        seenAfter: span,
        idleTimeoutMs: span,
        absoluteAfter: span,
        capped: fc.boolean(),
        rememberMe: fc.boolean(),
        ip: text,
        userAgent: fc.oneof(text, fc.constantFrom(...COMMON_USER_AGENTS)),
        country: fc.option(text),
        csrfToken: text,
        provider: fc.option(text),
        provenAfter: span,
        methods: fc.subarray([...AUTH_METHODS]),
        deviceKey: fc.option(text),
      })
      .map(({ seenAfter, absoluteAfter, capped, provenAfter, ...r }): Session => {
        const lastSeenAt = r.createdAt + seenAfter;
        const absoluteExpiresAt = r.createdAt + absoluteAfter;
        const idle = lastSeenAt + r.idleTimeoutMs;
        return {
          ...r,
          tokenHash: 'hash',
          lastSeenAt,
          absoluteExpiresAt,
          idleExpiresAt: capped ? Math.min(idle, absoluteExpiresAt) : idle,
          browser: `b${r.userAgent.length}`,
          os: null,
          authenticatedAt: r.createdAt + provenAfter,
        };
      });
    fc.assert(
      fc.property(arbitrarySession, (s) => {
        expect(codec.decode('hash', codec.encode(s))).toEqual(s);
      }),
      { numRuns: 1_000 },
    );
  });

  it('writes a typical session in under 190 bytes (format 1 took 337)', () => {
    const codec = new RedisSessionCodec();
    const encoded = codec.encode(session());
    expect(Buffer.byteLength(encoded)).toBeLessThanOrEqual(190);
    expect(encoded).not.toContain('Chrome 156');
    expect(codec.decode('hash', encoded)).toEqual(session());
  });

  it('still reads format 1 records, written before the upgrade, with their stored browser and OS', () => {
    const codec = new RedisSessionCodec();
    const s = session({ browser: 'Stored Browser', os: 'Stored OS', csrfToken: 'B'.repeat(43) });
    const v1 = JSON.stringify([
      1,
      s.id,
      s.userId,
      s.kind,
      s.userVersion,
      s.createdAt,
      s.lastSeenAt,
      s.idleExpiresAt,
      s.absoluteExpiresAt,
      s.idleTimeoutMs,
      0,
      s.ip,
      s.userAgent,
      s.browser,
      s.os,
      s.country,
      s.csrfToken,
      s.provider,
    ]);
    expect(codec.decode('hash', v1)).toEqual(s);
  });

  it('reads anything else as no session', () => {
    const codec = new RedisSessionCodec();
    const good = JSON.parse(codec.encode(session())) as unknown[];
    for (const raw of [
      'not json',
      '{}',
      '[]',
      JSON.stringify([4, ...good.slice(1)]),
      JSON.stringify([3, ...good.slice(1)]),
      JSON.stringify(good.slice(0, 15)),
      JSON.stringify(good.map((v, i) => (i === 3 ? 7 : v))),
      JSON.stringify(good.map((v, i) => (i === 12 ? 42 : v))),
    ]) {
      expect(codec.decode('hash', raw), raw).toBeNull();
    }
    expect(() => codec.encode(session({ kind: 'other' as Session['kind'] }))).toThrow(TypeError);
  });

  it('parses each distinct user agent once, however many sessions and reads carry it', () => {
    const parsed: string[] = [];
    const codec = new RedisSessionCodec({
      describe: (ua) => {
        parsed.push(ua);
        return describeUserAgent(ua);
      },
    });
    const records = COMMON_USER_AGENTS.map((userAgent) => codec.encode(session({ userAgent })));
    for (let read = 0; read < 50; read++) for (const raw of records) codec.decode('hash', raw);
    expect(parsed).toEqual(COMMON_USER_AGENTS);
  });

  it('remembers a bounded number of user agents, so made-up ones cannot grow memory', () => {
    let parses = 0;
    const codec = new RedisSessionCodec({
      memoEntries: 4,
      describe: () => {
        parses++;
        return { browser: null, os: null };
      },
    });
    for (let i = 0; i < 100; i++) codec.decode('hash', codec.encode(session({ userAgent: `bot/${i}` })));
    expect(parses).toBe(100);
    // The four most recent are still remembered.
    codec.decode('hash', codec.encode(session({ userAgent: 'bot/99' })));
    expect(parses).toBe(100);
  });
});

describe('BoundedMemo', () => {
  it('computes once per key and drops the oldest key beyond its bound', () => {
    const calls: number[] = [];
    const memo = new BoundedMemo((n: number) => {
      calls.push(n);
      return n * 2;
    }, 2);
    expect([memo.get(1), memo.get(1), memo.get(2), memo.get(3)]).toEqual([2, 2, 4, 6]);
    expect(memo.size).toBe(2);
    memo.get(1);
    expect(calls).toEqual([1, 2, 3, 1]);
    expect(() => new BoundedMemo((n: number) => n, 0)).toThrow(TypeError);
  });
});
