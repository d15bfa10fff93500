import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseDuration } from '../../src/config/config.js';
import { readConfigRecordingNames } from '../../src/config/unknown-variables.js';

interface Service {
  build?: string | { context: string };
  image?: string;
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[]; interval?: string; retries?: number };
  stop_grace_period?: string;
  read_only?: boolean;
  cap_drop?: string[];
  command?: string[];
}

const ROOT = new URL('../../', import.meta.url);
const text = readFileSync(new URL('compose.yaml', ROOT), 'utf8');
const compose = parse(text) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const { heimdall, postgres, redis } = compose.services;
/** `${NAME:?…}`: compose refuses to start unless NAME is set in the environment. */
const required = (name: string) => new RegExp(`\\$\\{${name}:\\?[^}]*\\}`);

describe('compose.yaml (no Docker engine in CI: these rules stand in for running it)', () => {
  it('runs Heimdall built from the Dockerfile beside it, with PostgreSQL and Redis', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['heimdall', 'postgres', 'redis']);
    expect(heimdall!.build).toBe('.');
    expect(heimdall!.environment!.DATABASE_URL).toMatch(
      /^postgres:\/\/heimdall:\$\{POSTGRES_PASSWORD:\?[^}]*\}@postgres:5432\/heimdall$/,
    );
    expect(heimdall!.environment!.REDIS_URL).toMatch(/^redis:\/\/:\$\{REDIS_PASSWORD:\?[^}]*\}@redis:6379$/);
  });

  it('starts Heimdall only once both stores answer their health checks, and checks its own readiness', () => {
    expect(heimdall!.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    expect(heimdall!.healthcheck!.test.join(' ')).toMatch(/http:\/\/127\.0\.0\.1:3000\/api\/ready/);
    expect(postgres!.healthcheck!.test.join(' ')).toMatch(/pg_isready -U heimdall -d heimdall/);
    expect(redis!.healthcheck!.test.join(' ')).toMatch(/redis-cli ping/);
  });

  it('takes every secret from the environment and holds none itself', () => {
    expect(heimdall!.environment!.HEIMDALL_SECRET).toMatch(required('HEIMDALL_SECRET'));
    expect(postgres!.environment!.POSTGRES_PASSWORD).toMatch(required('POSTGRES_PASSWORD'));
    expect(redis!.environment!.REDIS_PASSWORD).toMatch(required('REDIS_PASSWORD'));
    // Redis gets its password as configuration on stdin, never on a command line that ps shows.
    expect(redis!.command!.join(' ')).toMatch(/redis-server - .*<<EOF\nrequirepass \$\$REDIS_PASSWORD\n/);
    expect(redis!.command!.join(' ')).not.toMatch(/--requirepass/);
    expect(text).not.toMatch(/(PASSWORD|SECRET)[:=] *['"]?[\w+/=-]{8,}/);
  });

  it('gives Heimdall only variables it reads (a misspelt one would be silently ignored)', () => {
    const known = new Set<string>();
    readConfigRecordingNames({}, known);
    expect(Object.keys(heimdall!.environment!).filter((name) => !known.has(name))).toEqual([]);
  });

  it('pins every image to a version, never latest', () => {
    for (const service of [postgres!, redis!]) expect(service.image).toMatch(/^[a-z]+:\d+(\.\d+)*-bookworm$/);
    expect(text).not.toMatch(/:latest\b/);
  });

  it('publishes only Heimdall, on loopback; the stores are reachable from Heimdall alone', () => {
    expect(heimdall!.ports).toEqual(['127.0.0.1:3000:3000']);
    expect(postgres!.ports).toBeUndefined();
    expect(redis!.ports).toBeUndefined();
  });

  it('keeps data in named volumes, and gives a graceful shutdown the time it takes', () => {
    expect(postgres!.volumes).toContain('postgres-data:/var/lib/postgresql/data');
    expect(redis!.volumes).toContain('redis-data:/data');
    expect(Object.keys(compose.volumes).sort()).toEqual(['heimdall-data', 'postgres-data', 'redis-data']);
    const env = heimdall!.environment!;
    const grace = parseDuration(heimdall!.stop_grace_period!)!;
    expect(grace).toBeGreaterThan(parseDuration(env.SHUTDOWN_DRAIN_DELAY!)! + parseDuration(env.SHUTDOWN_TIMEOUT!)!);
  });

  it('runs Heimdall read-only, without capabilities', () => {
    expect(heimdall!.read_only).toBe(true);
    expect(heimdall!.cap_drop).toEqual(['ALL']);
  });
});
