import { FifoMap } from '../../core/fifo-map.js';
import { methodBits, methodSetOfBits, type Session, type SessionKind } from '../../core/session.js';

/**
 * A session as the in-process cache holds it: one string (issue 18). Decoded, a session is an object of 21 fields
 * (192 bytes), five boxed timestamps (80), and its id and CSRF token as strings of their own (80); packed, the
 * whole record is one string of under 200 characters (with a UUID for the user id), one byte each when every field is
 * Latin-1, as they are.
 *
 * Format: a JSON array by position, the fields a cache must scan first:
 * 0 idleExpiresAt, 1 absoluteExpiresAt, 2 userId, 3 country, 4 id, 5 kind (0 cookie, 1 api), 6 userVersion,
 * 7 createdAt, 8 lastSeenAt − createdAt, 9 idleTimeoutMs, 10 rememberMe (0 or 1), 11 ip, 12 device (a reference to
 * user agent, browser and OS, see DeviceTable), 13 csrfToken, 14 provider, 15 authenticatedAt − createdAt,
 * 16 methods (bit i for AUTH_METHODS[i]), 17 deviceKey. The first four are what the anomaly check reads of every
 * session of a user on GET /api/session: it reads them without unpacking. An offset that would not give its time back exactly (not
 * an integer) is written as the time itself in an array of one, so every number comes back as it was.
 * The token hash is not in it: it is the cache's key.
 */
export type PackedSession = string;

/** A time as an offset from another, or the time itself (in an array of one) when the offset is not exact. */
type Offset = number | [number];

type Packed = [
  number,
  number,
  string,
  string | null,
  string,
  0 | 1,
  number,
  number,
  Offset,
  number,
  0 | 1,
  string,
  number,
  string,
  string | null,
  Offset,
  number,
  string | null,
];

const FIELDS = 18;
const KINDS: readonly SessionKind[] = ['cookie', 'api'];

function offset(from: number, time: number): Offset {
  const by = time - from;
  return from + by === time ? by : [time];
}

function fromOffset(from: number, value: Offset): number {
  return typeof value === 'number' ? from + value : value[0];
}

interface Device {
  userAgent: string;
  browser: string | null;
  os: string | null;
}

/**
 * Distinct user agents (with the browser and OS the store gave for them) under small numbers: a user agent is 100
 * characters or more and a deployment sees a few hundred of them, so a packed session names its device by number.
 * Bounded, the oldest forgotten first; a number is never given twice, so a session that names a forgotten device
 * fails to unpack and is read again from the store.
 */
class DeviceTable {
  readonly #refs = new Map<string, number>();
  /** Each device with its key in `#refs`, so forgetting it needs no second serialisation. */
  readonly #devices = new FifoMap<number, Device & { key: string }>();
  readonly #capacity: number;
  #next = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  refOf(userAgent: string, browser: string | null, os: string | null): number {
    const key = JSON.stringify([userAgent, browser, os]);
    const held = this.#refs.get(key);
    if (held !== undefined) return held;
    const ref = this.#next++;
    const forgotten = this.#devices.setWithin(this.#capacity, ref, { key, userAgent, browser, os });
    if (forgotten) this.#refs.delete(forgotten[1].key);
    this.#refs.set(key, ref);
    return ref;
  }

  device(ref: number): Device | undefined {
    return this.#devices.get(ref);
  }
}

/** Distinct devices remembered; beyond it the oldest is forgotten (its sessions are then read again). */
const DEVICES = 16_384;
/** Sessions kept decoded: the ones read again and again are not decoded per request. */
const DECODED = 4_096;

/**
 * Packs sessions for the cache and unpacks them again, keeping the most recently unpacked ones decoded, so a
 * session read on every request is one object, as before, while the long tail costs its packed string alone.
 */
export class SessionPacker {
  readonly #devices = new DeviceTable(DEVICES);
  readonly #decoded = new FifoMap<PackedSession, Session>();

