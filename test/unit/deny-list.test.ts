import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DenyList } from '../../src/core/deny-list.js';
import { openDatabase, type SqlDatabase } from '../../src/stores/sql/database.js';
import { migrateToLatest } from '../../src/stores/sql/migrator.js';
import { SqlDenyListStore } from '../../src/stores/sql/sql-deny-list-store.js';
import { FakeClock } from '../helpers/fake-clock.js';

const HOLD_MS = 16 * 60_000;

describe('DenyList over SQLite', () => {
  let database: SqlDatabase;
  let clock: FakeClock;
  let store: SqlDenyListStore;

  beforeEach(async () => {
    database = await openDatabase('sqlite::memory:');
    await migrateToLatest(database.db);
    clock = new FakeClock();
    store = new SqlDenyListStore(database.db);
  });

  afterEach(async () => {
    await database.close();
  });

  it('denies a family at once on the instance that revoked it, for the hold time only', async () => {
    const list = new DenyList({ store, clock, holdMs: HOLD_MS });
    await list.deny('family-1');
    expect(list.isDenied('family-1')).toBe(true);
    expect(list.isDenied('family-2')).toBe(false);
    clock.advance(HOLD_MS - 1);
    expect(list.isDenied('family-1')).toBe(true);
    clock.advance(1);
    expect(list.isDenied('family-1')).toBe(false);
  });

  it("learns other instances' denials on sync, and a sync never undoes a local denial", async () => {
    const here = new DenyList({ store, clock, holdMs: HOLD_MS });
    const there = new DenyList({ store, clock, holdMs: HOLD_MS });
    await there.deny('family-1');
    expect(here.isDenied('family-1')).toBe(false);
    await here.sync();
    expect(here.isDenied('family-1')).toBe(true);
    await here.deny('family-2');
    await database.db.deleteFrom('denied_families').execute();
    await here.sync();
    expect(here.isDenied('family-2')).toBe(true);
  });

  it('prune() drops expired denials from memory and store', async () => {
    const list = new DenyList({ store, clock, holdMs: HOLD_MS });
    await list.deny('family-1');
    clock.advance(HOLD_MS);
    await list.deny('family-2');
    expect(await list.prune()).toBe(1);
    expect((await store.listActive(clock.now())).map((d) => d.sessionId)).toEqual(['family-2']);
  });
});
