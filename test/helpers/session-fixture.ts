import { describeUserAgent } from '../../src/core/device.js';
import type { Session } from '../../src/core/session.js';
import { COMMON_USER_AGENTS } from './user-agents.js';

/** The time the fixture's sessions are made at. */
export const NOW = 1_795_000_000_000;

/** A typical cookie session, made at NOW with a password from a common browser, with any field overridden. */
export function sessionFixture(overrides: Partial<Session> = {}): Session {
  const userAgent = overrides.userAgent ?? COMMON_USER_AGENTS[0]!;
  return {
    id: 'AbCdEfGhIjKlMnOpQrStUv',
    tokenHash: 'hash',
    userId: '0196f0b6-7a1c-7c3e-9d2a-3f5e8b1c2d4e',
    kind: 'cookie',
    userVersion: 0,
    createdAt: NOW,
    lastSeenAt: NOW,
    idleExpiresAt: NOW + 1_800_000,
    absoluteExpiresAt: NOW + 43_200_000,
    idleTimeoutMs: 1_800_000,
    rememberMe: false,
    ip: '203.0.113.7',
    userAgent,
    ...describeUserAgent(userAgent),
    country: 'SE',
    csrfToken: 'AAAAAAAAAAAAAAAAAAAAAA',
    provider: null,
    authenticatedAt: NOW,
    methods: ['password'],
    deviceKey: null,
    ...overrides,
  };
}
