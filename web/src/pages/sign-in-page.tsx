import { type FormEvent, useEffect, useId, useState } from 'react';
import type { OidcProvider } from '../api-client.js';
import { api, apiUrl } from '../api-client.js';
import { useAuth } from '../auth-context.js';
import { ActionButton, Alert, Field } from '../components/form-controls.js';
import { PasskeySignIn } from '../components/passkey-sign-in.js';
import { ReturnToNotice } from '../components/return-to-notice.js';
import { describeError, signOnErrorFromUrl } from '../error-messages.js';
import { withReturnTo } from '../return-to.js';
import { Link, navigate } from '../router.js';

/** Only http(s) addresses, relative ones resolved against the API, become links; `returnTo` goes along. */
function providerHref(startUrl: string): string | null {
  if (startUrl.startsWith('/')) return withReturnTo(apiUrl(startUrl));
  return /^https?:\/\//.test(startUrl) ? withReturnTo(startUrl) : null;
}

export function SignInPage({ notice }: { notice: string | null }) {
  const { signIn } = useAuth();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [rememberMe, setRememberMe] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(signOnErrorFromUrl);
  const [providers, setProviders] = useState<OidcProvider[]>([]);
  const rememberHintId = useId();

  useEffect(() => {
    let live = true;
    void api.oidcProviders().then((list) => {
      if (live) setProviders(list);
    });
    return () => {
      live = false;
    };
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const secondFactor = await signIn(email, password, rememberMe);
      // An account with a second factor finishes on its own page (the server holds the sign-in meanwhile); else the
      // app's router leaves this page, for `returnTo` or the account.
      if (secondFactor) navigate(withReturnTo(`/second-factor?methods=${secondFactor.join(',')}`), { replace: true });
    } catch (caught) {
      setError(describeError(caught));
      setBusy(false);
    }
  };

  return (
    <div className="auth-card card">
      <h1>Sign in</h1>
      <p className="lead">Welcome back. Sign in to manage your account and devices.</p>
      <ReturnToNotice />
      {notice && !error ? <Alert kind="info">{notice}</Alert> : null}
      {error ? <Alert kind="error">{error}</Alert> : null}
      <form onSubmit={submit} className="form">
        <Field
          label="Email"
          type="email"
          name="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <Field
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <div>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={rememberMe}
              aria-describedby={rememberHintId}
              onChange={(e) => setRememberMe(e.target.checked)}
            />
            Remember me
          </label>
          <p className="hint-inline" id={rememberHintId}>
            Stay signed in on this device for up to 30 days.
          </p>
        </div>
        <ActionButton type="submit" busy={busy} busyLabel="Signing in…">
          Sign in
        </ActionButton>
        <p className="hint-inline">
          <Link to={withReturnTo('/forgot-password')}>Forgot password?</Link>
        </p>
      </form>
      <div className="providers">
        <div className="divider">
          <span>or</span>
        </div>
        <PasskeySignIn />
      </div>
      {providers.length > 0 ? (
        <div className="providers">
          {providers.map((provider) => {
            const href = providerHref(provider.startUrl);
            return href ? (
              <a key={provider.name} className="button button-secondary button-block" href={href}>
                Continue with {provider.label}
              </a>
            ) : null;
          })}
        </div>
      ) : null}
      <p className="switch">
        New here? <Link to={withReturnTo('/signup')}>Create an account</Link>
      </p>
    </div>
  );
}