  pack(s: Session): PackedSession {
    const packed: Packed = [
      s.idleExpiresAt,
      s.absoluteExpiresAt,
      s.userId,
      s.country,
      s.id,
      s.kind === 'api' ? 1 : 0,
      s.userVersion,
      s.createdAt,
      offset(s.createdAt, s.lastSeenAt),
      s.idleTimeoutMs,
      s.rememberMe ? 1 : 0,
      s.ip,
      this.#devices.refOf(s.userAgent, s.browser, s.os),
      s.csrfToken,
      s.provider,
      offset(s.createdAt, s.authenticatedAt),
      methodBits(s.methods),
      s.deviceKey,
    ];
    return JSON.stringify(packed);
  }

  /**
   * The session packed under `tokenHash`, or null when its device was forgotten (the caller reads it again). The
   * same object while it is among the most recently unpacked.
   */
  unpack(tokenHash: string, packed: PackedSession): Session | null {
    const held = this.#decoded.get(packed);
    // Equal records under two token hashes (ids are unique, so only a store gone wrong has them) are not shared.
    if (held !== undefined && held.tokenHash === tokenHash) return held;
    const session = this.#decode(tokenHash, packed);
    if (session) this.remember(packed, session);
    return session;
  }

  /** Keeps `session`, just read from the store, as the decoded form of `packed` (what unpack would make of it). */
  remember(packed: PackedSession, session: Session): void {
    this.#decoded.setWithin(DECODED, packed, session);
  }

  /** True when the packed session is past its idle or absolute expiry at `now`, without unpacking it. */
  expiredAt(packed: PackedSession, now: number): boolean {
    const first = packed.indexOf(',');
    const second = packed.indexOf(',', first + 1);
    return now >= Number(packed.slice(1, first)) || now >= Number(packed.slice(first + 1, second));
  }

  /** True when the packed session belongs to the user, without unpacking it. */
  belongsTo(packed: PackedSession, userId: string): boolean {
    return this.#afterOwner(packed, userId) !== -1;
  }

  /**
   * Without unpacking: undefined when the packed session is not the user's; null when it is past its expiry at `now`
   * or has no country; else its country.
   */
  liveCountryOf(packed: PackedSession, userId: string, now: number): string | null | undefined {
    const start = this.#afterOwner(packed, userId);
    if (start === -1) return undefined;
    if (this.expiredAt(packed, now) || packed.startsWith('null', start)) return null;
    // A JSON string: up to the first quote that no backslash escapes.
    let end = start + 1;
    while (packed[end] !== '"') end += packed[end] === '\\' ? 2 : 1;
    return JSON.parse(packed.slice(start, end + 1)) as string;
  }

  /** Where the field after the owner starts, or -1 when the packed session is not the user's. */
  #afterOwner(packed: PackedSession, userId: string): number {
    const second = packed.indexOf(',', packed.indexOf(',') + 1);
    // A JSON string ends at its first unescaped quote, so the user's id followed by a comma is that field exactly.
    const owner = `${JSON.stringify(userId)},`;
    return packed.startsWith(owner, second + 1) ? second + 1 + owner.length : -1;
  }

  #decode(tokenHash: string, packed: PackedSession): Session | null {
    const p = JSON.parse(packed) as Packed;
    if (p.length !== FIELDS) return null;
    const device = this.#devices.device(p[12]);
    if (!device) return null;
    return {
      id: p[4],
      tokenHash,
      userId: p[2],
      kind: KINDS[p[5]]!,
      userVersion: p[6],
      createdAt: p[7],
      lastSeenAt: fromOffset(p[7], p[8]),
      idleExpiresAt: p[0],
      absoluteExpiresAt: p[1],
      idleTimeoutMs: p[9],
      rememberMe: p[10] === 1,
      ip: p[11],
      userAgent: device.userAgent,
      browser: device.browser,
      os: device.os,
      country: p[3],
      csrfToken: p[13],
      provider: p[14],
      authenticatedAt: fromOffset(p[7], p[15]),
      methods: methodSetOfBits(p[16]),
      deviceKey: p[17],
    };
  }
}
