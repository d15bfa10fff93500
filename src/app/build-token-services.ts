import type { Config } from '../config/config.js';
import { resolveSecret } from '../config/secret-file.js';
import type { AccountService } from '../core/account-service.js';
import { ApiTokenService } from '../core/api-token-service.js';
import type { AuditTrail } from '../core/audit.js';
import { BearerAuthenticator } from '../core/bearer-authenticator.js';
import type { Clock } from '../core/clock.js';
import { DenyList } from '../core/deny-list.js';
import { DownloadService } from '../core/download-service.js';
import { CLOCK_TOLERANCE_SECONDS, JwtService, TOKEN_KINDS } from '../core/jwt-service.js';
import { KeyRing } from '../core/key-ring.js';
import type { ActionLimiter } from '../core/login-throttle.js';
import type { SecondFactorService } from '../core/second-factor-service.js';
import { SecretBox } from '../core/secret-box.js';
import type { SessionStore } from '../core/session.js';
import type { SessionService } from '../core/session-service.js';
import type { RandomSource } from '../core/tokens.js';
import type { UserRepository } from '../core/user.js';
import type { SqlDatabase } from '../stores/sql/database.js';
import { SqlCatalogueRepository } from '../stores/sql/sql-catalogue-repository.js';
import { SqlDenyListStore } from '../stores/sql/sql-deny-list-store.js';
import { SqlRefreshTokenStore } from '../stores/sql/sql-refresh-token-store.js';
import { SqlSigningKeyRepository } from '../stores/sql/sql-signing-key-repository.js';

/** How often each instance re-reads the signing keys (rotations elsewhere, retirement, automatic rotation). */
export const KEY_MAINTENANCE_INTERVAL_MS = 60_000;
const PRUNE_INTERVAL_MS = 10 * 60_000;
const TOLERANCE_MS = CLOCK_TOLERANCE_SECONDS * 1000;

/**
 * A replaced key keeps verifying for the longest lifetime of any token kind, plus the clock tolerance, plus one
 * maintenance interval: an instance that has not yet noticed a rotation may still sign with the old key.
 */
export const KEY_VERIFY_GRACE_MS =
  Math.max(...Object.values(TOKEN_KINDS).map((k) => k.maxLifetimeSeconds)) * 1000 +
  TOLERANCE_MS +
  KEY_MAINTENANCE_INTERVAL_MS;

/**
 * A revoked family stays denied for the longest access-token lifetime (the maximum, so lowering ACCESS_TOKEN_TTL
 * never shortens it), plus the tolerance, plus a minute for a refresh that was in flight when the family died.
 */
export const DENY_HOLD_MS = TOKEN_KINDS.access.maxLifetimeSeconds * 1000 + TOLERANCE_MS + 60_000;

/** The deny list exists before the session service, whose store reports revoked families to it. */
export function createDenyList(database: SqlDatabase, clock: Clock): DenyList {
  return new DenyList({ store: new SqlDenyListStore(database.db), clock, holdMs: DENY_HOLD_MS });
}

export interface TokenServices {
  keys: KeyRing;
  jwt: JwtService;
  denyList: DenyList;
  apiTokens: ApiTokenService;
  bearer: BearerAuthenticator;
  downloads: DownloadService;
  /** Starts the periodic upkeep (deny-list sync, key maintenance, pruning); for the server, not the CLI. */
  startTokenMaintenance(log: MaintenanceLog): void;
  stopTokenMaintenance(): void;
}

/** Where periodic upkeep reports (a pino logger fits). */
export interface MaintenanceLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface TokenServicesOptions {
  config: Config;
  database: SqlDatabase;
  clock: Clock;
  random: RandomSource;
  users: UserRepository;
  /**
   * The configured store, without the deny-list decorator: Bearer requests read families from it, through its
   * coherent in-process cache where there is one.
   */
  sessionStore: SessionStore;
  sessions: SessionService;
  accounts: AccountService;
  denyList: DenyList;
  audit: AuditTrail;
  limits: ActionLimiter;
  /** Asks accounts with a second factor for it in the credentials grant. */
  secondFactors?: SecondFactorService;
}

/** Wires keys, JWTs, API tokens and downloads; imports the signing keys once, here. */
export async function buildTokenServices(options: TokenServicesOptions): Promise<TokenServices> {
  const { config, database, clock, random, users, denyList, audit } = options;
  const secret = config.secret ?? resolveSecret(null, config.dataDir).secret;
  const keys = new KeyRing({
    repository: new SqlSigningKeyRepository(database.db),
    box: new SecretBox(secret, 'signing-keys'),
    clock,
    algorithm: config.tokens.signingAlgorithm,
    verifyGraceMs: KEY_VERIFY_GRACE_MS,
    rotationIntervalMs: config.tokens.keyRotationIntervalMs,
  });
  await keys.load();
  await denyList.sync();
  const jwt = new JwtService({ keys, clock, issuer: config.tokens.issuer ?? config.publicUrl, random });
  const apiTokens = new ApiTokenService({
    sessions: options.sessions,
    accounts: options.accounts,
    limits: options.limits,
    audit,
    secondFactors: options.secondFactors,
    users,
    refreshTokens: new SqlRefreshTokenStore(database.db),
    jwt,
    clock,
    random,
    policy: {
      accessTtlMs: config.tokens.accessTtlMs,
      refreshIdleMs: config.tokens.refreshIdleMs,
      familyLifetimeMs: config.tokens.familyLifetimeMs,
    },
  });
  const bearer = new BearerAuthenticator({ jwt, denyList, sessions: options.sessionStore, users, clock });
  const downloads = new DownloadService({
    catalogue: new SqlCatalogueRepository(database.db),
    users,
    jwt,
    clock,
    directory: config.downloads.directory,
    defaultTtlSeconds: config.downloads.linkTtlSeconds,
  });

  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, task: string, run: () => Promise<unknown>, log: MaintenanceLog) => {
    let running = false;
    const timer = setInterval(() => {
      // A slow database must not pile up overlapping runs of the same task.
      if (running) return;
      running = true;
      run()
        .catch((error: unknown) => log.warn({ err: error }, `${task} failed`))
        .finally(() => {
          running = false;
        });
    }, ms);
    timer.unref();
    timers.push(timer);
  };

  return {
    keys,
    jwt,
    denyList,
    apiTokens,
    bearer,
    downloads,
    startTokenMaintenance(log) {
      if (timers.length > 0) return;
      const prune = () => Promise.all([apiTokens.pruneExpired(), denyList.prune()]);
      every(config.tokens.revocationSyncIntervalMs, 'deny-list sync', () => denyList.sync(), log);
      every(KEY_MAINTENANCE_INTERVAL_MS, 'signing-key maintenance', () => maintainKeys(keys, audit, log), log);
      every(PRUNE_INTERVAL_MS, 'token pruning', prune, log);
    },
    stopTokenMaintenance() {
      for (const timer of timers.splice(0)) clearInterval(timer);
    },
  };
}

/** Runs key maintenance; an automatic rotation goes to the audit log, a retirement to the server log. */
export async function maintainKeys(keys: KeyRing, audit: AuditTrail, log: MaintenanceLog): Promise<void> {
  const report = await keys.maintain();
  for (const kid of report.retired) log.info({ kid }, 'signing key retired');
  if (report.rotated) {
    const { kid, alg } = report.rotated;
    await audit.record('key.rotated', null, { details: { kid, alg, by: 'schedule' } });
  }
}
