import type { Config } from '../config/config.js';
import { resolveSecret } from '../config/secret-file.js';
import type { AnomalyDetector } from '../core/anomaly.js';
import type { AuditTrail } from '../core/audit.js';
import { BoundCookieSigner } from '../core/bound-cookie.js';
import type { Clock } from '../core/clock.js';
import { DeviceBindingService } from '../core/device-binding-service.js';
import { FactorChanges } from '../core/factor-changes.js';
import type { ActionLimiter, LoginThrottle } from '../core/login-throttle.js';
import type { AccountNotifier } from '../core/notices.js';
import { PasskeyService } from '../core/passkey-service.js';
import { PasskeySignIn } from '../core/passkey-sign-in.js';
import { RecoveryCodeDigester } from '../core/recovery-codes.js';
import { SecondFactorService } from '../core/second-factor-service.js';
import { SecretBox } from '../core/secret-box.js';
import type { SessionService } from '../core/session-service.js';
import { SignInCompletion } from '../core/sign-in-completion.js';
import type { RandomSource } from '../core/tokens.js';
import { TotpService } from '../core/totp-service.js';
import type { UserRepository } from '../core/user.js';
import { relyingPartyOf } from '../core/webauthn.js';
import type { SqlDatabase } from '../stores/sql/database.js';
import { SqlChallengeStore } from '../stores/sql/sql-challenge-store.js';
import { SqlPasskeyStore } from '../stores/sql/sql-passkey-store.js';
import { SqlPendingSignInStore } from '../stores/sql/sql-pending-sign-in-store.js';
import { SqlRecoveryCodeStore } from '../stores/sql/sql-recovery-code-store.js';
import { SqlTotpStore } from '../stores/sql/sql-totp-store.js';

/**
 * Second factors (issue 17): the authenticator app and recovery codes, passkeys, and the gate on every way in; and
 * device-bound sessions (issue 21), whose challenges share the passkeys' store.
 */
export interface FactorServices {
  totp: TotpService;
  passkeys: PasskeyService;
  secondFactors: SecondFactorService;
  passkeySignIn: PasskeySignIn;
  deviceBinding: DeviceBindingService;
}

export interface FactorServicesOptions {
  config: Config;
  database: SqlDatabase;
  clock: Clock;
  random: RandomSource;
  /** The decorated repository: second-factor changes must reach every cached copy of the user. */
  users: UserRepository;
  sessions: SessionService;
  throttle: LoginThrottle & ActionLimiter;
  audit: AuditTrail;
  anomalies: Pick<AnomalyDetector, 'afterSignIn'>;
  notifier: AccountNotifier;
}

export function buildFactorServices(options: FactorServicesOptions): FactorServices {
  const { config, database, clock, random, users, audit } = options;
  // The same secret that seals signing keys; a TOTP secret must be readable by the server, unlike a digest.
  const secret = config.secret ?? resolveSecret(null, config.dataDir).secret;
  const changes = new FactorChanges({ users, audit, notifier: options.notifier, clock });
  const totp = new TotpService({
    totp: new SqlTotpStore(database.db),
    recoveryCodes: new SqlRecoveryCodeStore(database.db),
    box: new SecretBox(secret, 'totp'),
    digester: new RecoveryCodeDigester(secret),
    changes,
    clock,
    random,
  });
  // In SQL whatever the session store: every instance shares it, so a refresh may land anywhere.
  const challenges = new SqlChallengeStore(database.db);
  const passkeys = new PasskeyService({
    passkeys: new SqlPasskeyStore(database.db),
    challenges,
    changes,
    relyingParty: relyingPartyOf(config.publicUrl, config.origins),
    clock,
    random,
  });
  const completion = new SignInCompletion({ sessions: options.sessions, audit, anomalies: options.anomalies });
  const secondFactors = new SecondFactorService({
    totp,
    passkeys,
    pending: new SqlPendingSignInStore(database.db),
    users,
    completion,
    throttle: options.throttle,
    audit,
    clock,
    random,
  });
  const passkeySignIn = new PasskeySignIn({ passkeys, users, audit, completion, limits: options.throttle, random });
  const deviceBinding = new DeviceBindingService({
    challenges,
    sessions: options.sessions,
    signer: new BoundCookieSigner(secret),
    clock,
    random,
    audit,
    cookieTtlMs: config.dbsc.cookieTtlMs,
  });
  return { totp, passkeys, secondFactors, passkeySignIn, deviceBinding };
}
