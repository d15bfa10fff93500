import { SqlRefreshTokenStore } from '../../src/stores/sql/sql-refresh-token-store.js';
import { describeRefreshTokenStoreContract } from '../contracts/refresh-token-store.js';
import { DIALECT_LABELS, DIALECTS, insertUserRow, useSqlDatabases } from '../helpers/sql-dialects.js';

const databases = useSqlDatabases();

// Refresh rotation must be atomic on every database Heimdall supports (issue 7): the contract's concurrent
// spends run against a real PostgreSQL pool as well as SQLite.
for (const dialect of DIALECTS) {
  describeRefreshTokenStoreContract(DIALECT_LABELS[dialect], async () => {
    const database = await databases.open(dialect);
    return {
      store: new SqlRefreshTokenStore(database.db),
      ensureUser: (id) => insertUserRow(database, id),
      cleanup: async () => {},
    };
  });
}
