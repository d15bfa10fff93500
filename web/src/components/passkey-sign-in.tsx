import { useState } from 'react';
import { api } from '../api-client.js';
import { useAuth } from '../auth-context.js';
import { describeError } from '../error-messages.js';
import { ActionButton, Alert } from './form-controls.js';

/** "Sign in with a passkey": discoverable credentials, so no email is asked; the passkey is both factors at once. */
export function PasskeySignIn() {
  const { completeSignIn } = useAuth();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (typeof window.PublicKeyCredential !== 'function') return null;

  const signIn = async () => {
    setBusy(true);
    setError(null);
    try {
      // The app's router leaves the sign-in page once signed in: for `returnTo`, or the account.
      completeSignIn(await api.signInWithPasskey());
    } catch (caught) {
      setError(describeError(caught));
      setBusy(false);
    }
  };

  return (
    <div className="passkey-sign-in">
      {error ? <Alert kind="error">{error}</Alert> : null}
      <ActionButton
        variant="secondary"
        className="button-block"
        busy={busy}
        busyLabel="Waiting for your passkey…"
        onClick={signIn}
      >
        Sign in with a passkey
      </ActionButton>
    </div>
  );
}
