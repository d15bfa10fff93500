import { useState } from 'react';
import { api } from '../api-client.js';
import { describeError } from '../error-messages.js';
import { ActionButton } from './form-controls.js';

/** Shown on every page until the account's address is confirmed, with a way to get the email again. */
export function VerificationBanner({ email }: { email: string }) {
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState<string | null>(null);

  const resend = async () => {
    setBusy(true);
    try {
      await api.account.resendVerification();
      setSaid(`Sent. Check the inbox of ${email}; the link in earlier emails no longer works.`);
    } catch (caught) {
      setSaid(describeError(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="verification-banner alert alert-warning" role="status">
      <span>
        Please confirm your email address: follow the link we sent to <strong>{email}</strong>.
        {said ? <span className="verification-said"> {said}</span> : null}
      </span>
      <ActionButton variant="secondary" busy={busy} busyLabel="Sending…" onClick={resend}>
        Resend the email
      </ActionButton>
    </div>
  );
}
