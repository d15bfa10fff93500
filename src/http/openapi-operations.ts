/**
 * What OpenAPI says about each operation beyond its schemas: a stable operationId (generated clients name their
 * methods after it), a summary, a tag, and how the caller authenticates. Keyed by `METHOD /path` as the document
 * writes it. An operation missing here is still documented, without a summary: the Redocly test then fails.
 */
export type OperationAuth =
  /** No credential: `security: []`. */
  | 'public'
  /** The session cookie (with `x-csrf-token` on unsafe methods) or `Authorization: Bearer <access token>`. */
  | 'session'
  /** As `session`, or nothing at all (logout answers 204 either way). */
  | 'optional-session'
  /** A cookie session, or email and password in the body (POST /api/tokens). */
  | 'session-or-password'
  /** The `-2fa` cookie that POST /api/auth/login set for a sign-in waiting for its second factor. */
  | 'pending-sign-in'
  /** The session cookie and a DBSC proof header instead of the CSRF token (device-bound sessions). */
  | 'device-session'
  /** The signed link's `?token=` is the credential: no cookie, no CSRF. */
  | 'download-token'
  /** `Authorization: Bearer <METRICS_TOKEN>`. */
  | 'metrics-token';

export interface OperationDoc {
  operationId: string;
  summary: string;
  tag: string;
  auth: OperationAuth;
}

export const TAGS = [
  { name: 'sign-in', description: 'Registration, sign-in, second factor, re-authentication and sign-out.' },
  { name: 'sessions', description: "The caller's session and its other sessions." },
  { name: 'account', description: "The caller's account: email, password, second factors, passkeys, deletion." },
  { name: 'oidc', description: 'Sign-on with a third party (OpenID Connect).' },
  { name: 'tokens', description: 'API tokens (access JWT + refresh token) for clients that cannot use cookies.' },
  { name: 'admin', description: 'User and session administration (role `admin`).' },
  { name: 'audit', description: 'Security activity.' },
  { name: 'events', description: 'The live event stream.' },
  { name: 'products', description: 'The demo shop: products, purchases and signed download links.' },
  { name: 'operations', description: 'Health, readiness, metrics, keys, forward auth and this document.' },
] as const;

type Tag = (typeof TAGS)[number]['name'];

