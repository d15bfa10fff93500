import type { Config } from '../config/config.js';
import { resolveSecret } from '../config/secret-file.js';
import { AccountLifecycleService } from '../core/account-lifecycle-service.js';
import { AccountMailer } from '../core/account-mailer.js';
import type { AuditTrail } from '../core/audit.js';
import type { Clock } from '../core/clock.js';
import { EmailVerificationService } from '../core/email-verification-service.js';
import type { ActionLimiter } from '../core/login-throttle.js';
import type { MailTransport } from '../core/mail.js';
import { MailNotifier } from '../core/mail-notifier.js';
import { MailOutbox } from '../core/mail-outbox.js';
import type { AccountNotifier } from '../core/notices.js';
import { PasswordResetService } from '../core/password-reset-service.js';
import type { PasswordHasher } from '../core/passwords.js';
import { SecretBox } from '../core/secret-box.js';
import type { SessionService } from '../core/session-service.js';
import type { RandomSource } from '../core/tokens.js';
import type { UserRepository } from '../core/user.js';
import { createMailTransport } from '../mail/mail-transports.js';
import type { HeimdallMetrics } from '../metrics/heimdall-metrics.js';
import type { SqlDatabase } from '../stores/sql/database.js';
import { SqlEmailTokenStore } from '../stores/sql/sql-email-token-store.js';
import { SqlMailQueue } from '../stores/sql/sql-mail-queue.js';
import type { MaintenanceLog } from './build-token-services.js';
import { type MailDelivery, ObservedDelivery, startMailDelivery } from './mail-delivery.js';

/** Mail: the queue, the worker that drains it, and what composes messages (built before the services that mail). */
export interface MailServices {
  mail: MailOutbox;
  mailer: AccountMailer;
  /** The AccountNotifier every service that tells owners about changes gets through its options. */
  notifier: AccountNotifier;
  /** The warning to log once at start when messages only go to the outbox directory (no SMTP_URL). */
  mailWarning: string | null;
  /** Starts the worker that sends queued mail; for the server, not the CLI. */
  startMailDelivery(log: MaintenanceLog): void;
  stopMailDelivery(): Promise<void>;
}

export interface MailServicesOptions {
  config: Config;
  database: SqlDatabase;
  clock: Clock;
  random: RandomSource;
  users: UserRepository;
  metrics: HeimdallMetrics;
  /** A transport other than the configured one (tests that send to a capture server they control). */
  transport?: MailTransport;
  reportError?: (error: unknown) => void;
}

export function buildMailServices(options: MailServicesOptions): MailServices {
  const { config, database, clock, random, metrics } = options;
  const configured = options.transport
    ? { transport: options.transport, warning: null }
    : createMailTransport({ ...config.mail, dataDir: config.dataDir, publicUrl: config.publicUrl });
  const secret = config.secret ?? resolveSecret(null, config.dataDir).secret;
  const observer = new ObservedDelivery(metrics);
  const mail = new MailOutbox({
    queue: new SqlMailQueue(database.db),
    transport: configured.transport,
    box: new SecretBox(secret, 'mail-queue'),
    clock,
    random,
    observer,
  });
  metrics.observeMailQueue(() => mail.countWaiting());
  const mailer = new AccountMailer({
    outbox: mail,
    clock,
    publicUrl: config.publicUrl,
    productName: config.mail.productName,
  });
  const notifier = new MailNotifier({ users: options.users, mailer, onError: options.reportError });
  let delivery: MailDelivery | null = null;
  return {
    mail,
    mailer,
    notifier,
    mailWarning: configured.warning,
    startMailDelivery(log) {
      if (delivery) return;
      observer.log = log;
      delivery = startMailDelivery(mail, log);
    },
    async stopMailDelivery() {
      await delivery?.stop();
      delivery = null;
    },
  };
}

/** The account services that send links: verification, password reset, and the administration of accounts. */
export interface AccountEmailServices {
  emailVerification: EmailVerificationService;
  passwordResets: PasswordResetService;
  accountLifecycle: AccountLifecycleService;
}

export interface AccountEmailOptions {
  config: Config;
  database: SqlDatabase;
  clock: Clock;
  random: RandomSource;
  users: UserRepository;
  mail: MailServices;
  audit: AuditTrail;
  limits: ActionLimiter;
  hasher: PasswordHasher;
  sessions: SessionService;
  reportError?: (error: unknown) => void;
}

/** Verification is built first (sign-up and sign-on send its link); the rest needs the session service. */
export function buildEmailVerification(
  options: Omit<AccountEmailOptions, 'hasher' | 'sessions'>,
): EmailVerificationService {
  return new EmailVerificationService({
    users: options.users,
    tokens: new SqlEmailTokenStore(options.database.db),
    mailer: options.mail.mailer,
    clock: options.clock,
    ttlMs: options.config.mail.emailTokenTtlMs,
    random: options.random,
    audit: options.audit,
    limits: options.limits,
    notifier: options.mail.notifier,
    onError: options.reportError,
  });
}

export function buildAccountEmailServices(
  options: AccountEmailOptions,
  emailVerification: EmailVerificationService,
): AccountEmailServices {
  const { config, clock, users, audit } = options;
  const passwordResets = new PasswordResetService({
    users,
    tokens: new SqlEmailTokenStore(options.database.db),
    mailer: options.mail.mailer,
    sessions: options.sessions,
    hasher: options.hasher,
    policy: { minLength: config.passwordMinLength, maxLength: 128 },
    clock,
    resetTtlMs: config.mail.passwordResetTtlMs,
    invitationTtlMs: config.mail.invitationTtlMs,
    random: options.random,
    audit,
    limits: options.limits,
    notifier: options.mail.notifier,
    onError: options.reportError,
  });
  const accountLifecycle = new AccountLifecycleService({
    users,
    sessions: options.sessions,
    invitations: passwordResets,
    clock,
    audit,
  });
  return { emailVerification, passwordResets, accountLifecycle };
}
