import { describe, expect, it } from 'vitest';
import { sessionStoreOf, verifySameSessionStore } from '../../src/app/deployment-record.js';
import type { DeploymentRecord } from '../../src/stores/sql/sql-deployment-record.js';
import { testConfig } from '../helpers/test-config.js';

const record = (sessionStore: DeploymentRecord['sessionStore']): DeploymentRecord => ({
  publicUrl: 'https://auth.example.test',
  tokenIssuer: 'https://auth.example.test',
  origins: [],
  cookieName: '__Host-heimdall',
  sessionStore,
  recordedAt: Date.UTC(2026, 11, 1),
});

describe('where sessions live, as the deployment record names it', () => {
  it('names the session store without any password, with the Redis database index, and a cluster by sorted nodes', () => {
    expect(sessionStoreOf(testConfig())).toEqual({ kind: 'sql', address: 'sql (the database itself)' });
    expect(sessionStoreOf(testConfig({ REDIS_URL: 'redis://:hunter2@cache.internal:6380/2' }))).toEqual({
      kind: 'redis',
      address: 'redis cache.internal:6380/2',
    });
    expect(sessionStoreOf(testConfig({ REDIS_URL: 'rediss://user:pw@cache.internal' })).address).toBe(
      'redis cache.internal:6379',
    );
    expect(sessionStoreOf(testConfig({ REDIS_CLUSTER_NODES: '10.0.0.2:7000,10.0.0.1:7000' }))).toEqual({
      kind: 'redis-cluster',
      address: 'redis cluster 10.0.0.1:7000,10.0.0.2:7000',
    });
  });

  it('refuses a joiner whose kind of session store differs from the server’s, naming both', async () => {
    const cluster = record({ kind: 'redis-cluster', address: 'redis cluster 10.0.0.1:7000', mark: 'm' });
    await expect(verifySameSessionStore({ record: cluster, who: 'this command' }, testConfig(), null)).rejects.toThrow(
      'the Heimdall server keeps sessions in redis cluster 10.0.0.1:7000 (recorded at 2026-12-01T00:00:00.000Z), but this command would keep them in sql (the database itself)',
    );
    const sql = record({ kind: 'sql', address: 'sql (the database itself)', mark: null });
    await expect(verifySameSessionStore({ record: sql, who: 'this app' }, testConfig(), null)).resolves.toBeUndefined();
  });
});
