import { type FormEvent, useState } from 'react';
import { useAuth, useSignedIn } from '../auth-context.js';
import { ActionButton, Alert, Field } from '../components/form-controls.js';
import { SignOutEverywhere } from '../components/sign-out-everywhere.js';
import { describeError } from '../error-messages.js';
import { deviceName, formatDateTime } from '../format.js';
import { useNotify } from '../notifications.js';
import { ChangeEmailForm } from './change-email.js';
import { DeleteAccount } from './delete-account.js';
import { LinkedAccounts } from './linked-accounts.js';

function ChangePasswordForm() {
  const { changePassword } = useAuth();
  const notify = useNotify();
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (newPassword !== confirm) {
      setError('The new passwords do not match.');
      return;
    }
    setBusy(true);
    try {
      await changePassword(currentPassword, newPassword);
      setCurrentPassword('');
      setNewPassword('');
      setConfirm('');
      notify({ kind: 'success', title: 'Password changed', text: 'Every other device was signed out.' });
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} className="form form-narrow">
      {error ? <Alert kind="error">{error}</Alert> : null}
      <Field
        label="Current password"
        type="password"
        autoComplete="current-password"
        required
        value={currentPassword}
        onChange={(e) => setCurrentPassword(e.target.value)}
      />
      <Field
        label="New password"
        type="password"
        autoComplete="new-password"
        required
        minLength={8}
        value={newPassword}
        onChange={(e) => setNewPassword(e.target.value)}
      />
      <Field
        label="Confirm new password"
        type="password"
        autoComplete="new-password"
        required
        value={confirm}
        onChange={(e) => setConfirm(e.target.value)}
      />
      <div className="actions">
        <ActionButton type="submit" busy={busy} busyLabel="Changing password…">
          Change password
        </ActionButton>
      </div>
    </form>
  );
}

export function AccountPage() {
  const { user, session, warnings } = useSignedIn();
  // Unknown until the linked accounts load; an account made by third-party sign-on has no password to change.
  const [hasPassword, setHasPassword] = useState<boolean | null>(null);

  return (
    <div className="page">
      <header className="page-header">
        <h1>Account</h1>
        <p className="lead">Who you are signed in as, and what you may do.</p>
      </header>
      {warnings.map((warning) => (
        <Alert key={warning.code} kind="warning">
          {warning.message}
        </Alert>
      ))}
      <div className="grid">
        <section className="card" aria-labelledby="identity-heading">
          <h2 id="identity-heading">Signed in as</h2>
          <p className="identity-email" data-testid="signed-in-email">
            {user.email}
          </p>
          <dl className="facts">
            <dt>Name</dt>
            <dd>{user.name}</dd>
            <dt>Roles</dt>
            <dd>
              <ul className="badges" aria-label="Roles">
                {user.roles.length ? (
                  user.roles.map((role) => (
                    <li key={role} className={`badge badge-role-${role}`}>
                      {role}
                    </li>
                  ))
                ) : (
                  <li className="muted">none</li>
                )}
              </ul>
            </dd>
            <dt>Member since</dt>
            <dd>{formatDateTime(user.createdAt)}</dd>
          </dl>
        </section>
        <section className="card" aria-labelledby="session-heading">
          <h2 id="session-heading">This session</h2>
          <dl className="facts">
            <dt>Device</dt>
            <dd>{deviceName(session)}</dd>
            <dt>Signed in</dt>
            <dd>{formatDateTime(session.createdAt)}</dd>
            <dt>Ends at the latest</dt>
            <dd>{formatDateTime(session.expiresAt)}</dd>
            <dt>Remember me</dt>
            <dd>{session.rememberMe ? 'Yes' : 'No: ends when the browser closes'}</dd>
            <dt>Bound to this device</dt>
            <dd>{session.deviceBound ? 'Yes: a copy of its cookie stops working within minutes' : 'No'}</dd>
          </dl>
          {/* Signing out of this device alone is the header's "Sign out" button, on every page. */}
          <SignOutEverywhere />
          <p className="hint">Ends every session of your account, on every device, this one included.</p>
        </section>
      </div>
      <LinkedAccounts onPasswordKnown={setHasPassword} />
      {hasPassword === false ? null : (
        <section className="card" aria-labelledby="password-heading">
          <h2 id="password-heading">Change password</h2>
          <p className="muted">Changing your password signs out every other device.</p>
          <ChangePasswordForm />
        </section>
      )}
      <section className="card" aria-labelledby="email-heading">
        <h2 id="email-heading">Change email</h2>
        <p className="muted">We send a link to the new address; your address changes once you follow it.</p>
        <ChangeEmailForm current={user.email} />
      </section>
      <DeleteAccount />
    </div>
  );
}
