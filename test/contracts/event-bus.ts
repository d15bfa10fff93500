import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventBus, PushEvent, StreamPresence } from '../../src/core/events.js';
import { generatePublicId } from '../../src/core/ids.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { waitFor } from '../helpers/free-port.js';

export interface EventBusFixture {
  /**
   * Opens the bus of one more instance sharing the same medium (Redis: a new connection; in-process: the same bus
   * again). Closed by cleanup().
   */
  open(): Promise<EventBus>;
  cleanup(): Promise<void>;
}

function event(userId: string, overrides: Partial<PushEvent> = {}): PushEvent {
  return { type: 'message', userId, data: { text: `hello ${generatePublicId()}` }, ...overrides };
}

/** Collects what a bus delivers, for polling with a deadline (delivery is asynchronous on every medium). */
function collect(bus: EventBus, userId: string) {
  const received: PushEvent[] = [];
  const unsubscribe = bus.subscribe((e) => {
    if (e.userId === userId) received.push(e);
  });
  return { received, unsubscribe };
}

/** The behaviour every EventBus must have (in-process, Redis pub/sub, Redis Cluster sharded pub/sub). */
export function describeEventBusContract(name: string, setup: () => Promise<EventBusFixture>): void {
  describe(`EventBus contract: ${name}`, () => {
    let fixture: EventBusFixture;
    let userId: string;

    beforeEach(async () => {
      fixture = await setup();
      userId = `user-${generatePublicId()}`;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    it('delivers a published event, intact, to subscribers on every instance including the publisher', async () => {
      const a = await fixture.open();
      const b = await fixture.open();
      const onA = collect(a, userId);
      const onB = collect(b, userId);
      const sent = event(userId, { type: 'session.revoked', sessionIds: ['s1', 's2'], data: { reason: 'logout' } });
      await a.publish(sent);
      await waitFor('delivery on both instances', () =>
        onA.received.length === 1 && onB.received.length === 1 ? true : undefined,
      );
      expect(onA.received[0]).toEqual(sent);
      expect(onB.received[0]).toEqual(sent);
    });

    it("delivers one publisher's events for one user in the order they were published", async () => {
      const a = await fixture.open();
      const b = await fixture.open();
      const onB = collect(b, userId);
      const sent = Array.from({ length: 50 }, (_, i) => event(userId, { data: { n: i } }));
      for (const e of sent) await a.publish(e);
      await waitFor('all 50 events', () => (onB.received.length === 50 ? true : undefined));
      expect(onB.received.map((e) => e.data.n)).toEqual(sent.map((e) => e.data.n));
    });

    it('delivers events of many users (every shard) to every instance', async () => {
      const a = await fixture.open();
      const b = await fixture.open();
      const users = Array.from({ length: 40 }, () => `user-${generatePublicId()}`);
      const seen = new Set<string>();
      const unsubscribe = b.subscribe((e) => seen.add(e.userId));
      await Promise.all(users.map((u) => a.publish(event(u))));
      await waitFor('events of all users', () => (users.every((u) => seen.has(u)) ? true : undefined));
      unsubscribe();
    });

    it('stops delivering to a listener once it unsubscribes', async () => {
      const a = await fixture.open();
      const first = collect(a, userId);
      const second = collect(a, userId);
      first.unsubscribe();
      await a.publish(event(userId));
      await waitFor('delivery to the remaining listener', () => (second.received.length === 1 ? true : undefined));
      expect(first.received).toEqual([]);
    });
  });
}

export interface StreamPresenceFixture {
  /** Opens the presence registry of one more instance, reading time from `clock`. Closed by cleanup(). */
  open(clock: FakeClock): Promise<StreamPresence>;
  /** Whether entries of an instance that stopped without closing expire (false for in-process registries). */
  expires: boolean;
  cleanup(): Promise<void>;
}

/** The behaviour every StreamPresence must have. */
export function describeStreamPresenceContract(name: string, setup: () => Promise<StreamPresenceFixture>): void {
  describe(`StreamPresence contract: ${name}`, () => {
    let fixture: StreamPresenceFixture;
    let userId: string;
    let clock: FakeClock;

    beforeEach(async () => {
      fixture = await setup();
      userId = `user-${generatePublicId()}`;
      clock = new FakeClock(Date.now());
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    it('counts the open streams of a user across instances', async () => {
      const a = await fixture.open(clock);
      const b = await fixture.open(clock);
      expect(await a.count(userId)).toBe(0);
      await a.add(userId, 'stream-1');
      await a.add(userId, 'stream-2');
      await b.add(userId, 'stream-3');
      await b.add(`other-${userId}`, 'stream-4');
      expect(await a.count(userId)).toBe(3);
      expect(await b.count(userId)).toBe(3);
      await a.remove(userId, 'stream-1');
      expect(await b.count(userId)).toBe(2);
    });

    it('counts a stream added twice once, and removing an unknown stream changes nothing', async () => {
      const a = await fixture.open(clock);
      await a.add(userId, 'stream-1');
      await a.add(userId, 'stream-1');
      await a.remove(userId, 'never-added');
      expect(await a.count(userId)).toBe(1);
    });

    it("stops counting a closed instance's streams", async () => {
      const a = await fixture.open(clock);
      const b = await fixture.open(clock);
      await a.add(userId, 'stream-1');
      await b.add(userId, 'stream-2');
      await a.close();
      expect(await b.count(userId)).toBe(1);
    });

    it('stops counting the streams of an instance that died without closing, once their entries expire', async () => {
      if (!fixture.expires) return;
      const dead = await fixture.open(clock);
      const alive = await fixture.open(clock);
      await dead.add(userId, 'stream-of-the-dead');
      await alive.add(userId, 'stream-alive');
      expect(await alive.count(userId)).toBe(2);
      // The dead instance never refreshes again; the living one does, as its timer would.
      clock.advance(10 * 60_000);
      await alive.add(userId, 'stream-alive');
      expect(await alive.count(userId)).toBe(1);
    });
  });
}
