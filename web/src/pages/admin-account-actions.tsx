import { useState } from 'react';
import type { User } from '../api-client.js';
import { api } from '../api-client.js';
import { ActionButton, Alert } from '../components/form-controls.js';
import { describeError } from '../error-messages.js';
import { useNotify } from '../notifications.js';

/** An account's status, and an administrator's ways to disable, enable or delete it. */
export function AdminAccountActions({
  user,
  onChanged,
  onDeleted,
}: {
  user: User;
  onChanged(user: User): void;
  onDeleted(id: string): void;
}) {
  const notify = useNotify();
  const [busy, setBusy] = useState<'toggle' | 'delete' | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async (which: 'toggle' | 'delete', action: () => Promise<void>) => {
    setBusy(which);
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(null);
    }
  };
  const toggle = () =>
    run('toggle', async () => {
      const { user: changed } = user.disabled
        ? await api.admin.enableUser(user.id)
        : await api.admin.disableUser(user.id);
      onChanged(changed);
      notify({
        kind: 'success',
        title: changed.disabled ? 'Account disabled' : 'Account enabled',
        text: changed.disabled ? `${changed.email} was signed out everywhere.` : changed.email,
      });
    });
  const remove = () =>
    run('delete', async () => {
      await api.admin.deleteUser(user.id);
      notify({ kind: 'success', title: 'Account deleted', text: user.email });
      onDeleted(user.id);
    });

  return (
    <section className="card" aria-label="Account">
      <h3>Account</h3>
      <ul className="account-status badges" aria-label="Status">
        <li className={`badge ${user.disabled ? 'badge-disabled' : ''}`}>{user.disabled ? 'disabled' : 'active'}</li>
        <li className={`badge ${user.emailVerified ? '' : 'badge-unverified'}`}>
          {user.emailVerified ? 'email confirmed' : 'email not confirmed'}
        </li>
      </ul>
      {error ? <Alert kind="error">{error}</Alert> : null}
      <div className="confirm-row">
        <ActionButton variant="secondary" busy={busy === 'toggle'} busyLabel="Saving…" onClick={toggle}>
          {user.disabled ? 'Enable account' : 'Disable account'}
        </ActionButton>
        {confirming ? (
          <>
            <ActionButton variant="danger" busy={busy === 'delete'} busyLabel="Deleting…" onClick={remove}>
              Yes, delete {user.email}
            </ActionButton>
            <ActionButton variant="ghost" busy={false} busyLabel="" onClick={() => setConfirming(false)}>
              Keep it
            </ActionButton>
          </>
        ) : (
          <ActionButton variant="danger" busy={false} busyLabel="" onClick={() => setConfirming(true)}>
            Delete account
          </ActionButton>
        )}
      </div>
    </section>
  );
}
