import type { Config } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import type { DeploymentRecord } from '../stores/sql/sql-deployment-record.js';

export type { DeploymentRecord } from '../stores/sql/sql-deployment-record.js';

/** What the server records at start of the settings the other processes on its database must share. */
export function deploymentRecordOf(config: Config, clock: Clock): DeploymentRecord {
  return {
    publicUrl: config.publicUrl,
    tokenIssuer: config.tokens.issuer ?? config.publicUrl,
    origins: config.origins,
    cookieName: config.cookieName,
    recordedAt: clock.now(),
  };
}

/**
 * An embedding app's settings, completed from what the Heimdall server recorded: its cookie name and token issuer
 * (so the server's cookies and Bearer tokens are accepted), and its public URL and origins among the allowed ones (so
 * the app's own page, served on Heimdall's host, may make changes). A setting the app chose that contradicts the
 * server's is an error at start, naming both, rather than every request refused without a word.
 */
export function adoptDeployment(
  config: Config,
  record: DeploymentRecord | null,
  chosen: { isSet(variable: string): boolean; label(variable: string): string },
): Config {
  if (!record) return config;
  const problems: string[] = [];
  if (chosen.isSet('HEIMDALL_COOKIE_NAME') && config.cookieName !== record.cookieName) {
    problems.push(
      `${chosen.label('HEIMDALL_COOKIE_NAME')} is ${config.cookieName}, but the Heimdall server's session cookie is ${record.cookieName}.`,
    );
  }
  if (chosen.isSet('TOKEN_ISSUER') && config.tokens.issuer !== record.tokenIssuer) {
    problems.push(
      `${chosen.label('TOKEN_ISSUER')} is ${config.tokens.issuer}, but the Heimdall server signs its tokens with iss ${record.tokenIssuer}.`,
    );
  }
  if (problems.length > 0) {
    throw new Error(
      `this app's settings contradict the Heimdall server's (as it recorded them at ${new Date(record.recordedAt).toISOString()}); leave them unset to take the server's, or make them equal:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
  }
  return {
    ...config,
    cookieName: record.cookieName,
    publicUrl: chosen.isSet('HEIMDALL_PUBLIC_URL') ? config.publicUrl : record.publicUrl,
    origins: [...new Set([...config.origins, ...record.origins, record.publicUrl])],
    tokens: { ...config.tokens, issuer: record.tokenIssuer },
  };
}
