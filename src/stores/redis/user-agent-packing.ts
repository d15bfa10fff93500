/**
 * A static dictionary for user agents, as HPACK has one for HTTP headers: the long runs every browser sends
 * ("Mozilla/5.0 (Windows NT 10.0; Win64; x64", ") AppleWebKit/537.36 (KHTML, like Gecko) Chrome/") are stored as one
 * character each. A typical user agent (~110 characters) is the largest field of a session record in Redis; packed, it
 * is 10–30 bytes, which keeps a record under 400 bytes of Redis memory. Packing is exact: unpack(pack(ua)) === ua
 * for every string (a test checks it on arbitrary input).
 *
 * Frozen for format version 2 of the session record: entries are referred to by position, so changing, removing or
 * reordering one would change what stored records mean. A new dictionary needs a new format version.
 */
const TOKENS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X ',
  'Mozilla/5.0 (X11; Linux x86_64',
  'Mozilla/5.0 (Linux; Android ',
  'Mozilla/5.0 (iPhone; CPU iPhone OS ',
  'Mozilla/5.0 (iPad; CPU OS ',
  'Mozilla/5.0 (',
  ') AppleWebKit/537.36 (KHTML, like Gecko) Chrome/',
  ') AppleWebKit/605.1.15 (KHTML, like Gecko) Version/',
  ') AppleWebKit/605.1.15 (KHTML, like Gecko)',
  ') AppleWebKit/537.36 (KHTML, like Gecko)',
  '.0.0.0 Mobile Safari/537.36',
  '.0.0.0 Safari/537.36',
  ' Mobile/15E148 Safari/604.1',
  ' Safari/605.1.15',
  ' Safari/537.36',
  ' like Mac OS X',
  ') Gecko/20100101 Firefox/',
  '; rv:',
  ' Edg/',
  '.0.0.0',
  ' Mobile',
  'Firefox/',
  'Chrome/',
  'Safari/',
  'Version/',
  'Gecko/',
] as const;

/**
 * Entry i is written as the character U+0100 + i: two bytes in UTF-8, and never part of a user agent that came
 * through HTTP (Node reads header values as Latin-1, U+0000–U+00FF).
 */
const FIRST_MARKER = 0x100;
const MARKERS = new RegExp(
  `[\\u${FIRST_MARKER.toString(16).padStart(4, '0')}-\\u${(FIRST_MARKER + TOKENS.length - 1).toString(16).padStart(4, '0')}]`,
  'g',
);
/** Anything above Latin-1: such a user agent (not from an HTTP header) is stored as it is, never packed. */
const ABOVE_LATIN1 = /[\u0100-\uffff]/;

/** The packed form, or null when the user agent cannot be packed unambiguously (it has characters above U+00FF). */
export function packUserAgent(userAgent: string): string | null {
  if (ABOVE_LATIN1.test(userAgent)) return null;
  let packed = userAgent;
  // Tokens hold no marker characters, so each replacement covers original text only, and unpacking is exact
  // whatever the order; the order (specific before general) only decides how small the result is.
  TOKENS.forEach((token, i) => {
    if (packed.includes(token)) packed = packed.replaceAll(token, String.fromCharCode(FIRST_MARKER + i));
  });
  return packed;
}

export function unpackUserAgent(packed: string): string {
  return packed.replace(MARKERS, (marker) => TOKENS[marker.charCodeAt(0) - FIRST_MARKER]!);
}
