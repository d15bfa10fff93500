/** Longest `returnTo` kept; anything longer is not an address an app or the SPA made. */
const MAX_RETURN_TO_LENGTH = 1024;

/** Where a sign-in may send the browser back to (issue 20: Heimdall as the hosted sign-in page of other apps). */
export interface ReturnToPolicy {
  /** Heimdall's public origin: paths resolve against it. */
  publicOrigin: string;
  /** The other origins (`HEIMDALL_ORIGINS`) an absolute `returnTo` may point at, compared exactly. */
  allowedOrigins: readonly string[];
}

/**
 * Where to land after a sign-in, or null when `raw` is refused: a same-origin path (kept as a path, also when it came
 * as an absolute URL on Heimdall's own origin), or an absolute http(s) URL whose origin is exactly one of the allowed
 * ones (returned whole, normalised by the URL parser). Refused: any backslash (browsers read `/\host` as `//host`),
 * whitespace and control characters (the URL parser drops tabs and newlines, so `/\t/host` would become `//host`),
 * `//host` (protocol-relative), userinfo (`https://app@evil`), other schemes (`javascript:`, `data:`), relative paths
 * without a leading slash, and whatever resolves to another origin.
 */
export function checkReturnTo(raw: unknown, policy: ReturnToPolicy): string | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_RETURN_TO_LENGTH) return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused here
  if (/[\s\\\u0000-\u001f\u007f]/.test(raw)) return null;
  if (raw.startsWith('/')) return raw.startsWith('//') ? null : samePath(raw, policy.publicOrigin);
  const authority = /^https?:\/\/([^/?#]*)/i.exec(raw)?.[1];
  if (!authority || authority.includes('@')) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) return null;
  if (url.origin === new URL(policy.publicOrigin).origin) return samePath(raw, policy.publicOrigin);
  return policy.allowedOrigins.includes(url.origin) ? url.href : null;
}

/** Like checkReturnTo(), with `/` (the SPA's root) for a refused or missing value: third-party sign-on's rule. */
export function safeReturnTo(raw: unknown, policy: ReturnToPolicy): string {
  return checkReturnTo(raw, policy) ?? '/';
}

/** The path of `raw` resolved on the public origin, or null if it leaves it. */
function samePath(raw: string, publicOrigin: string): string | null {
  let url: URL;
  try {
    url = new URL(raw, publicOrigin);
  } catch {
    return null;
  }
  if (url.origin !== new URL(publicOrigin).origin) return null;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Dot segments can normalise `/..//host` into `//host`.
  return path.startsWith('//') ? null : path;
}
