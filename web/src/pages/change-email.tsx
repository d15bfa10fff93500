import { type FormEvent, useState } from 'react';
import { api } from '../api-client.js';
import { ActionButton, Alert, Field } from '../components/form-controls.js';
import { describeError } from '../error-messages.js';

/** Asks for a new address: it takes effect once the link mailed to it is followed; the old one is told. */
export function ChangeEmailForm({ current }: { current: string }) {
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setResult(null);
    try {
      await api.account.changeEmail(email);
      setResult({
        kind: 'success',
        text: `We sent a link to ${email.trim()}. Your address stays ${current} until you follow it.`,
      });
      setEmail('');
    } catch (caught) {
      setResult({ kind: 'error', text: describeError(caught) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} className="form form-narrow">
      {result ? <Alert kind={result.kind}>{result.text}</Alert> : null}
      <Field
        label="New email"
        type="email"
        autoComplete="email"
        required
        value={email}
        onChange={(e) => setEmail(e.target.value)}
      />
      <div className="actions">
        <ActionButton type="submit" busy={busy} busyLabel="Sending…">
          Change email
        </ActionButton>
      </div>
    </form>
  );
}
