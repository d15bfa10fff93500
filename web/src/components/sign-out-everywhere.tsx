import { useEffect, useId, useState } from 'react';
import { api } from '../api-client.js';
import { useAuth } from '../auth-context.js';
import { describeError } from '../error-messages.js';
import { navigate } from '../router.js';
import { ActionButton, Alert } from './form-controls.js';

/**
 * "Sign out everywhere", offering to remove the linked third-party accounts too: a thief who linked their own account
 * would otherwise sign in again the moment the sessions end. A password-less account keeps its original one.
 */
export function SignOutEverywhere() {
  const { signOutEverywhere } = useAuth();
  const [linked, setLinked] = useState<{ count: number; hasPassword: boolean } | null>(null);
  const [removeIdentities, setRemoveIdentities] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const hintId = useId();

  useEffect(() => {
    let live = true;
    void api
      .listIdentities()
      .then((answer) => live && setLinked({ count: answer.identities.length, hasPassword: answer.hasPassword }))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, []);

  const signOutAll = async () => {
    setBusy(true);
    setError(null);
    try {
      await signOutEverywhere(removeIdentities);
      navigate('/signin', { replace: true });
    } catch (caught) {
      setError(describeError(caught));
      setBusy(false);
    }
  };

  return (
    <>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {linked && linked.count > 0 ? (
        <div>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={removeIdentities}
              aria-describedby={hintId}
              onChange={(e) => setRemoveIdentities(e.target.checked)}
            />
            Also remove my linked accounts ({linked.count})
          </label>
          <p className="hint-inline" id={hintId}>
            {linked.hasPassword
              ? 'They will no longer sign in to this account; link them again later if you wish.'
              : 'All but the first one, which is your only way to sign in.'}
          </p>
        </div>
      ) : null}
      <div className="actions">
        <ActionButton variant="danger" busy={busy} busyLabel="Signing out everywhere…" onClick={signOutAll}>
          Sign out everywhere
        </ActionButton>
      </div>
    </>
  );
}
