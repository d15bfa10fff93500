import type { User, UserRepository } from '../../src/core/user.js';
import { CachedUserRepository } from '../../src/stores/memory/cached-user-repository.js';
import { TrackedCache } from '../../src/stores/memory/tracked-cache.js';
import { SqlEmailTokenStore } from '../../src/stores/sql/sql-email-token-store.js';
import { failClosedOnOutage } from '../../src/stores/sql/sql-outage.js';
import { SqlUserRepository } from '../../src/stores/sql/sql-user-repository.js';
import { SqliteDataVersion } from '../../src/stores/sql/sqlite-data-version.js';
import { describeUserRepositoryContract } from '../contracts/user-repository.js';
import { DIALECT_LABELS, DIALECTS } from '../helpers/sql-dialects.js';
import { useTwoConnections } from '../helpers/two-connections.js';

// Every test gets a fresh database (the contract checks who the very first user is), seen through a second
// connection as well: the other writer is another process on the same database (a second instance, the CLI).
const openTwoConnections = useTwoConnections();

for (const dialect of DIALECTS) {
  const on = DIALECT_LABELS[dialect];

  describeUserRepositoryContract(`SqlUserRepository on ${on}`, async () => {
    const { database, other, close } = await openTwoConnections(dialect);
    return {
      repository: new SqlUserRepository(database.db),
      otherWriter: new SqlUserRepository(other.db),
      tokens: new SqlEmailTokenStore(database.db),
      cleanup: close,
    };
  });

  describeUserRepositoryContract(`failClosedOnOutage(SqlUserRepository) on ${on}`, async () => {
    const { database, other, close } = await openTwoConnections(dialect);
    return {
      repository: failClosedOnOutage<UserRepository>(new SqlUserRepository(database.db)),
      otherWriter: failClosedOnOutage<UserRepository>(new SqlUserRepository(other.db)),
      tokens: new SqlEmailTokenStore(database.db),
      cleanup: close,
    };
  });
}

// As openStores() composes it on the embedded SQLite default: the in-process cache over the outage proxy, kept
// coherent by PRAGMA data_version of the connection Kysely uses; the other writer is what the CLI would be.
describeUserRepositoryContract(
  'CachedUserRepository(failClosedOnOutage(SqlUserRepository)) on SQLite, coherent by data_version',
  async () => {
    const { database, other, close } = await openTwoConnections('sqlite');
    const coherence = new SqliteDataVersion(database.dataVersion!);
    const cache = new TrackedCache<User>(coherence, { maxEntries: 1_000 });
    const sqlUsers = failClosedOnOutage<UserRepository>(new SqlUserRepository(database.db));
    return {
      repository: new CachedUserRepository(sqlUsers, cache),
      otherWriter: new SqlUserRepository(other.db),
      coherence: 'next-task',
      tokens: new SqlEmailTokenStore(database.db),
      cleanup: async () => {
        cache.close();
        await close();
      },
    };
  },
);
