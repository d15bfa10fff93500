import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 'v1';

/**
 * Authenticated encryption of small secrets at rest (signing keys' private JWKs) under a key derived from
 * HEIMDALL_SECRET: HKDF-SHA256 with a per-purpose `info`, then AES-256-GCM with a random 96-bit IV. Everything is
 * node:crypto; nothing here is hand-rolled beyond the envelope format `v1.<iv>.<ciphertext>.<tag>` (base64url).
 */
export class SecretBox {
  readonly #key: Buffer;

  constructor(secret: string, purpose: string) {
    if (secret.length < 32) throw new TypeError('SecretBox: the secret must be at least 32 characters');
    // The salt only separates Heimdall from other users of the same secret; HEIMDALL_SECRET itself is random.
    this.#key = Buffer.from(hkdfSync('sha256', secret, 'heimdall', `heimdall ${purpose} ${FORMAT}`, 32));
  }

  /**
   * Encrypts `plaintext`. `context` (e.g. the key id) is authenticated but not stored, so a sealed value copied to
   * another row does not open there.
   */
  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT, iv, body, cipher.getAuthTag()]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  /** The plaintext, or null when the value was sealed under another secret or context, or was altered. */
  open(sealed: string, context: string): string | null {
    const [format, iv, body, tag] = sealed.split('.');
    if (format !== FORMAT || iv === undefined || body === undefined || tag === undefined) return null;
    try {
      const decipher = createDecipheriv(CIPHER, this.#key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }
}
