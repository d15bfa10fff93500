import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AUTH_METHODS, type Session, type SessionStore } from '../../src/core/session.js';
import { CachedSessionStore } from '../../src/stores/memory/cached-session-store.js';
import { type PackedSession, SessionPacker } from '../../src/stores/memory/packed-session.js';
import { TrackedCache } from '../../src/stores/memory/tracked-cache.js';
import { NOW, sessionFixture as session } from '../helpers/session-fixture.js';
import { COMMON_USER_AGENTS } from '../helpers/user-agents.js';

const text = fc.string({ unit: 'binary', maxLength: 60 });
const time = fc.oneof(
  fc.integer({ min: 0, max: 4_000_000_000_000 }),
  fc.double({ min: 1, max: 4e12, noNaN: true, noDefaultInfinity: true }),
);
const arbitrarySession = fc.record({
  id: text,
  tokenHash: fc.string({ minLength: 1, maxLength: 43 }),
  userId: text,
  kind: fc.constantFrom('cookie' as const, 'api' as const),
  userVersion: fc.nat(1_000_000),
  createdAt: time,
  lastSeenAt: time,
  idleExpiresAt: time,
  absoluteExpiresAt: time,
  idleTimeoutMs: time,
  rememberMe: fc.boolean(),
  ip: text,
  userAgent: fc.oneof(text, fc.constantFrom(...COMMON_USER_AGENTS)),
  browser: fc.option(text),
  os: fc.option(text),
  country: fc.option(text),
  csrfToken: text,
  provider: fc.option(text),
  authenticatedAt: time,
  methods: fc.subarray([...AUTH_METHODS]),
  deviceKey: fc.option(text),
}) as fc.Arbitrary<Session>;

