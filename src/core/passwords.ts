import { hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';

/** Port: one-way password hashing. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(passwordHash: string, password: string): Promise<boolean>;
  /** Spends the same work as a real verify, for unknown accounts (no user enumeration by timing). */
  verifyDummy(password: string): Promise<void>;
}

export interface Argon2Params {
  /** KiB of memory. OWASP's argon2id baseline is 19 MiB with 2 passes. */
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** `Algorithm.Argon2id` of @node-rs/argon2 (a const enum, which isolated modules cannot import). */
const ARGON2ID = 2;

/** The password the dummy verify of an unknown account checks against. */
export const DUMMY_PASSWORD = 'heimdall-dummy-password-for-timing';

export const DEFAULT_ARGON2_PARAMS: Argon2Params = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/**
 * NIST 800-63B-4 §3.1.1.2: verifiers SHOULD normalise Unicode (NFKC) so that the same password typed on two
 * keyboards matches.
 */
export function normalisePassword(password: string): string {
  return password.normalize('NFKC');
}

/**
 * argon2id through @node-rs/argon2's async calls (libuv's thread pool). The server hashes in niced worker threads
 * instead (src/hashing/argon2-workers.ts); this one serves tests and tools.
 */
export class Argon2Hasher implements PasswordHasher {
  readonly #params: Argon2Params;
  #dummyHash: Promise<string> | undefined;

  constructor(params: Argon2Params = DEFAULT_ARGON2_PARAMS) {
    this.#params = params;
  }

  hash(password: string): Promise<string> {
    return hash(normalisePassword(password), { algorithm: ARGON2ID, ...this.#params });
  }

  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await verify(passwordHash, normalisePassword(password));
    } catch {
      // A malformed stored hash verifies nothing.
      return false;
    }
  }

  async verifyDummy(password: string): Promise<void> {
    this.#dummyHash ??= this.hash(DUMMY_PASSWORD);
    await this.verify(await this.#dummyHash, password);
  }
}

export interface PasswordPolicy {
  minLength: number;
  maxLength: number;
}

export const MAX_PASSWORD_LENGTH = 128;

export type PasswordCheck = { ok: true } | { ok: false; message: string };

let commonPasswords: Set<string> | undefined;

/** ~18k common passwords of 8+ characters from zxcvbn-ts' list; loaded on first use. */
function isCommonPassword(password: string): boolean {
  commonPasswords ??= new Set(dictionary['passwords-common'].filter((p) => p.length >= 8).map((p) => p.toLowerCase()));
  return commonPasswords.has(password.toLowerCase());
}

/**
 * NIST 800-63B-4 password rules: length in code points, no composition rules, a blocklist of common passwords and
 * of context words (the account's own email), all judged on the NFKC form that is hashed.
 */
export function checkPassword(
  password: string,
  policy: PasswordPolicy,
  context: { email?: string } = {},
): PasswordCheck {
  // Every rule judges the NFKC form, the one that is hashed: `ｐａｓｓｗｏｒｄ` in full-width characters is `password`
  // to the hash, so it is as common (issue 15).
  const normalised = normalisePassword(password);
  const length = [...normalised].length;
  if (length < policy.minLength) return { ok: false, message: `Use at least ${policy.minLength} characters.` };
  if (length > policy.maxLength) return { ok: false, message: `Use at most ${policy.maxLength} characters.` };
  if (isCommonPassword(normalised)) return { ok: false, message: 'This password is too common; choose another.' };
  const lowered = normalised.toLowerCase();
  if (context.email) {
    const local = context.email.split('@')[0] ?? '';
    if (lowered === context.email || (local.length >= 4 && lowered === local)) {
      return { ok: false, message: 'The password must not be your email address.' };
    }
  }
  if (/^(.)\1+$/u.test(normalised)) return { ok: false, message: 'The password must not repeat one character.' };
  if (lowered.includes('heimdall') && lowered.replace(/heimdall/g, '').length < 4) {
    return { ok: false, message: 'The password must not be the name of this service.' };
  }
  return { ok: true };
}
