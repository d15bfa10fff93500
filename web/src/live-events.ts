import { useEffect, useRef } from 'react';
import { apiUrl } from './api-client.js';

export interface LiveEventHandlers {
  onRevoked(reason: string | undefined): void;
  onRolesChanged(roles: string[] | undefined): void;
  onMessage(text: string, from: string | undefined): void;
  onSecurityWarning(message: string | undefined): void;
  /** The stream failed for good (the browser stopped retrying): the session may have ended. */
  onClosed(): void;
}

function parse(event: Event): Record<string, unknown> {
  try {
    return JSON.parse((event as MessageEvent<string>).data) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/**
 * Listens to GET /api/events while a session is open. Keyed by the session id: a new session (password change)
 * opens a new stream with the new cookie; `generation` lets the caller reopen one on purpose.
 */
export function useLiveEvents(sessionId: string | null, generation: number, handlers: LiveEventHandlers): void {
  const latest = useRef(handlers);
  latest.current = handlers;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` is there to reopen the stream on request.
  useEffect(() => {
    if (!sessionId) return;
    // The cookie goes along, also to an API on another origin of the same site (CORS with credentials).
    const source = new EventSource(apiUrl('/api/events'), { withCredentials: true });
    const on = (type: string, handle: (data: Record<string, unknown>) => void) =>
      source.addEventListener(type, (event) => handle(parse(event)));

    on('session.revoked', (data) => {
      // The server ends the stream next; closing first stops the browser from reconnecting with a dead cookie.
      source.close();
      latest.current.onRevoked(typeof data.reason === 'string' ? data.reason : undefined);
    });
    on('roles.changed', (data) =>
      latest.current.onRolesChanged(Array.isArray(data.roles) ? data.roles.map(String) : undefined),
    );
    on('message', (data) =>
      latest.current.onMessage(String(data.text ?? ''), typeof data.from === 'string' ? data.from : undefined),
    );
    on('security.warning', (data) =>
      latest.current.onSecurityWarning(typeof data.message === 'string' ? data.message : undefined),
    );
    source.onerror = () => {
      // While CONNECTING the browser retries by itself (server restart, dropped network); CLOSED means it gave up,
      // e.g. because the server answered 401.
      if (source.readyState === EventSource.CLOSED) latest.current.onClosed();
    };
    return () => source.close();
  }, [sessionId, generation]);
}
