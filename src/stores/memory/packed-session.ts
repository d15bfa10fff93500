import { FifoMap } from '../../core/fifo-map.js';
import { methodBits, methodSetOfBits, type Session, type SessionKind } from '../../core/session.js';

/**
 * A session as the in-process cache holds it: one string (issue 18). Decoded, a session is an object of 21 fields
 * (192 bytes), five boxed timestamps (80), and its id and CSRF token as strings of their own (80); packed, the
 * whole record is one string of under 200 characters (with a UUID for the user id), one byte each when every field is
 * Latin-1, as they are.
 *
 * Format: a JSON array by position, the fields a cache must scan first:
 * 0 idleExpiresAt, 1 absoluteExpiresAt, 2 userId, 3 id, 4 kind (0 cookie, 1 api), 5 userVersion, 6 createdAt,
 * 7 lastSeenAt − createdAt, 8 idleTimeoutMs, 9 rememberMe (0 or 1), 10 ip, 11 device (a reference to user agent,
 * browser and OS, see DeviceTable), 12 country, 13 csrfToken, 14 provider, 15 authenticatedAt − createdAt,
 * 16 methods (bit i for AUTH_METHODS[i]), 17 deviceKey. An offset that would not give its time back exactly (not
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
  string,
  0 | 1,
  number,
  number,
  Offset,
  number,
  0 | 1,
  string,
  number,
  string | null,
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
  readonly #devices = new FifoMap<number, Device>();
  readonly #capacity: number;
  #next = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  refOf(userAgent: string, browser: string | null, os: string | null): number {
    const key = JSON.stringify([userAgent, browser, os]);
    const held = this.#refs.get(key);
    if (held !== undefined) return held;
    if (this.#devices.size >= this.#capacity) {
      const oldest = this.#devices.oldest()!;
      const device = this.#devices.get(oldest)!;
      this.#devices.delete(oldest);
      this.#refs.delete(JSON.stringify([device.userAgent, device.browser, device.os]));
    }
    const ref = this.#next++;
    this.#refs.set(key, ref);
    this.#devices.set(ref, { userAgent, browser, os });
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
      s.id,
      s.kind === 'api' ? 1 : 0,
      s.userVersion,
      s.createdAt,
      offset(s.createdAt, s.lastSeenAt),
      s.idleTimeoutMs,
      s.rememberMe ? 1 : 0,
      s.ip,
      this.#devices.refOf(s.userAgent, s.browser, s.os),
      s.country,
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
    if (!this.#decoded.has(packed) && this.#decoded.size >= DECODED) this.#decoded.delete(this.#decoded.oldest()!);
    this.#decoded.set(packed, session);
  }

  /** True when the packed session is past its idle or absolute expiry at `now`, without unpacking it. */
  expiredAt(packed: PackedSession, now: number): boolean {
    const first = packed.indexOf(',');
    const second = packed.indexOf(',', first + 1);
    return now >= Number(packed.slice(1, first)) || now >= Number(packed.slice(first + 1, second));
  }

  /** True when the packed session belongs to the user, without unpacking it. */
  belongsTo(packed: PackedSession, userId: string): boolean {
    const second = packed.indexOf(',', packed.indexOf(',') + 1);
    // A JSON string ends at its first unescaped quote, so the user's id followed by a comma is that field exactly.
    return packed.startsWith(`${JSON.stringify(userId)},`, second + 1);
  }

  #decode(tokenHash: string, packed: PackedSession): Session | null {
    const p = JSON.parse(packed) as Packed;
    if (p.length !== FIELDS) return null;
    const device = this.#devices.device(p[11]);
    if (!device) return null;
    return {
      id: p[3],
      tokenHash,
      userId: p[2],
      kind: KINDS[p[4]]!,
      userVersion: p[5],
      createdAt: p[6],
      lastSeenAt: fromOffset(p[6], p[7]),
      idleExpiresAt: p[0],
      absoluteExpiresAt: p[1],
      idleTimeoutMs: p[8],
      rememberMe: p[9] === 1,
      ip: p[10],
      userAgent: device.userAgent,
      browser: device.browser,
      os: device.os,
      country: p[12],
      csrfToken: p[13],
      provider: p[14],
      authenticatedAt: fromOffset(p[6], p[15]),
      methods: methodSetOfBits(p[16]),
      deviceKey: p[17],
    };
  }
}
