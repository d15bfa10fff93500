import { api } from './api-client.js';
import { navigate } from './router.js';

/**
 * Hosted sign-in (docs/web-app.md): another app on an allowed origin sends its users to `/signin?returnTo=<its URL>`.
 * The address's `returnTo` travels along the sign-in pages (sign-up, second factor) untouched; only the server decides
 * where it may lead (GET /api/auth/return-to), and the page follows nothing else.
 */

/** GET /api/auth/return-to: the server's verdict on a `returnTo`, null when refused or when it cannot say. */
export async function checkReturnTo(raw: string): Promise<string | null> {
  try {
    return await api.checkReturnTo(raw);
  } catch {
    return null;
  }
}

/** The `returnTo` of the current address, as it came. */
export function returnToParam(): string | null {
  return new URLSearchParams(window.location.search).get('returnTo');
}

/** `path` with the current address's `returnTo` carried along (links between the sign-in pages). */
export function withReturnTo(path: string): string {
  const raw = returnToParam();
  if (!raw) return path;
  return `${path}${path.includes('?') ? '&' : '?'}${new URLSearchParams({ returnTo: raw })}`;
}

/** Goes where the server allowed: within the SPA for a path, a full navigation for another app. */
export function leaveTo(target: string): void {
  if (target.startsWith('/')) navigate(target, { replace: true });
  else window.location.assign(target);
}

/** The pages of signing in: a signed-in user is sent on from them. */
export const SIGNED_OUT_PATHS = ['/signin', '/signup', '/forgot-password', '/second-factor'];

/** After a sign-in: to the checked `returnTo` of the address (never back to a sign-in page), else the account. */
export async function leaveAfterSignIn(): Promise<void> {
  const raw = returnToParam();
  const target = raw ? await checkReturnTo(raw) : null;
  const signInPage = target?.startsWith('/') && SIGNED_OUT_PATHS.includes(new URL(target, 'http://x').pathname);
  leaveTo(target && !signInPage ? target : '/account');
}
