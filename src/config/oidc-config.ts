/** One OpenID provider, as configured. */
export interface OidcProviderConfig {
  /** Lower-case name used in paths: /api/oidc/<name>/start. */
  name: string;
  /** Shown on the sign-in button ("Continue with <label>"). */
  label: string;
  /** Issuer identifier; its /.well-known/openid-configuration is discovered. */
  issuer: string;
  clientId: string;
  /** Null for a public client (PKCE only, no client authentication). */
  clientSecret: string | null;
  scopes: string[];
}

export interface OidcConfig {
  providers: OidcProviderConfig[];
  /** OIDC_LINK_VERIFIED_EMAIL: a first sign-on links to the account with the same email if the provider verified it. */
  linkVerifiedEmail: boolean;
}

type Env = Record<string, string | undefined>;

const NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
/** Static path segments under /api/oidc that a provider name must not shadow. */
const RESERVED_NAMES = new Set(['providers', 'identities']);
const DEFAULT_SCOPES = ['openid', 'email', 'profile'];
const SETTINGS = ['ISSUER', 'CLIENT_ID', 'CLIENT_SECRET', 'SCOPES', 'LABEL'] as const;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

interface RawProvider {
  name?: unknown;
  issuer?: unknown;
  clientId?: unknown;
  clientSecret?: unknown;
  scopes?: unknown;
  label?: unknown;
}

/**
 * Providers from `OIDC_PROVIDERS` (a JSON array of `{name, issuer, clientId, clientSecret?, scopes?, label?}`) and
 * from `OIDC_<NAME>_ISSUER` / `_CLIENT_ID` / `_CLIENT_SECRET` / `_SCOPES` / `_LABEL`. Problems are appended, one
 * line each, naming the variable.
 */
export function readOidcConfig(env: Env, problems: string[]): OidcConfig {
  const raw: { source: string; value: RawProvider }[] = [];
  const json = env.OIDC_PROVIDERS;
  if (json) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      parsed = undefined;
    }
    if (Array.isArray(parsed) && parsed.every((p) => typeof p === 'object' && p !== null)) {
      parsed.forEach((value: RawProvider, i) => {
        raw.push({ source: `OIDC_PROVIDERS[${i}]`, value });
      });
    } else {
      problems.push(
        'OIDC_PROVIDERS is not valid: expected a JSON array of {"name", "issuer", "clientId", "clientSecret"?, "scopes"?, "label"?}.',
      );
    }
  }
  for (const group of envGroups(env)) {
    const at = (setting: string) => env[`OIDC_${group}_${setting}`] || undefined;
    if (!at('ISSUER')) {
      problems.push(`OIDC_${group}_* is set but OIDC_${group}_ISSUER is not: set the issuer URL or remove the others.`);
      continue;
    }
    raw.push({
      source: `OIDC_${group}`,
      value: {
        name: group.toLowerCase(),
        issuer: at('ISSUER'),
        clientId: at('CLIENT_ID'),
        clientSecret: at('CLIENT_SECRET'),
        scopes: at('SCOPES'),
        label: at('LABEL'),
      },
    });
  }

  const providers: OidcProviderConfig[] = [];
  for (const { source, value } of raw) {
    const provider = checkProvider(source, value, problems);
    if (!provider) continue;
    if (providers.some((p) => p.name === provider.name)) {
      problems.push(`${source}: provider name "${provider.name}" is configured twice.`);
      continue;
    }
    providers.push(provider);
  }
  const link = env.OIDC_LINK_VERIFIED_EMAIL;
  let linkVerifiedEmail = false;
  if (link) {
    if (/^(true|1|yes)$/i.test(link)) linkVerifiedEmail = true;
    else if (!/^(false|0|no)$/i.test(link))
      problems.push(`OIDC_LINK_VERIFIED_EMAIL=${JSON.stringify(link)} is not valid: expected true or false.`);
  }
  return { providers, linkVerifiedEmail };
}

/** The <NAME> parts of every OIDC_<NAME>_<SETTING> variable, in sorted order. */
function envGroups(env: Env): string[] {
  const groups = new Set<string>();
  const pattern = new RegExp(`^OIDC_([A-Z0-9_]+?)_(${SETTINGS.join('|')})$`);
  for (const key of Object.keys(env)) {
    const match = pattern.exec(key);
    if (match?.[1] && env[key]) groups.add(match[1]);
  }
  return [...groups].sort();
}

function checkProvider(source: string, value: RawProvider, problems: string[]): OidcProviderConfig | null {
  const before = problems.length;
  const name = typeof value.name === 'string' ? value.name : '';
  if (!NAME.test(name) || RESERVED_NAMES.has(name)) {
    problems.push(
      `${source}: name ${JSON.stringify(value.name)} is not valid: expected 1-32 of a-z, 0-9, _ and - (not "providers" or "identities").`,
    );
  }
  const issuer = typeof value.issuer === 'string' ? checkIssuer(value.issuer) : null;
  if (!issuer) {
    problems.push(
      `${source}: issuer ${JSON.stringify(value.issuer)} is not valid: expected an https:// URL (http:// only on localhost/127.0.0.1), without query or fragment.`,
    );
  }
  const clientId = typeof value.clientId === 'string' && value.clientId.trim() ? value.clientId.trim() : null;
  if (!clientId) problems.push(`${source}: a client id is required (${clientIdHint(source)}).`);
  const clientSecret = typeof value.clientSecret === 'string' && value.clientSecret ? value.clientSecret : null;
  const scopes = parseScopes(value.scopes);
  if (!scopes) problems.push(`${source}: scopes must be space-separated and include "openid".`);
  const label = typeof value.label === 'string' && value.label.trim() ? value.label.trim().slice(0, 64) : null;
  if (problems.length > before || !issuer || !clientId || !scopes) return null;
  return { name, label: label ?? defaultLabel(name), issuer, clientId, clientSecret, scopes };
}

function clientIdHint(source: string): string {
  return source.startsWith('OIDC_PROVIDERS') ? '"clientId"' : `${source}_CLIENT_ID`;
}

function checkIssuer(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.search || url.hash || url.username || url.password) return null;
  // Plain HTTP lets anyone on the path forge discovery and tokens; only a provider on this machine may use it.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) return null;
  // The issuer is compared as a string with the `iss` the provider puts in its metadata and tokens: keep it as given.
  return raw;
}

function parseScopes(raw: unknown): string[] | null {
  if (raw === undefined || raw === null) return DEFAULT_SCOPES;
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[\s,]+/) : null;
  if (!list?.every((s) => typeof s === 'string')) return null;
  const scopes = [...new Set((list as string[]).map((s) => s.trim()).filter(Boolean))];
  return scopes.includes('openid') && scopes.every((s) => /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s)) ? scopes : null;
}

function defaultLabel(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
