import type { Migration } from 'kysely';
import { initialMigration } from './0001-initial.js';
import { auditMigration } from './0002-audit.js';
import { tokensMigration } from './0003-tokens.js';
import { identitiesMigration } from './0004-identities.js';
import { sessionProofsMigration } from './0005-session-proofs.js';
import { canonicalEmailsMigration } from './0006-canonical-emails.js';
import { accountsMailMigration } from './0007-accounts-mail.js';
import { secondFactorsMigration } from './0008-second-factors.js';

/**
 * Every schema migration, by name; names sort in the order they run. Each issue adds its own file and one line here.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initialMigration,
  '0002-audit': auditMigration,
  '0003-tokens': tokensMigration,
  '0004-identities': identitiesMigration,
  '0005-session-proofs': sessionProofsMigration,
  '0006-canonical-emails': canonicalEmailsMigration,
  '0007-accounts-mail': accountsMailMigration,
  '0008-second-factors': secondFactorsMigration,
};
