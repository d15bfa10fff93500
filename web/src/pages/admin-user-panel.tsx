import { type FormEvent, useCallback, useEffect, useId, useState } from 'react';
import type { ListedSession, User } from '../api-client.js';
import { api } from '../api-client.js';
import { ActionButton, Alert, Spinner } from '../components/form-controls.js';
import { SessionList } from '../components/session-list.js';
import { describeError } from '../error-messages.js';
import { formatDateTime } from '../format.js';
import { useNotify } from '../notifications.js';

const COMMON_ROLES = ['user', 'admin', 'god'];
const ROLE_SHAPE = /^[a-z][a-z0-9_.-]{0,31}$/;

function RolesEditor({ user, onSaved }: { user: User; onSaved(user: User): void }) {
  const notify = useNotify();
  const [roles, setRoles] = useState<string[]>(user.roles);
  const [extra, setExtra] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const addId = useId();
  useEffect(() => setRoles(user.roles), [user]);

  const options = [...new Set([...COMMON_ROLES, ...user.roles, ...roles])];
  const toggle = (role: string) =>
    setRoles((list) => (list.includes(role) ? list.filter((r) => r !== role) : [...list, role]));
  const add = () => {
    const role = extra.trim().toLowerCase();
    if (!ROLE_SHAPE.test(role)) {
      setError('Role names are lower-case letters, digits, "_", "." or "-", starting with a letter.');
      return;
    }
    setError(null);
    setRoles((list) => (list.includes(role) ? list : [...list, role]));
    setExtra('');
  };
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { user: saved } = await api.admin.setRoles(user.id, roles);
      onSaved(saved);
      notify({
        kind: 'success',
        title: 'Roles saved',
        text: `${saved.email}: ${saved.roles.join(', ') || 'no roles'}`,
      });
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  };
  const changed = [...roles].sort().join() !== [...user.roles].sort().join();

  return (
    <form onSubmit={save} className="form">
      <fieldset className="roles">
        <legend>Roles</legend>
        {options.map((role) => (
          <label key={role} className="checkbox">
            <input type="checkbox" checked={roles.includes(role)} onChange={() => toggle(role)} />
            {role}
          </label>
        ))}
      </fieldset>
      <div className="inline-field">
        <label htmlFor={addId}>Add a role</label>
        <input
          id={addId}
          value={extra}
          placeholder="e.g. editor"
          onChange={(e) => setExtra(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              add();
            }
          }}
        />
        <button type="button" className="button button-ghost" onClick={add} disabled={!extra.trim()}>
          Add
        </button>
      </div>
      {error ? <Alert kind="error">{error}</Alert> : null}
      <div className="actions">
        <ActionButton type="submit" busy={busy} busyLabel="Saving roles…" disabled={!changed}>
          Save roles
        </ActionButton>
      </div>
    </form>
  );
}

function MessageForm({ user }: { user: User }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ kind: 'success' | 'info' | 'error'; text: string } | null>(null);
  const id = useId();

  const send = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setResult(null);
    try {
      const { delivered } = await api.admin.sendMessage(user.id, text);
      setResult(
        delivered > 0
          ? // One stream per browser: its tabs share it (see live-events.ts).
            { kind: 'success', text: `Delivered to ${delivered} ${delivered === 1 ? 'browser' : 'browsers'}.` }
          : { kind: 'info', text: `Not delivered: ${user.email} has no page open right now.` },
      );
      if (delivered > 0) setText('');
    } catch (caught) {
      setResult({ kind: 'error', text: describeError(caught) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={send} className="form">
      <div className="field">
        <label htmlFor={id}>Message</label>
        <textarea id={id} rows={3} maxLength={1000} required value={text} onChange={(e) => setText(e.target.value)} />
      </div>
      {result ? <Alert kind={result.kind}>{result.text}</Alert> : null}
      <div className="actions">
        <ActionButton type="submit" busy={busy} busyLabel="Sending…" disabled={!text.trim()}>
          Send message
        </ActionButton>
      </div>
    </form>
  );
}

/** One user, seen by an administrator: roles, live sessions, and a way to reach their open pages. */
export function AdminUserPanel({ user, onChanged }: { user: User; onChanged(user: User): void }) {
  const notify = useNotify();
  const [sessions, setSessions] = useState<ListedSession[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [busyAll, setBusyAll] = useState(false);

  const load = useCallback(async () => {
    try {
      setSessions((await api.admin.listUserSessions(user.id)).sessions);
      setError(null);
    } catch (caught) {
      setError(describeError(caught));
    }
  }, [user.id]);
  useEffect(() => {
    setSessions(null);
    void load();
  }, [load]);

  const endOne = async (session: ListedSession) => {
    setBusyId(session.id);
    try {
      await api.admin.revokeAnySession(session.id);
      notify({ kind: 'success', title: 'Session ended' });
      await load();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusyId(null);
    }
  };
  const endAll = async () => {
    setBusyAll(true);
    try {
      const { revoked } = await api.admin.revokeUserSessions(user.id);
      notify({
        kind: 'success',
        title: `Ended ${revoked} ${revoked === 1 ? 'session' : 'sessions'}`,
        text: user.email,
      });
      await load();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusyAll(false);
    }
  };

  return (
    <div className="panel">
      <header className="panel-header">
        <h2>{user.email}</h2>
        <p className="muted">
          {user.name} · member since {formatDateTime(user.createdAt)}
        </p>
      </header>
      <section className="card" aria-label="Roles">
        <RolesEditor user={user} onSaved={onChanged} />
      </section>
      <section className="card card-flush" aria-label="Sessions">
        <div className="card-title-row">
          <h3>Sessions</h3>
          <ActionButton
            variant="danger"
            busy={busyAll}
            busyLabel="Ending…"
            disabled={!sessions?.length}
            onClick={endAll}
          >
            End all sessions
          </ActionButton>
        </div>
        {error ? <Alert kind="error">{error}</Alert> : null}
        {sessions === null ? (
          <Spinner label="Loading sessions…" />
        ) : sessions.length === 0 ? (
          <p className="empty">No live sessions.</p>
        ) : (
          <SessionList
            sessions={sessions}
            busyId={busyId}
            actionLabel="End session"
            busyLabel="Ending…"
            currentLabel="Your session"
            allowEndCurrent
            onEnd={endOne}
          />
        )}
      </section>
      <section className="card" aria-label="Send a message">
        <h3>Send a message</h3>
        <p className="muted">Shown at once as a notification on every open page where {user.email} is signed in.</p>
        <MessageForm user={user} />
      </section>
    </div>
  );
}
