import { describe, expect, it } from 'vitest';
import type { PushEvent, StreamPresence } from '../../src/core/events.js';
import type { Session } from '../../src/core/session.js';
import type { Authenticated, RecheckResult } from '../../src/core/session-service.js';
import { type EventSink, StreamHub } from '../../src/core/stream-hub.js';
import type { User } from '../../src/core/user.js';
import { LocalEventBus } from '../../src/stores/memory/local-event-bus.js';
import { LocalStreamPresence } from '../../src/stores/memory/local-stream-presence.js';
import { makeSession } from '../contracts/session-store.js';

class FakeSink implements EventSink {
  readonly events: { type: string; data: unknown }[] = [];
  heartbeats = 0;
  closedWith: number | undefined | null = null;
  keepingUp = true;

  send(type: string, data: unknown): boolean {
    this.events.push({ type, data });
    return this.keepingUp;
  }
  heartbeat(): boolean {
    this.heartbeats++;
    return this.keepingUp;
  }
  close(retryMs?: number): void {
    if (this.closedWith === null) this.closedWith = retryMs;
  }
  get closed(): boolean {
    return this.closedWith !== null;
  }
}

function user(id: string, roles = ['user']): User {
  return {
    id,
    email: `${id}@example.test`,
    name: id,
    roles,
    passwordHash: null,
    disabled: false,
    emailVerified: false,
    secondFactors: [],
    sessionVersion: 0,
    createdAt: 0,
    updatedAt: 0,
  };
}

function auth(userId: string, roles?: string[]): Authenticated {
  return { user: user(userId, roles), session: makeSession(userId) };
}

function setUp(
  recheck: (session: Session) => Promise<RecheckResult> = async (session) => ({
    ok: true,
    auth: { session, user: user(session.userId) },
  }),
) {
  const bus = new LocalEventBus();
  const presence = new LocalStreamPresence();
  const errors: unknown[] = [];
  const hub = new StreamHub({
    bus,
    presence,
    sessions: { recheck },
    heartbeatMs: 60_000,
    onError: (error) => errors.push(error),
  });
  return { bus, presence, hub, errors };
}

