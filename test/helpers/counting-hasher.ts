import { Argon2Hasher, type PasswordHasher } from '../../src/core/passwords.js';

/** A real (cheap) argon2 hasher that counts how much verification work each call causes. */
export class CountingHasher implements PasswordHasher {
  verifies = 0;
  dummyVerifies = 0;
  readonly #inner = new Argon2Hasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });

  hash(password: string) {
    return this.#inner.hash(password);
  }

  verify(hash: string, password: string) {
    this.verifies++;
    return this.#inner.verify(hash, password);
  }

  verifyDummy(password: string) {
    this.dummyVerifies++;
    return this.#inner.verifyDummy(password);
  }

  /** Every argon2 verification so far, real or dummy. */
  work(): number {
    return this.verifies + this.dummyVerifies;
  }
}
