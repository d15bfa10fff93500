import type {
  AuthScheme,
  Identification,
  RequestAuthenticator,
  RequestFacts,
  Verdict,
} from '../auth/request-authenticator.js';
import { createRequestAuthenticator } from '../auth/request-authenticator-factory.js';
import { type Config, loadConfig } from '../config/config.js';
import { resolveSecret } from '../config/secret-file.js';
import type { Authenticated } from '../core/session-service.js';
import { type SessionView, toSessionView, toUserView, type UserView } from '../http/schemas.js';
import { openDatabase } from '../stores/sql/database.js';
import { pendingMigrations } from '../stores/sql/migrator.js';
import { buildServices, type Services } from './build-services.js';
import type { MaintenanceLog } from './build-token-services.js';

/** What an embedding host sees of the signed-in user: the API's views, never a hash or a secret. */
export interface HeimdallContext {
  user: UserView;
  session: SessionView;
  scheme: AuthScheme;
  /** The session's anti-CSRF token for server-rendered forms (null for Bearer requests, which need none). */
  csrfToken: string | null;
}

export interface HeimdallOptions {
  /**
   * Where Heimdall's settings are read from (default `process.env`): the same variables as the Heimdall server —
   * DATABASE_URL (and REDIS_URL / REDIS_CLUSTER_NODES), HEIMDALL_SECRET, HEIMDALL_COOKIE_NAME, HEIMDALL_ORIGINS…
   */
  env?: Record<string, string | undefined>;
  /** Services and config built elsewhere (Heimdall's own process, tests); the caller keeps closing them. */
  services?: Services;
  config?: Config;
  /** Where background upkeep (signing keys, revoked token families) reports; silent by default. */
  logger?: MaintenanceLog;
}

/** Heimdall's stores and the shared request authenticator, opened inside another app's process. */
export interface EmbeddedHeimdall {
  services: Services;
  config: Config;
  authenticator: RequestAuthenticator;
  close(): Promise<void>;
}

const SILENT: MaintenanceLog = { info() {}, warn() {} };

/** Checked before anything reads the tables, so an old schema is named as such rather than as a missing table. */
async function assertSchemaCurrent(databaseUrl: string): Promise<void> {
  const database = await openDatabase(databaseUrl);
  let pending: string[];
  try {
    pending = await pendingMigrations(database.db);
  } finally {
    await database.close();
  }
  if (pending.length > 0) {
    throw new Error(
      `Heimdall's database schema is not current (pending: ${pending.join(', ')}): run \`heimdall migrate\` or start Heimdall first.`,
    );
  }
}

/**
 * Opens the stores a Heimdall server uses, through the same composition root, without migrating them: the schema
 * belongs to Heimdall (`heimdall migrate`, or its start-up), and an app that embeds an older copy must not change it.
 */
export async function openEmbeddedHeimdall(options: HeimdallOptions = {}): Promise<EmbeddedHeimdall> {
  if (options.services && options.config) {
    const { services, config } = options;
    return { services, config, authenticator: createRequestAuthenticator(services, config), close: async () => {} };
  }
  const loaded = loadConfig(options.env ?? process.env);
  const config: Config = { ...loaded, secret: resolveSecret(loaded.secret, loaded.dataDir).secret };
  await assertSchemaCurrent(config.databaseUrl);
  const services = await buildServices(config, { migrate: false });
  // Bearer checks need the other instances' family revocations and key rotations, as in the server.
  services.startTokenMaintenance(options.logger ?? SILENT);
  return {
    services,
    config,
    authenticator: createRequestAuthenticator(services, config),
    close: () => services.close(),
  };
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
export function clearedCookie(config: Config): string {
  const secure = config.cookieSecure ? '; Secure' : '';
  return `${config.cookieName}=; Path=/; HttpOnly${secure}; SameSite=Strict; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT`;
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
