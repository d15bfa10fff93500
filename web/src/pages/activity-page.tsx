import { type ReactNode, useCallback, useEffect, useState } from 'react';
import type { AuditEvent } from '../api-client.js';
import { api } from '../api-client.js';
import { describeAuditEvent } from '../audit-events.js';
import { ActionButton, Alert, LoadMore, Spinner } from '../components/form-controls.js';
import { describeError } from '../error-messages.js';
import { countryName, deviceName, formatDateTime, formatRelative } from '../format.js';
import { providerLabel, useProviders } from '../providers.js';

/** Events per page; older ones come with the API's cursor. */
const PAGE_SIZE = 20;

/** One audit event in plain words (an administrator's view of a user's activity shows them too; `extra` adds a line). */
export function EventItem({
  event,
  labelOf,
  extra,
}: {
  event: AuditEvent;
  labelOf(provider: string): string;
  extra?: ReactNode;
}) {
  const described = describeAuditEvent(event, labelOf);
  const device = deviceName({ browser: event.browser ?? null, os: event.os ?? null });
  return (
    <li className={`activity-item activity-${described.tone}`}>
      <span className="activity-dot" aria-hidden="true" />
      <div className="activity-main">
        <strong className="activity-title">{described.title}</strong>
        {described.text ? <p className="activity-text">{described.text}</p> : null}
        {described.showClient && event.ip ? (
          <div className="session-meta">
            <span>{device}</span>
            <span aria-hidden="true">·</span>
            <span title="IP address">{event.ip}</span>
            <span aria-hidden="true">·</span>
            <span>{event.country ? countryName(event.country) : 'Country unknown'}</span>
          </div>
        ) : null}
        {extra}
      </div>
      <div className="activity-when">
        <time dateTime={event.at}>{formatDateTime(event.at)}</time>
        <span className="activity-relative">{formatRelative(event.at)}</span>
      </div>
    </li>
  );
}

/** The user's own audit events (GET /api/audit), newest first, a page at a time. */
export function ActivityPage() {
  const providers = useProviders();
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const page = await api.listAudit(PAGE_SIZE);
      setEvents(page.events);
      setNextCursor(page.nextCursor);
      setError(null);
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const loadOlder = async () => {
    setLoadingMore(true);
    try {
      const page = await api.listAudit(PAGE_SIZE, nextCursor);
      setEvents((list) => [...(list ?? []), ...page.events]);
      setNextCursor(page.nextCursor);
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setLoadingMore(false);
    }
  };

  const labelOf = (name: string) => providerLabel(providers, name);
  return (
    <div className="page">
      <header className="page-header page-header-actions">
        <div>
          <h1>Security activity</h1>
          <p className="lead">Sign-ins, failed attempts and other security events on your account, newest first.</p>
        </div>
        <div className="actions">
          <ActionButton variant="ghost" busy={loading && events !== null} busyLabel="Refreshing…" onClick={load}>
            Refresh
          </ActionButton>
        </div>
      </header>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {events === null ? (
        error ? null : (
          <Spinner label="Loading security activity…" />
        )
      ) : events.length === 0 ? (
        <div className="card empty-state">
          <p>No security events yet.</p>
        </div>
      ) : (
        <section className="card card-flush" aria-label="Security events">
          <ol className="activity">
            {events.map((event) => (
              <EventItem key={event.id} event={event} labelOf={labelOf} />
            ))}
          </ol>
          <LoadMore shown={Boolean(nextCursor)} busy={loadingMore} onClick={loadOlder}>
            Show older events
          </LoadMore>
        </section>
      )}
      <p className="hint">
        Something you do not recognise? Change your password, then sign out everywhere from your account page.
      </p>
    </div>
  );
}
