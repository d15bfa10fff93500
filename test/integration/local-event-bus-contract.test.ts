import { LocalEventBus } from '../../src/stores/memory/local-event-bus.js';
import { describeEventBusContract } from '../contracts/event-bus.js';

// One process is one instance: every "instance" of the in-process bus is the same bus.
describeEventBusContract('in-process', async () => {
  const bus = new LocalEventBus();
  return {
    open: async () => bus,
    cleanup: () => bus.close(),
  };
});
