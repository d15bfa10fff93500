import type { AccountLifecycleService } from '../core/account-lifecycle-service.js';
import type { AccountService } from '../core/account-service.js';
import type { AnomalyDetector } from '../core/anomaly.js';
import type { ApiTokenService } from '../core/api-token-service.js';
import type { AuditTrail } from '../core/audit.js';
import type { BearerAuthenticator } from '../core/bearer-authenticator.js';
import type { Clock } from '../core/clock.js';
import type { DeviceBindingService } from '../core/device-binding-service.js';
import type { DownloadService } from '../core/download-service.js';
import type { EmailVerificationService } from '../core/email-verification-service.js';
import type { KeyRing } from '../core/key-ring.js';
import type { MessageService } from '../core/message-service.js';
import type { PasskeyService } from '../core/passkey-service.js';
import type { PasskeySignIn } from '../core/passkey-sign-in.js';
import type { PasswordResetService } from '../core/password-reset-service.js';
import type { SecondFactorService } from '../core/second-factor-service.js';
import type { SessionService } from '../core/session-service.js';
import type { SignOnService } from '../core/sign-on-service.js';
import type { StepUpService } from '../core/step-up-service.js';
import type { StreamHub } from '../core/stream-hub.js';
import type { TotpService } from '../core/totp-service.js';
import type { UserService } from '../core/user-service.js';

export type ProbeStatus = 'ok' | 'unavailable';

/**
 * The backing stores' answers to a probe, for GET /api/health and /api/ready, by role: the database (users and
 * everything else) and the session store, the same names whatever technology stands behind them.
 */
export interface HealthReport {
  ok: boolean;
  checks: { database: ProbeStatus; sessions: ProbeStatus };
}

/** What GET /metrics and the request timing need of the metrics registry. */
export interface RequestMetrics {
  enableProcessMetrics(): void;
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  readonly contentType: string;
  render(): Promise<string>;
}

/**
 * What the HTTP layer consumes, declared here from core types only: the composition root (src/app) builds something
 * that satisfies it, and nothing in src/http knows which stores stand behind these services.
 */
export interface ApiServices {
  clock: Clock;
  users: UserService;
  sessions: SessionService;
  accounts: AccountService;
  /** Third-party sign-on (OIDC) and linked identities. */
  signOn: SignOnService;
  /** The authenticator app (TOTP) and recovery codes. */
  totp: TotpService;
  passkeys: PasskeyService;
  /** Sign-ins held for their second factor, and factor checks. */
  secondFactors: SecondFactorService;
  /** Sign-in with a passkey alone. */
  passkeySignIn: PasskeySignIn;
  /** Device-bound sessions (DBSC): registration, refresh and the bound-cookie check. */
  deviceBinding: DeviceBindingService;
  /** Re-authentication (step-up) of a signed-in session. */
  stepUp: StepUpService;
  /** Security events (GET /api/audit, /api/admin/audit); other services record through it. */
  audit: AuditTrail;
  anomalies: AnomalyDetector;
  keys: KeyRing;
  apiTokens: ApiTokenService;
  /** Access-token checks for `Authorization: Bearer`. */
  bearer: BearerAuthenticator;
  downloads: DownloadService;
  /** This instance's open event streams. */
  streams: StreamHub;
  messages: MessageService;
  /** Verification links, resends and changes of email. */
  emailVerification: EmailVerificationService;
  /** Forgotten passwords and set-password links. */
  passwordResets: PasswordResetService;
  /** Invitations, disabling, enabling and deleting accounts. */
  accountLifecycle: AccountLifecycleService;
  metrics: RequestMetrics;
  checkHealth(): Promise<HealthReport>;
  /** Which stores are in use and where (for the start-up line, and operators holding METRICS_TOKEN). */
  storesDescription: string;
  /** Names of schema migrations not yet applied (readiness). */
  pendingMigrations(): Promise<string[]>;
}
