import { Value } from 'typebox/value';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type SessionView, SessionView as SessionViewSchema, toSessionView } from '../../src/auth/views.js';
import type { AuthMethod, SessionKind } from '../../src/core/session.js';

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
});
