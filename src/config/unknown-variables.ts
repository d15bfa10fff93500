import { type Config, ConfigError, loadConfig } from './config.js';
import type { Env } from './env-reader.js';

/**
 * First words of Heimdall's variables. A variable that starts with one of them and that Heimdall never reads is most
 * likely misspelt or meant for another version: it is worth a warning, since a setting silently ignored is a
 * setting that silently does not hold.
 */
export const HEIMDALL_PREFIXES = [
  'HEIMDALL',
  'SESSION',
  'OIDC',
  'REDIS',
  'LOGIN',
  'TOKEN',
  'TOKENS',
  'SMTP',
  'MAIL',
  'DBSC',
  'REAUTH',
  'MFA',
  'PASSWORD',
  'ARGON2',
  'AUDIT',
  'ANOMALY',
  'DOWNLOAD',
  'PRODUCTS',
  'CACHE',
  'SQLITE',
  'SIGNING',
  'SHUTDOWN',
  'METRICS',
  'REGISTER',
  'EMAIL',
  'LOG',
  'ACCESS',
  'REFRESH',
  'EVENTS',
] as const;

/** Other software's well-known variables that share a prefix with Heimdall's (a desktop session, systemd…). */
const FOREIGN = new Set(['SESSION_MANAGER']);

/**
 * Reads the configuration, recording into `known` every variable it asks for, present or not: names are recorded as
 * they are read, so nobody keeps a list (a variable added to src/config/ is known at once).
 */
export function readConfigRecordingNames(env: Env, known: Set<string>): Config {
  const recording = new Proxy(env, {
    get(target, name, receiver) {
      if (typeof name === 'string') known.add(name);
      return Reflect.get(target, name, receiver);
    },
    has(target, name) {
      if (typeof name === 'string') known.add(name);
      return Reflect.has(target, name);
    },
  });
  return loadConfig(recording);
}

export interface UnknownVariable {
  name: string;
  /** The known variable nearest to it (Levenshtein distance). */
  nearest: string;
  distance: number;
}

export interface UnknownVariableOptions {
  /**
   * Whether any variable with one of Heimdall's prefixes counts, or only likely typos (one or two letters away from a
   * known name, or HEIMDALL_…): embedding apps share their environment with their own REDIS_HOST or LOG_FORMAT.
   */
  everyPrefixed: boolean;
}

/** Variables of the environment that look like Heimdall's but are not among those it read. */
export function findUnknownVariables(
  env: Env,
  known: Set<string>,
  options: UnknownVariableOptions = { everyPrefixed: true },
): UnknownVariable[] {
  const names = [...known].filter((n) => /^[A-Z][A-Z0-9_]*$/.test(n));
  const found: UnknownVariable[] = [];
  for (const name of Object.keys(env).sort()) {
    if (known.has(name) || FOREIGN.has(name) || !/^[A-Z][A-Z0-9]*_[A-Z0-9_]+$/.test(name)) continue;
    let nearest = '';
    let distance = Number.POSITIVE_INFINITY;
    for (const candidate of names) {
      const d = levenshtein(name, candidate);
      if (d < distance) [nearest, distance] = [candidate, d];
    }
    const typo = distance <= (name.length >= 10 ? 2 : 1);
    const prefix = name.slice(0, name.indexOf('_'));
    const prefixed = options.everyPrefixed
      ? (HEIMDALL_PREFIXES as readonly string[]).includes(prefix)
      : prefix === 'HEIMDALL';
    if (typo || prefixed) found.push({ name, nearest, distance });
  }
  return found;
}

export function describeUnknownVariable(unknown: UnknownVariable): string {
  return `${unknown.name} is set but Heimdall reads no such variable: did you mean ${unknown.nearest}? (docs/configuration.md lists them all)`;
}

/** Edit distance: insertions, deletions and substitutions, each costing 1. */
export function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * loadConfig, plus one warning line per variable that looks like Heimdall's but is not one it read. When the
 * configuration is refused, the warnings join its problems: a misspelt name often explains a missing setting.
 */
export function loadConfigWithWarnings(
  env: Env,
  options?: UnknownVariableOptions,
): { config: Config; warnings: string[] } {
  const known = new Set<string>();
  try {
    const config = readConfigRecordingNames(env, known);
    return { config, warnings: findUnknownVariables(env, known, options).map(describeUnknownVariable) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const warnings = findUnknownVariables(env, known, options).map((u) => `(${describeUnknownVariable(u)})`);
    throw new ConfigError([...error.problems, ...warnings]);
  }
}
