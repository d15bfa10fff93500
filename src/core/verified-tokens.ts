import { FifoMap } from './fifo-map.js';

/** What a full verification established about one token string. */
export interface VerifiedToken<C> {
  claims: C;
  /** The key that verified the signature. */
  kid: string;
  /** Epoch ms of the full verification. */
  verifiedAt: number;
  /** Epoch ms from which a time-based check (exp, maximum age) may fail: verify in full again from then on. */
  reuseUntil: number;
}

/**
 * Tokens that passed jose's full verification, kept so that a client sending the same access token on every request
 * pays for one signature check per token rather than one per request (Envoy's jwt_authn filter caches verified JWTs
 * for the same reason). A signature check goes through Web Crypto, which hands it to libuv's thread pool and back:
 * most of a Bearer request's CPU (docs/benchmarks.md).
 *
 * What keeps this as strict as verifying again: only the exact string that was verified hits, so a changed byte is
 * verified in full; the remembered claims are reused only inside the window where every time-based check jose made
 * still passes (`reuseUntil`, and never with a clock earlier than the verification); the caller refuses a hit whose
 * key no longer verifies (retired, or gone after a reload). At most `maxEntries` tokens are kept, the oldest dropped
 * first, and only genuine tokens (signed by us) enter, so junk cannot grow it. Everything checked against state
 * (families, deny list, the user's roles and session version) is still read on every request by the callers.
 */
export class VerifiedTokens<C> {
  readonly #entries = new FifoMap<string, VerifiedToken<C>>();
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new TypeError('maxEntries must be a positive integer');
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The remembered verification of `token`, if it may still be reused at `now`. */
  recall(token: string, now: number): VerifiedToken<C> | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    if (now >= entry.verifiedAt && now < entry.reuseUntil) return entry;
    this.#entries.delete(token);
    return undefined;
  }

  remember(token: string, entry: VerifiedToken<C>): void {
    if (entry.reuseUntil > entry.verifiedAt) this.#entries.setWithin(this.#maxEntries, token, entry);
  }

  forget(token: string): void {
    this.#entries.delete(token);
  }
}
