import { ApiError } from './api-client.js';

/** What to tell a person for each API error code: plain words, and what they can do about it. */
const MESSAGES: Record<string, string> = {
  invalid_credentials: 'The email or password is incorrect.',
  email_taken: 'An account with this email already exists. Sign in instead?',
  unauthenticated: 'Your session has ended. Please sign in again.',
  forbidden: 'You do not have permission to do that.',
  csrf_failed: 'The request failed a security check. Reload the page and try again.',
  not_found: 'That no longer exists. It may have been removed already.',
  payload_too_large: 'That is too long.',
  service_unavailable: 'The service is briefly unavailable. Please try again in a moment.',
  network_error: 'Cannot reach the server. Check your connection and try again.',
  token_expired: 'The link has expired.',
  invalid_token: 'This link no longer works: it was already used, has expired, or was replaced by a newer one.',
  account_disabled: 'This account is disabled. Ask an administrator to enable it.',
  reauthentication_required: 'This change needs a recent sign-in. Confirm it is you and try again.',
};

/** A message for an error thrown by the API client (or anything else). */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.';
  switch (error.code) {
    // The server's message says exactly which rule the input broke.
    case 'weak_password':
      return `Choose a stronger password: ${error.message}`;
    case 'invalid_request':
    // Which proof was wrong (password, code, passkey) is the server's to say; it never says which half of a login.
    case 'invalid_credentials':
      return error.message;
    case 'rate_limited':
      return error.retryAfterSeconds
        ? `Too many attempts. Try again in ${formatWait(error.retryAfterSeconds)}.`
        : 'Too many attempts. Please wait a little and try again.';
    case 'internal_error':
      return `Something went wrong on our side. ${error.message}`;
    default:
      return MESSAGES[error.code] ?? error.message;
  }
}

function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** Why the user is looking at the sign-in page again, from the reason a `session.revoked` event gave. */
export function describeSignOut(reason: string | undefined): string {
  switch (reason) {
    case 'signed_out':
      return 'You signed out.';
    case 'revoked':
      return 'This device was signed out from another device.';
    case 'signed_out_everywhere':
      return 'You were signed out on all devices.';
    case 'password_changed':
      return 'Your password was changed, so this device was signed out. Sign in with the new password.';
    case 'admin':
      return 'An administrator ended your session.';
    case 'anomaly':
      return 'This device was signed out because your account was in use from unusually many countries.';
    case 'session_limit':
      return 'This device was signed out: your account signed in on too many devices, and this was the oldest sign-in.';
    case 'replaced':
      return 'You signed in again in another window.';
    case 'expired':
      return 'Your session expired. Please sign in again.';
    case 'account_deleted':
      return 'This account was deleted.';
    default:
      return 'Your session has ended. Please sign in again.';
  }
}

/** What went wrong with third-party sign-on or linking, from the code Heimdall sends the browser back with. */
const SIGN_ON_ERRORS: Record<string, string> = {
  access_denied: 'Signing in with the provider was cancelled.',
  provider_unavailable: 'The sign-in provider cannot be reached right now. Try again in a moment.',
  invalid_state: 'That sign-in attempt expired or was already used. Please start again.',
  email_taken:
    'An account with this email already exists. Sign in with your password, then link the provider from your account.',
  email_required: 'The provider did not share an email address, which a new account needs.',
  email_unverified:
    'The provider has not verified your email address, so no account can be made from it. Verify it there, or create an account here.',
  registration_closed: 'New accounts cannot be created here. Ask an administrator for access.',
  account_disabled: 'This account is disabled.',
  identity_taken: 'That provider account is already linked to another Heimdall account.',
  unauthenticated: 'Your session ended before the provider answered. Sign in and try again.',
  signed_out_everywhere:
    'Your account was just used from unusually many countries, so every session was signed out. Sign in again, and change your password if that was not you.',
};

/** What a sign-on error code means, in words for the user. */
export function describeSignOnError(code: string): string {
  return SIGN_ON_ERRORS[code] ?? 'Signing in with the provider did not work. Please try again.';
}

/** The message for `?error=<code>` in the address, or null when there is none. */
export function signOnErrorFromUrl(): string | null {
  const code = new URLSearchParams(window.location.search).get('error');
  return code ? describeSignOnError(code) : null;
}

/** A refused download is about the link, not the session: say so, and what to do. */
export function describeDownloadError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'token_expired') return 'This download link has expired. Get a new link.';
    if (error.code === 'unauthenticated') return 'This download link is not valid. Get a new link.';
    if (error.code === 'forbidden') return 'This account no longer owns the product.';
  }
  return describeError(error);
}
