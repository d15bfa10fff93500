import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { Features, SecondFactorMethod, Session, SessionEnvelope, User, Warning } from './api-client.js';
import { ApiError, api, setUnauthenticatedHandler } from './api-client.js';
import { describeSignOut } from './error-messages.js';
import { useLiveEvents } from './live-events.js';
import { useNotify } from './notifications.js';

export type AuthState =
  | { status: 'loading' }
  | { status: 'unreachable' }
  | { status: 'signed-out'; notice: string | null }
  | { status: 'signed-in'; user: User; session: Session; warnings: Warning[]; features: Features };

/** Until GET /api/session says otherwise (a sign-in's own answer does not carry them): everything on. */
const ALL_FEATURES: Features = { products: true };

interface AuthActions {
  state: AuthState;
  refresh(): Promise<void>;
  /** Resolves with the second-factor methods when the account has one (finished on /second-factor), else null. */
  signIn(email: string, password: string, rememberMe: boolean): Promise<SecondFactorMethod[] | null>;
  /** Shows a sign-in finished elsewhere (second factor, passkey) as signed in. */
  completeSignIn(envelope: SessionEnvelope): void;
  /** The session after a re-authentication (same id, newer proof). */
  updateSession(session: Session): void;
  signUp(email: string, password: string, name: string): Promise<void>;
  signOut(): Promise<void>;
  /** With `removeIdentities`, linked third-party accounts are removed too (a recent sign-in is asked for). */
  signOutEverywhere(removeIdentities?: boolean): Promise<void>;
  changePassword(currentPassword: string, newPassword: string): Promise<void>;
}

const STREAM_RETRY_MS = 5_000;

/** The features already known (kept across a sign-in in the same page), else all on until the session is read. */
function featuresOf(state: AuthState): Features {
  return state.status === 'signed-in' ? state.features : ALL_FEATURES;
}
const AuthContext = createContext<AuthActions | null>(null);

/**
 * Who is signed in, as the server says (GET /api/session): the SPA keeps no token of its own. Live events keep it
 * current: a revoked session returns to sign-in at once, a role change re-reads the user.
 */
export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>({ status: 'loading' });
  const [streamGeneration, setStreamGeneration] = useState(0);
  const notify = useNotify();
  const stateRef = useRef(state);
  stateRef.current = state;

  /** Re-reads the session; `endedNotice` is what to say if it turns out to be gone. */
  /**
   * Bumped by every sign-in and sign-out made here: a re-read of the session that was asked before one of them answers
   * about the state before it, and is dropped (a sign-out right after a sign-up must not be undone by the sign-up's
   * re-read).
   */
  const transitions = useRef(0);
  const refresh = useCallback(async (endedNotice: string | null = null) => {
    const asked = transitions.current;
    try {
      const me = await api.getSession();
      if (asked !== transitions.current) return;
      setState({
        status: 'signed-in',
        user: me.user,
        session: me.session,
        warnings: me.warnings,
        features: me.features ?? ALL_FEATURES,
      });
    } catch (error) {
      if (asked !== transitions.current) return;
      if (error instanceof ApiError && error.code === 'unauthenticated') {
        setState({ status: 'signed-out', notice: endedNotice });
      } else if (stateRef.current.status === 'loading') {
        setState({ status: 'unreachable' });
      }
    }
  }, []);

  useEffect(() => {
    void refresh();
    // Any request that finds the session gone (ended elsewhere, expired) returns to sign-in with a notice.
    setUnauthenticatedHandler(() => void refresh(describeSignOut(undefined)));
    return () => setUnauthenticatedHandler(null);
  }, [refresh]);

  const signedInSession = state.status === 'signed-in' ? state.session.id : null;
  useLiveEvents(signedInSession, streamGeneration, {
    onRevoked: (reason) => {
      // Another tab may have rotated this browser's session (password change): only the server knows.
      void refresh(describeSignOut(reason)).then(() => setStreamGeneration((n) => n + 1));
    },
    onRolesChanged: (roles) => {
      void refresh();
      notify({
        kind: 'info',
        title: 'Your roles changed',
        text: roles ? `You now have: ${roles.length ? roles.join(', ') : 'no roles'}.` : undefined,
      });
    },
    onMessage: (text, from) =>
      notify({
        kind: 'message',
        title: from ? `Message from ${from}` : 'Message from an administrator',
        text,
        sticky: true,
      }),
    onSecurityWarning: (message) => {
      void refresh();
      notify({ kind: 'warning', title: 'Security warning', text: message, sticky: true });
    },
    // The server refused the stream (e.g. briefly unavailable): re-check the session, then try again a bit later.
    onClosed: () => {
      void refresh(describeSignOut(undefined)).then(() => {
        window.setTimeout(() => setStreamGeneration((n) => n + 1), STREAM_RETRY_MS);
      });
    },
  });

  /** A sign-in answered here (password, sign-up, second factor, passkey): signed in now, then re-read in full. */
  const enter = useCallback(
    (envelope: SessionEnvelope) => {
      transitions.current += 1;
      setState({
        status: 'signed-in',
        user: envelope.user,
        session: envelope.session,
        warnings: [],
        features: featuresOf(stateRef.current),
      });
      void refresh();
    },
    [refresh],
  );

  const actions = useMemo<AuthActions>(
    () => ({
      state,
      refresh: () => refresh(),
      async signIn(email, password, rememberMe) {
        const result = await api.login({ email, password, rememberMe });
        if ('secondFactorRequired' in result) return result.methods;
        enter(result);
        return null;
      },
      completeSignIn: enter,
      updateSession(session) {
        setState((current) => (current.status === 'signed-in' ? { ...current, session } : current));
      },
      async signUp(email, password, name) {
        enter(await api.register({ email, password, ...(name.trim() ? { name: name.trim() } : {}) }));
      },
      async signOut() {
        await api.logout();
        transitions.current += 1;
        setState({ status: 'signed-out', notice: 'You signed out.' });
      },
      async signOutEverywhere(removeIdentities = false) {
        await api.logoutEverywhere(removeIdentities);
        transitions.current += 1;
        setState({ status: 'signed-out', notice: 'You were signed out on all devices.' });
      },
      async changePassword(currentPassword, newPassword) {
        const result = await api.changePassword({ currentPassword, newPassword });
        // A new session id: the event stream reopens with the new cookie.
        setState((current) => (current.status === 'signed-in' ? { ...current, session: result.session } : current));
      },
    }),
    [state, refresh, enter],
  );

  return <AuthContext.Provider value={actions}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthActions {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth() outside <AuthProvider>');
  return auth;
}

/** The signed-in user and session; only for pages that render when signed in. */
export function useSignedIn() {
  const { state } = useAuth();
  if (state.status !== 'signed-in') throw new Error('useSignedIn() while not signed in');
  return state;
}
