import { useEffect, useRef } from 'react';
import { api, EVENT_TYPES, type HeimdallEventType } from './api-client.js';

export interface LiveEventHandlers {
  onRevoked(reason: string | undefined): void;
  onRolesChanged(roles: string[] | undefined): void;
  onMessage(text: string, from: string | undefined): void;
  onSecurityWarning(message: string | undefined): void;
  /** The stream failed for good (the browser stopped retrying): the session may have ended. */
  onClosed(): void;
}

type EventType = HeimdallEventType;

/** The lock and channel that let one tab hold the stream for all tabs of this origin (see useLiveEvents). */
const LEADER_LOCK = 'heimdall-live-events';
const CHANNEL = 'heimdall-live-events';

function dispatch(handlers: LiveEventHandlers, type: EventType, data: Record<string, unknown>): void {
  if (type === 'session.revoked') handlers.onRevoked(typeof data.reason === 'string' ? data.reason : undefined);
  else if (type === 'roles.changed') {
    handlers.onRolesChanged(Array.isArray(data.roles) ? data.roles.map(String) : undefined);
  } else if (type === 'message') {
    handlers.onMessage(String(data.text ?? ''), typeof data.from === 'string' ? data.from : undefined);
  } else handlers.onSecurityWarning(typeof data.message === 'string' ? data.message : undefined);
}

/**
 * Listens to GET /api/events while a session is open. Keyed by the session id: a new session (password change)
 * opens a new stream with the new cookie; `generation` lets the caller reopen one on purpose.
 *
 * All tabs of a browser share one session (one cookie), so only one of them, the holder of a Web Lock, keeps a
 * stream open and passes each event to the others over a BroadcastChannel. Over HTTP/1.1 a browser opens at most
 * six connections to a host; a stream per tab would leave the seventh tab waiting for ever.
 */
export function useLiveEvents(sessionId: string | null, generation: number, handlers: LiveEventHandlers): void {
  const latest = useRef(handlers);
  latest.current = handlers;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` is there to reopen the stream on request.
  useEffect(() => {
    if (!sessionId) return;
    const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL) : null;
    if (channel) {
      channel.onmessage = (message: MessageEvent<{ type: EventType; data: Record<string, unknown> }>) => {
        if (EVENT_TYPES.includes(message.data.type)) dispatch(latest.current, message.data.type, message.data.data);
      };
    }
    let stream: { close(): void } | null = null;
    const stop = new AbortController();

    const lead = () => {
      // The client's EventSource wrapper: the cookie goes along, also to an API on another origin of the same site,
      // and the stream is closed on session.revoked before the browser could reconnect with a dead cookie.
      stream = api.events(
        ({ type, data }) => {
          channel?.postMessage({ type, data });
          dispatch(latest.current, type, data);
        },
        { onClosed: () => latest.current.onClosed() },
      );
      // Hold the lock until this effect is cleaned up.
      return new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve()));
    };

    if (navigator.locks) {
      navigator.locks.request(LEADER_LOCK, { signal: stop.signal }, lead).catch(() => {
        // Aborted while waiting for the lock: another tab was streaming, and this one no longer needs to.
      });
    } else {
      void lead();
    }
    return () => {
      stop.abort();
      (stream as { close(): void } | null)?.close();
      channel?.close();
    };
  }, [sessionId, generation]);
}
