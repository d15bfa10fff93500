import { useCallback, useEffect, useState } from 'react';
import type { LinkedIdentity, OidcProvider } from '../api-client.js';
import { api } from '../api-client.js';
import { ActionButton, Alert, Spinner } from '../components/form-controls.js';
import { describeError, signOnErrorFromUrl } from '../error-messages.js';
import { formatDateTime, formatRelative } from '../format.js';
import { useNotify } from '../notifications.js';
import { useProviders } from '../providers.js';
import { navigate } from '../router.js';

/** Where the provider sends the browser after linking: back here, saying which provider was linked. */
const RETURN_PATH = '/account';

/**
 * What the address says about a link that just came back (`?linked=<name>` or `?error=<code>`). Only a configured
 * provider's label is ever shown, so a crafted address cannot make the page announce text of its choosing.
 */
function readOutcome(providers: OidcProvider[]) {
  const linked = providers.find((p) => p.name === new URLSearchParams(window.location.search).get('linked'));
  return {
    linked: linked ? `${linked.label} is now linked to your account.` : null,
    error: signOnErrorFromUrl(),
  };
}

function IdentityRow({
  identity,
  busy,
  onUnlink,
}: {
  identity: LinkedIdentity;
  busy: boolean;
  onUnlink(identity: LinkedIdentity): void;
}) {
  return (
    <li className="identity">
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
        busy={busy}
        busyLabel="Unlinking…"
        aria-label={`Unlink ${identity.label}${identity.email ? ` (${identity.email})` : ''}`}
        onClick={() => onUnlink(identity)}
      >
        Unlink
      </ActionButton>
    </li>
  );
}

/**
 * Third-party accounts that can sign in to this one: link another (the provider's own sign-in, then back here) or
 * unlink one, never the last way in. Hidden when no provider is configured and nothing is linked.
 */
export function LinkedAccounts({ onPasswordKnown }: { onPasswordKnown(hasPassword: boolean): void }) {
  const notify = useNotify();
  const providers = useProviders();
  const [identities, setIdentities] = useState<LinkedIdentity[] | null>(null);
  const [hasPassword, setHasPassword] = useState<boolean | null>(null);
  const [outcome, setOutcome] = useState<{ linked: string | null; error: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [linking, setLinking] = useState<string | null>(null);
  const [unlinking, setUnlinking] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const answer = await api.listIdentities();
      setIdentities(answer.identities);
      setHasPassword(answer.hasPassword);
      onPasswordKnown(answer.hasPassword);
    } catch (caught) {
      setError(describeError(caught));
    }
  }, [onPasswordKnown]);
  useEffect(() => {
    void load();
  }, [load]);

  // Once the labels are known, say how a link that just came back went, then tidy the address.
  useEffect(() => {
    if (providers === null || outcome !== null) return;
    setOutcome(readOutcome(providers));
    if (window.location.search) navigate(RETURN_PATH, { replace: true });
  }, [providers, outcome]);

  const link = async (provider: OidcProvider) => {
    setLinking(provider.name);
    setError(null);
    try {
      const { url } = await api.startLink(provider.name, `${RETURN_PATH}?linked=${encodeURIComponent(provider.name)}`);
      // A top-level navigation: the provider's sign-in page, then Heimdall's callback, then back here.
      window.location.assign(url);
    } catch (caught) {
      setError(describeError(caught));
      setLinking(null);
    }
  };

  const unlink = async (identity: LinkedIdentity) => {
    setUnlinking(identity.id);
    setError(null);
    setOutcome({ linked: null, error: null });
    try {
      await api.unlinkIdentity(identity.id);
      setIdentities((list) => list?.filter((i) => i.id !== identity.id) ?? null);
      notify({ kind: 'success', title: `Unlinked ${identity.label}` });
    } catch (caught) {
      // The API explains a refusal (the last way to sign in) in words meant for the user.
      setError(describeError(caught));
    } finally {
      setUnlinking(null);
    }
  };

  // Nothing to offer and nothing linked (no provider configured): no section at all.
  if (providers === null) return null;
  if (providers.length === 0 && !identities?.length && !error) return null;
  return (
    <section className="card" aria-labelledby="linked-heading">
      <h2 id="linked-heading">Linked accounts</h2>
      <p className="muted">
        {hasPassword === false
          ? 'This account has no password: you sign in with the accounts below, so the last one cannot be unlinked.'
          : 'Sign in with any of these accounts as well as with your password.'}
      </p>
      <div className="stack">
        {outcome?.linked ? <Alert kind="success">{outcome.linked}</Alert> : null}
        {outcome?.error ? <Alert kind="error">{outcome.error}</Alert> : null}
        {error ? <Alert kind="error">{error}</Alert> : null}
        {identities === null ? (
          error ? null : (
            <Spinner label="Loading linked accounts…" />
          )
        ) : identities.length === 0 ? (
          <p className="muted">No account is linked yet.</p>
        ) : (
          <ul className="identities" aria-label="Linked accounts">
            {identities.map((identity) => (
              <IdentityRow key={identity.id} identity={identity} busy={unlinking === identity.id} onUnlink={unlink} />
            ))}
          </ul>
        )}
        {providers?.length ? (
          <div className="actions">
            {providers.map((provider) => (
              <ActionButton
                key={provider.name}
                variant="secondary"
                busy={linking === provider.name}
                busyLabel={`Opening ${provider.label}…`}
                disabled={linking !== null}
                onClick={() => void link(provider)}
              >
                Link {provider.label}
              </ActionButton>
            ))}
          </div>
        ) : null}
      </div>
    </section>
  );
}
