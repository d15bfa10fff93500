import { isIP } from 'node:net';

/** What a sign-in attempt is counted against: the account (normalised email) and the client address. */
export interface LoginAttempt {
  email: string;
  ip: string;
}

/** Which limit refused a request. */
export type LimitScope = 'account_ip' | 'account' | 'ip' | LimitedAction;

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
  /**
   * The attempt was never judged (the server shed it before the password was checked: 503): its counts go back,
   * and nothing else changes (no failure streak is cleared, no client becomes known).
   */
  abandoned(attempt: LoginAttempt): Promise<void>;
}

/**
 * Actions limited whatever their outcome: per client address (`register`, `tokens`, `sign_on`, `password_reset`), per
 * email address asked about (`password_reset_email`), or per account (`account_mail`: verification resends and
 * changes of email, which send mail to an address the account names).
 */
export type LimitedAction =
  | 'register'
  | 'tokens'
  | 'sign_on'
  | 'password_reset'
  | 'password_reset_email'
  | 'account_mail';

/** Port: a plain request budget for actions that are not sign-in. */
export interface ActionLimiter {
  /** `key` is the client address for per-address actions (counted per /64 for IPv6), else the email or user id. */
  consume(action: LimitedAction, key: string): Promise<ThrottleVerdict>;
}

/** Limits that never refuse (embedding hosts that limit elsewhere, and unit tests). */
export const unlimited: LoginThrottle & ActionLimiter = {
  attempt: async () => ({ allowed: true }),
  succeeded: async () => {},
  abandoned: async () => {},
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
