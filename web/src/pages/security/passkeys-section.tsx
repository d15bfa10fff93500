import { type FormEvent, useState } from 'react';
import type { Passkey } from '../../api-client.js';
import { api } from '../../api-client.js';
import { ActionButton, Alert } from '../../components/form-controls.js';
import { describeError } from '../../error-messages.js';
import { formatDateTime, formatRelative } from '../../format.js';
import { useNotify } from '../../notifications.js';

function PasskeyRow({
  passkey,
  onRename,
  onRemove,
}: {
  passkey: Passkey;
  onRename(name: string): Promise<void>;
  onRemove(): Promise<void>;
}) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(passkey.name);
  const [busy, setBusy] = useState<'rename' | 'remove' | null>(null);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy('rename');
    try {
      await onRename(name);
      setEditing(false);
    } finally {
      setBusy(null);
    }
  };

  return (
    <li className="identity">
      <div className="identity-main">
        {editing ? (
          <form className="inline-field" onSubmit={save}>
            <label htmlFor={`rename-${passkey.id}`}>New name for {passkey.name}</label>
            <input
              id={`rename-${passkey.id}`}
              required
              maxLength={64}
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
            <ActionButton type="submit" busy={busy === 'rename'} busyLabel="Saving…">
              Save
            </ActionButton>
          </form>
        ) : (
          <div className="session-title">
            <strong>{passkey.name}</strong>
            {passkey.backedUp ? <span className="badge">Synced</span> : null}
          </div>
        )}
        <div className="session-meta">
          <span>
            Added <time dateTime={passkey.createdAt}>{formatDateTime(passkey.createdAt)}</time>
          </span>
          <span aria-hidden="true">·</span>
          <span>
            {passkey.lastUsedAt ? (
              <>
                Last used{' '}
                <time dateTime={passkey.lastUsedAt} title={formatDateTime(passkey.lastUsedAt)}>
                  {formatRelative(passkey.lastUsedAt)}
                </time>
              </>
            ) : (
              'Never used'
            )}
          </span>
        </div>
      </div>
      {editing ? (
        <ActionButton variant="ghost" busy={false} busyLabel="" onClick={() => setEditing(false)}>
          Cancel
        </ActionButton>
      ) : (
        <div className="actions">
          <ActionButton
            variant="secondary"
            busy={false}
            busyLabel=""
            aria-label={`Rename passkey ${passkey.name}`}
            onClick={() => setEditing(true)}
          >
            Rename
          </ActionButton>
          <ActionButton
            variant="danger"
            busy={busy === 'remove'}
            busyLabel="Removing…"
            aria-label={`Remove passkey ${passkey.name}`}
            onClick={async () => {
              setBusy('remove');
              try {
                await onRemove();
              } finally {
                setBusy(null);
              }
            }}
          >
            Remove
          </ActionButton>
        </div>
      )}
    </li>
  );
}

/** Passkeys: sign in with a fingerprint, face or device PIN instead of a password, and as a second factor. */
export function PasskeysSection({ passkeys, onChanged }: { passkeys: Passkey[] | null; onChanged(): Promise<void> }) {
  const notify = useNotify();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const supported = typeof window.PublicKeyCredential === 'function';

  const guard = async (work: () => Promise<void>) => {
    setError(null);
    try {
      await work();
    } catch (caught) {
      setError(describeError(caught));
    }
  };

  const add = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    await guard(async () => {
      const passkey = await api.account.addPasskey(name);
      setName('');
      await onChanged();
      notify({ kind: 'success', title: `Passkey “${passkey.name}” added` });
    });
    setBusy(false);
  };

  return (
    <section className="card" aria-labelledby="passkeys-heading">
      <h2 id="passkeys-heading">Passkeys</h2>
      <p className="muted">
        Sign in with your fingerprint, face or device PIN. A passkey cannot be phished, and counts as a second factor.
      </p>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {passkeys?.length ? (
        <ul className="identities" aria-label="Passkeys">
          {passkeys.map((passkey) => (
            <PasskeyRow
              key={passkey.id}
              passkey={passkey}
              onRename={(newName) =>
                guard(async () => {
                  await api.account.renamePasskey(passkey.id, newName);
                  await onChanged();
                })
              }
              onRemove={() =>
                guard(async () => {
                  await api.account.removePasskey(passkey.id);
                  await onChanged();
                  notify({ kind: 'success', title: `Passkey “${passkey.name}” removed` });
                })
              }
            />
          ))}
        </ul>
      ) : passkeys ? (
        <p className="muted">No passkey yet.</p>
      ) : null}
      {supported ? (
        <form className="inline-field" onSubmit={add}>
          <label htmlFor="passkey-name">Name for a new passkey (optional)</label>
          <input
            id="passkey-name"
            maxLength={64}
            placeholder="e.g. Work laptop"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <ActionButton type="submit" busy={busy} busyLabel="Waiting for your device…">
            Add a passkey
          </ActionButton>
        </form>
      ) : (
        <Alert kind="info">This browser cannot create passkeys.</Alert>
      )}
    </section>
  );
}
