import { useEffect, useRef, useState } from 'react';
import { api } from '../api-client.js';
import { useAuth } from '../auth-context.js';
import { Alert, Spinner } from '../components/form-controls.js';
import { describeError } from '../error-messages.js';
import { Link } from '../router.js';
import { tokenFromAddress } from './reset-password-page.js';

type Outcome = { status: 'verifying' } | { status: 'verified'; email: string } | { status: 'failed'; message: string };

/** Where a verification (or change-of-email) link lands: it confirms the address as soon as it opens. */
export function VerifyEmailPage() {
  const { state, refresh } = useAuth();
  const [outcome, setOutcome] = useState<Outcome>({ status: 'verifying' });
  // A link works once: never post it twice, even when React runs the effect twice in development.
  const posted = useRef(false);

  useEffect(() => {
    if (posted.current) return;
    posted.current = true;
    const token = tokenFromAddress();
    if (!token) {
      setOutcome({ status: 'failed', message: 'This page opens from the link in your email.' });
      return;
    }
    api.account.verifyEmail(token).then(
      ({ user }) => {
        setOutcome({ status: 'verified', email: user.email });
        void refresh();
      },
      (caught: unknown) => setOutcome({ status: 'failed', message: describeError(caught) }),
    );
  }, [refresh]);

  const onwards = state.status === 'signed-in' ? '/account' : '/signin';
  return (
    <div className="auth-card card">
      <h1>Confirm your email</h1>
      {outcome.status === 'verifying' ? <Spinner label="Confirming your address…" /> : null}
      {outcome.status === 'verified' ? <Alert kind="success">{outcome.email} is confirmed. Thank you.</Alert> : null}
      {outcome.status === 'failed' ? <Alert kind="error">{outcome.message}</Alert> : null}
      {outcome.status === 'verifying' ? null : (
        <p className="switch">
          <Link to={onwards}>{state.status === 'signed-in' ? 'Go to your account' : 'Sign in'}</Link>
        </p>
      )}
    </div>
  );
}
