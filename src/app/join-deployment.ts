import type { Config } from '../config/config.js';
import { resolveSecret } from '../config/secret-file.js';
import { loadConfigWithWarnings } from '../config/unknown-variables.js';
import { type ExistingDatabase, inspectDatabase, MissingDatabaseError, redactUrl } from './existing-database.js';

export type Env = Record<string, string | undefined>;

/** Who joins a deployment: the `heimdall` command or an app embedding the middleware (their advice differs). */
export type Joiner = 'cli' | 'embedded';

export interface JoinedDeployment {
  config: Config;
  database: ExistingDatabase;
}

const ADVICE: Record<Joiner, { missing: string; noSchema: string }> = {
  cli: {
    missing:
      'Run heimdall where the Heimdall server runs, or set DATABASE_URL to its database; `heimdall migrate --create` makes a new one.',
    noSchema: "Is it the Heimdall server's database? `heimdall migrate --create` installs the schema in it.",
  },
  embedded: {
    missing: "Give this app the Heimdall server's database (DATABASE_URL, or the databaseUrl option).",
    noSchema:
      'Give this app the database the Heimdall server uses (DATABASE_URL, or the databaseUrl option); the server installs its schema when it starts.',
  },
};

/** Where the database was looked for, relative to which directory, and what to do. */
export function missingDatabaseMessage(error: MissingDatabaseError, url: string, joiner: Joiner): string {
  return `found no database at ${error.path} (${url}, from ${process.cwd()}). ${ADVICE[joiner].missing}`;
}

/**
 * The settings of a process that joins an existing Heimdall deployment (the CLI, an embedding app): its database must
 * already exist and hold Heimdall's schema, and its secret must already exist. Nothing is created, so a process
 * started in the wrong directory says where it looked instead of making a second, empty user database and secret.
 */
export interface JoinOptions {
  /** How a variable is named in messages (an embedding app names the option it passed). */
  label?: (variable: string) => string;
  /** Told at once of each variable that looks like Heimdall's but is not one it reads, before anything can fail. */
  warn?: (warning: string) => void;
}

export async function joinDeployment(env: Env, joiner: Joiner, options: JoinOptions = {}): Promise<JoinedDeployment> {
  const label = options.label ?? ((v: string) => v);
  // An embedding app shares its environment with its own settings (REDIS_HOST, LOG_FORMAT…): only likely typos count.
  const { config: loaded, warnings } = loadConfigWithWarnings(env, { everyPrefixed: joiner === 'cli' });
  for (const warning of warnings) options.warn?.(warning);
  const url = `${label('DATABASE_URL')}=${redactUrl(loaded.databaseUrl)}`;
  let database: ExistingDatabase;
  try {
    database = await inspectDatabase(loaded.databaseUrl);
  } catch (error) {
    if (!(error instanceof MissingDatabaseError)) throw error;
    throw new Error(missingDatabaseMessage(error, url, joiner));
  }
  if (database.schema === 'none') {
    throw new Error(`${database.description} has no Heimdall schema (${url}). ${ADVICE[joiner].noSchema}`);
  }
  if (joiner === 'embedded' && database.schema === 'behind') {
    // The schema belongs to the server: an app embedding a newer copy must not change it under a running server.
    throw new Error(
      `the schema of ${database.description} is older than this copy of heimdall-auth (pending: ${database.pending.join(', ')}): upgrade the Heimdall server, which migrates at start, or run \`heimdall migrate\` with DATABASE_URL=${redactUrl(loaded.databaseUrl)}.`,
    );
  }
  const { secret } = resolveSecret(loaded.secret, loaded.dataDir, { create: false });
  return { config: { ...loaded, secret }, database };
}
