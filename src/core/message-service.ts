import type { Clock } from './clock.js';
import type { EventBus, StreamPresence } from './events.js';
import type { User } from './user.js';

export interface MessageServiceOptions {
  events: EventBus;
  presence: StreamPresence;
  clock: Clock;
}

/** Administrators' messages to a user's open pages, delivered as `message` events on their live streams. */
export class MessageService {
  readonly #events: EventBus;
  readonly #presence: StreamPresence;
  readonly #clock: Clock;

  constructor(options: MessageServiceOptions) {
    this.#events = options.events;
    this.#presence = options.presence;
    this.#clock = options.clock;
  }

  /**
   * Sends a message to every open event stream of the user, on any instance. `delivered` counts the streams open
   * when it was sent: a page opened a moment later does not get it (messages are not stored).
   */
  async send(to: User, text: string, from: User): Promise<{ delivered: number }> {
    const delivered = await this.#presence.count(to.id);
    await this.#events.publish({
      type: 'message',
      userId: to.id,
      data: { text, from: from.name, at: new Date(this.#clock.now()).toISOString() },
    });
    return { delivered };
  }
}