describe('SessionPacker', () => {
  it('unpack(pack(s)) gives back every field of any session, exactly', () => {
    fc.assert(
      fc.property(arbitrarySession, (s) => {
        const packer = new SessionPacker();
        expect(packer.unpack(s.tokenHash, packer.pack(s))).toEqual(s);
      }),
      { numRuns: 1_000 },
    );
  });

  it('reads the expiry, the owner and the live country without unpacking, as the unpacked record says', () => {
    const tricky = fc.constantFrom('u', 'u"', 'u",', 'u\\', 'u\\"', '"u', ',', '[1,2]', 'u1', 'null');
    const country = fc.option(fc.oneof(text, tricky));
    fc.assert(
      fc.property(
        arbitrarySession,
        fc.oneof(text, tricky),
        fc.oneof(text, tricky),
        country,
        time,
        (s, userId, other, country, now) => {
          const packer = new SessionPacker();
          const packed = packer.pack({ ...s, userId, country });
          const back = packer.unpack(s.tokenHash, packed)!;
          const expired = now >= back.idleExpiresAt || now >= back.absoluteExpiresAt;
          expect(packer.expiredAt(packed, now)).toBe(expired);
          expect(packer.belongsTo(packed, userId)).toBe(true);
          expect(packer.belongsTo(packed, other)).toBe(other === userId);
          expect(packer.liveCountryOf(packed, userId, now)).toBe(expired ? null : back.country);
          if (other !== userId) expect(packer.liveCountryOf(packed, other, now)).toBeUndefined();
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('packs a typical session into one string of under 200 one-byte characters', () => {
    const packed = new SessionPacker().pack(session());
    expect(packed.length).toBeLessThan(200);
    expect(Buffer.byteLength(packed, 'latin1')).toBe(packed.length);
    expect(/^[\x20-\x7e]*$/.test(packed)).toBe(true);
    // The user agent is named by number, not written out.
    expect(packed).not.toContain('Mozilla');
  });

  it('answers the same object while it is among the recently unpacked, and never one of another token hash', () => {
    const packer = new SessionPacker();
    const packed = packer.pack(session());
    const first = packer.unpack('hash', packed);
    expect(packer.unpack('hash', packed)).toBe(first);
    const twin = packer.unpack('other-hash', packed);
    expect(twin).not.toBe(first);
    expect(twin).toEqual({ ...first, tokenHash: 'other-hash' });
  });

  it('fails to unpack a session whose device it has since forgotten, rather than answer another device', () => {
    const packer = new SessionPacker();
    const packed = packer.pack(session({ userAgent: 'the first browser' }));
    const first = packer.unpack('hash', packed);
    expect(first?.userAgent).toBe('the first browser');
    for (let i = 0; i < 16_384; i++) packer.pack(session({ userAgent: `browser ${i}` }));
    // Its device is forgotten, but while it is among the recently unpacked it is still that object.
    expect(packer.unpack('hash', packed)).toBe(first);
    for (let i = 0; i < 4_096; i++) {
      packer.unpack(`h${i}`, packer.pack(session({ id: `s${i}`, userAgent: `browser ${i}` })));
    }
    expect(packer.unpack('hash', packed)).toBeNull();
  });
});

describe('CachedSessionStore with packed sessions', () => {
  it('reads a session again from its store when its packed entry names a forgotten device', async () => {
    const held = new Map<string, Session>();
    let reads = 0;
    const inner = {
      async findByTokenHash(tokenHash: string) {
        reads++;
        return held.get(tokenHash) ?? null;
      },
    } as unknown as SessionStore;
    const coherence = { isLive: () => true, listen: () => () => {} };
    const sessions = new TrackedCache<PackedSession>(coherence, { maxEntries: 30_000 });
    const lists = new TrackedCache<string[]>(coherence, { maxEntries: 10 });
    const store = new CachedSessionStore(inner, { sessions, lists, idKey: (id) => `sid:${id}` });
    held.set('first', session({ tokenHash: 'first', userAgent: 'the first browser' }));
    expect((await store.findByTokenHash('first'))?.userAgent).toBe('the first browser');
    for (let i = 0; i < 16_384 + 4_096; i++) {
      const tokenHash = `h${i}`;
      held.set(tokenHash, session({ tokenHash, id: `s${i}`, userAgent: `browser ${i}` }));
      await store.findByTokenHash(tokenHash);
    }
    const before = reads;
    const again = await store.findByTokenHash('first');
    expect(again).toEqual(held.get('first'));
    expect(reads).toBe(before + 1);
    // Packed anew, it is served from memory again.
    await store.findByTokenHash('first');
    expect(reads).toBe(before + 1);
  });
});

describe('CachedSessionStore when its coherence fails', () => {
  it('answers a rejected promise, never a throw, so callers that chain .catch() still see the error', async () => {
    const inner = { findByTokenHash: async () => null } as unknown as SessionStore;
    const broken = {
      isLive: () => {
        throw new Error('the database connection is not open');
      },
      listen: () => () => {},
    };
    const sessions = new TrackedCache<PackedSession>(broken, { maxEntries: 10 });
    const lists = new TrackedCache<string[]>(broken, { maxEntries: 10 });
    const store = new CachedSessionStore(inner, { sessions, lists, idKey: (id) => `sid:${id}` });
    let answer: Promise<unknown> | undefined;
    expect(() => {
      answer = store.findByTokenHash('hash');
    }).not.toThrow();
    await expect(answer).rejects.toThrow('the database connection is not open');
  });
});

describe('CachedSessionStore countries for the anomaly check', () => {
  it('answers from the packed entries when all are held, and from the store when one is not', async () => {
    const held = [
      session({ tokenHash: 'a', id: 'sa', country: 'SE' }),
      session({ tokenHash: 'b', id: 'sb', country: 'NO', idleExpiresAt: NOW + 10 }),
      session({ tokenHash: 'c', id: 'sc', country: null }),
      session({ tokenHash: 'd', id: 'sd', country: 'DK' }),
    ];
    const calls: string[] = [];
    const inner = {
      async findByTokenHash(tokenHash: string) {
        calls.push(`find ${tokenHash}`);
        return held.find((s) => s.tokenHash === tokenHash) ?? null;
      },
      async listForUser() {
        calls.push('list');
        return held;
      },
    } as unknown as SessionStore;
    const coherence = { isLive: () => true, listen: () => () => {} };
    const sessions = new TrackedCache<PackedSession>(coherence, { maxEntries: 100 });
    const lists = new TrackedCache<string[]>(coherence, { maxEntries: 100 });
    const store = new CachedSessionStore(inner, { sessions, lists, idKey: (id) => `sid:${id}` });
    const userId = held[0]!.userId;
    for (const s of held) await store.findByTokenHash(s.tokenHash);
    await store.listForUser(userId);
    calls.length = 0;
    expect(await store.countriesForUser(userId, NOW)).toEqual(['DK', 'NO', 'SE']);
    // b's idle expiry has passed: its country no longer counts.
    expect(await store.countriesForUser(userId, NOW + 10)).toEqual(['DK', 'SE']);
    expect(calls).toEqual([]);
    // With one session's entry gone, the list is read through the sessions cache (that one from the store).
    sessions.invalidate('d');
    expect(await store.countriesForUser(userId, NOW)).toEqual(['DK', 'NO', 'SE']);
    expect(calls).toEqual(['find d']);
  });
});
