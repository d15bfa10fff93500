import type { LinkedIdentity } from '../api-client.js';
import { formatDateTime, formatRelative } from '../format.js';
import { ActionButton } from './form-controls.js';

/**
 * Third-party accounts that can sign in to this one, listed beside the devices: like a session, each is a way in,
 * and one that outlives a password change, so it can be removed here too.
 */
export function LinkedIdentitiesList({
  identities,
  busyId,
  onRemove,
}: {
  identities: LinkedIdentity[];
  busyId: string | null;
  onRemove(identity: LinkedIdentity): void;
}) {
  return (
    <ul className="identities" aria-label="Linked accounts">
      {identities.map((identity) => (
        <li key={identity.id} className="identity">
          <div className="identity-main">
            <div className="session-title">
              <strong>{identity.label}</strong>
              <span className="muted">{identity.email ?? 'no email shared'}</span>
            </div>
            <div className="session-meta">
              <span>
                Linked <time dateTime={identity.createdAt}>{formatDateTime(identity.createdAt)}</time>
              </span>
              <span aria-hidden="true">·</span>
              <span>
                Last used{' '}
                <time dateTime={identity.lastUsedAt} title={formatDateTime(identity.lastUsedAt)}>
                  {formatRelative(identity.lastUsedAt)}
                </time>
              </span>
            </div>
          </div>
          <ActionButton
            variant="secondary"
            busy={busyId === identity.id}
            busyLabel="Removing…"
            aria-label={`Remove linked account ${identity.label}${identity.email ? ` (${identity.email})` : ''}`}
            onClick={() => onRemove(identity)}
          >
            Remove
          </ActionButton>
        </li>
      ))}
    </ul>
  );
}
