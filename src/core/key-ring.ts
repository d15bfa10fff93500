import { type CryptoKey, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { Clock } from './clock.js';
import type { SecretBox } from './secret-box.js';
import type { PublicJwk, SigningAlgorithm, SigningKeyRepository, StoredSigningKey } from './signing-key.js';

/** A key that verifies, imported once. */
export interface VerificationKey {
  kid: string;
  alg: SigningAlgorithm;
  key: CryptoKey;
  publicJwk: PublicJwk;
  /** Null while the key is active. */
  retireAfter: number | null;
}

/** What one maintain() run changed, for the log. */
export interface KeyMaintenanceReport {
  retired: string[];
  rotated: SigningKeyHandle | null;
}

/** The active key's private half, imported once and non-extractable. */
export interface SigningKeyHandle {
  kid: string;
  alg: SigningAlgorithm;
  key: CryptoKey;
}

export interface KeyRingOptions {
  repository: SigningKeyRepository;
  box: SecretBox;
  clock: Clock;
  /** Algorithm for keys created from now on; existing keys keep theirs. */
  algorithm: SigningAlgorithm;
  /** How long a replaced key keeps verifying: the longest lifetime of anything it signed, plus slack. */
  verifyGraceMs: number;
  /** Automatic rotation when the active key is this old; null: only `heimdall keys rotate`. */
  rotationIntervalMs: number | null;
}

type ActiveKey = SigningKeyHandle & { createdAt: number };

/** A token with an unknown kid may mean another instance rotated; reload for it, but at most this often. */
const UNKNOWN_KID_RELOAD_INTERVAL_MS = 5_000;

/**
 * Heimdall's signing keys in memory. Keys are imported when loaded or rotated, never per request (importing costs
 * more than verifying). Verification only ever selects among these keys, by kid.
 */
export class KeyRing {
  readonly #repository: SigningKeyRepository;
  readonly #box: SecretBox;
  readonly #clock: Clock;
  readonly #options: KeyRingOptions;
  #verifiers = new Map<string, VerificationKey>();
  #signer: ActiveKey | null = null;
  #reloading: Promise<StoredSigningKey[]> | null = null;
  #lastUnknownKidReload = Number.NEGATIVE_INFINITY;

  constructor(options: KeyRingOptions) {
    this.#repository = options.repository;
    this.#box = options.box;
    this.#clock = options.clock;
    this.#options = options;
  }

  /** Loads the stored keys, creating the first active key on a fresh installation. */
  async load(): Promise<void> {
    await this.reload();
    if (!this.#signer) await this.rotate();
  }

  /** Re-reads the stored keys (another instance or the CLI may have rotated); one read at a time. */
  reload(): Promise<StoredSigningKey[]> {
    this.#reloading ??= this.#readKeys().finally(() => {
      this.#reloading = null;
    });
    return this.#reloading;
  }

  /** The key to sign with. */
  signingKey(): SigningKeyHandle {
    if (!this.#signer) throw new Error('KeyRing: no active signing key (load() first)');
    const { kid, alg, key } = this.#signer;
    return { kid, alg, key };
  }

  /** The verifying key with this kid, or null for unknown and retired kids. */
  async verificationKey(kid: string): Promise<VerificationKey | null> {
    let key = this.#verifiers.get(kid);
    const now = this.#clock.now();
    if (!key && now - this.#lastUnknownKidReload >= UNKNOWN_KID_RELOAD_INTERVAL_MS) {
      this.#lastUnknownKidReload = now;
      await this.reload();
      key = this.#verifiers.get(kid);
    }
    return key && isVerifying(key, now) ? key : null;
  }

  /** Whether the key with this kid is loaded and still verifies now (no reload: for tokens it already verified). */
  verifies(kid: string): boolean {
    const key = this.#verifiers.get(kid);
    return key !== undefined && isVerifying(key, this.#clock.now());
  }

  /** Public keys of the active and verify-only keys, for /.well-known/jwks.json. */
  publicJwks(): PublicJwk[] {
    const now = this.#clock.now();
    return [...this.#verifiers.values()].filter((k) => isVerifying(k, now)).map((k) => k.publicJwk);
  }

  /**
   * Makes a new key active; the previous one verifies for `verifyGraceMs` more. Returns the active key afterwards
   * (another writer's, if one rotated at the same moment).
   */
  async rotate(algorithm: SigningAlgorithm = this.#options.algorithm): Promise<SigningKeyHandle> {
    const now = this.#clock.now();
    const created = await generateStoredKey(algorithm, now, this.#box);
    await this.#repository.activate(created, {
      kid: this.#signer?.kid ?? null,
      retireAfter: now + this.#options.verifyGraceMs,
    });
    await this.reload();
    return this.signingKey();
  }

  /** Periodic upkeep: picks up keys rotated elsewhere, retires expired ones, rotates when due. */
  async maintain(): Promise<KeyMaintenanceReport> {
    const stored = await this.reload();
    const now = this.#clock.now();
    const retired: string[] = [];
    for (const key of stored) {
      if (key.state === 'verify-only' && key.retireAfter !== null && now >= key.retireAfter) {
        await this.#repository.retire(key.kid, now);
        retired.push(key.kid);
      }
    }
    const interval = this.#options.rotationIntervalMs;
    const due = interval !== null && this.#signer !== null && now - this.#signer.createdAt >= interval;
    return { retired, rotated: due ? await this.rotate() : null };
  }

  /** Every stored key, newest first (for `heimdall keys list`). */
  list(): Promise<StoredSigningKey[]> {
    return this.#repository.list();
  }

  async #readKeys(): Promise<StoredSigningKey[]> {
    const stored = await this.#repository.list();
    const verifiers = new Map<string, VerificationKey>();
    let signer: ActiveKey | null = null;
    for (const key of stored) {
      if (key.state === 'retired') continue;
      const known = this.#verifiers.get(key.kid);
      verifiers.set(key.kid, {
        kid: key.kid,
        alg: key.alg,
        key: known?.key ?? ((await importJWK(key.publicJwk, key.alg)) as CryptoKey),
        publicJwk: key.publicJwk,
        retireAfter: key.state === 'active' ? null : key.retireAfter,
      });
      if (key.state === 'active' && !signer) {
        signer = this.#signer?.kid === key.kid ? this.#signer : await this.#importPrivate(key);
      }
    }
    this.#verifiers = verifiers;
    this.#signer = signer;
    return stored;
  }

  async #importPrivate(stored: StoredSigningKey): Promise<ActiveKey> {
    const opened = stored.sealedPrivateJwk ? this.#box.open(stored.sealedPrivateJwk, stored.kid) : null;
    if (!opened) {
      throw new Error(
        `Signing key ${stored.kid} cannot be decrypted with this HEIMDALL_SECRET: was the secret changed? ` +
          'Restore the previous HEIMDALL_SECRET.',
      );
    }
    const key = (await importJWK(JSON.parse(opened) as JWK, stored.alg)) as CryptoKey;
    return { kid: stored.kid, alg: stored.alg, key, createdAt: stored.createdAt };
  }
}

function isVerifying(key: VerificationKey, now: number): boolean {
  return key.retireAfter === null || now < key.retireAfter;
}

/** A fresh key pair; the private JWK leaves this function only sealed. */
async function generateStoredKey(alg: SigningAlgorithm, now: number, box: SecretBox): Promise<StoredSigningKey> {
  const pair = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(pair.publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = await exportJWK(pair.privateKey);
  const published: PublicJwk = { ...(publicJwk as PublicJwk), kid, alg, use: 'sig' };
  return {
    kid,
    alg,
    state: 'active',
    publicJwk: published,
    sealedPrivateJwk: box.seal(JSON.stringify(privateJwk), kid),
    createdAt: now,
    retireAfter: null,
    retiredAt: null,
  };
}
