import { HeimdallError } from './errors.js';
import type { EventBus, PushEvent, StreamPresence } from './events.js';
import { generatePublicId } from './ids.js';
import type { Session } from './session.js';
import type { Authenticated, RecheckResult } from './session-service.js';

/** One open event stream as the hub sees it: the HTTP layer writes Server-Sent Events behind this. */
export interface EventSink {
  /** Writes one event; false when the client is not keeping up (the hub then closes the stream). */
  send(type: string, data: unknown): boolean;
  /** Writes a comment line that keeps proxies from timing the stream out; false as for send(). */
  heartbeat(): boolean;
  /** Ends the stream; `retryMs` tells the client when to reconnect (graceful shutdown). Idempotent. */
  close(retryMs?: number): void;
}

/** The part of SessionService the hub needs: a re-check that does not count as activity. */
export interface SessionRechecker {
  recheck(session: Session): Promise<RecheckResult>;
}

export interface StreamHubOptions {
  bus: EventBus;
  presence: StreamPresence;
  sessions: SessionRechecker;
  heartbeatMs: number;
  /** Reports failures that must not stop the hub (a presence store down, a re-check failing). */
  onError?: (error: unknown) => void;
}

export interface StreamHubStats {
  streams: number;
  users: number;
  heartbeatRunning: boolean;
}

interface OpenStream {
  id: string;
  userId: string;
  session: Session;
  roles: string[];
  sink: EventSink;
  /** Settles once presence knows of the stream; removal waits for it so a slow add cannot outlive the stream. */
  registered: Promise<void>;
}

/**
 * This instance's open event streams. Subscribes to the bus once and hands each event to the streams it concerns;
 * a `session.revoked` stream is closed after its event. A heartbeat, running only while streams are open, keeps
 * proxies from closing idle streams and re-checks each stream's session, so sessions that ended without an event
 * (expiry, the CLI in another process, a lost publish) lose their streams too.
 */
export class StreamHub {
  readonly #streams = new Map<string, OpenStream>();
  readonly #byUser = new Map<string, Set<OpenStream>>();
  readonly #presence: StreamPresence;
  readonly #sessions: SessionRechecker;
  readonly #heartbeatMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #unsubscribe: () => void;
  #timer: NodeJS.Timeout | undefined;
  #beating: Promise<void> | undefined;
  #closed = false;

  constructor(options: StreamHubOptions) {
    this.#presence = options.presence;
    this.#sessions = options.sessions;
    this.#heartbeatMs = options.heartbeatMs;
    this.#onError = options.onError ?? (() => {});
    this.#unsubscribe = options.bus.subscribe((event) => this.#deliver(event));
  }

  /**
   * Registers a stream for a live session; resolves once other instances can count it. Returns its id. The session
   * is checked once more after registering: a revocation that landed between the request's validation and the
   * registration published its event before this stream could hear it, and would otherwise wait for a heartbeat.
   */
  async open(auth: Authenticated, sink: EventSink): Promise<string> {
    if (this.#closed) {
      sink.close();
      throw new HeimdallError('service_unavailable', 'This instance is shutting down; reconnect shortly.');
    }
    const stream: OpenStream = {
      id: generatePublicId(),
      userId: auth.user.id,
      session: auth.session,
      roles: [...auth.user.roles],
      sink,
      registered: Promise.resolve(),
    };
    this.#streams.set(stream.id, stream);
    let forUser = this.#byUser.get(stream.userId);
    if (!forUser) {
      forUser = new Set();
      this.#byUser.set(stream.userId, forUser);
    }
    forUser.add(stream);
    stream.registered = this.#presence.add(stream.userId, stream.id).catch(this.#onError);
    this.#startHeartbeat();
    await stream.registered;
    await this.#recheck(stream);
    return stream.id;
  }

  /** Forgets a stream (the client went away, or the hub ended it). Idempotent. */
  async close(streamId: string, retryMs?: number): Promise<void> {
    const stream = this.#streams.get(streamId);
    if (!stream) return;
    this.#streams.delete(streamId);
    const forUser = this.#byUser.get(stream.userId);
    forUser?.delete(stream);
    if (forUser?.size === 0) this.#byUser.delete(stream.userId);
    if (this.#streams.size === 0) this.#stopHeartbeat();
    stream.sink.close(retryMs);
    await stream.registered;
    await this.#presence.remove(stream.userId, streamId).catch(this.#onError);
  }

  /** One heartbeat: a comment on every stream, then a re-check of every stream's session. */
  beat(): Promise<void> {
    this.#beating ??= this.#beatOnce().finally(() => {
      this.#beating = undefined;
    });
    return this.#beating;
  }

  async #beatOnce(): Promise<void> {
    const streams = [...this.#streams.values()];
    for (const stream of streams) {
      if (!stream.sink.heartbeat()) void this.close(stream.id);
    }
    await Promise.all(streams.map((stream) => this.#recheck(stream)));
  }

  async #recheck(stream: OpenStream): Promise<void> {
    let result: RecheckResult;
    try {
      result = await this.#sessions.recheck(stream.session);
    } catch (error) {
      // A store that cannot answer says nothing about the session; try again at the next beat.
      this.#onError(error);
      return;
    }
    if (!this.#streams.has(stream.id)) return;
    if (!result.ok) {
      stream.sink.send('session.revoked', { reason: result.code });
      await this.close(stream.id);
      return;
    }
    stream.session = result.auth.session;
    // Roles changed where no event reached this instance (e.g. `heimdall user roles` in another process).
    if (!sameRoles(stream.roles, result.auth.user.roles)) {
      stream.roles = [...result.auth.user.roles];
      this.#send(stream, 'roles.changed', { roles: stream.roles });
    }
  }

  #deliver(event: PushEvent): void {
    const forUser = this.#byUser.get(event.userId);
    if (!forUser) return;
    for (const stream of [...forUser]) {
      if (event.sessionIds && !event.sessionIds.includes(stream.session.id)) continue;
      if (event.type === 'roles.changed' && Array.isArray(event.data.roles)) {
        stream.roles = (event.data.roles as unknown[]).map(String);
      }
      this.#send(stream, event.type, event.data);
      if (event.type === 'session.revoked') void this.close(stream.id);
    }
  }

  #send(stream: OpenStream, type: string, data: unknown): void {
    if (!stream.sink.send(type, data)) void this.close(stream.id);
  }

  #startHeartbeat(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      this.beat().catch(this.#onError);
    }, this.#heartbeatMs);
    // Heartbeats alone never keep the process alive.
    this.#timer.unref();
  }

  #stopHeartbeat(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  stats(): StreamHubStats {
    return { streams: this.#streams.size, users: this.#byUser.size, heartbeatRunning: this.#timer !== undefined };
  }

  /**
   * Graceful shutdown: ends every stream with a reconnection hint (so clients come back to another instance, or to
   * this one restarted) and stops listening to the bus. A function gives each stream its own delay (jitter), so
   * clients do not all come back at the same moment.
   */
  async closeAll(retryMs: number | (() => number)): Promise<void> {
    this.#closed = true;
    this.#unsubscribe();
    const delay = typeof retryMs === 'number' ? () => retryMs : retryMs;
    await Promise.all([...this.#streams.keys()].map((id) => this.close(id, delay())));
    this.#stopHeartbeat();
  }
}

function sameRoles(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
}
