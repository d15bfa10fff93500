import { Value } from 'typebox/value';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type SessionView, SessionView as SessionViewSchema, toSessionView, toUserView } from '../../src/auth/views.js';
import type { AuthMethod, SessionKind } from '../../src/core/session.js';
import type { User } from '../../src/core/user.js';

describe('the views embedding hosts and the API show', () => {
  it('type session.kind and session.methods as exact unions, not strings', () => {
    expectTypeOf<SessionView['kind']>().toEqualTypeOf<SessionKind>();
    expectTypeOf<SessionView['methods'][number]>().toEqualTypeOf<AuthMethod>();
  });

  it('accept only the known kinds in the schema the API answers with', () => {
    const session = toSessionView({
      id: 'id',
      tokenHash: 'hash',
      userId: 'user',
      kind: 'api',
      userVersion: 1,
      createdAt: 0,
      lastSeenAt: 0,
      idleExpiresAt: 1,
      absoluteExpiresAt: 2,
      idleTimeoutMs: 1,
      rememberMe: false,
      ip: '127.0.0.1',
      userAgent: '',
      browser: null,
      os: null,
      country: null,
      csrfToken: 'csrf',
      provider: null,
      authenticatedAt: 0,
      methods: ['password'],
      deviceKey: null,
    });
    expect(Value.Check(SessionViewSchema, session)).toBe(true);
    expect(Value.Check(SessionViewSchema, { ...session, kind: 'magic' })).toBe(false);
  });

  it('build a user view once per record while it is recent, and again once forgotten, saying the same', () => {
    const user = (n: number): User => ({
      id: `user-${n}`,
      email: `u${n}@example.com`,
      name: `User ${n}`,
      roles: ['user'],
      passwordHash: null,
      disabled: false,
      emailVerified: true,
      secondFactors: [],
      sessionVersion: 1,
      createdAt: Date.UTC(2026, 0, 1),
      updatedAt: Date.UTC(2026, 0, 1),
    });
    const odin = user(0);
    const first = toUserView(odin);
    expect(toUserView(odin)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(first.createdAt).toBe('2026-01-01T00:00:00.000Z');
    // Viewing more users than the views kept forgets the oldest: the next view of it is a new, equal object.
    for (let n = 1; n <= 5_000; n++) toUserView(user(n));
    const again = toUserView(odin);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });
});
