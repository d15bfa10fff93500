import { type FormEvent, useState } from 'react';
import { api } from '../api-client.js';
import { ActionButton, Alert, Field } from '../components/form-controls.js';
import { describeError } from '../error-messages.js';
import { withReturnTo } from '../return-to.js';
import { Link } from '../router.js';

/** Asks for a password reset link. The answer is the same whether the address has an account or not. */
export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.account.forgotPassword(email);
      setSentTo(email.trim());
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="auth-card card">
      <h1>Reset your password</h1>
      {sentTo ? (
        <>
          <Alert kind="success">
            If an account uses {sentTo}, an email with a link to choose a new password is on its way. The link works
            once, for a short while.
          </Alert>
          <p className="switch">
            <Link to={withReturnTo('/signin')}>Back to sign in</Link>
          </p>
        </>
      ) : (
        <>
          <p className="lead">Enter the email of your account. We will send you a link to choose a new password.</p>
          {error ? <Alert kind="error">{error}</Alert> : null}
          <form onSubmit={submit} className="form">
            <Field
              label="Email"
              type="email"
              name="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
            <ActionButton type="submit" busy={busy} busyLabel="Sending…">
              Send reset link
            </ActionButton>
          </form>
          <p className="switch">
            Remembered it? <Link to={withReturnTo('/signin')}>Sign in</Link>
          </p>
        </>
      )}
    </div>
  );
}
