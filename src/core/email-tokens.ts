import type { Clock } from './clock.js';
import { cryptoRandom, generateSecret, hashToken, looksLikeSecret, type RandomSource } from './tokens.js';

/**
 * What an email link is for. Each purpose is redeemed by its own endpoint only (a verification link cannot reset a
 * password): `verify_email` and `change_email` by POST /api/auth/email/verify, `reset_password` and `invitation`
 * by POST /api/auth/password/reset.
 */
export type EmailTokenPurpose = 'verify_email' | 'change_email' | 'reset_password' | 'invitation';

/** A link's token as stored: only its SHA-256, never the token itself (API.md, "Email"). */
export interface EmailToken {
  tokenHash: string;
  purpose: EmailTokenPurpose;
  userId: string;
  /** The address the link was sent to: the account's, or the new one of a change of email. */
  email: string;
  createdAt: number;
  expiresAt: number;
}

/** Port: email tokens (SQL). Spending one is UserRepository.redeemEmailToken, in one transaction with its effect. */
export interface EmailTokenStore {
  insert(token: EmailToken): Promise<void>;
  /** The token with this digest, expired or not; null when unknown or spent. */
  find(tokenHash: string): Promise<EmailToken | null>;
  /** Deletes the user's tokens of these purposes (a newer link replaces the older ones). */
  deleteForUser(userId: string, purposes: readonly EmailTokenPurpose[]): Promise<void>;
  /** Removes tokens that expired before `now`; returns how many. */
  pruneExpired(now: number): Promise<number>;
}

/** A new link's secret (for the message) and its record (for the store). */
export interface IssuedEmailToken {
  secret: string;
  token: EmailToken;
}

/**
 * Makes a token: 256 random bits (twice the API's 128-bit floor), base64url, the same shape as a session secret.
 * Only its digest is stored, so a copy of the database opens no link.
 */
export function issueEmailToken(
  input: { purpose: EmailTokenPurpose; userId: string; email: string; ttlMs: number },
  clock: Clock,
  random: RandomSource = cryptoRandom,
): IssuedEmailToken {
  const secret = generateSecret(random);
  const now = clock.now();
  return {
    secret,
    token: {
      tokenHash: hashToken(secret),
      purpose: input.purpose,
      userId: input.userId,
      email: input.email,
      createdAt: now,
      expiresAt: now + input.ttlMs,
    },
  };
}

/** The digest to look a presented token up by, or null when it cannot be one of ours (no lookup at all). */
export function digestOfPresented(secret: string): string | null {
  return looksLikeSecret(secret) ? hashToken(secret) : null;
}
