import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { fromRoot } from './paths.js';
import { tokenHashOf } from './sqlite-seed.js';

/** A session record as Heimdall's store takes it (dist/core/session.d.ts); the seeder changes only these fields. */
interface SessionLike {
  id: string;
  tokenHash: string;
  userId: string;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
}

interface SessionStoreLike {
  insert(session: SessionLike): Promise<void>;
  findByTokenHash(tokenHash: string): Promise<SessionLike | null>;
}

interface ConnectionLike {
  close(): Promise<void>;
}

/** One of Heimdall's compiled modules, loaded at run time: the harness compiles apart from src/. */
async function heimdallModule<T>(...path: string[]): Promise<T> {
  return (await import(pathToFileURL(fromRoot('dist', ...path)).href)) as T;
}

/**
 * Writes sessions into Redis through Heimdall's own RedisSessionStore (dist/), so that every record, id key and
 * index entry is exactly what a sign-in writes — copies of a real session made by a real sign-up, with fresh
 * secrets, ids, CSRF tokens and times, spread over the given users.
 */
export class RedisSessionSeeder {
  readonly #connection: ConnectionLike;
  readonly #store: SessionStoreLike;

  private constructor(connection: ConnectionLike, store: SessionStoreLike) {
    this.#connection = connection;
    this.#store = store;
  }

  static async open(redisUrl: string): Promise<RedisSessionSeeder> {
    const { RedisConnection } = await heimdallModule<{
      RedisConnection: { open(settings: { url: string }): Promise<ConnectionLike> };
    }>('stores', 'redis', 'redis-connection.js');
    const { RedisSessionStore } = await heimdallModule<{
      RedisSessionStore: new (connection: ConnectionLike) => SessionStoreLike;
    }>('stores', 'redis', 'redis-session-store.js');
    const connection = await RedisConnection.open({ url: redisUrl });
    return new RedisSessionSeeder(connection, new RedisSessionStore(connection));
  }

  /** Inserts `count` copies of the session behind `templateSecret`; returns the new sessions' secrets. */
  async addSessions(templateSecret: string, userIds: string[], count: number, inFlight = 256): Promise<string[]> {
    const template = await this.#store.findByTokenHash(tokenHashOf(templateSecret));
    if (!template) throw new Error('the template session is not in Redis');
    const now = Date.now();
    const secrets: string[] = [];
    const one = async (i: number) => {
      const secret = randomBytes(32).toString('base64url');
      secrets[i] = secret;
      await this.#store.insert({
        ...template,
        id: randomBytes(16).toString('base64url'),
        tokenHash: tokenHashOf(secret),
        userId: userIds[i % userIds.length]!,
        csrfToken: randomBytes(16).toString('base64url'),
        createdAt: now,
        lastSeenAt: now,
        // The template's lifetimes, so each record is exactly as large as a fresh sign-in's.
        idleExpiresAt: now + (template.idleExpiresAt - template.lastSeenAt),
        absoluteExpiresAt: now + (template.absoluteExpiresAt - template.createdAt),
      });
    };
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(inFlight, count) }, async () => {
        while (next < count) await one(next++);
      }),
    );
    return secrets;
  }

  close(): Promise<void> {
    return this.#connection.close();
  }
}
