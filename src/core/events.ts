/** Events pushed to a user's live event streams (GET /api/events, Server-Sent Events). */
export type PushEventType = 'session.revoked' | 'roles.changed' | 'message' | 'security.warning';

export interface PushEvent {
  type: PushEventType;
  /** Whose streams receive it. */
  userId: string;
  /** Only the streams of these sessions (public session ids); absent means every stream of the user. */
  sessionIds?: string[];
  /** The event's JSON payload as the client sees it. */
  data: Record<string, unknown>;
}

/**
 * Port: fans events out to every Heimdall instance (in-process on the embedded default, Redis pub/sub — sharded on a
 * cluster — when Redis is configured). Each instance's event-stream hub subscribes once and delivers to the
 * streams it holds.
 */
export interface EventBus {
  publish(event: PushEvent): Promise<void>;
  /** Registers a listener for every event published on any instance; returns the unsubscribe function. */
  subscribe(listener: (event: PushEvent) => void): () => void;
  close(): Promise<void>;
}

/**
 * Port: how many event streams each user has open across all instances, so that an admin message can say how many
 * it reached. Entries of an instance that died expire by themselves.
 */
export interface StreamPresence {
  add(userId: string, streamId: string): Promise<void>;
  remove(userId: string, streamId: string): Promise<void>;
  count(userId: string): Promise<number>;
  close(): Promise<void>;
}
