import type { EventBus, StreamPresence } from '../../src/core/events.js';
import { RedisEventBus } from '../../src/stores/redis/redis-event-bus.js';
import { RedisStreamPresence } from '../../src/stores/redis/redis-stream-presence.js';
import { describeEventBusContract, describeStreamPresenceContract } from '../contracts/event-bus.js';
import { REDIS_TOPOLOGIES, TOPOLOGY_LABELS, useRedis } from '../helpers/redis-topologies.js';

for (const topology of REDIS_TOPOLOGIES) {
  const redis = useRedis(topology);

  describeEventBusContract(TOPOLOGY_LABELS[topology], async () => {
    const buses: EventBus[] = [];
    return {
      async open() {
        // Each "instance" gets its own connection, as separate processes would.
        const bus = await RedisEventBus.open(await (await redis()).connect());
        buses.push(bus);
        return bus;
      },
      async cleanup() {
        for (const bus of buses) await bus.close();
      },
    };
  });

  describeStreamPresenceContract(TOPOLOGY_LABELS[topology], async () => {
    const presences: StreamPresence[] = [];
    return {
      expires: true,
      async open(clock) {
        const connection = await (await redis()).connect();
        // A refresh far in the future: the test moves the fake clock and refreshes explicitly.
        const presence = new RedisStreamPresence(connection, { clock, ttlMs: 30_000, refreshMs: 3_600_000 });
        presences.push(presence);
        return presence;
      },
      async cleanup() {
        for (const presence of presences) await presence.close();
      },
    };
  });
}
