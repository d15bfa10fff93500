import { describe, expect, it, vi } from 'vitest';
import { type CacheCoherence, TrackedCache } from '../../src/stores/memory/tracked-cache.js';

class ManualCoherence implements CacheCoherence {
  live = true;
  readonly #listeners = new Set<Parameters<CacheCoherence['listen']>[0]>();
  isLive() {
    return this.live;
  }
  listen(listener: Parameters<CacheCoherence['listen']>[0]) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  invalidate(key: string) {
    for (const l of this.#listeners) l.invalidate(key);
  }
  flushAll() {
    for (const l of this.#listeners) l.flushAll('test');
  }
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('TrackedCache', () => {
  it('serves a second read from memory without calling the loader', async () => {
    const cache = new TrackedCache<string>(new ManualCoherence(), { maxEntries: 10 });
    let loads = 0;
    const load = async () => `v${++loads}`;
    expect(await cache.get('k', load)).toBe('v1');
    expect(await cache.get('k', load)).toBe('v1');
    expect(loads).toBe(1);
  });

  it('an invalidation pushed while a fill is in flight keeps the stale value out of the cache', async () => {
    const coherence = new ManualCoherence();
    const cache = new TrackedCache<string>(coherence, { maxEntries: 10 });
    const slow = deferred<string>();
    const filling = cache.get('k', () => slow.promise);
    coherence.invalidate('k');
    slow.resolve('old');
    expect(await filling).toBe('old');
    expect(await cache.get('k', async () => 'new')).toBe('new');
  });

  it('with localKey, an invalidation naming the coherence key drops the entry held under its own key, in flight too', async () => {
    const coherence = new ManualCoherence();
    const localKey = (key: string) => (key.startsWith('hd:s:{') ? key.slice(6, -1) : key);
    const cache = new TrackedCache<string>(coherence, { maxEntries: 10, localKey });
    expect(await cache.get('abc', async () => 'v1')).toBe('v1');
    coherence.invalidate('hd:s:{abd}');
    coherence.invalidate('hd:u:{abc}');
    expect(await cache.get('abc', async () => 'v2')).toBe('v1');
    coherence.invalidate('hd:s:{abc}');
    expect(await cache.get('abc', async () => 'v3')).toBe('v3');
    const slow = deferred<string>();
    const filling = cache.get('xyz', () => slow.promise);
    coherence.invalidate('hd:s:{xyz}');
    slow.resolve('old');
    expect(await filling).toBe('old');
    expect(await cache.get('xyz', async () => 'new')).toBe('new');
  });

  it('a flush while a fill is in flight keeps the value out of the cache', async () => {
    const coherence = new ManualCoherence();
    const cache = new TrackedCache<string>(coherence, { maxEntries: 10 });
    const slow = deferred<string>();
    const filling = cache.get('k', () => slow.promise);
    coherence.flushAll();
    slow.resolve('old');
    await filling;
    expect(await cache.get('k', async () => 'new')).toBe('new');
  });

  it('serves nothing from memory while the coherence is not live, and stores nothing read meanwhile', async () => {
    const coherence = new ManualCoherence();
    const cache = new TrackedCache<string>(coherence, { maxEntries: 10 });
    await cache.get('k', async () => 'cached');
    coherence.live = false;
    expect(await cache.get('k', async () => 'fresh')).toBe('fresh');
    coherence.live = true;
    expect(await cache.get('k', async () => 'after')).toBe('cached');
    coherence.live = false;
    await cache.get('other', async () => 'read while down');
    coherence.live = true;
    expect(await cache.get('other', async () => 'reloaded')).toBe('reloaded');
  });

  it('does not cache null (a missing record costs a read, garbage keys cannot fill memory)', async () => {
    const cache = new TrackedCache<string>(new ManualCoherence(), { maxEntries: 10 });
    expect(await cache.get('k', async () => null)).toBeNull();
    expect(cache.size).toBe(0);
  });

  it('reads an entry again once it is older than maxAgeMs (safety net for a lost invalidation)', async () => {
    const cache = new TrackedCache<string>(new ManualCoherence(), { maxEntries: 10, maxAgeMs: 0 });
    await cache.get('k', async () => 'old');
    expect(await cache.get('k', async () => 'new')).toBe('new');
  });

  it('serves an entry for at least half of maxAgeMs and never once it is maxAgeMs old (two windows, no timestamps)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const cache = new TrackedCache<string>(new ManualCoherence(), { maxEntries: 10, maxAgeMs: 1_000 });
      let loads = 0;
      const load = async () => `v${++loads}`;
      expect(await cache.get('early', load)).toBe('v1'); // stored at 0 ms, in the window [0, 500)
      vi.advanceTimersByTime(499);
      expect(await cache.get('late', load)).toBe('v2'); // stored at 499 ms, same window
      vi.advanceTimersByTime(500); // 999 ms: one window later, both are the previous window's
      expect(await cache.get('early', load)).toBe('v1');
      expect(await cache.get('late', load)).toBe('v2');
      vi.advanceTimersByTime(1); // 1,000 ms: 'early' would be maxAgeMs old, 'late' 501 ms: both go with their window
      expect(await cache.get('early', load)).toBe('v3');
      expect(await cache.get('late', load)).toBe('v4');
      expect(cache.size).toBe(2);
      vi.advanceTimersByTime(5_000); // idle for many windows: nothing is left
      expect(await cache.get('early', load)).toBe('v5');
      expect(cache.size).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('drops the previous window’s entries first when full, and a composite aged out no longer hears its parts', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const coherence = new ManualCoherence();
      const cache = new TrackedCache<string>(coherence, { maxEntries: 2, maxAgeMs: 1_000 });
      await cache.get('a', async () => 'a');
      await cache.getComposite('id', async () => ({ value: 'by id', dependsOn: ['a'] }));
      vi.advanceTimersByTime(500);
      await cache.get('b', async () => 'b'); // full: the previous window's oldest ('a') goes, not the newer 'b'
      expect(cache.size).toBe(2);
      expect(await cache.get('b', async () => 'b reloaded')).toBe('b');
      expect(await cache.get('a', async () => 'a again')).toBe('a again');
      vi.advanceTimersByTime(1_000);
      await cache.getComposite('id', async () => ({ value: 'by id 2', dependsOn: ['a'] }));
      vi.advanceTimersByTime(1_000); // 'id' ages out with its window
      coherence.invalidate('a'); // nothing left to drop: no stale record of the dependency
      expect(await cache.getComposite('id', async () => ({ value: 'by id 3', dependsOn: [] }))).toBe('by id 3');
    } finally {
      vi.useRealTimers();
    }
  });

  it('drops a composite entry when any key it was built from changes', async () => {
    const coherence = new ManualCoherence();
    const cache = new TrackedCache<string[]>(coherence, { maxEntries: 10 });
    const load = async () => ({ value: ['a', 'b'], dependsOn: ['s:a', 's:b'] });
    await cache.getComposite('list', load);
    expect(await cache.getComposite('list', async () => ({ value: ['x'], dependsOn: [] }))).toEqual(['a', 'b']);
    coherence.invalidate('s:b');
    expect(await cache.getComposite('list', async () => ({ value: ['a'], dependsOn: ['s:a'] }))).toEqual(['a']);
    coherence.invalidate('list');
    expect(await cache.getComposite('list', async () => ({ value: ['c'], dependsOn: [] }))).toEqual(['c']);
  });

  it('keeps a composite value out of the cache when one of its parts changed while it was being built', async () => {
    const coherence = new ManualCoherence();
    const cache = new TrackedCache<string[]>(coherence, { maxEntries: 10 });
    const slow = deferred<{ value: string[]; dependsOn: string[] }>();
    const filling = cache.getComposite('list', () => slow.promise);
    coherence.invalidate('s:a');
    slow.resolve({ value: ['a (old)'], dependsOn: ['s:a'] });
    expect(await filling).toEqual(['a (old)']);
    expect(await cache.getComposite('list', async () => ({ value: ['a (new)'], dependsOn: ['s:a'] }))).toEqual([
      'a (new)',
    ]);
  });

  it('drops the oldest entry beyond maxEntries', async () => {
    const cache = new TrackedCache<string>(new ManualCoherence(), { maxEntries: 2 });
    for (const key of ['a', 'b', 'c']) await cache.get(key, async () => key);
    expect(cache.size).toBe(2);
    expect(await cache.get('a', async () => 'reloaded')).toBe('reloaded');
  });
});