/** Lets promise chains started without await (the hub's closes) run to the end. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

const revoked = (userId: string, sessionIds?: string[]): PushEvent => ({
  type: 'session.revoked',
  userId,
  ...(sessionIds ? { sessionIds } : {}),
  data: { reason: 'revoked' },
});

describe('StreamHub', () => {
  it('delivers an event to every stream of its user, and to no one else', async () => {
    const { bus, hub } = setUp();
    const [a1, a2, b] = [new FakeSink(), new FakeSink(), new FakeSink()];
    await hub.open(auth('a'), a1);
    await hub.open(auth('a'), a2);
    await hub.open(auth('b'), b);
    await bus.publish({ type: 'message', userId: 'a', data: { text: 'hi' } });
    expect(a1.events).toEqual([{ type: 'message', data: { text: 'hi' } }]);
    expect(a2.events).toEqual(a1.events);
    expect(b.events).toEqual([]);
  });

  it('delivers an event naming sessions only to the streams of those sessions', async () => {
    const { bus, hub } = setUp();
    const laptop = auth('a');
    const phone = auth('a');
    const [laptopSink, phoneSink] = [new FakeSink(), new FakeSink()];
    await hub.open(laptop, laptopSink);
    await hub.open(phone, phoneSink);
    await bus.publish(revoked('a', [phone.session.id]));
    expect(phoneSink.events.map((e) => e.type)).toEqual(['session.revoked']);
    expect(laptopSink.events).toEqual([]);
  });

  it('closes and forgets a stream once its session.revoked is sent', async () => {
    const { bus, hub, presence } = setUp();
    const sink = new FakeSink();
    await hub.open(auth('a'), sink);
    expect(await presence.count('a')).toBe(1);
    await bus.publish(revoked('a'));
    await settle();
    expect(sink.closed).toBe(true);
    expect(hub.stats()).toEqual({ streams: 0, users: 0, heartbeatRunning: false });
    expect(await presence.count('a')).toBe(0);
  });

  it('closes a stream whose client stopped reading', async () => {
    const { bus, hub } = setUp();
    const sink = new FakeSink();
    await hub.open(auth('a'), sink);
    sink.keepingUp = false;
    await bus.publish({ type: 'message', userId: 'a', data: { text: 'x' } });
    expect(sink.closed).toBe(true);
    expect(hub.stats().streams).toBe(0);
  });

  it('beat() writes a heartbeat to every stream and closes the streams of sessions that ended', async () => {
    const live = auth('a');
    const dead = auth('a');
    let expired = false;
    const { hub } = setUp(async (session) =>
      expired && session.id === dead.session.id
        ? { ok: false, code: 'expired' }
        : { ok: true, auth: { session, user: user('a') } },
    );
    const [liveSink, deadSink] = [new FakeSink(), new FakeSink()];
    await hub.open(live, liveSink);
    await hub.open(dead, deadSink);
    expired = true;
    await hub.beat();
    expect([liveSink.heartbeats, deadSink.heartbeats]).toEqual([1, 1]);
    expect(deadSink.events).toEqual([{ type: 'session.revoked', data: { reason: 'expired' } }]);
    expect(deadSink.closed).toBe(true);
    expect(liveSink.closed).toBe(false);
    expect(hub.stats().streams).toBe(1);
  });

  it('beat() tells a stream its roles changed when no event did, once', async () => {
    const { hub } = setUp(async (session) => ({ ok: true, auth: { session, user: user('a', ['god', 'user']) } }));
    const sink = new FakeSink();
    await hub.open(auth('a', ['user']), sink);
    await hub.beat();
    await hub.beat();
    expect(sink.events).toEqual([{ type: 'roles.changed', data: { roles: ['god', 'user'] } }]);
  });

  it('keeps a stream when its session cannot be re-checked (store briefly down), and reports why', async () => {
    const { hub, errors } = setUp(async () => {
      throw new Error('store down');
    });
    const sink = new FakeSink();
    await hub.open(auth('a'), sink);
    await hub.beat();
    expect(sink.closed).toBe(false);
    expect(errors).toHaveLength(2);
  });

  it('tells a stream at once when its session ended between validation and registration', async () => {
    const { hub, presence } = setUp(async () => ({ ok: false, code: 'revoked' }));
    const sink = new FakeSink();
    await hub.open(auth('a'), sink);
    expect(sink.events).toEqual([{ type: 'session.revoked', data: { reason: 'revoked' } }]);
    expect(sink.closed).toBe(true);
    await settle();
    expect(hub.stats().streams).toBe(0);
    expect(await presence.count('a')).toBe(0);
  });

  it('runs its heartbeat timer only while streams are open', async () => {
    const { hub } = setUp();
    expect(hub.stats().heartbeatRunning).toBe(false);
    const id = await hub.open(auth('a'), new FakeSink());
    expect(hub.stats().heartbeatRunning).toBe(true);
    await hub.close(id);
    expect(hub.stats().heartbeatRunning).toBe(false);
  });

  it('removes a stream from presence only after adding it, even when the add is slow', async () => {
    const bus = new LocalEventBus();
    const entries = new Set<string>();
    let finishAdd: () => void = () => {};
    const presence: StreamPresence = {
      add: (_user, stream) =>
        new Promise<void>((resolve) => {
          finishAdd = () => {
            entries.add(stream);
            resolve();
          };
        }),
      remove: async (_user, stream) => {
        entries.delete(stream);
      },
      count: async () => entries.size,
      close: async () => {},
    };
    const hub = new StreamHub({
      bus,
      presence,
      sessions: { recheck: async () => ({ ok: false, code: 'revoked' }) },
      heartbeatMs: 60_000,
    });
    const sink = new FakeSink();
    const opening = hub.open(auth('a'), sink);
    // The stream ends while presence has not yet answered the add.
    await bus.publish(revoked('a'));
    expect(sink.closed).toBe(true);
    finishAdd();
    await opening;
    await settle();
    expect(entries.size).toBe(0);
  });

  it('closeAll() ends every stream with its own retry hint and stops listening to the bus', async () => {
    const { bus, hub } = setUp();
    const sinks = [new FakeSink(), new FakeSink(), new FakeSink()];
    for (const sink of sinks) await hub.open(auth('a'), sink);
    let next = 1_000;
    await hub.closeAll(() => next++);
    expect(sinks.map((s) => s.closedWith)).toEqual([1_000, 1_001, 1_002]);
    expect(bus.listenerCount).toBe(0);
    await expect(hub.open(auth('a'), new FakeSink())).rejects.toMatchObject({ code: 'service_unavailable' });
  });
});
