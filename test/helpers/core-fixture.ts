import { Argon2Hasher, type PasswordHasher } from '../../src/core/passwords.js';
import type { Session, SessionActivity, SessionProof, SessionStore } from '../../src/core/session.js';
import { type SessionPolicy, SessionService } from '../../src/core/session-service.js';
import { UserService } from '../../src/core/user-service.js';
import { openDatabase, type SqlDatabase } from '../../src/stores/sql/database.js';
import { migrateToLatest } from '../../src/stores/sql/migrator.js';
import { SqlSessionStore } from '../../src/stores/sql/sql-session-store.js';
import { SqlUserRepository } from '../../src/stores/sql/sql-user-repository.js';
import { FakeClock } from './fake-clock.js';

export const TEST_POLICY: SessionPolicy = {
  idleTimeoutMs: 30 * 60_000,
  absoluteTimeoutMs: 12 * 3_600_000,
  rememberIdleTimeoutMs: 7 * 86_400_000,
  rememberAbsoluteTimeoutMs: 30 * 86_400_000,
};

/** Wraps a store and counts the writes that activity causes. */
export class CountingSessionStore implements SessionStore {
  touches = 0;
  constructor(readonly inner: SessionStore) {}
  insert(session: Session) {
    return this.inner.insert(session);
  }
  findByTokenHash(tokenHash: string) {
    return this.inner.findByTokenHash(tokenHash);
  }
  findById(id: string) {
    return this.inner.findById(id);
  }
  touch(tokenHash: string, activity: SessionActivity) {
    this.touches++;
    return this.inner.touch(tokenHash, activity);
  }
  update(tokenHash: string, proof: SessionProof) {
    return this.inner.update(tokenHash, proof);
  }
  delete(tokenHash: string) {
    return this.inner.delete(tokenHash);
  }
  listForUser(userId: string) {
    return this.inner.listForUser(userId);
  }
  deleteAllForUser(userId: string, exceptTokenHash?: string) {
    return this.inner.deleteAllForUser(userId, exceptTokenHash);
  }
  pruneExpired(now: number) {
    return this.inner.pruneExpired(now);
  }
  trimForUser(userId: string, keep: number) {
    return this.inner.trimForUser(userId, keep);
  }
  countriesForUser(userId: string, now: number) {
    return this.inner.countriesForUser(userId, now);
  }
  ping() {
    return this.inner.ping();
  }
  close() {
    return this.inner.close();
  }
}

export interface CoreFixture {
  clock: FakeClock;
  database: SqlDatabase;
  userRepository: SqlUserRepository;
  store: CountingSessionStore;
  users: UserService;
  sessions: SessionService;
  close(): Promise<void>;
}

/** Real core services over in-memory SQLite and a fake clock. */
export async function createCoreFixture(
  hasher: PasswordHasher = new Argon2Hasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 }),
): Promise<CoreFixture> {
  const clock = new FakeClock();
  const database = await openDatabase('sqlite::memory:');
  await migrateToLatest(database.db);
  const userRepository = new SqlUserRepository(database.db);
  const store = new CountingSessionStore(new SqlSessionStore(database.db));
  const users = new UserService({
    users: userRepository,
    hasher,
    clock,
    passwordPolicy: { minLength: 8, maxLength: 128 },
  });
  const sessions = new SessionService({ store, users: userRepository, clock, policy: TEST_POLICY });
  return { clock, database, userRepository, store, users, sessions, close: () => database.close() };
}
