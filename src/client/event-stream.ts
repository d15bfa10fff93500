import type { HeimdallEvent, HeimdallEventType } from './types.js';

/** What the client needs of an EventSource (the browser's, or any implementation with the same surface). */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void;
  onerror: ((event: unknown) => void) | null;
  close(): void;
}
export type EventSourceConstructor = new (url: string, init: { withCredentials: boolean }) => EventSourceLike;

export interface EventStreamOptions {
  /** The stream ended for good (the browser stopped retrying, e.g. on a 401): the session may have ended. */
  onClosed?: () => void;
  /** The EventSource implementation; the global one by default. */
  EventSource?: EventSourceConstructor;
}

export interface EventStream {
  close(): void;
}

export const EVENT_TYPES: readonly HeimdallEventType[] = [
  'session.revoked',
  'roles.changed',
  'message',
  'security.warning',
];
/** EventSource.CLOSED. */
const CLOSED = 2;

function parse(data: unknown): Record<string, unknown> {
  try {
    const parsed = JSON.parse(String(data)) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * GET /api/events as typed events. The cookie goes along (`withCredentials`), also to Heimdall on another origin
 * listed in HEIMDALL_ORIGINS. After `session.revoked` the stream is closed here first, so that the browser does not
 * reconnect with a dead cookie.
 */
export function openEventStream(
  url: string,
  onEvent: (event: HeimdallEvent) => void,
  options: EventStreamOptions = {},
): EventStream {
  const Source = options.EventSource ?? (globalThis as unknown as { EventSource?: EventSourceConstructor }).EventSource;
  if (!Source) throw new TypeError('openEventStream needs an EventSource (pass options.EventSource outside browsers)');
  const source = new Source(url, { withCredentials: true });
  for (const type of EVENT_TYPES) {
    source.addEventListener(type, (message) => {
      if (type === 'session.revoked') source.close();
      onEvent({ type, data: parse(message.data) } as HeimdallEvent);
    });
  }
  source.onerror = () => {
    // While CONNECTING the browser retries by itself (server restart, dropped network); CLOSED means it gave up.
    if (source.readyState === CLOSED) options.onClosed?.();
  };
  return { close: () => source.close() };
}
