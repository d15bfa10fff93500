import { isIP } from 'node:net';

/** What a sign-in attempt is counted against: the account (normalised email) and the client address. */
export interface LoginAttempt {
  email: string;
  ip: string;
}

/** Which limit refused a request. */
export type LimitScope = 'account_ip' | 'account' | 'ip' | 'register' | 'tokens' | 'sign_on';

export type ThrottleVerdict =
  | { allowed: true }
  | {
      allowed: false;
      scope: LimitScope;
      /** How long until the next attempt may be made. */
      retryAfterMs: number;
      /** True for the first refusal of a blocking period: the one worth an audit entry. */
      firstRefusal: boolean;
    };

/**
 * Port: brute-force limits on password sign-in (DESIGN "Defence", API.md "Abuse limits"). Only failures are meant
 * to count: an attempt is counted before the password is checked, so parallel guesses cannot slip past the limit,
 * and a success hands its count back. Implementations keep their counters where sessions live.
 */
export interface LoginThrottle {
  /** Counts an attempt and says whether it may go ahead; a refused attempt is not counted. */
  attempt(attempt: LoginAttempt): Promise<ThrottleVerdict>;
  /** The attempt succeeded: clear the account+IP failure streak and refund the attempt elsewhere. */
  succeeded(attempt: LoginAttempt): Promise<void>;
}

/** Actions limited per client address whatever their outcome. */
export type LimitedAction = 'register' | 'tokens' | 'sign_on';

/** Port: a plain per-IP request budget for actions that are not sign-in. */
export interface ActionLimiter {
  consume(action: LimitedAction, ip: string): Promise<ThrottleVerdict>;
}

/** Limits that never refuse (embedding hosts that limit elsewhere, and unit tests). */
export const unlimited: LoginThrottle & ActionLimiter = {
  attempt: async () => ({ allowed: true }),
  succeeded: async () => {},
  consume: async () => ({ allowed: true }),
};

/**
 * The key a client address is counted under. IPv6 clients usually hold a whole /64, so they are counted per /64;
 * IPv4-mapped IPv6 addresses count as the IPv4 address they are.
 */
export function clientKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (isIP(ip) !== 6) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
