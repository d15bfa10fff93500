import { describe, expect, it } from 'vitest';
import type { PushEvent } from '../../src/core/events.js';
import { LocalEventBus } from '../../src/stores/memory/local-event-bus.js';
import { LocalStreamPresence } from '../../src/stores/memory/local-stream-presence.js';

const event: PushEvent = { type: 'message', userId: 'u1', data: { text: 'hi' } };

describe('LocalEventBus', () => {
  it('hands every listener its own copy, so one cannot change what the others see', async () => {
    const bus = new LocalEventBus();
    const seen: PushEvent[] = [];
    bus.subscribe((e) => {
      e.data.text = 'tampered';
    });
    bus.subscribe((e) => seen.push(e));
    await bus.publish(event);
    expect(seen).toEqual([event]);
    expect(event.data.text).toBe('hi');
  });

  it('keeps delivering to the other listeners when one throws', async () => {
    const bus = new LocalEventBus();
    const seen: string[] = [];
    bus.subscribe(() => {
      throw new Error('broken listener');
    });
    bus.subscribe((e) => seen.push(e.type));
    await expect(bus.publish(event)).resolves.toBeUndefined();
    expect(seen).toEqual(['message']);
  });

  it('stops delivering after unsubscribe and after close, and leaves no listener behind', async () => {
    const bus = new LocalEventBus();
    const seen: string[] = [];
    const listener = (e: PushEvent) => seen.push(e.type);
    const first = bus.subscribe(listener);
    const second = bus.subscribe(listener);
    first();
    await bus.publish(event);
    expect(seen).toHaveLength(1);
    second();
    expect(bus.listenerCount).toBe(0);
    bus.subscribe(listener);
    await bus.close();
    await bus.publish(event);
    expect(seen).toHaveLength(1);
    expect(bus.listenerCount).toBe(0);
  });
});

describe('LocalStreamPresence', () => {
  it('counts open streams per user and forgets users whose last stream closed', async () => {
    const presence = new LocalStreamPresence();
    await presence.add('u1', 's1');
    await presence.add('u1', 's2');
    await presence.add('u1', 's2');
    await presence.add('u2', 's3');
    expect([await presence.count('u1'), await presence.count('u2'), await presence.count('u3')]).toEqual([2, 1, 0]);
    await presence.remove('u1', 's1');
    await presence.remove('u1', 's2');
    await presence.remove('u1', 'never-added');
    expect(await presence.count('u1')).toBe(0);
    expect(presence.userCount).toBe(1);
  });
});
