import { type FormEvent, useId, useState } from 'react';
import type { User } from '../api-client.js';
import { api } from '../api-client.js';
import { ActionButton, Alert, Field } from '../components/form-controls.js';
import { describeError } from '../error-messages.js';
import { useNotify } from '../notifications.js';

/** Creates an account and mails it a link to choose its password. */
export function AdminInviteForm({ onInvited }: { onInvited(user: User): void }) {
  const notify = useNotify();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [admin, setAdmin] = useState(false);
  const roleId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { user } = await api.admin.inviteUser({
        email,
        ...(name.trim() ? { name: name.trim() } : {}),
        ...(admin ? { roles: ['admin', 'user'] } : {}),
      });
      notify({ kind: 'success', title: 'Invitation sent', text: `${user.email} can now choose a password.` });
      setEmail('');
      setName('');
      setAdmin(false);
      onInvited(user);
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card admin-invite" aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite someone</h2>
      <form onSubmit={submit} className="form">
        {error ? <Alert kind="error">{error}</Alert> : null}
        <Field
          label="Email of the new user"
          type="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <Field label="Name (optional)" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
        <div className="field">
          <label htmlFor={roleId}>Role</label>
          <select id={roleId} value={admin ? 'admin' : 'user'} onChange={(e) => setAdmin(e.target.value === 'admin')}>
            <option value="user">User</option>
            <option value="admin">Administrator</option>
          </select>
        </div>
        <div className="actions">
          <ActionButton type="submit" busy={busy} busyLabel="Inviting…">
            Send invitation
          </ActionButton>
        </div>
      </form>
    </section>
  );
}
