import type { Authenticated } from '../core/session-service.js';
import type { AuthScheme, Identification, RequestAuthenticator, Verdict } from './request-authenticator.js';
import type { RequestFacts } from './request-facts.js';
import { type SessionView, toSessionView, toUserView, type UserView } from './views.js';

/** What an embedding host sees of the signed-in user: the API's views, never a hash or a secret. */
export interface HeimdallContext {
  user: UserView;
  session: SessionView;
  scheme: AuthScheme;
  /** The session's anti-CSRF token for server-rendered forms (null for Bearer requests, which need none). */
  csrfToken: string | null;
}

/** One request's answer from the authenticator, kept so that several guards on one request ask the stores once. */
export interface Assessment {
  facts: RequestFacts;
  /** null when the Origin checks refused the request before any credential was read. */
  identification: Identification | null;
  /** The verdict without a role: it decides whether the host sees a user at all. */
  verdict: Verdict;
}

/** Origin and Fetch Metadata, then the credential, then the CSRF token: the path every Heimdall route takes. */
export async function assess(authenticator: RequestAuthenticator, facts: RequestFacts): Promise<Assessment> {
  const refusal = authenticator.checkOrigin(facts);
  if (refusal) {
    return { facts, identification: null, verdict: { ok: false, error: refusal, staleCookie: false, challenge: null } };
  }
  const identification = await authenticator.identify(facts);
  return { facts, identification, verdict: authenticator.authorize(facts, identification) };
}

/** The verdict for a guard: the assessment's own, or with a role check added. */
export function judge(authenticator: RequestAuthenticator, assessment: Assessment, role?: string): Verdict {
  if (role === undefined || !assessment.identification || !assessment.verdict.ok) return assessment.verdict;
  return authenticator.authorize(assessment.facts, assessment.identification, { role });
}

export function toHeimdallContext(verdict: Extract<Verdict, { ok: true }>): HeimdallContext {
  const { user, session }: Authenticated = verdict.auth;
  return {
    user: toUserView(user),
    session: toSessionView(session),
    scheme: verdict.scheme,
    csrfToken: verdict.scheme === 'cookie' ? session.csrfToken : null,
  };
}

/** The error body Heimdall answers with, for adapters that write their own responses. */
export function errorBody(verdict: Extract<Verdict, { ok: false }>): string {
  return JSON.stringify({ error: { code: verdict.error.code, message: verdict.error.message } });
}

/** A Set-Cookie value that makes the browser drop a session cookie that stands for nothing any more. */
export function clearedCookie(settings: { cookieName: string; cookieSecure: boolean }): string {
  const secure = settings.cookieSecure ? '; Secure' : '';
  return `${settings.cookieName}=; Path=/; HttpOnly${secure}; SameSite=Strict; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT`;
}
