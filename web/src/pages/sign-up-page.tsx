import { type FormEvent, useState } from 'react';
import { useAuth } from '../auth-context.js';
import { ActionButton, Alert, Field } from '../components/form-controls.js';
import { ReturnToNotice } from '../components/return-to-notice.js';
import { describeError } from '../error-messages.js';
import { withReturnTo } from '../return-to.js';
import { Link } from '../router.js';

export function SignUpPage() {
  const { signUp } = useAuth();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // The app's router leaves this page once signed in: for `returnTo`, or the account.
      await signUp(email, password, name);
    } catch (caught) {
      setError(describeError(caught));
      setBusy(false);
    }
  };

  return (
    <div className="auth-card card">
      <h1>Create account</h1>
      <p className="lead">One account, every device you use, and the power to sign any of them out.</p>
      <ReturnToNotice />
      {error ? <Alert kind="error">{error}</Alert> : null}
      <form onSubmit={submit} className="form">
        <Field
          label="Email"
          type="email"
          name="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <Field
          label="Name"
          name="name"
          autoComplete="name"
          maxLength={100}
          hint="Optional. Shown to administrators."
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <Field
          label="Password"
          type="password"
          name="password"
          autoComplete="new-password"
          required
          minLength={8}
          hint="At least 8 characters. A short sentence is easy to remember and hard to guess."
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <ActionButton type="submit" busy={busy} busyLabel="Creating account…">
          Create account
        </ActionButton>
      </form>
      <p className="switch">
        Already have an account? <Link to={withReturnTo('/signin')}>Sign in</Link>
      </p>
    </div>
  );
}
