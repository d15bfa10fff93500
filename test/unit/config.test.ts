import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseDuration } from '../../src/config/config.js';
import { configProblems } from '../helpers/config-problems.js';

describe('loadConfig()', () => {
  it('runs with no settings at all on the embedded defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBe('sqlite:./data/heimdall.db');
    expect(config.redisUrl).toBeNull();
    expect(config.cookieName).toBe('__Host-heimdall');
    expect(config.cookieSecure).toBe(true);
    expect(config.session).toEqual({
      idleTimeoutMs: 30 * 60_000,
      absoluteTimeoutMs: 12 * 3_600_000,
      rememberIdleTimeoutMs: 7 * 86_400_000,
      rememberAbsoluteTimeoutMs: 30 * 86_400_000,
      maxPerUser: 100,
    });
    expect(config.passwordHashing).toEqual({ concurrency: availableParallelism(), queue: 32 * availableParallelism() });
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.allowRegistration).toBe(true);
    expect(config.passwordMinLength).toBe(8);
  });

  it('reads the hashing queue and the session cap, and refuses values out of range', () => {
    const config = loadConfig({ PASSWORD_HASH_CONCURRENCY: '3', SESSION_MAX_PER_USER: '7' });
    expect(config.passwordHashing).toEqual({ concurrency: 3, queue: 96 });
    expect(config.session.maxPerUser).toBe(7);
    expect(loadConfig({ PASSWORD_HASH_QUEUE: '0' }).passwordHashing.queue).toBe(0);
    const problems = configProblems({
      PASSWORD_HASH_CONCURRENCY: '0',
      PASSWORD_HASH_QUEUE: '-1',
      SESSION_MAX_PER_USER: 'many',
    });
    expect(problems.join('\n')).toMatch(/PASSWORD_HASH_CONCURRENCY/);
    expect(problems.join('\n')).toMatch(/PASSWORD_HASH_QUEUE/);
    expect(problems.join('\n')).toMatch(/SESSION_MAX_PER_USER/);
  });

  it('takes durations in seconds or with a unit', () => {
    expect(parseDuration('900')).toBe(900_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('12h')).toBe(43_200_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('0')).toBeNull();
    expect(parseDuration('1w')).toBeNull();
    expect(loadConfig({ SESSION_IDLE_TIMEOUT: '5m' }).session.idleTimeoutMs).toBe(300_000);
  });

  it('normalises HEIMDALL_ORIGINS to origins', () => {
    const config = loadConfig({ HEIMDALL_ORIGINS: 'https://App.Example.com, http://localhost:5173' });
    expect(config.origins).toEqual(['https://app.example.com', 'http://localhost:5173']);
  });

  it('names every bad variable and what it accepts, one line each', () => {
    const problems = configProblems({
      PORT: 'eighty',
      SESSION_IDLE_TIMEOUT: 'soon',
      HEIMDALL_ORIGINS: 'https://app.example.com/path',
      HEIMDALL_SECRET: 'short',
      DATABASE_URL: 'mysql://x',
      TRUST_PROXY: 'maybe',
      LOG_LEVEL: 'loud',
    });
    expect(problems).toHaveLength(7);
    for (const name of [
      'PORT',
      'SESSION_IDLE_TIMEOUT',
      'HEIMDALL_ORIGINS',
      'HEIMDALL_SECRET',
      'DATABASE_URL',
      'TRUST_PROXY',
      'LOG_LEVEL',
    ]) {
      expect(problems.some((p) => p.startsWith(`${name}=`))).toBe(true);
    }
  });

  it('refuses an insecure cookie under a __Host- name, and idle timeouts longer than absolute ones', () => {
    expect(configProblems({ HEIMDALL_COOKIE_SECURE: 'false' })[0]).toMatch(/HEIMDALL_COOKIE_SECURE=false/);
    expect(configProblems({ HEIMDALL_COOKIE_SECURE: 'false', HEIMDALL_COOKIE_NAME: 'heimdall' })).toEqual([]);
    expect(configProblems({ SESSION_IDLE_TIMEOUT: '2d', SESSION_ABSOLUTE_TIMEOUT: '1d' })[0]).toMatch(
      /SESSION_IDLE_TIMEOUT/,
    );
  });

  it('parses TRUST_PROXY as a flag, a hop count or a list of addresses', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
  });

  it('refuses REDIS_URL and REDIS_CLUSTER_NODES together', () => {
    expect(configProblems({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: '127.0.0.1:7000' })).toHaveLength(
      1,
    );
  });
});
