import type { RedisConnection } from './redis-connection.js';

/**
 * A random mark the Heimdall server leaves in its Redis and records beside its settings in SQL. Another process that
 * opens "the same" Redis can prove it: addresses differ between hosts and clusters are reached through any subset
 * of their nodes, but only the deployment's own Redis holds its mark.
 */
const KEY = 'hd:deployment';

/** The mark already in Redis, or `candidate` if there was none (SET NX: instances starting together agree). */
export async function claimDeploymentMark(redis: RedisConnection, candidate: string): Promise<string> {
  await redis.commands.set(KEY, candidate, { condition: 'NX' });
  return (await redis.commands.get(KEY)) ?? candidate;
}

/** The mark in this Redis, or null when none was ever left there (another Redis, or one that was flushed). */
export function readDeploymentMark(redis: RedisConnection): Promise<string | null> {
  return redis.commands.get(KEY);
}
