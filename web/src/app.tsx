import { useEffect, useState } from 'react';
import { useAuth } from './auth-context.js';
import { ActionButton, Alert, Spinner } from './components/form-controls.js';
import { VerificationBanner } from './components/verification-banner.js';
import { describeError } from './error-messages.js';
import { AccountPage } from './pages/account-page.js';
import { ActivityPage } from './pages/activity-page.js';
import { AdminAuditPage } from './pages/admin-audit-page.js';
import { AdminPage } from './pages/admin-page.js';
import { DevicesPage } from './pages/devices-page.js';
import { ForgotPasswordPage } from './pages/forgot-password-page.js';
import { PurchasesPage } from './pages/purchases-page.js';
import { ResetPasswordPage } from './pages/reset-password-page.js';
import { SecondFactorPage } from './pages/second-factor-page.js';
import { SecurityPage } from './pages/security-page.js';
import { SignInPage } from './pages/sign-in-page.js';
import { SignUpPage } from './pages/sign-up-page.js';
import { VerifyEmailPage } from './pages/verify-email-page.js';
import { leaveAfterSignIn, returnToParam, SIGNED_OUT_PATHS } from './return-to.js';
import { Link, navigate, usePath } from './router.js';

/** Where mailed links land: shown signed in or out, never redirected away. */
const LINK_PATHS = ['/reset-password', '/verify-email'];

function Logo() {
  return (
    <svg className="logo" viewBox="0 0 32 32" aria-hidden="true">
      <path className="logo-shield" d="M16 2 4 6.5v8.2C4 22.3 9.1 28.6 16 30c6.9-1.4 12-7.7 12-15.3V6.5L16 2z" />
      <path className="logo-mark" d="M11 10h3v5h4v-5h3v12h-3v-4.5h-4V22h-3z" />
    </svg>
  );
}

function Header() {
  const { state, signOut } = useAuth();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const signedIn = state.status === 'signed-in' ? state : null;

  const onSignOut = async () => {
    setBusy(true);
    setError(null);
    try {
      await signOut();
      navigate('/signin', { replace: true });
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <header className="topbar">
      <div className="topbar-inner">
        <Link to={signedIn ? '/account' : '/signin'} className="brand">
          <Logo />
          <span>Heimdall</span>
        </Link>
        {signedIn ? (
          <>
            <nav aria-label="Main" className="nav">
              <Link to="/account">Account</Link>
              <Link to="/security">Security</Link>
              <Link to="/devices">Devices</Link>
              <Link to="/activity">Activity</Link>
              {signedIn.features.products ? <Link to="/purchases">Purchases</Link> : null}
              {signedIn.user.roles.includes('admin') ? (
                <Link to="/admin" section="/admin/">
                  Admin
                </Link>
              ) : null}
            </nav>
            <div className="whoami">
              <span className="whoami-email" title="Signed in as">
                {signedIn.user.email}
              </span>
              <ActionButton variant="ghost" busy={busy} busyLabel="Signing out…" onClick={onSignOut}>
                Sign out
              </ActionButton>
            </div>
          </>
        ) : null}
      </div>
      {error ? (
        <div className="topbar-error">
          <Alert kind="error">{error}</Alert>
        </div>
      ) : null}
    </header>
  );
}

function Routes() {
  const { state, refresh } = useAuth();
  const path = usePath();

  // Keep the address bar in step with what is shown: signed-out users land on sign-in, signed-in ones on account.
  useEffect(() => {
    if (LINK_PATHS.includes(path)) return;
    // The query goes along: third-party sign-on reports failures as /?error=<code>.
    if (state.status === 'signed-out' && !SIGNED_OUT_PATHS.includes(path)) {
      navigate(`/signin${window.location.search}`, { replace: true });
    }
    if (state.status === 'signed-in' && SIGNED_OUT_PATHS.includes(path)) {
      // Signed in on a sign-in page (just now, or already when another app sent the browser here): back to the app
      // that asked (`returnTo`, as the server allows it), else the account.
      void leaveAfterSignIn();
    } else if (state.status === 'signed-in' && path === '/') {
      // From "/" the query goes along: a link to a provider that failed comes back as /?error=<code>.
      navigate(`/account${window.location.search}`, { replace: true });
    }
  }, [state.status, path]);

  if (state.status !== 'loading' && state.status !== 'unreachable') {
    if (path === '/reset-password') return <ResetPasswordPage />;
    if (path === '/verify-email') return <VerifyEmailPage />;
  }
  switch (state.status) {
    case 'loading':
      return <Spinner label="Loading…" />;
    case 'unreachable':
      return (
        <div className="auth-card card">
          <h1>Cannot reach Heimdall</h1>
          <p className="lead">The server did not answer. Check your connection, then try again.</p>
          <ActionButton busy={false} busyLabel="" onClick={() => void refresh()}>
            Try again
          </ActionButton>
        </div>
      );
    case 'signed-out':
      if (path === '/forgot-password') return <ForgotPasswordPage />;
      if (path === '/second-factor') return <SecondFactorPage />;
      return path === '/signup' ? <SignUpPage /> : <SignInPage notice={state.notice} />;
    case 'signed-in':
      return (
        <>
          {state.user.emailVerified ? null : <VerificationBanner email={state.user.email} />}
          <SignedInPage path={path} isAdmin={state.user.roles.includes('admin')} products={state.features.products} />
        </>
      );
  }
}

/** What a signed-in user sees at each path. */
function SignedInPage({ path, isAdmin, products }: { path: string; isAdmin: boolean; products: boolean }) {
  if (path === '/devices') return <DevicesPage />;
  if (path === '/security') return <SecurityPage />;
  if (path === '/activity') return <ActivityPage />;
  // With PRODUCTS=off the shop does not exist: its page is not found, like any other unknown address.
  if (path === '/purchases' && products) return <PurchasesPage />;
  if (path === '/admin' || path === '/admin/audit') {
    return isAdmin ? (
      path === '/admin' ? (
        <AdminPage />
      ) : (
        <AdminAuditPage />
      )
    ) : (
      <div className="card empty-state">
        <h1>Administration</h1>
        <Alert kind="info">Administration needs the admin role, which this account does not have.</Alert>
      </div>
    );
  }
  // Another app waits for this sign-in: nothing to show while the browser goes back to it.
  if (SIGNED_OUT_PATHS.includes(path) && returnToParam()) return <Spinner label="Returning…" />;
  // "/" and the sign-in pages show the account while the redirect above updates the address.
  if (path === '/account' || path === '/' || SIGNED_OUT_PATHS.includes(path)) return <AccountPage />;
  return (
    <div className="card empty-state">
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <Link to="/account">Go to your account</Link>.
      </p>
    </div>
  );
}

export function App() {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main" className="main">
        <Routes />
      </main>
      <footer className="footer">Sessions stay on the server; this page never holds a session token.</footer>
    </>
  );
}
