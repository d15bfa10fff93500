import { type FormEvent, useCallback, useEffect, useId, useState } from 'react';
import { findUserByEmail, listAdminAudit } from '../admin-audit-api.js';
import { AUDIT_EVENT_TYPES, type AuditEvent, type AuditEventType } from '../api-client.js';
import { ActionButton, Alert, LoadMore, Spinner } from '../components/form-controls.js';
import { describeError } from '../error-messages.js';
import { providerLabel, useProviders } from '../providers.js';
import { Link, navigate } from '../router.js';
import { EventItem } from './activity-page.js';

/** Events per page; older ones come with the API's cursor. */
const PAGE_SIZE = 25;
const USER_ID = /^[A-Za-z0-9_-]{1,64}$/;

interface Filter {
  userId: string | null;
  type: AuditEventType | null;
  /** What the administrator typed for the user (an email or an id), to show back. */
  userLabel: string | null;
}

/** The event type a string names, or null for anything else (the URL's `type`, the select's "All types"). */
function auditType(value: string | null): AuditEventType | null {
  return AUDIT_EVENT_TYPES.find((type) => type === value) ?? null;
}

function filterFromUrl(): Filter {
  const params = new URLSearchParams(window.location.search);
  const userId = params.get('userId');
  const type = params.get('type');
  return {
    userId: userId && USER_ID.test(userId) ? userId : null,
    type: auditType(type),
    userLabel: userId && USER_ID.test(userId) ? userId : null,
  };
}

/** The address of a filter, so that it can be shared and survives a reload. */
function filterPath(filter: Filter): string {
  const params = new URLSearchParams();
  if (filter.userId) params.set('userId', filter.userId);
  if (filter.type) params.set('type', filter.type);
  const query = params.toString();
  return `/admin/audit${query ? `?${query}` : ''}`;
}

/**
 * Everyone's security events for administrators (GET /api/admin/audit), newest first, a page at a time; filtered by
 * user (an email or a user id) and by type.
 */
export function AdminAuditPage() {
  const providers = useProviders();
  const userFieldId = useId();
  const typeFieldId = useId();
  const [filter, setFilter] = useState<Filter>(filterFromUrl);
  const [userInput, setUserInput] = useState(filter.userLabel ?? '');
  const [typeInput, setTypeInput] = useState(filter.type ?? '');
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async (shown: Filter, cursor: string | null) => {
    try {
      const page = await listAdminAudit(shown, PAGE_SIZE, cursor);
      setEvents((list) => (cursor ? [...(list ?? []), ...page.events] : page.events));
      setNextCursor(page.nextCursor);
      setError(null);
    } catch (caught) {
      setError(describeError(caught));
    }
  }, []);
  useEffect(() => {
    setEvents(null);
    setError(null);
    void load(filter, null);
  }, [filter, load]);

  const show = (next: Filter) => {
    navigate(filterPath(next), { replace: true });
    setUserInput(next.userLabel ?? '');
    setTypeInput(next.type ?? '');
    setFilter(next);
  };

  const apply = async (event: FormEvent) => {
    event.preventDefault();
    setNotice(null);
    const typed = userInput.trim();
    const type = auditType(typeInput);
    if (!typed) return show({ userId: null, type, userLabel: null });
    if (typed.includes('@')) {
      try {
        const user = await findUserByEmail(typed);
        if (user) return show({ userId: user.id, type, userLabel: user.email });
        setNotice(`No account has the email ${typed}.`);
      } catch (caught) {
        setError(describeError(caught));
      }
      return;
    }
    if (USER_ID.test(typed)) return show({ userId: typed, type, userLabel: typed });
    setNotice('Enter an email address or a user id.');
  };

  const more = async () => {
    setLoadingMore(true);
    await load(filter, nextCursor);
    setLoadingMore(false);
  };
  const labelOf = (name: string) => providerLabel(providers, name);
  const filtered = filter.userId !== null || filter.type !== null;

  return (
    <div className="page">
      <header className="page-header">
        <p className="breadcrumbs">
          <Link to="/admin">Administration</Link> / Audit log
        </p>
        <h1>Audit log</h1>
        <p className="lead">Every account's security events, newest first. Filter by user, by type, or both.</p>
      </header>
      <form className="card audit-filters" aria-label="Filter events" onSubmit={apply}>
        <div className="field">
          <label htmlFor={userFieldId}>User</label>
          <input
            id={userFieldId}
            placeholder="Email or user id"
            value={userInput}
            autoComplete="off"
            onChange={(e) => setUserInput(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={typeFieldId}>Type</label>
          <select id={typeFieldId} value={typeInput} onChange={(e) => setTypeInput(e.target.value)}>
            <option value="">All types</option>
            {AUDIT_EVENT_TYPES.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        </div>
        <div className="actions">
          <ActionButton type="submit" busy={false} busyLabel="">
            Show events
          </ActionButton>
          {filtered ? (
            <ActionButton variant="ghost" busy={false} busyLabel="" onClick={() => show(filterFromEmpty())}>
              Clear filters
            </ActionButton>
          ) : null}
        </div>
      </form>
      {notice ? <Alert kind="info">{notice}</Alert> : null}
      {error ? (
        <Alert kind="error">
          {error}{' '}
          <button type="button" className="link-button" onClick={() => void load(filter, null)}>
            Try again
          </button>
        </Alert>
      ) : null}
      {events === null ? (
        error ? null : (
          <Spinner label="Loading events…" />
        )
      ) : events.length === 0 ? (
        <div className="card empty-state">
          <p>{filtered ? 'No events match these filters.' : 'No events recorded yet.'}</p>
        </div>
      ) : (
        <section className="card card-flush" aria-label="Audit events">
          <ol className="activity">
            {events.map((event) => (
              <EventItem
                key={event.id}
                event={event}
                labelOf={labelOf}
                extra={
                  <div className="session-meta audit-meta">
                    <code>{event.type}</code>
                    {event.userId && event.userId !== filter.userId ? (
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => show({ userId: event.userId, type: filter.type, userLabel: event.userId })}
                      >
                        user {event.userId}
                      </button>
                    ) : null}
                  </div>
                }
              />
            ))}
          </ol>
          <LoadMore shown={Boolean(nextCursor)} busy={loadingMore} onClick={more}>
            Show older events
          </LoadMore>
        </section>
      )}
    </div>
  );
}

function filterFromEmpty(): Filter {
  return { userId: null, type: null, userLabel: null };
}
