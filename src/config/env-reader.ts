import { isIP } from 'node:net';

export type Env = Record<string, string | undefined>;
export type TrustProxy = boolean | number | string[];
type Parse<T> = (raw: string) => T | null;

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const DURATION_UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
export const DURATION = 'seconds or a number with s, m, h or d (e.g. 30m)';

/** Seconds (`900`) or a number with a unit (`30m`, `12h`, `7d`), as milliseconds. */
export function parseDuration(value: string): number | null {
  const match = /^(\d+)([smhd]?)$/.exec(value.trim());
  if (!match) return null;
  const ms = Number(match[1]) * DURATION_UNITS[match[2] || 's']!;
  return ms > 0 ? ms : null;
}

/**
 * Reads environment variables one at a time and collects every problem, so that a bad configuration fails at start
 * with one line per variable naming what it accepts, rather than one error at a time.
 */
export class EnvReader {
  readonly env: Env;
  readonly problems: string[] = [];

  constructor(env: Env) {
    this.env = env;
  }

  read<T>(name: string, fallback: T, parse: Parse<T>, accepts: string): T {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = parse(raw);
    if (value === null) {
      this.problems.push(`${name}=${JSON.stringify(raw)} is not valid: expected ${accepts}.`);
      return fallback;
    }
    return value;
  }

  /** Records a problem that concerns several variables together. */
  refuse(problem: string): void {
    this.problems.push(problem);
  }

  /** Throws the collected problems, if any. */
  done(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}

export const int =
  (min: number, max: number): Parse<number> =>
  (raw) => {
    const n = Number(raw);
    return Number.isInteger(n) && n >= min && n <= max ? n : null;
  };

export const bool: Parse<boolean> = (raw) =>
  /^(true|1|yes)$/i.test(raw) ? true : /^(false|0|no)$/i.test(raw) ? false : null;

export const duration: Parse<number> = (raw) => parseDuration(raw);

/** A duration of at most `maxMs`. */
export const upTo =
  (maxMs: number): Parse<number> =>
  (raw) => {
    const ms = parseDuration(raw);
    return ms !== null && ms <= maxMs ? ms : null;
  };

/** A duration that may be zero (`0`, `0s`), up to `maxMs`. */
export const durationOrZero =
  (maxMs: number): Parse<number> =>
  (raw) =>
    /^0+[smhd]?$/.test(raw.trim()) ? 0 : upTo(maxMs)(raw);

/** A secret of at least 32 characters. */
export const longSecret: Parse<string> = (raw) => (raw.length >= 32 ? raw : null);
export const LONG_SECRET = 'at least 32 characters (e.g. `openssl rand -base64 32`)';

export function parseOrigins(raw: string): string[] | null {
  const origins: string[] = [];
  for (const part of splitList(raw)) {
    let url: URL;
    try {
      url = new URL(part);
    } catch {
      return null;
    }
    if (!/^https?:$/.test(url.protocol) || url.pathname.length > 1 || url.search || url.username) return null;
    origins.push(url.origin);
  }
  return origins.length > 0 ? origins : null;
}

/**
 * The host name of a `Host` value (`name`, `name:port`, `[v6]`, `[v6]:port`), lower-cased, without a trailing dot and
 * without the port; null when it is not one. IPv6 literals keep their brackets, as URL.hostname does.
 */
export function hostnameOf(host: string): string | null {
  let name = host;
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end < 0 || !/^(:\d{1,5})?$/.test(host.slice(end + 1))) return null;
    name = host.slice(0, end + 1);
  } else {
    const colon = host.indexOf(':');
    if (colon >= 0) {
      if (!/^\d{1,5}$/.test(host.slice(colon + 1))) return null;
      name = host.slice(0, colon);
    }
  }
  name = name.toLowerCase();
  if (name.endsWith('.')) name = name.slice(0, -1);
  return /^(\[[0-9a-f:.]+\]|[a-z0-9_-]+(\.[a-z0-9_-]+)*)$/.test(name) ? name : null;
}

/** HEIMDALL_ALLOWED_HOSTS: comma-separated host names or IP literals (a port, if given, is ignored). */
export function parseHostNames(raw: string): string[] | null {
  const names = splitList(raw).map(hostnameOf);
  return names.length > 0 && names.every((n) => n !== null) ? (names as string[]) : null;
}

export function parseHostPorts(raw: string): string[] | null {
  const nodes = splitList(raw);
  return nodes.length > 0 && nodes.every((n) => /^[^\s:]+:\d{1,5}$/.test(n)) ? nodes : null;
}

export function parseTrustProxy(raw: string): TrustProxy | null {
  if (/^(true|false)$/i.test(raw)) return raw.toLowerCase() === 'true';
  if (/^\d+$/.test(raw)) return Number(raw);
  const entries = splitList(raw);
  const valid = entries.every(
    (e) => isIP(e.split('/')[0] ?? '') !== 0 || ['loopback', 'linklocal', 'uniquelocal'].includes(e),
  );
  return entries.length > 0 && valid ? entries : null;
}

function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}
