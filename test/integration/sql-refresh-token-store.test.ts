import { openDatabase } from '../../src/stores/db/database.js';
import { migrateToLatest } from '../../src/stores/db/migrator.js';
import { SqlRefreshTokenStore } from '../../src/stores/tokens/sql-refresh-token-store.js';
import { describeRefreshTokenStoreContract } from '../contracts/refresh-token-store.js';

describeRefreshTokenStoreContract('SQLite', async () => {
  const database = await openDatabase('sqlite::memory:');
  await migrateToLatest(database.db);
  return {
    store: new SqlRefreshTokenStore(database.db),
    async ensureUser(id) {
      await database.db
        .insertInto('users')
        .values({
          id,
          email: `${id}@example.test`,
          name: id,
          roles: '["user"]',
          password_hash: null,
          disabled: 0,
          session_version: 0,
          created_at: 0,
          updated_at: 0,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
    },
    cleanup: () => database.close(),
  };
});
