import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * What the Heimdall server last started with, as the processes that share its database need to know it: the CLI and
 * the embedding middleware read it rather than guess, and refuse to run when their own settings disagree.
 */
export interface DeploymentRecord {
  /** HEIMDALL_PUBLIC_URL: Heimdall's own origin. */
  publicUrl: string;
  /** `iss` of every JWT the server signs (TOKEN_ISSUER, or the public URL). */
  tokenIssuer: string;
  /** HEIMDALL_ORIGINS. */
  origins: string[];
  cookieName: string;
  /** Where sessions live: a process that would read them elsewhere must refuse to run. */
  sessionStore: SessionStoreIdentity;
  /** When the server wrote it (epoch ms). */
  recordedAt: number;
}

/** Where a deployment keeps its sessions, without any credential. */
export interface SessionStoreIdentity {
  kind: 'sql' | 'redis' | 'redis-cluster';
  /** `sql`, `redis host:port[/db]` or `redis cluster host:port,…` (for messages: never a password). */
  address: string;
  /** The random mark left in that Redis (redis-deployment-mark.ts); null for SQL. */
  mark: string | null;
}

/** One row of app_meta (an installation's small facts): no schema change, and readable by older copies. */
const KEY = 'deployment';

export async function writeDeploymentRecord(db: Kysely<Database>, record: DeploymentRecord): Promise<void> {
  const value = JSON.stringify(record);
  await db
    .insertInto('app_meta')
    .values({ key: KEY, value, created_at: record.recordedAt })
    .onConflict((c) => c.column('key').doUpdateSet({ value, created_at: record.recordedAt }))
    .execute();
}

/** The record, or null when no server of this version has started on the database yet. */
export async function readDeploymentRecord(db: Kysely<Database>): Promise<DeploymentRecord | null> {
  const row = await db.selectFrom('app_meta').select('value').where('key', '=', KEY).executeTakeFirst();
  return row ? (JSON.parse(row.value) as DeploymentRecord) : null;
}
