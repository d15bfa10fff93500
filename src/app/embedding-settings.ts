import { ConfigError } from '../config/config.js';

export type Env = Record<string, string | undefined>;

/**
 * Settings an embedding app may pass as an object instead of environment variables. Each is the variable named
 * beside it (docs/configuration.md), read by the same code with the same checks; an option wins over the variable.
 */
export interface HeimdallSettings {
  /** DATABASE_URL: the Heimdall server's database, `sqlite:<path>` or `postgres://…`. */
  databaseUrl?: string;
  /** REDIS_URL, when the server keeps sessions in Redis. */
  redisUrl?: string;
  /** REDIS_CLUSTER_NODES, when the server keeps sessions in a Redis Cluster. */
  redisClusterNodes?: string | string[];
  /** HEIMDALL_SECRET: the server's secret (it unseals the signing keys). */
  secret?: string;
  /** HEIMDALL_DATA_DIR: where the server keeps its generated secret, when HEIMDALL_SECRET is not set. */
  dataDir?: string;
  /** HEIMDALL_PUBLIC_URL: by default the server's, as it recorded it in the database. */
  publicUrl?: string;
  /** HEIMDALL_ORIGINS: origins allowed to make changes, besides the server's own and the request's own. */
  origins?: string | string[];
  /** HEIMDALL_COOKIE_NAME: by default the server's. */
  cookieName?: string;
  /** HEIMDALL_COOKIE_SECURE. */
  cookieSecure?: boolean;
  /** TOKEN_ISSUER: by default the server's. */
  tokenIssuer?: string;
  /** REDIS_CLIENT_CACHE. */
  redisClientCache?: boolean;
  /** SQLITE_CACHE. */
  sqliteCache?: boolean;
}

export const SETTING_VARIABLES: Record<keyof HeimdallSettings, string> = {
  databaseUrl: 'DATABASE_URL',
  redisUrl: 'REDIS_URL',
  redisClusterNodes: 'REDIS_CLUSTER_NODES',
  secret: 'HEIMDALL_SECRET',
  dataDir: 'HEIMDALL_DATA_DIR',
  publicUrl: 'HEIMDALL_PUBLIC_URL',
  origins: 'HEIMDALL_ORIGINS',
  cookieName: 'HEIMDALL_COOKIE_NAME',
  cookieSecure: 'HEIMDALL_COOKIE_SECURE',
  tokenIssuer: 'TOKEN_ISSUER',
  redisClientCache: 'REDIS_CLIENT_CACHE',
  sqliteCache: 'SQLITE_CACHE',
};

/** The environment with the options laid over it, and how to name a variable in a message (by its option). */
export interface SettledEnv {
  env: Env;
  /** `databaseUrl (DATABASE_URL)` for a variable given as an option, else the variable's name. */
  label(variable: string): string;
  /** Whether the app chose this variable (as an option or in its environment), rather than taking the default. */
  isSet(variable: string): boolean;
}

export function settleEnv(base: Env, settings: HeimdallSettings): SettledEnv {
  const env: Env = { ...base };
  const optionOf = new Map<string, string>();
  for (const [option, variable] of Object.entries(SETTING_VARIABLES)) {
    const value = settings[option as keyof HeimdallSettings];
    if (value === undefined) continue;
    env[variable] = Array.isArray(value) ? value.join(',') : String(value);
    optionOf.set(variable, option);
  }
  return {
    env,
    label: (variable) => (optionOf.has(variable) ? `${optionOf.get(variable)} (${variable})` : variable),
    isSet: (variable) => env[variable] !== undefined && env[variable] !== '',
  };
}

/** A configuration error whose lines name the options the app passed, not only the variables they stand for. */
export function relabel(error: unknown, settled: SettledEnv): unknown {
  if (!(error instanceof ConfigError)) return error;
  return new ConfigError(
    error.problems.map((line) => line.replace(/^([A-Z][A-Z0-9_]*)(?==)/, (variable) => settled.label(variable))),
  );
}
