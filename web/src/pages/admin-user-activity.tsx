import { useCallback, useEffect, useState } from 'react';
import type { AuditEvent, User } from '../api-client.js';
import { api } from '../api-client.js';
import { Alert, LoadMore, Spinner } from '../components/form-controls.js';
import { describeError } from '../error-messages.js';
import { providerLabel, useProviders } from '../providers.js';
import { Link } from '../router.js';
import { EventItem } from './activity-page.js';

const PAGE_SIZE = 10;

/**
 * One user's audit log, as an administrator reads it (GET /api/admin/audit?userId=), newest first; read again
 * whenever the record shown changes (an administrator's action adds events).
 */
export function AdminUserActivity({ user }: { user: User }) {
  const userId = user.id;
  const providers = useProviders();
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    async (cursor: string | null) => {
      try {
        const page = await api.admin.listAudit({ userId, limit: PAGE_SIZE, cursor });
        setEvents((list) => (cursor ? [...(list ?? []), ...page.events] : page.events));
        setNextCursor(page.nextCursor);
        setError(null);
      } catch (caught) {
        setError(describeError(caught));
      }
    },
    [userId],
  );
  useEffect(() => {
    if (user) void load(null);
  }, [load, user]);

  const more = async () => {
    setLoadingMore(true);
    await load(nextCursor);
    setLoadingMore(false);
  };
  const labelOf = (name: string) => providerLabel(providers, name);

  return (
    <section className="card card-flush" aria-label="Activity">
      <div className="card-title-row">
        <h3>Activity</h3>
        <Link to={`/admin/audit?${new URLSearchParams({ userId })}`}>Open in the audit log</Link>
      </div>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {events === null ? (
        error ? null : (
          <Spinner label="Loading activity…" />
        )
      ) : events.length === 0 ? (
        <p className="empty">No events recorded.</p>
      ) : (
        <ol className="activity">
          {events.map((event) => (
            <EventItem key={event.id} event={event} labelOf={labelOf} />
          ))}
        </ol>
      )}
      <LoadMore shown={Boolean(nextCursor)} busy={loadingMore} onClick={more}>
        Older events
      </LoadMore>
    </section>
  );
}
