import { describe, expect, it } from 'vitest';
import { SqliteDataVersion } from '../../src/stores/sql/sqlite-data-version.js';

const nextTask = () => new Promise((resolve) => setImmediate(resolve));

/** A coherence over a data_version that never moves, and how many times it was read after construction. */
function countingCoherence() {
  const counter = { reads: 0 };
  const coherence = new SqliteDataVersion(() => {
    counter.reads++;
    return 1;
  });
  counter.reads = 0;
  return { coherence, counter };
}

describe('SqliteDataVersion', () => {
  it('reads data_version once per task, and again in the next task', async () => {
    const { coherence, counter } = countingCoherence();
    for (let i = 0; i < 5; i++) expect(coherence.isLive()).toBe(true);
    await Promise.resolve(); // promise jobs of the same task: still the same check
    expect(coherence.isLive()).toBe(true);
    expect(counter.reads).toBe(1);
    await nextTask();
    coherence.isLive();
    coherence.isLive();
    expect(counter.reads).toBe(2);
  });

  it('holds through the promise jobs of a task whose first check is made in a tick callback', async () => {
    const { coherence, counter } = countingCoherence();
    // As Fastify runs a route's hooks: the session is read in a process.nextTick callback, the user after an await.
    const task = new Promise<void>((resolve) => {
      setImmediate(() => {
        process.nextTick(async () => {
          coherence.isLive();
          await Promise.resolve();
          coherence.isLive();
          await Promise.resolve().then(() => undefined);
          coherence.isLive();
          resolve();
        });
      });
    });
    await task;
    expect(counter.reads).toBe(1);
    await nextTask();
    coherence.isLive();
    expect(counter.reads).toBe(2);
  });

  it('flushes every listener once when another connection committed, seen by the first check of a later task', async () => {
    let version = 1;
    const coherence = new SqliteDataVersion(() => version);
    const flushes: string[] = [];
    coherence.listen({ invalidate: () => {}, flushAll: (reason) => flushes.push(`a: ${reason}`) });
    coherence.listen({ invalidate: () => {}, flushAll: (reason) => flushes.push(`b: ${reason}`) });
    coherence.isLive();
    version = 2; // another process commits
    await nextTask();
    coherence.isLive();
    coherence.isLive();
    expect(flushes).toEqual(['a: another connection committed', 'b: another connection committed']);
  });
});
