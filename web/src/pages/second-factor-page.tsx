import { type FormEvent, useState } from 'react';
import type { SecondFactorMethod } from '../api-client.js';
import { api } from '../api-client.js';
import { useAuth } from '../auth-context.js';
import { ActionButton, Alert, Field } from '../components/form-controls.js';
import { describeError } from '../error-messages.js';
import { withReturnTo } from '../return-to.js';
import { Link, navigate } from '../router.js';

const ALL: SecondFactorMethod[] = ['totp', 'passkey', 'recovery_code'];

/** The ways this sign-in can be finished, as the server listed them in the address (`?methods=`); all if absent. */
function methodsFromUrl(): SecondFactorMethod[] {
  const listed = new URLSearchParams(window.location.search).get('methods')?.split(',') ?? [];
  const known = ALL.filter((m) => listed.includes(m));
  return known.length > 0 ? known : ALL;
}

/**
 * The second step of signing in to an account with a second factor, after a password or a third-party sign-on:
 * a code from the authenticator app, a passkey, or a recovery code. The server holds the sign-in for five minutes
 * under a cookie of its own; nothing here is kept by the page.
 */
export function SecondFactorPage() {
  const { completeSignIn } = useAuth();
  const [methods] = useState(methodsFromUrl);
  const [mode, setMode] = useState<'totp' | 'recovery_code'>(methods.includes('totp') ? 'totp' : 'recovery_code');
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState<'form' | 'passkey' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [expired, setExpired] = useState(false);

  const finish = async (proof: { totp: string } | { recoveryCode: string } | { passkey: true }) => {
    setBusy('passkey' in proof ? 'passkey' : 'form');
    setError(null);
    try {
      const result = await api.submitSecondFactor(proof);
      // A third-party sign-on's `returnTo` was kept by the server; the app's router leaves this page for it (checked
      // again), for the address's own `returnTo` (a password sign-in's), or for the account.
      if (result.returnTo)
        navigate(`/second-factor?${new URLSearchParams({ returnTo: result.returnTo })}`, { replace: true });
      completeSignIn(result);
    } catch (caught) {
      setExpired((caught as { code?: string }).code === 'unauthenticated');
      setError(describeError(caught));
      setBusy(null);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void finish(mode === 'totp' ? { totp: value.replace(/\s/g, '') } : { recoveryCode: value.trim() });
  };

  return (
    <div className="auth-card card">
      <h1>Two-step sign-in</h1>
      <p className="lead">Your account has a second factor. Confirm it is you to finish signing in.</p>
      {error ? <Alert kind="error">{expired ? 'This sign-in expired. Please sign in again.' : error}</Alert> : null}
      {expired ? (
        <p className="switch">
          <Link to={withReturnTo('/signin')}>Sign in again</Link>
        </p>
      ) : (
        <>
          {methods.includes('passkey') ? (
            <ActionButton
              variant={methods.includes('totp') ? 'secondary' : 'primary'}
              className="button-block"
              busy={busy === 'passkey'}
              busyLabel="Waiting for your passkey…"
              disabled={busy !== null}
              onClick={() => void finish({ passkey: true })}
            >
              Use a passkey
            </ActionButton>
          ) : null}
          <form className="form" onSubmit={submit}>
            {mode === 'totp' ? (
              <Field
                label="Code from your authenticator app"
                inputMode="numeric"
                autoComplete="one-time-code"
                required
                value={value}
                onChange={(e) => setValue(e.target.value)}
              />
            ) : (
              <Field
                label="Recovery code"
                autoComplete="off"
                spellCheck={false}
                required
                value={value}
                onChange={(e) => setValue(e.target.value)}
              />
            )}
            <ActionButton type="submit" busy={busy === 'form'} busyLabel="Checking…" disabled={busy !== null}>
              Verify
            </ActionButton>
          </form>
          {methods.includes('totp') ? (
            <p className="switch">
              <button
                type="button"
                className="link-button"
                onClick={() => {
                  setMode(mode === 'totp' ? 'recovery_code' : 'totp');
                  setValue('');
                }}
              >
                {mode === 'totp' ? 'Use a recovery code instead' : 'Use the authenticator app instead'}
              </button>
            </p>
          ) : null}
        </>
      )}
    </div>
  );
}
