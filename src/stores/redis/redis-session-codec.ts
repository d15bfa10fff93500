import { BoundedMemo } from '../../core/bounded-memo.js';
import { type DeviceDescription, describeUserAgent } from '../../core/device.js';
import { methodBits, methodSet, methodSetOfBits, type Session, type SessionKind } from '../../core/session.js';
import { packUserAgent, unpackUserAgent } from './user-agent-packing.js';

/**
 * Format 3 of a session record in Redis is format 2 with fields appended: when a factor was last proven (relative
 * to createdAt), the methods proven (a bit set in AUTH_METHODS order) and, when the session is bound, the device key
 * (DBSC). A session proven once at creation by a password or a provider and not bound is still written in format 2,
 * which says just that; format 1 is still read.
 *
 * Format 2 of a session record in Redis: a JSON array by position (no field names), the token hash being the key.
 * Field 1 is the format version; the Lua scripts index the array 1-based. Against format 1 (488 bytes of Redis memory
 * for a typical record) it leaves out what can be derived and writes the rest shorter, all exactly:
 * - browser and OS are not stored: they are parsed from the user agent when a record is read (memoized per distinct
 *   user agent, so neither a cache fill nor an uncached read parses one per request);
 * - the user agent is packed with a static dictionary (user-agent-packing.ts), or stored as `[ua]` when it cannot be;
 * - times are milliseconds relative to createdAt, and the idle expiry relative to lastSeenAt + idleTimeoutMs (0 unless
 *   the absolute expiry caps it);
 * - the kind is a number.
 */
export const FORMAT = 3;

type EncodedV3 = [
  ...EncodedV2,
  number, // 17 authenticatedAt − createdAt
  number, // 18 methods, bit i set for AUTH_METHODS[i]
  (string | null)?, // 19 deviceKey (JWK JSON), absent when not bound
];

type EncodedV2 = [
  2 | 3,
  string, // 2 id
  string, // 3 userId
  0 | 1, // 4 kind: 0 cookie, 1 api
  number, // 5 userVersion
  number, // 6 createdAt (epoch ms)
  number, // 7 lastSeenAt − createdAt
  number, // 8 idleExpiresAt − (lastSeenAt + idleTimeoutMs)
  number, // 9 absoluteExpiresAt − createdAt
  number, // 10 idleTimeoutMs
  0 | 1, // 11 rememberMe
  string, // 12 ip
  string | [string], // 13 userAgent, packed (or as it is, in an array)
  string | null, // 14 country
  string, // 15 csrfToken
  string | null, // 16 provider
];

/** Format 1, still read: records written before the upgrade live until they expire (at most the absolute timeout). */
type EncodedV1 = [
  1,
  string, // 2 id
  string, // 3 userId
  string, // 4 kind
  number, // 5 userVersion
  number, // 6 createdAt
  number, // 7 lastSeenAt
  number, // 8 idleExpiresAt
  number, // 9 absoluteExpiresAt
  number, // 10 idleTimeoutMs
  0 | 1, // 11 rememberMe
  string, // 12 ip
  string, // 13 userAgent
  string | null, // 14 browser
  string | null, // 15 os
  string | null, // 16 country
  string, // 17 csrfToken
  string | null, // 18 provider
];

const KINDS: readonly SessionKind[] = ['cookie', 'api'];

interface Device extends DeviceDescription {
  userAgent: string;
}

export interface RedisSessionCodecOptions {
  /** Parses browser and OS from a user agent (default: describeUserAgent; tests count the calls). */
  describe?: (userAgent: string) => DeviceDescription;
  /** Distinct user agents remembered with their browser and OS (default 1024; a deployment sees a few hundred). */
  memoEntries?: number;
}

/** Encodes and decodes session records; one per store, holding the memo of parsed user agents. */
export class RedisSessionCodec {
  readonly #packed: BoundedMemo<string, Device>;
  readonly #unpacked: BoundedMemo<string, Device>;

  constructor(options: RedisSessionCodecOptions = {}) {
    const describe = options.describe ?? describeUserAgent;
    const entries = options.memoEntries ?? 1024;
    const deviceOf = (userAgent: string): Device => ({ userAgent, ...describe(userAgent) });
    this.#packed = new BoundedMemo((packed) => deviceOf(unpackUserAgent(packed)), entries);
    this.#unpacked = new BoundedMemo(deviceOf, entries);
  }

