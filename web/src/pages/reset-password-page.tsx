import { type FormEvent, useState } from 'react';
import { api } from '../api-client.js';
import { useAuth } from '../auth-context.js';
import { ActionButton, Alert, Field } from '../components/form-controls.js';
import { describeError } from '../error-messages.js';
import { Link } from '../router.js';

/** The token a mailed link carries in its query string. */
export function tokenFromAddress(): string | null {
  return new URLSearchParams(window.location.search).get('token');
}

/** Where a reset or invitation link lands: choose a password, then sign in with it. */
export function ResetPasswordPage() {
  const { refresh } = useAuth();
  const [token] = useState(tokenFromAddress);
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (password !== confirm) {
      setError('The passwords do not match.');
      return;
    }
    setBusy(true);
    try {
      await api.account.resetPassword(token ?? '', password);
      setDone(true);
      // Every session of the account ended, this browser's included if it had one.
      void refresh();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  };

  if (!token) {
    return (
      <div className="auth-card card">
        <h1>Choose a new password</h1>
        <Alert kind="error">This page opens from the link in your email. Ask for a new one if you lost it.</Alert>
        <p className="switch">
          <Link to="/forgot-password">Send me a link</Link>
        </p>
      </div>
    );
  }
  return (
    <div className="auth-card card">
      <h1>Choose a new password</h1>
      {done ? (
        <>
          <Alert kind="success">
            Your password is set. Every device was signed out: sign in with the new password.
          </Alert>
          <p className="switch">
            <Link to="/signin">Sign in</Link>
          </p>
        </>
      ) : (
        <>
          <p className="lead">At least 8 characters. A long phrase is easier to remember and harder to guess.</p>
          {error ? <Alert kind="error">{error}</Alert> : null}
          <form onSubmit={submit} className="form">
            <Field
              label="New password"
              type="password"
              autoComplete="new-password"
              required
              minLength={8}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            <Field
              label="Confirm new password"
              type="password"
              autoComplete="new-password"
              required
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
            />
            <ActionButton type="submit" busy={busy} busyLabel="Saving…">
              Set password
            </ActionButton>
          </form>
        </>
      )}
    </div>
  );
}
