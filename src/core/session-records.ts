import { type DeviceDescription, describeUserAgent, type GeoLookup } from './device.js';
import { generatePublicId } from './ids.js';
import { type AuthMethod, type ClientInfo, methodSet, type Session, type SessionKind } from './session.js';
import { CSRF_TOKEN_BYTES, generateSecret, type RandomSource } from './tokens.js';
import type { User } from './user.js';

/** Session lifetimes, in milliseconds. */
export interface SessionPolicy {
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  rememberIdleTimeoutMs: number;
  rememberAbsoluteTimeoutMs: number;
  /** SESSION_MAX_PER_USER: a new session beyond it ends the account's oldest; absent: no bound. */
  maxPerUser?: number;
}

export interface CreateSessionOptions {
  /** How the holder proved who they are; the session counts as proven now. */
  methods: readonly AuthMethod[];
  rememberMe?: boolean;
  kind?: SessionKind;
  provider?: string | null;
  /** Lifetimes other than the cookie policy's (API token families have their own). */
  idleTimeoutMs?: number;
  absoluteTimeoutMs?: number;
}

/** What a new record needs besides its user, client and options: the moment, its token's hash and the sources. */
export interface NewRecordContext {
  now: number;
  tokenHash: string;
  policy: SessionPolicy;
  random: RandomSource;
  geo: GeoLookup;
}

/**
 * The record of a session that starts now: lifetimes from the options or the cookie policy (remember-me or not),
 * the device and country the client's request shows, a fresh public id and CSRF token, proven now by `methods`.
 */
export function newSessionRecord(
  user: User,
  client: ClientInfo,
  options: CreateSessionOptions,
  context: NewRecordContext,
): Session {
  const { now, policy } = context;
  const remember = options.rememberMe === true;
  const idleTimeoutMs = options.idleTimeoutMs ?? (remember ? policy.rememberIdleTimeoutMs : policy.idleTimeoutMs);
  const absoluteExpiresAt =
    now + (options.absoluteTimeoutMs ?? (remember ? policy.rememberAbsoluteTimeoutMs : policy.absoluteTimeoutMs));
  const device: DeviceDescription = describeUserAgent(client.userAgent);
  return {
    id: generatePublicId(context.random),
    tokenHash: context.tokenHash,
    userId: user.id,
    kind: options.kind ?? 'cookie',
    userVersion: user.sessionVersion,
    createdAt: now,
    lastSeenAt: now,
    idleExpiresAt: Math.min(now + idleTimeoutMs, absoluteExpiresAt),
    absoluteExpiresAt,
    idleTimeoutMs,
    rememberMe: remember,
    ip: client.ip,
    userAgent: client.userAgent.slice(0, 512),
    browser: device.browser,
    os: device.os,
    country: context.geo.countryOf(client.ip),
    csrfToken: generateSecret(context.random, CSRF_TOKEN_BYTES),
    provider: options.provider ?? null,
    authenticatedAt: now,
    methods: methodSet(options.methods),
    deviceKey: null,
  };
}

/**
 * The record of a session proven again now (re-authentication): same public id, lifetimes and device binding; a new
 * token hash and CSRF token, the user's current session version, active and authenticated now, and `methods` added
 * to what it held.
 */
export function reprovedSessionRecord(
  session: Session,
  user: User,
  methods: readonly AuthMethod[],
  context: { now: number; tokenHash: string; random: RandomSource },
): Session {
  const { now } = context;
  return {
    ...session,
    tokenHash: context.tokenHash,
    csrfToken: generateSecret(context.random, CSRF_TOKEN_BYTES),
    userVersion: user.sessionVersion,
    lastSeenAt: now,
    idleExpiresAt: Math.min(now + session.idleTimeoutMs, session.absoluteExpiresAt),
    authenticatedAt: now,
    methods: methodSet([...session.methods, ...methods]),
  };
}
