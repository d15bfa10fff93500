import type { EventBus, PushEvent } from '../../core/events.js';

/**
 * The in-process EventBus of the embedded default: one instance, so publishing is calling the listeners. Each
 * listener gets its own copy of the event, as it would after a trip through Redis, so none can change what the
 * others see.
 */
export class LocalEventBus implements EventBus {
  readonly #listeners = new Set<(event: PushEvent) => void>();
  #closed = false;

  async publish(event: PushEvent): Promise<void> {
    if (this.#closed) return;
    for (const listener of [...this.#listeners]) {
      try {
        listener(structuredClone(event));
      } catch {
        // One failing listener must not keep the event from the others (same as a remote subscriber failing).
      }
    }
  }

  subscribe(listener: (event: PushEvent) => void): () => void {
    // A wrapper per call, so subscribing the same function twice needs two unsubscribes, like any other bus.
    const entry = (event: PushEvent) => listener(event);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  /** Listeners currently subscribed (leak checks in tests). */
  get listenerCount(): number {
    return this.#listeners.size;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
  }
}