  encode(s: Session): string {
    const kind = KINDS.indexOf(s.kind);
    if (kind === -1) throw new TypeError(`unknown session kind: ${s.kind}`);
    const packed = packUserAgent(s.userAgent);
    const encoded: EncodedV2 = [
      2,
      s.id,
      s.userId,
      kind as 0 | 1,
      s.userVersion,
      s.createdAt,
      s.lastSeenAt - s.createdAt,
      s.idleExpiresAt - (s.lastSeenAt + s.idleTimeoutMs),
      s.absoluteExpiresAt - s.createdAt,
      s.idleTimeoutMs,
      s.rememberMe ? 1 : 0,
      s.ip,
      packed ?? [s.userAgent],
      s.country,
      s.csrfToken,
      s.provider,
    ];
    // Most sessions were proven once, when made, by a password or a provider, and are not bound to a device: format
    // 2 says exactly that, in 14 bytes less of Redis memory per record.
    if (isProvenAtCreation(s)) return JSON.stringify(encoded);
    encoded[0] = FORMAT;
    const proven: EncodedV3 = [...encoded, s.authenticatedAt - s.createdAt, methodBits(s.methods)];
    if (s.deviceKey !== null) proven.push(s.deviceKey);
    return JSON.stringify(proven);
  }

  /** The session stored under `tokenHash`, or null for anything that is not a record of a known format. */
  decode(tokenHash: string, raw: string): Session | null {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      return null;
    }
    if (!Array.isArray(value)) return null;
    if (value[0] === 3 && (value.length === 18 || value.length === 19)) {
      return this.#decodeV3(tokenHash, value as EncodedV3);
    }
    if (value[0] === 2 && value.length === 16) return this.#decodeV2(tokenHash, value as EncodedV2);
    if (value[0] === 1 && value.length === 18) return decodeV1(tokenHash, value as EncodedV1);
    return null;
  }

  #decodeV3(tokenHash: string, e: EncodedV3): Session | null {
    const session = this.#decodeV2(tokenHash, e as unknown as EncodedV2);
    if (!session) return null;
    session.authenticatedAt = session.createdAt + e[16];
    session.methods = methodSetOfBits(e[17]);
    session.deviceKey = e[18] ?? null;
    return session;
  }

  #decodeV2(tokenHash: string, e: EncodedV2): Session | null {
    const kind = KINDS[e[3]];
    const ua = e[12];
    if (kind === undefined) return null;
    let device: Device;
    if (typeof ua === 'string') device = this.#packed.get(ua);
    else if (Array.isArray(ua) && typeof ua[0] === 'string') device = this.#unpacked.get(ua[0]);
    else return null;
    const createdAt = e[5];
    const lastSeenAt = createdAt + e[6];
    return {
      id: e[1],
      tokenHash,
      userId: e[2],
      kind,
      userVersion: e[4],
      createdAt,
      lastSeenAt,
      idleExpiresAt: lastSeenAt + e[9] + e[7],
      absoluteExpiresAt: createdAt + e[8],
      idleTimeoutMs: e[9],
      rememberMe: e[10] === 1,
      ip: e[11],
      // The memo's strings: every cached session from the same browser shares one copy.
      userAgent: device.userAgent,
      browser: device.browser,
      os: device.os,
      country: e[13],
      csrfToken: e[14],
      provider: e[15],
      ...provenAtCreation(createdAt, e[15]),
    };
  }
}

/** Proven when made, by a password or a provider (whichever the session names), and not bound to a device. */
function isProvenAtCreation(s: Session): boolean {
  return (
    s.authenticatedAt === s.createdAt &&
    s.deviceKey === null &&
    s.methods.length === 1 &&
    s.methods[0] === (s.provider === null ? 'password' : 'oidc')
  );
}

/** Records written in format 2 count as proven when they were made, by the provider or else a password. */
function provenAtCreation(createdAt: number, provider: string | null) {
  return {
    authenticatedAt: createdAt,
    methods: methodSet([provider === null ? 'password' : 'oidc']),
    deviceKey: null,
  };
}

function decodeV1(tokenHash: string, e: EncodedV1): Session {
  return {
    id: e[1],
    tokenHash,
    userId: e[2],
    kind: e[3] as SessionKind,
    userVersion: e[4],
    createdAt: e[5],
    lastSeenAt: e[6],
    idleExpiresAt: e[7],
    absoluteExpiresAt: e[8],
    idleTimeoutMs: e[9],
    rememberMe: e[10] === 1,
    ip: e[11],
    userAgent: e[12],
    browser: e[13],
    os: e[14],
    country: e[15],
    csrfToken: e[16],
    provider: e[17],
    ...provenAtCreation(e[5], e[17]),
  };
}
