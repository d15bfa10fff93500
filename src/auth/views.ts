import { type Static, Type } from 'typebox';
import { BoundedMemo } from '../core/bounded-memo.js';
import type { AuthMethod, Session } from '../core/session.js';
import type { User } from '../core/user.js';

/**
 * What the API and the embedding adapters show of a user and a session: never a hash or a secret. These schemas are
 * also the HTTP responses' schemas, whose serializers drop any field not listed here.
 */

export const UserView = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  roles: Type.Array(Type.String()),
  createdAt: Type.String(),
  /** Heimdall confirmed the address (a link it sent was followed). */
  emailVerified: Type.Boolean(),
  secondFactors: Type.Array(Type.Union([Type.Literal('totp'), Type.Literal('passkey')])),
  disabled: Type.Boolean(),
});
export type UserView = Static<typeof UserView>;

/** core's SessionKind, as an exact union (test/unit/views.test.ts checks that the two agree). */
export const SessionKindView = Type.Union([Type.Literal('cookie'), Type.Literal('api')]);

export const SessionView = Type.Object({
  id: Type.String(),
  kind: SessionKindView,
  createdAt: Type.String(),
  lastSeenAt: Type.String(),
  expiresAt: Type.String(),
  idleExpiresAt: Type.String(),
  ip: Type.String(),
  userAgent: Type.String(),
  browser: Type.Union([Type.String(), Type.Null()]),
  os: Type.Union([Type.String(), Type.Null()]),
  country: Type.Union([Type.String(), Type.Null()]),
  provider: Type.Union([Type.String(), Type.Null()]),
  rememberMe: Type.Boolean(),
  /** When a factor was last proven on this session (sign-in, re-authentication). */
  authenticatedAt: Type.String(),
  methods: Type.Array(
    Type.Union([
      Type.Literal('password'),
      Type.Literal('oidc'),
      Type.Literal('passkey'),
      Type.Literal('totp'),
      Type.Literal('recovery_code'),
    ]),
  ),
  /** Bound to a key held by the browser (DBSC): a copied cookie stops working within minutes. */
  deviceBound: Type.Boolean(),
});
export type SessionView = Static<typeof SessionView>;

// The schema lists every method core knows, and nothing else: a new method fails to compile here until it is shown.
type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const METHODS_LISTED: Equal<SessionView['methods'][number], AuthMethod> = true;
void METHODS_LISTED;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Views of records served from the in-process caches are built once per record: the caches hand out the same
 * immutable objects request after request (a change makes a new object), and formatting five dates per
 * authenticated read measured about 2 µs. Views are frozen so no caller can alter a shared one. Views are kept for
 * the most recently viewed sessions and users only (a session's five date strings would otherwise double the heap a
 * cached session costs, and a view per cached user was another 50 bytes of it, issue 18): a record read again and
 * again keeps its view, one read once in a while rebuilds it.
 */
const USER_VIEWS = 4_096;
const userViews = new BoundedMemo<User, UserView>(
  (user) =>
    Object.freeze({
      id: user.id,
      email: user.email,
      name: user.name,
      roles: user.roles,
      createdAt: iso(user.createdAt),
      emailVerified: user.emailVerified,
      secondFactors: user.secondFactors,
      disabled: user.disabled,
    }),
  USER_VIEWS,
);
const SESSION_VIEWS = 4_096;
const sessionViews = new BoundedMemo<Session, SessionView>(
  (session) => Object.freeze(buildSessionView(session)),
  SESSION_VIEWS,
);

export function toUserView(user: User): UserView {
  return userViews.get(user);
}

export function toSessionView(session: Session): SessionView {
  return sessionViews.get(session);
}

function buildSessionView(session: Session): SessionView {
  return {
    id: session.id,
    kind: session.kind,
    createdAt: iso(session.createdAt),
    lastSeenAt: iso(session.lastSeenAt),
    expiresAt: iso(session.absoluteExpiresAt),
    idleExpiresAt: iso(session.idleExpiresAt),
    ip: session.ip,
    userAgent: session.userAgent,
    browser: session.browser,
    os: session.os,
    country: session.country,
    provider: session.provider,
    rememberMe: session.rememberMe,
    authenticatedAt: iso(session.authenticatedAt),
    methods: [...session.methods],
    deviceBound: session.deviceKey !== null,
  };
}
