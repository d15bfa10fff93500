/**
 * The API's shapes for the client, derived from the TypeBox schemas the routes validate and serialize with. Every
 * import here is type-only: no schema, no TypeBox and no server code reach a browser bundle.
 */
import type { Static } from 'typebox';
import type { SessionView, UserView } from '../auth/views.js';
import type { AuditEventTypeSchema, AuditEventView } from '../http/routes/audit-routes.js';
import type { SecondFactorAsked } from '../http/routes/auth-routes.js';
import type { IdentityView, ProviderView } from '../http/routes/oidc-routes.js';
import type { PasskeyView } from '../http/routes/passkey-routes.js';
import type { ProductView, PurchaseView } from '../http/routes/product-routes.js';
import type { Features as FeaturesSchema } from '../http/routes/session-routes.js';
import type { TokenPairView } from '../http/routes/token-routes.js';
import type {
  ErrorCode,
  ListedSessionView,
  PushEventType,
  SessionEnvelope as SessionEnvelopeSchema,
  Warning as WarningSchema,
} from '../http/schemas.js';
import type {
  AuthenticationCredential,
  CreationOptionsView,
  RegistrationCredential,
  RequestOptionsView,
} from '../http/webauthn-schemas.js';

export type User = Static<typeof UserView>;
export type Session = Static<typeof SessionView>;
export type ListedSession = Static<typeof ListedSessionView>;
export type Warning = Static<typeof WarningSchema>;
export type SessionEnvelope = Static<typeof SessionEnvelopeSchema>;
/** What the deployment offers (`products`: PRODUCTS, the demo shop), so that an app shows only that. */
export type Features = Static<typeof FeaturesSchema>;
/** GET /api/session (a sign-in's own answer carries no `features`). */
export type CurrentSession = SessionEnvelope & { warnings: Warning[]; features?: Features };
/** A finished sign-in (register, login, second factor, passkey). */
export type SignedIn = CurrentSession & {
  /** Where a third-party sign-on was going (after its second factor), or null. */
  returnTo?: string | null;
};
/** POST /api/auth/login of an account with a second factor: no session yet, the second step is asked. */
export type SecondFactorRequired = Static<typeof SecondFactorAsked>;
export type SecondFactorMethod = SecondFactorRequired['methods'][number];
export type TokenPair = Static<typeof TokenPairView>;
export type Passkey = Static<typeof PasskeyView>;
export type LinkedIdentity = Static<typeof IdentityView>;
export type OidcProvider = Static<typeof ProviderView>;
export type AuditEvent = Static<typeof AuditEventView>;
/** An event type the audit log records (the `type` filter of the audit lists). */
export type AuditEventType = Static<typeof AuditEventTypeSchema>;
export interface AuditPage {
  events: AuditEvent[];
  nextCursor: string | null;
}
export interface UserPage {
  users: User[];
  nextCursor: string | null;
}
export type Product = Static<typeof ProductView>;
export type Purchase = Static<typeof PurchaseView>;
export interface DownloadLink {
  /** Relative to Heimdall (`/downloads/<id>?token=…`); the token in it is the whole credential. */
  url: string;
  expiresAt: string;
}
export type PasskeyCreationOptions = Static<typeof CreationOptionsView>;
export type PasskeyRequestOptions = Static<typeof RequestOptionsView>;
export type PasskeyRegistration = Static<typeof RegistrationCredential>;
export type PasskeyAssertion = Static<typeof AuthenticationCredential>;

/** Every `error.code` the API answers with (src/core/errors.ts), and the client's own two. */
export type ApiErrorCode = ErrorCode | 'network_error' | 'passkey_cancelled';

export type HeimdallEventType = PushEventType;
/** A live event (GET /api/events) with its JSON payload. */
export type HeimdallEvent =
  | { type: 'session.revoked'; data: { reason?: string } }
  | { type: 'roles.changed'; data: { roles?: string[] } }
  | { type: 'message'; data: { text?: string; from?: string } }
  | { type: 'security.warning'; data: { message?: string } };