const entries: [string, string, string, Tag, OperationAuth][] = [
  ['POST /api/auth/register', 'register', 'Create an account and sign in', 'sign-in', 'public'],
  ['POST /api/auth/login', 'login', 'Sign in with email and password', 'sign-in', 'public'],
  ['GET /api/auth/return-to', 'checkReturnTo', 'Where a hosted sign-in may send the browser back', 'sign-in', 'public'],
  [
    'POST /api/auth/login/second-factor/options',
    'secondFactorOptions',
    'Passkey options for the second factor',
    'sign-in',
    'pending-sign-in',
  ],
  [
    'POST /api/auth/login/second-factor',
    'submitSecondFactor',
    'Finish a sign-in with its second factor',
    'sign-in',
    'pending-sign-in',
  ],
  ['POST /api/auth/passkey/options', 'passkeySignInOptions', 'Options for a passkey sign-in', 'sign-in', 'public'],
  ['POST /api/auth/passkey', 'passkeySignIn', 'Sign in with a passkey', 'sign-in', 'public'],
  [
    'POST /api/auth/reauthenticate/options',
    'reauthenticateOptions',
    'Passkey options for re-authentication',
    'sign-in',
    'session',
  ],
  ['POST /api/auth/reauthenticate', 'reauthenticate', 'Prove a factor again (step-up)', 'sign-in', 'session'],
  ['POST /api/auth/logout', 'logout', 'Sign out of this session', 'sign-in', 'optional-session'],
  ['POST /api/auth/logout-everywhere', 'logoutEverywhere', 'Sign out of every session', 'sign-in', 'session'],
  ['POST /api/auth/password', 'changePassword', 'Change the password', 'account', 'session'],
  ['POST /api/auth/password/forgot', 'forgotPassword', 'Ask for a password reset link', 'account', 'public'],
  ['POST /api/auth/password/reset', 'resetPassword', 'Set a new password with a reset link', 'account', 'public'],
  ['POST /api/auth/email/verify', 'verifyEmail', 'Confirm an email address with its link', 'account', 'public'],
  [
    'POST /api/auth/email/verify/resend',
    'resendVerification',
    'Send the verification link again',
    'account',
    'session',
  ],
  ['POST /api/account/email', 'changeEmail', 'Change the email address', 'account', 'session'],
  ['DELETE /api/account', 'deleteAccount', 'Delete the account', 'account', 'session'],
  ['POST /api/account/totp', 'startTotp', 'Start enrolling an authenticator app', 'account', 'session'],
  ['POST /api/account/totp/confirm', 'confirmTotp', 'Confirm the authenticator app', 'account', 'session'],
  ['DELETE /api/account/totp', 'removeTotp', 'Remove the authenticator app', 'account', 'session'],
  ['GET /api/account/recovery-codes', 'getRecoveryCodes', 'How many recovery codes are left', 'account', 'session'],
  ['POST /api/account/recovery-codes', 'regenerateRecoveryCodes', 'Replace the recovery codes', 'account', 'session'],
  [
    'POST /api/account/passkeys/options',
    'passkeyRegistrationOptions',
    'Options to add a passkey',
    'account',
    'session',
  ],
  ['POST /api/account/passkeys', 'addPasskey', 'Add a passkey', 'account', 'session'],
  ['GET /api/account/passkeys', 'listPasskeys', "List the account's passkeys", 'account', 'session'],
  ['PATCH /api/account/passkeys/{id}', 'renamePasskey', 'Rename a passkey', 'account', 'session'],
  ['DELETE /api/account/passkeys/{id}', 'removePasskey', 'Remove a passkey', 'account', 'session'],
  [
    'POST /api/dbsc/register',
    'registerDeviceBinding',
    'Bind the session to a browser key (DBSC)',
    'sessions',
    'device-session',
  ],
  ['POST /api/dbsc/refresh', 'refreshDeviceBinding', 'Renew the bound cookie (DBSC)', 'sessions', 'device-session'],
  ['GET /api/session', 'getSession', 'The current user, session and CSRF token', 'sessions', 'session'],
  ['GET /api/sessions', 'listSessions', "The user's live sessions", 'sessions', 'session'],
  ['DELETE /api/sessions/{id}', 'revokeSession', 'Revoke one of the sessions', 'sessions', 'session'],
  ['POST /api/sessions/revoke-others', 'revokeOtherSessions', 'Revoke every other session', 'sessions', 'session'],
  ['GET /api/oidc/providers', 'listOidcProviders', 'Configured third-party providers', 'oidc', 'public'],
  ['GET /api/oidc/{provider}/start', 'startOidc', 'Start a third-party sign-on (redirect)', 'oidc', 'public'],
  ['GET /api/oidc/{provider}/callback', 'oidcCallback', "The provider's redirect back", 'oidc', 'public'],
  ['POST /api/oidc/{provider}/link', 'linkOidc', 'Start linking a third-party identity', 'oidc', 'session'],
  ['GET /api/oidc/identities', 'listIdentities', 'Linked third-party identities', 'oidc', 'session'],
  ['DELETE /api/oidc/identities/{id}', 'unlinkIdentity', 'Unlink a third-party identity', 'oidc', 'session'],
  ['POST /api/tokens', 'issueTokens', 'Issue an API token pair', 'tokens', 'session-or-password'],
  ['POST /api/tokens/refresh', 'refreshTokens', 'Trade a refresh token for a new pair', 'tokens', 'public'],
  ['POST /api/tokens/revoke', 'revokeTokens', "Revoke a refresh token's family", 'tokens', 'public'],
  ['GET /api/admin/users', 'listUsers', 'Search users', 'admin', 'session'],
  ['POST /api/admin/users', 'inviteUser', 'Invite a user', 'admin', 'session'],
  ['PUT /api/admin/users/{id}/roles', 'setUserRoles', "Replace a user's roles", 'admin', 'session'],
  ['GET /api/admin/users/{id}/sessions', 'listUserSessions', "A user's live sessions", 'admin', 'session'],
  [
    'DELETE /api/admin/users/{id}/sessions',
    'revokeUserSessions',
    "Revoke all of a user's sessions",
    'admin',
    'session',
  ],
  ['DELETE /api/admin/sessions/{id}', 'revokeAnySession', 'Revoke one session', 'admin', 'session'],
  ['POST /api/admin/users/{id}/disable', 'disableUser', 'Disable a user', 'admin', 'session'],
  ['POST /api/admin/users/{id}/enable', 'enableUser', 'Enable a user', 'admin', 'session'],
  ['DELETE /api/admin/users/{id}', 'deleteUser', 'Delete a user', 'admin', 'session'],
  ['POST /api/admin/users/{id}/messages', 'messageUser', "Send a message to a user's open pages", 'admin', 'session'],
  ['GET /api/admin/audit', 'listAuditEvents', 'The audit log', 'audit', 'session'],
  ['GET /api/audit', 'listOwnAuditEvents', "The caller's security activity", 'audit', 'session'],
  ['GET /api/events', 'streamEvents', 'Live events (text/event-stream)', 'events', 'session'],
  ['GET /api/products', 'listProducts', 'Products and whether they are purchased', 'products', 'session'],
  ['POST /api/products/{id}/purchase', 'purchaseProduct', 'Buy a product (demo: no payment)', 'products', 'session'],
  ['POST /api/downloads/{productId}/link', 'createDownloadLink', 'A signed download link', 'products', 'session'],
  ['GET /downloads/{productId}', 'download', "Download a purchased product's file", 'products', 'download-token'],
  ['GET /api/demo/valhalla', 'valhalla', 'Demo of a role check (role `god`)', 'admin', 'session'],
  ['GET /auth/verify', 'forwardAuth', 'Forward auth for reverse proxies', 'operations', 'session'],
  ['GET /api/health', 'health', 'Liveness and store health', 'operations', 'public'],
  ['GET /api/ready', 'ready', 'Readiness', 'operations', 'public'],
  ['GET /api/openapi.json', 'openApi', 'This OpenAPI document', 'operations', 'public'],
  ['GET /.well-known/jwks.json', 'jwks', 'Keys that verify access tokens', 'operations', 'public'],
  ['GET /metrics', 'metrics', 'Prometheus metrics', 'operations', 'metrics-token'],
];

export const OPERATIONS: ReadonlyMap<string, OperationDoc> = new Map(
  entries.map(([key, operationId, summary, tag, auth]) => [key, { operationId, summary, tag, auth }]),
);
