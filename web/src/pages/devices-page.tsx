import { useCallback, useEffect, useState } from 'react';
import type { LinkedIdentity, ListedSession } from '../api-client.js';
import { api } from '../api-client.js';
import { ActionButton, Alert, Spinner } from '../components/form-controls.js';
import { LinkedIdentitiesList } from '../components/linked-identities-list.js';
import { SessionList } from '../components/session-list.js';
import { describeError } from '../error-messages.js';
import { useNotify } from '../notifications.js';

export function DevicesPage() {
  const notify = useNotify();
  const [sessions, setSessions] = useState<ListedSession[] | null>(null);
  const [identities, setIdentities] = useState<LinkedIdentity[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [busyOthers, setBusyOthers] = useState(false);
  const [loading, setLoading] = useState(false);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      // This device first, then the others newest first (the API's order).
      const { sessions: listed, identities: linked } = await api.listSessions();
      setSessions([...listed.filter((s) => s.current), ...listed.filter((s) => !s.current)]);
      setIdentities(linked ?? []);
      setError(null);
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load();
    // Coming back to the tab shows devices that signed in meanwhile.
    const onVisible = () => {
      if (document.visibilityState === 'visible') void load();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [load]);

  const end = async (session: ListedSession) => {
    setBusyId(session.id);
    try {
      await api.revokeSession(session.id);
      setSessions((list) => list?.filter((s) => s.id !== session.id) ?? null);
      notify({ kind: 'success', title: 'Device signed out' });
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusyId(null);
    }
  };

  // Removing a linked account needs a recent sign-in: the API client asks for it, then retries.
  const unlink = async (identity: LinkedIdentity) => {
    setBusyId(identity.id);
    try {
      await api.unlinkIdentity(identity.id);
      setIdentities((list) => list.filter((i) => i.id !== identity.id));
      notify({ kind: 'success', title: `Removed ${identity.label}` });
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusyId(null);
    }
  };

  const endOthers = async () => {
    setBusyOthers(true);
    try {
      const { revoked } = await api.revokeOtherSessions();
      notify({
        kind: 'success',
        title: revoked === 1 ? 'Signed out 1 other device' : `Signed out ${revoked} other devices`,
      });
      await load();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusyOthers(false);
    }
  };

  const others = sessions?.filter((s) => !s.current).length ?? 0;
  return (
    <div className="page">
      <header className="page-header page-header-actions">
        <div>
          <h1>Devices</h1>
          <p className="lead">
            Everywhere your account is signed in right now. Sign out anything you do not recognise.
          </p>
        </div>
        <div className="actions">
          <ActionButton variant="ghost" busy={loading && sessions !== null} busyLabel="Refreshing…" onClick={load}>
            Refresh
          </ActionButton>
          <ActionButton
            variant="danger"
            busy={busyOthers}
            busyLabel="Signing out…"
            disabled={others === 0}
            onClick={endOthers}
          >
            Sign out all other devices
          </ActionButton>
        </div>
      </header>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {sessions === null ? (
        error ? null : (
          <Spinner label="Loading devices…" />
        )
      ) : (
        <section className="card card-flush" aria-label="Signed-in devices">
          <p className="card-caption">
            {sessions.length === 1 ? '1 active session' : `${sessions.length} active sessions`}
          </p>
          <SessionList
            sessions={sessions}
            busyId={busyId}
            actionLabel="Sign out"
            busyLabel="Signing out…"
            onEnd={end}
          />
        </section>
      )}
      {identities.length > 0 ? (
        <section className="card" aria-labelledby="linked-devices-heading">
          <h2 id="linked-devices-heading">Linked accounts</h2>
          <p className="muted">
            These accounts at other providers can sign in to yours. Remove any you do not recognise.
          </p>
          <LinkedIdentitiesList identities={identities} busyId={busyId} onRemove={unlink} />
        </section>
      ) : null}
    </div>
  );
}
