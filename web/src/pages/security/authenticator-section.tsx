import QRCode from 'qrcode';
import { type FormEvent, useEffect, useState } from 'react';
import { api } from '../../api-client.js';
import { ActionButton, Alert, Field } from '../../components/form-controls.js';
import { describeError } from '../../error-messages.js';
import { useNotify } from '../../notifications.js';

/** The key in groups of four, as people type it into an app by hand. */
function groupKey(secret: string): string {
  return secret.match(/.{1,4}/g)?.join(' ') ?? secret;
}

/**
 * The authenticator app (TOTP): set up by scanning a QR code drawn in this page from the otpauth:// URL (the secret
 * never goes to another service), confirmed by a first code; removed on request.
 */
export function AuthenticatorSection({
  enabled,
  onChanged,
  onRecoveryCodes,
}: {
  enabled: boolean;
  onChanged(): Promise<void>;
  onRecoveryCodes(codes: string[]): void;
}) {
  const notify = useNotify();
  const [setup, setSetup] = useState<{ secret: string; otpauthUrl: string; qr: string | null } | null>(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState<'start' | 'confirm' | 'remove' | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!setup || setup.qr) return;
    let live = true;
    void QRCode.toDataURL(setup.otpauthUrl, { errorCorrectionLevel: 'M', margin: 1, width: 192 }).then((qr) => {
      if (live) setSetup((current) => (current ? { ...current, qr } : current));
    });
    return () => {
      live = false;
    };
  }, [setup]);

  const run = async (what: 'start' | 'confirm' | 'remove', work: () => Promise<void>) => {
    setBusy(what);
    setError(null);
    try {
      await work();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(null);
    }
  };

  const start = () =>
    run('start', async () => {
      const started = await api.account.startTotp();
      setSetup({ ...started, qr: null });
      setCode('');
    });

  const confirm = (event: FormEvent) => {
    event.preventDefault();
    void run('confirm', async () => {
      const { recoveryCodes } = await api.account.confirmTotp(code.replace(/\s/g, ''));
      setSetup(null);
      onRecoveryCodes(recoveryCodes);
      await onChanged();
      notify({ kind: 'success', title: 'Authenticator app set up', text: 'Sign-ins now ask for a code from it.' });
    });
  };

  const remove = () =>
    run('remove', async () => {
      await api.account.removeTotp();
      await onChanged();
      notify({ kind: 'success', title: 'Authenticator app removed' });
    });

  return (
    <section className="card" aria-labelledby="totp-heading">
      <h2 id="totp-heading">Authenticator app</h2>
      <p className="muted">
        {enabled
          ? 'On. Signing in asks for a six-digit code from your app.'
          : 'Off. An app such as Google Authenticator, Aegis or 1Password makes a new six-digit code every 30 seconds.'}
      </p>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {setup ? (
        <form className="form form-narrow" onSubmit={confirm}>
          <ol className="steps">
            <li>Scan this code with your authenticator app.</li>
            <li>Enter the six-digit code the app shows.</li>
          </ol>
          {setup.qr ? (
            <img
              className="qr"
              src={setup.qr}
              width={192}
              height={192}
              alt="QR code to scan with your authenticator app"
            />
          ) : null}
          <p className="hint">
            Cannot scan? Enter this key in the app: <code data-testid="totp-secret">{groupKey(setup.secret)}</code>
          </p>
          <Field
            label="Code from the app"
            inputMode="numeric"
            autoComplete="one-time-code"
            required
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
          <div className="actions">
            <ActionButton type="submit" busy={busy === 'confirm'} busyLabel="Checking…">
              Turn on
            </ActionButton>
            <ActionButton variant="ghost" busy={false} busyLabel="" onClick={() => setSetup(null)}>
              Cancel
            </ActionButton>
          </div>
        </form>
      ) : (
        <div className="actions">
          <ActionButton
            variant={enabled ? 'secondary' : 'primary'}
            busy={busy === 'start'}
            busyLabel="Starting…"
            onClick={start}
          >
            {enabled ? 'Replace authenticator app' : 'Set up authenticator app'}
          </ActionButton>
          {enabled ? (
            <ActionButton variant="danger" busy={busy === 'remove'} busyLabel="Removing…" onClick={remove}>
              Remove authenticator app
            </ActionButton>
          ) : null}
        </div>
      )}
    </section>
  );
}
