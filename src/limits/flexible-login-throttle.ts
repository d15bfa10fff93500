import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import {
  type ActionLimiter,
  clientKey,
  type LimitedAction,
  type LimitScope,
  type LoginAttempt,
  type LoginThrottle,
  type ThrottleVerdict,
} from '../core/login-throttle.js';

/**
 * One failure limit: `free` failures within `windowSec` go through at once; after that each attempt must wait a
 * delay that doubles from `baseDelaySec` up to `maxDelaySec`. Delays rather than lock-outs, and always capped, so
 * nobody can be shut out for good by someone else's guesses.
 */
export interface FailureRule {
  free: number;
  windowSec: number;
  baseDelaySec: number;
  maxDelaySec: number;
}

export interface LoginLimitsPolicy {
  /** Consecutive failures for one account from one client address; a success clears them. */
  accountIp: FailureRule;
  /** Failures for one account from every address together (only for addresses never signed in to it). */
  account: FailureRule;
  /** Failures from one client address across every account. */
  ip: FailureRule;
  /** How long an address that signed in successfully stays exempt from the per-account rule. */
  knownClientSec: number;
  /** Plain per-IP budgets: `points` requests per `durationSec`. */
  actions: Record<LimitedAction, { points: number; durationSec: number }>;
}

/** The defaults documented in docs/security.md ("Brute force"), mapped to NIST SP 800-63B-4 §3.2.2. */
export const DEFAULT_LOGIN_LIMITS: LoginLimitsPolicy = {
  accountIp: { free: 5, windowSec: 86_400, baseDelaySec: 1, maxDelaySec: 900 },
  account: { free: 10, windowSec: 86_400, baseDelaySec: 60, maxDelaySec: 1_800 },
  ip: { free: 100, windowSec: 3_600, baseDelaySec: 10, maxDelaySec: 900 },
  // Under 24.8 days: in-process keys expire through setTimeout, whose delay is a signed 32-bit millisecond count.
  knownClientSec: 14 * 86_400,
  actions: {
    register: { points: 20, durationSec: 3_600 },
    tokens: { points: 60, durationSec: 60 },
    // Each third-party sign-on start writes a pending attempt that lives 10 minutes.
    sign_on: { points: 30, durationSec: 60 },
    password_reset: { points: 20, durationSec: 3_600 },
    password_reset_email: { points: 3, durationSec: 3_600 },
    account_mail: { points: 5, durationSec: 3_600 },
  },
};

/** Actions whose key is a client address (the others are keyed by email address or account). */
const PER_ADDRESS: ReadonlySet<LimitedAction> = new Set(['register', 'tokens', 'sign_on', 'password_reset']);

/** Makes one rate-limiter-flexible limiter; the store (memory, Redis) is the factory's choice. */
export type LimiterFactory = (options: { keyPrefix: string; points: number; duration: number }) => RateLimiterAbstract;

/** A counter that never refuses by itself: the gate decides. */
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

class FailureLimit {
  readonly #counter: RateLimiterAbstract;
  readonly #gate: RateLimiterAbstract;
  readonly #rule: FailureRule;
  readonly scope: LimitScope;

  constructor(scope: LimitScope, rule: FailureRule, create: LimiterFactory) {
    this.scope = scope;
    this.#rule = rule;
    this.#counter = create({ keyPrefix: `hd:rl:${scope}`, points: UNBOUNDED, duration: rule.windowSec });
    // The gate lets one attempt through per delay window; its window length is chosen per attempt.
    this.#gate = create({ keyPrefix: `hd:rl:${scope}:gate`, points: 1, duration: rule.baseDelaySec });
  }

