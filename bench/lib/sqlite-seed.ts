import { createHash, randomBytes } from 'node:crypto';
import SQLite from 'better-sqlite3';

type Row = Record<string, unknown>;

/** SHA-256 base64url of a cookie secret: what Heimdall stores and looks sessions up by. */
export function tokenHashOf(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/**
 * Writes sessions straight into a (stopped) Heimdall's SQLite file, each a copy of a real session row made by a
 * real sign-in, with fresh secrets, ids, CSRF tokens and times. Copying every column of the real row keeps the
 * seeded rows exactly as large as real ones, whatever columns later migrations add.
 */
export class SessionSeeder {
  readonly #db: SQLite.Database;
  readonly #template: Row;
  readonly #userTemplate: Row;
  readonly #userIds: string[] = [];

  constructor(dbPath: string) {
    this.#db = new SQLite(dbPath);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    const template = this.#db.prepare('select * from sessions order by created_at desc limit 1').get() as Row;
    const user = this.#db.prepare('select * from users where id = ?').get(template?.user_id) as Row;
    if (!template || !user) throw new Error('seeding needs one real session made by a sign-in first');
    this.#template = template;
    this.#userTemplate = user;
    this.#userIds.push(String(user.id));
  }

  /**
   * Adds users (copies of the template user with unique ids and emails) for the seeded sessions to belong to;
   * returns their ids.
   */
  addUsers(count: number): string[] {
    const added = insertUserCopies(this.#db, this.#userTemplate, count);
    // One by one: spreading hundreds of thousands of arguments overflows the stack.
    for (const id of added) this.#userIds.push(id);
    return added;
  }

  /**
   * Inserts `count` sessions, spread in turn over `owners` (by default every user so far); returns the secrets
   * (cookie values) of those whose index `keep` selects, so the load can present them.
   */
  addSessions(
    count: number,
    keep: (index: number) => boolean = () => false,
    owners: readonly string[] = this.#userIds,
  ): string[] {
    const columns = Object.keys(this.#template);
    const insert = this.#db.prepare(
      `insert into sessions (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`,
    );
    const now = Date.now();
    const kept: string[] = [];
    const batch = 50_000;
    for (let start = 0; start < count; start += batch) {
      this.#db.transaction(() => {
        for (let i = start; i < Math.min(count, start + batch); i++) {
          const secret = randomBytes(32).toString('base64url');
          insert.run({
            ...this.#template,
            token_hash: tokenHashOf(secret),
            id: randomBytes(16).toString('base64url'),
            user_id: owners[i % owners.length],
            csrf_token: randomBytes(32).toString('base64url'),
            created_at: now,
            last_seen_at: now,
            idle_expires_at: now + 6 * 3_600_000,
            absolute_expires_at: now + 12 * 3_600_000,
          });
          if (keep(i)) kept.push(secret);
        }
      })();
    }
    return kept;
  }

  /** Marks the given sessions as just seen, so that no measurement starts with a backlog of activity writes. */
  markSeen(secrets: string[]): void {
    const update = this.#db.prepare('update sessions set last_seen_at = ? where token_hash = ?');
    const now = Date.now();
    this.#db.transaction(() => {
      for (const secret of secrets) update.run(now, tokenHashOf(secret));
    })();
  }

  /** Bytes the database's pages hold (tables and indexes), after folding the WAL back into the file. */
  usedBytes(): number {
    this.#db.pragma('wal_checkpoint(TRUNCATE)');
    const pageSize = Number(this.#db.pragma('page_size', { simple: true }));
    const pages = Number(this.#db.pragma('page_count', { simple: true }));
    const free = Number(this.#db.pragma('freelist_count', { simple: true }));
    return (pages - free) * pageSize;
  }

  count(): number {
    return Number((this.#db.prepare('select count(*) as n from sessions').get() as { n: number }).n);
  }

  /** Times the bare lookup Heimdall makes (by token hash), in process: p50 and p99 in microseconds. */
  timeLookups(secrets: string[], lookups: number): { p50: number; p99: number } {
    const select = this.#db.prepare('select * from sessions where token_hash = ?');
    const hashes = secrets.map(tokenHashOf);
    const times = new Float64Array(lookups);
    for (let i = 0; i < lookups; i++) {
      const hash = hashes[Math.floor(Math.random() * hashes.length)];
      const started = process.hrtime.bigint();
      select.get(hash);
      times[i] = Number(process.hrtime.bigint() - started) / 1000;
    }
    times.sort();
    const at = (p: number) => times[Math.min(lookups - 1, Math.ceil((p / 100) * lookups) - 1)]!;
    return { p50: Math.round(at(50) * 100) / 100, p99: Math.round(at(99) * 100) / 100 };
  }

  close(): void {
    this.#db.close();
  }
}

/**
 * Adds `count` copies of the newest user (unique ids and emails) to a Heimdall SQLite file, for sessions seeded
 * elsewhere (Redis) to belong to; returns their ids. The copies share the template's password hash and roles.
 */
export function seedUsers(dbPath: string, count: number): string[] {
  const db = new SQLite(dbPath);
  try {
    db.pragma('busy_timeout = 5000');
    const template = db.prepare('select * from users order by created_at desc limit 1').get() as Row | undefined;
    if (!template) throw new Error('seeding users needs one real user made by a sign-up first');
    return insertUserCopies(db, template, count);
  } finally {
    db.close();
  }
}

/** Inserts `count` copies of a user row with unique ids and emails, in one transaction; returns their ids. */
function insertUserCopies(db: SQLite.Database, template: Row, count: number): string[] {
  const columns = Object.keys(template);
  const insert = db.prepare(
    `insert into users (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`,
  );
  const ids: string[] = [];
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const id = `seed-${randomBytes(12).toString('hex')}`;
      insert.run({ ...template, id, email: `${id}@bench.example` });
      ids.push(id);
    }
  })();
  return ids;
}
