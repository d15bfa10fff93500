/** Longest `returnTo` kept; anything longer is not a path the SPA made. */
const MAX_RETURN_TO_LENGTH = 1024;

/**
 * Where to land after sign-on: a same-origin path, or `/` for anything else. Refused: absolute URLs, `//host`
 * (protocol-relative), any backslash (browsers read `/\host` as `//host`), control characters (the URL parser drops
 * tabs and newlines, so `/\t/host` would become `//host`), and whatever resolves to another origin. The result is
 * always appended to Heimdall's own public URL, never used on its own.
 */
export function safeReturnTo(raw: unknown, publicOrigin: string): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_RETURN_TO_LENGTH) return '/';
  if (!raw.startsWith('/') || raw.startsWith('//')) return '/';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused here
  if (/[\\\u0000-\u001f\u007f]/.test(raw)) return '/';
  let url: URL;
  try {
    url = new URL(raw, publicOrigin);
  } catch {
    return '/';
  }
  if (url.origin !== new URL(publicOrigin).origin) return '/';
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Dot segments can normalise `/..//host` into `//host`.
  return path.startsWith('//') ? '/' : path;
}
