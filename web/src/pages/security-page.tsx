import { useCallback, useEffect, useState } from 'react';
import type { Passkey } from '../api-client.js';
import { api } from '../api-client.js';
import { useAuth, useSignedIn } from '../auth-context.js';
import { ActionButton, Alert } from '../components/form-controls.js';
import { describeError } from '../error-messages.js';
import { formatDateTime } from '../format.js';
import { AuthenticatorSection } from './security/authenticator-section.js';
import { PasskeysSection } from './security/passkeys-section.js';
import { RecoveryCodesPanel } from './security/recovery-codes-panel.js';

/**
 * Account → Security: passkeys, the authenticator app and recovery codes. Every change asks for a recent sign-in;
 * the API client opens the confirmation dialog when it is needed and then makes the change.
 */
export function SecurityPage() {
  const { user } = useSignedIn();
  const { refresh } = useAuth();
  const [passkeys, setPasskeys] = useState<Passkey[] | null>(null);
  const [codes, setCodes] = useState<{ remaining: number; generatedAt: string | null } | null>(null);
  const [newCodes, setNewCodes] = useState<string[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const factors = user.secondFactors ?? [];

  const load = useCallback(async () => {
    try {
      const [listed, status] = await Promise.all([api.account.listPasskeys(), api.account.recoveryCodeStatus()]);
      setPasskeys(listed.passkeys);
      setCodes(status);
    } catch (caught) {
      setError(describeError(caught));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  /** After any change: the factors shown here, and the user record the rest of the app reads. */
  const changed = useCallback(async () => {
    await Promise.all([load(), refresh()]);
  }, [load, refresh]);

  const regenerate = async () => {
    setBusy(true);
    setError(null);
    try {
      setNewCodes((await api.account.regenerateRecoveryCodes()).recoveryCodes);
      await load();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page">
      <header className="page-header">
        <h1>Security</h1>
        <p className="lead">
          {factors.length > 0
            ? 'Two-step sign-in is on: every way into your account asks for a second factor.'
            : 'Add a passkey or an authenticator app so that a stolen password is not enough to get in.'}
        </p>
      </header>
      {error ? <Alert kind="error">{error}</Alert> : null}
      <PasskeysSection passkeys={passkeys} onChanged={changed} />
      <AuthenticatorSection enabled={factors.includes('totp')} onChanged={changed} onRecoveryCodes={setNewCodes} />
      <section className="card" aria-labelledby="codes-heading">
        <h2 id="codes-heading">Recovery codes</h2>
        <p className="muted">
          {codes === null
            ? 'Single-use codes for when your authenticator app or passkeys are not at hand.'
            : codes.remaining > 0
              ? `${codes.remaining} of 10 unused${codes.generatedAt ? `, made ${formatDateTime(codes.generatedAt)}` : ''}.`
              : 'None yet. You get ten when you set up an authenticator app, or here once you have a second factor.'}
        </p>
        {newCodes ? <RecoveryCodesPanel codes={newCodes} onDone={() => setNewCodes(null)} /> : null}
        {factors.length > 0 && !newCodes ? (
          <div className="actions">
            <ActionButton variant="secondary" busy={busy} busyLabel="Making new codes…" onClick={regenerate}>
              Make new recovery codes
            </ActionButton>
          </div>
        ) : null}
      </section>
    </div>
  );
}
