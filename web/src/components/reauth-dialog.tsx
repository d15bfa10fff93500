import { type FormEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import type { User } from '../api-client.js';
import { api, apiUrl, setReauthenticationHandler } from '../api-client.js';
import { useAuth } from '../auth-context.js';
import { describeError } from '../error-messages.js';
import { useProviders } from '../providers.js';
import { ActionButton, Alert, Field } from './form-controls.js';

/**
 * Answers every `reauthentication_required` from any action (the API client asks, then retries the action): a
 * dialog asking the person to confirm it is them, in the way their account allows. One dialog at a time: actions
 * refused meanwhile wait for the same answer.
 */
export function ReauthenticationProvider({ children }: { children: ReactNode }) {
  const { state } = useAuth();
  const [pending, setPending] = useState<((ok: boolean) => void) | null>(null);
  const waiting = useRef<Promise<boolean> | null>(null);

  useEffect(() => {
    setReauthenticationHandler(() => {
      waiting.current ??= new Promise<boolean>((resolve) => {
        setPending(() => (ok: boolean) => {
          waiting.current = null;
          setPending(null);
          resolve(ok);
        });
      });
      return waiting.current;
    });
    return () => setReauthenticationHandler(null);
  }, []);

  const user = state.status === 'signed-in' ? state.user : null;
  useEffect(() => {
    // Signed out meanwhile: nothing to confirm, the action fails as it would have.
    if (!user && pending) pending(false);
  }, [user, pending]);

  return (
    <>
      {children}
      {pending && user ? <ReauthenticationDialog user={user} onDone={pending} /> : null}
    </>
  );
}

function ReauthenticationDialog({ user, onDone }: { user: User; onDone(ok: boolean): void }) {
  const { updateSession } = useAuth();
  const providers = useProviders();
  const dialog = useRef<HTMLDialogElement>(null);
  const [hasPassword, setHasPassword] = useState<boolean | null>(null);
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState<'form' | 'passkey' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const factors = user.secondFactors ?? [];
  const usesCode = factors.includes('totp');

  useEffect(() => {
    dialog.current?.showModal();
    void api
      .listIdentities()
      .then((answer) => setHasPassword(answer.hasPassword))
      .catch(() => setHasPassword(true));
  }, []);

  const confirm = async (proof: { password: string } | { totp: string } | { passkey: true }) => {
    setBusy('passkey' in proof ? 'passkey' : 'form');
    setError(null);
    try {
      const { session } = await api.reauthenticate(proof);
      updateSession(session);
      onDone(true);
    } catch (caught) {
      setError(describeError(caught));
      setBusy(null);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void confirm(usesCode ? { totp: secret.replace(/\s/g, '') } : { password: secret });
  };

  const signOnAgain = factors.length === 0 && hasPassword === false;
  const returnTo = encodeURIComponent(window.location.pathname);
  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby="reauth-title"
      onCancel={(event) => {
        event.preventDefault();
        onDone(false);
      }}
    >
      <h2 id="reauth-title">Confirm it’s you</h2>
      <p className="muted">
        This change protects your account, so it needs a recent sign-in.
        {factors.length > 0 ? ' Your account has a second factor: confirm with it.' : ''}
      </p>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {signOnAgain ? (
        <div className="stack">
          <p>Your account signs in through another provider. Sign in with it again, then repeat the change.</p>
          {providers?.map((provider) => (
            <a
              key={provider.name}
              className="button button-secondary button-block"
              href={`${provider.startUrl.startsWith('/') ? apiUrl(provider.startUrl) : provider.startUrl}?returnTo=${returnTo}`}
            >
              Sign in again with {provider.label}
            </a>
          ))}
        </div>
      ) : factors.length === 0 || usesCode ? (
        <form className="form" onSubmit={submit}>
          {usesCode ? (
            <Field
              label="Code from your authenticator app"
              inputMode="numeric"
              autoComplete="one-time-code"
              required
              value={secret}
              onChange={(e) => setSecret(e.target.value)}
            />
          ) : (
            <Field
              label="Password"
              type="password"
              autoComplete="current-password"
              required
              value={secret}
              onChange={(e) => setSecret(e.target.value)}
            />
          )}
          <ActionButton type="submit" busy={busy === 'form'} busyLabel="Confirming…" disabled={busy !== null}>
            Confirm
          </ActionButton>
        </form>
      ) : null}
      <div className="actions">
        {factors.includes('passkey') ? (
          <ActionButton
            variant="secondary"
            busy={busy === 'passkey'}
            busyLabel="Waiting for your passkey…"
            disabled={busy !== null}
            onClick={() => void confirm({ passkey: true })}
          >
            Use a passkey
          </ActionButton>
        ) : null}
        <ActionButton variant="ghost" busy={false} busyLabel="" onClick={() => onDone(false)}>
          Cancel
        </ActionButton>
      </div>
    </dialog>
  );
}