  /** Counts the attempt; null when it may go ahead, else the refusal (and the count is handed back). */
  async count(key: string): Promise<ThrottleVerdict | null> {
    const counted = await this.#counter.consume(key);
    const beyond = counted.consumedPoints - this.#rule.free;
    if (beyond < 0) return null;
    const delaySec = Math.min(this.#rule.maxDelaySec, this.#rule.baseDelaySec * 2 ** Math.min(beyond, 30));
    try {
      await this.#gate.consume(key, 1, { customDuration: delaySec });
      return null;
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      await this.#counter.reward(key);
      return {
        allowed: false,
        scope: this.scope,
        retryAfterMs: Math.max(refusal.msBeforeNext, 1),
        firstRefusal: refusal.consumedPoints === 2,
      };
    }
  }

  refund(key: string): Promise<unknown> {
    return this.#counter.reward(key);
  }

  async clear(key: string): Promise<void> {
    await Promise.all([this.#counter.delete(key), this.#gate.delete(key)]);
  }
}

/**
 * LoginThrottle and ActionLimiter over rate-limiter-flexible. The per-IP rule is counted first, so an address that
 * is already limited creates no per-account keys (memory stays bounded under a spray of random emails).
 */
export class FlexibleLoginThrottle implements LoginThrottle, ActionLimiter {
  readonly #ip: FailureLimit;
  readonly #accountIp: FailureLimit;
  readonly #account: FailureLimit;
  readonly #known: RateLimiterAbstract;
  readonly #knownClientSec: number;
  readonly #actions: Record<LimitedAction, RateLimiterAbstract>;

  constructor(create: LimiterFactory, policy: LoginLimitsPolicy = DEFAULT_LOGIN_LIMITS) {
    this.#ip = new FailureLimit('ip', policy.ip, create);
    this.#accountIp = new FailureLimit('account_ip', policy.accountIp, create);
    this.#account = new FailureLimit('account', policy.account, create);
    this.#knownClientSec = policy.knownClientSec;
    this.#known = create({ keyPrefix: 'hd:rl:known', points: UNBOUNDED, duration: policy.knownClientSec });
    this.#actions = Object.fromEntries(
      Object.entries(policy.actions).map(([action, rule]) => [
        action,
        create({ keyPrefix: `hd:rl:${action}`, ...budget(rule) }),
      ]),
    ) as Record<LimitedAction, RateLimiterAbstract>;
  }

  async attempt(attempt: LoginAttempt): Promise<ThrottleVerdict> {
    const ip = clientKey(attempt.ip);
    const pair = `${attempt.email}|${ip}`;
    const known = (await this.#known.get(pair)) !== null;
    const steps: [FailureLimit, string][] = [
      [this.#ip, ip],
      [this.#accountIp, pair],
      ...(known ? [] : ([[this.#account, attempt.email]] as [FailureLimit, string][])),
    ];
    const counted: [FailureLimit, string][] = [];
    for (const [limit, key] of steps) {
      const refusal = await limit.count(key);
      if (refusal) {
        await Promise.all(counted.map(([l, k]) => l.refund(k)));
        return refusal;
      }
      counted.push([limit, key]);
    }
    return { allowed: true };
  }

  async succeeded(attempt: LoginAttempt): Promise<void> {
    const ip = clientKey(attempt.ip);
    const pair = `${attempt.email}|${ip}`;
    const wasKnown = (await this.#known.get(pair)) !== null;
    await Promise.all([
      this.#accountIp.clear(pair),
      this.#ip.refund(ip),
      wasKnown ? null : this.#account.refund(attempt.email),
      // Refreshed on every success, so a client in regular use stays known.
      this.#known.set(pair, 1, this.#knownClientSec),
    ]);
  }

  async abandoned(attempt: LoginAttempt): Promise<void> {
    const ip = clientKey(attempt.ip);
    const pair = `${attempt.email}|${ip}`;
    const known = (await this.#known.get(pair)) !== null;
    await Promise.all([
      this.#ip.refund(ip),
      this.#accountIp.refund(pair),
      known ? null : this.#account.refund(attempt.email),
    ]);
  }

  async consume(action: LimitedAction, key: string): Promise<ThrottleVerdict> {
    try {
      await this.#actions[action].consume(PER_ADDRESS.has(action) ? clientKey(key) : key);
      return { allowed: true };
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      const limiter = this.#actions[action];
      return {
        allowed: false,
        scope: action,
        retryAfterMs: Math.max(refusal.msBeforeNext, 1),
        firstRefusal: refusal.consumedPoints === limiter.points + 1,
      };
    }
  }
}

function budget(rule: { points: number; durationSec: number }) {
  return { points: rule.points, duration: rule.durationSec };
}
