import { useState } from 'react';
import { api } from '../api-client.js';
import { useAuth } from '../auth-context.js';
import { ActionButton, Alert } from '../components/form-controls.js';
import { describeError } from '../error-messages.js';
import { navigate } from '../router.js';

/** Deletes the signed-in account, after a second click that says what goes with it. */
export function DeleteAccount() {
  const { refresh } = useAuth();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.account.deleteAccount();
      navigate('/signin', { replace: true });
      await refresh();
    } catch (caught) {
      setError(describeError(caught));
      setBusy(false);
    }
  };

  return (
    <section className="card danger-zone" aria-labelledby="delete-heading">
      <h2 id="delete-heading">Delete account</h2>
      <p className="muted">
        Your sessions, devices, linked providers and second factors go with it, and it cannot be undone.
      </p>
      {error ? <Alert kind="error">{error}</Alert> : null}
      <div className="confirm-row">
        {confirming ? (
          <>
            <ActionButton variant="danger" busy={busy} busyLabel="Deleting…" onClick={remove}>
              Yes, delete my account
            </ActionButton>
            <ActionButton variant="ghost" busy={false} busyLabel="" onClick={() => setConfirming(false)}>
              Keep it
            </ActionButton>
          </>
        ) : (
          <ActionButton variant="danger" busy={false} busyLabel="" onClick={() => setConfirming(true)}>
            Delete my account
          </ActionButton>
        )}
      </div>
    </section>
  );
}
