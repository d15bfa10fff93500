import type { Kysely } from 'kysely';
import type { Config } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import { generateSecret } from '../core/tokens.js';
import type { RedisConnection } from '../stores/redis/redis-connection.js';
import { claimDeploymentMark, readDeploymentMark } from '../stores/redis/redis-deployment-mark.js';
import type { Database } from '../stores/sql/schema.js';
import {
  type DeploymentRecord,
  type SessionStoreIdentity,
  writeDeploymentRecord,
} from '../stores/sql/sql-deployment-record.js';

export type { DeploymentRecord } from '../stores/sql/sql-deployment-record.js';

/** Where the configuration puts sessions, for messages: never a password (REDIS_URL may hold one). */
export function sessionStoreOf(config: Config): Omit<SessionStoreIdentity, 'mark'> {
  if (config.redisClusterNodes) {
    return { kind: 'redis-cluster', address: `redis cluster ${[...config.redisClusterNodes].sort().join(',')}` };
  }
  if (config.redisUrl) {
    const url = new URL(config.redisUrl);
    const db = url.pathname.replace(/^\//, '');
    return { kind: 'redis', address: `redis ${url.hostname}:${url.port || 6379}${db && db !== '0' ? `/${db}` : ''}` };
  }
  return { kind: 'sql', address: 'sql (the database itself)' };
}

/**
 * The server, at start: records the settings the other processes on its database must share, and where its
 * sessions live (leaving its mark in its Redis), for the CLI and embedding apps to read (joinDeployment).
 */
export async function recordDeployment(
  db: Kysely<Database>,
  config: Config,
  redis: RedisConnection | null,
  clock: Clock,
): Promise<void> {
  const mark = redis ? await claimDeploymentMark(redis, generateSecret()) : null;
  await writeDeploymentRecord(db, {
    publicUrl: config.publicUrl,
    tokenIssuer: config.tokens.issuer ?? config.publicUrl,
    origins: config.origins,
    cookieName: config.cookieName,
    sessionStore: { ...sessionStoreOf(config), mark },
    recordedAt: clock.now(),
  });
}

/** Who joins: named in the refusal ("this command", "this app"). */
export interface Joining {
  record: DeploymentRecord;
  who: string;
}

/**
 * A process joining the deployment (the CLI, an embedding app) must read and write sessions where the server does:
 * one configured without REDIS_URL against a Redis deployment would find no session, delete none and report success;
 * one on another Redis, likewise. Checked after the stores open, by the server's mark in Redis.
 */
export async function verifySameSessionStore(
  joining: Joining,
  config: Config,
  redis: RedisConnection | null,
): Promise<void> {
  const theirs = joining.record.sessionStore;
  if (!theirs) return; // recorded by a server that did not say
  const ours = sessionStoreOf(config);
  let difference: string | null = null;
  if (ours.kind !== theirs.kind) {
    difference = '';
  } else if (redis) {
    const mark = await readDeploymentMark(redis);
    // A Redis without any mark at the recorded address was flushed since the server started: still the same one.
    const same = mark === null ? ours.address === theirs.address : mark === theirs.mark;
    if (!same) difference = `, another Redis than the server's (it does not hold the server's mark)`;
  }
  if (difference === null) return;
  const when = new Date(joining.record.recordedAt).toISOString();
  throw new Error(
    `the Heimdall server keeps sessions in ${theirs.address} (recorded at ${when}), but ${joining.who} would keep them in ${ours.address}${difference}: it would not see the server's sessions. Give it the server's REDIS_URL or REDIS_CLUSTER_NODES (none, if the server has none).`,
  );
}

/**
 * An embedding app's settings, completed from what the Heimdall server recorded: its cookie name and token issuer
 * (so the server's cookies and Bearer tokens are accepted), and its public URL and origins among the allowed ones (so
 * the app's own page, served on Heimdall's host, may make changes). A setting the app chose that contradicts the
 * server's is an error at start, naming both, rather than every request refused without a word.
 */
export function adoptDeployment(
  config: Config,
  record: DeploymentRecord | null,
  chosen: { isSet(variable: string): boolean; label(variable: string): string },
): Config {
  if (!record) return config;
  const problems: string[] = [];
  if (chosen.isSet('HEIMDALL_COOKIE_NAME') && config.cookieName !== record.cookieName) {
    problems.push(
      `${chosen.label('HEIMDALL_COOKIE_NAME')} is ${config.cookieName}, but the Heimdall server's session cookie is ${record.cookieName}.`,
    );
  }
  if (chosen.isSet('TOKEN_ISSUER') && config.tokens.issuer !== record.tokenIssuer) {
    problems.push(
      `${chosen.label('TOKEN_ISSUER')} is ${config.tokens.issuer}, but the Heimdall server signs its tokens with iss ${record.tokenIssuer}.`,
    );
  }
  if (problems.length > 0) {
    throw new Error(
      `this app's settings contradict the Heimdall server's (as it recorded them at ${new Date(record.recordedAt).toISOString()}); leave them unset to take the server's, or make them equal:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
  }
  return {
    ...config,
    cookieName: record.cookieName,
    publicUrl: chosen.isSet('HEIMDALL_PUBLIC_URL') ? config.publicUrl : record.publicUrl,
    origins: [...new Set([...config.origins, ...record.origins, record.publicUrl])],
    tokens: { ...config.tokens, issuer: record.tokenIssuer },
  };
}
