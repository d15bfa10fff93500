import type { StreamPresence } from '../../core/events.js';

/** StreamPresence of the embedded default: one instance holds every stream, so a map of sets is the whole truth. */
export class LocalStreamPresence implements StreamPresence {
  readonly #streams = new Map<string, Set<string>>();

  async add(userId: string, streamId: string): Promise<void> {
    let streams = this.#streams.get(userId);
    if (!streams) {
      streams = new Set();
      this.#streams.set(userId, streams);
    }
    streams.add(streamId);
  }

  async remove(userId: string, streamId: string): Promise<void> {
    const streams = this.#streams.get(userId);
    if (!streams) return;
    streams.delete(streamId);
    // Drop empty sets, so users who came and went leave nothing behind.
    if (streams.size === 0) this.#streams.delete(userId);
  }

  async count(userId: string): Promise<number> {
    return this.#streams.get(userId)?.size ?? 0;
  }

  /** Users with at least one open stream (leak checks in tests). */
  get userCount(): number {
    return this.#streams.size;
  }

  async close(): Promise<void> {
    this.#streams.clear();
  }
}
