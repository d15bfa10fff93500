import { useEffect, useId, useState } from 'react';
import type { User } from '../api-client.js';
import { api } from '../api-client.js';
import { Alert, LoadMore, Spinner } from '../components/form-controls.js';
import { describeError } from '../error-messages.js';
import { Link } from '../router.js';
import { AdminAccountActions } from './admin-account-actions.js';
import { AdminInviteForm } from './admin-invite.js';
import { AdminUserActivity } from './admin-user-activity.js';
import { AdminUserPanel } from './admin-user-panel.js';

const SEARCH_DELAY_MS = 250;

export function AdminPage() {
  const [query, setQuery] = useState('');
  const [users, setUsers] = useState<User[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<User | null>(null);
  const searchId = useId();

  useEffect(() => {
    let live = true;
    const timer = window.setTimeout(async () => {
      try {
        const page = await api.admin.listUsers(query.trim());
        if (!live) return;
        setUsers(page.users);
        setNextCursor(page.nextCursor);
        setError(null);
      } catch (caught) {
        if (live) setError(describeError(caught));
      }
    }, SEARCH_DELAY_MS);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [query]);

  const loadMore = async () => {
    setLoadingMore(true);
    try {
      const page = await api.admin.listUsers(query.trim(), nextCursor);
      setUsers((list) => [...(list ?? []), ...page.users]);
      setNextCursor(page.nextCursor);
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setLoadingMore(false);
    }
  };

  const replaceUser = (user: User) => {
    setUsers((list) => list?.map((u) => (u.id === user.id ? user : u)) ?? null);
    setSelected(user);
  };
  const addUser = (user: User) => {
    setUsers((list) => [user, ...(list ?? [])]);
    setSelected(user);
  };
  const dropUser = (id: string) => {
    setUsers((list) => list?.filter((u) => u.id !== id) ?? null);
    setSelected(null);
  };

  return (
    <div className="page">
      <header className="page-header">
        <h1>Administration</h1>
        <p className="lead">
          Find a user to change their roles, end their sessions, send them a message, disable or delete their account,
          or read their activity; or invite someone new. Everyone's events are in the{' '}
          <Link to="/admin/audit">audit log</Link>.
        </p>
      </header>
      <div className="admin">
        <section className="card card-flush admin-users" aria-label="Users">
          <div className="search">
            <label htmlFor={searchId}>Search users</label>
            <input
              id={searchId}
              type="search"
              placeholder="Email or name"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
            />
          </div>
          {error ? <Alert kind="error">{error}</Alert> : null}
          {users === null ? (
            error ? null : (
              <Spinner label="Loading users…" />
            )
          ) : users.length === 0 ? (
            <p className="empty">No user matches “{query}”.</p>
          ) : (
            <ul className="user-list">
              {users.map((user) => (
                <li key={user.id}>
                  <button
                    type="button"
                    className="user-row"
                    aria-pressed={selected?.id === user.id}
                    onClick={() => setSelected(user)}
                  >
                    <span className="user-row-email">{user.email}</span>
                    <span className="user-row-meta">
                      {user.name}
                      {user.disabled ? <span className="badge badge-disabled">disabled</span> : null}
                      {user.roles.map((role) => (
                        <span key={role} className={`badge badge-role-${role}`}>
                          {role}
                        </span>
                      ))}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          <LoadMore shown={Boolean(nextCursor)} busy={loadingMore} onClick={loadMore}>
            Load more
          </LoadMore>
        </section>
        <div className="admin-detail">
          {selected ? (
            <>
              <AdminUserPanel key={selected.id} user={selected} onChanged={replaceUser} />
              <AdminAccountActions user={selected} onChanged={replaceUser} onDeleted={dropUser} />
              <AdminUserActivity key={`activity-${selected.id}`} user={selected} />
            </>
          ) : (
            <div className="card empty-state">
              <p>Select a user to see their roles and sessions.</p>
            </div>
          )}
          <AdminInviteForm onInvited={addUser} />
        </div>
      </div>
    </div>
  );
}
