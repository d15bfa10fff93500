import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FifoMap } from '../../src/core/fifo-map.js';

describe('FifoMap', () => {
  it('answers the keys in insertion order, skipping deleted ones and placing re-inserted ones last', () => {
    const map = new FifoMap<string, number>();
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3);
    expect(map.oldest()).toBe('a');
    map.delete('a');
    map.delete('b');
    map.set('b', 4);
    map.set('d', 5);
    expect(map.oldest()).toBe('c');
    map.delete('c');
    expect(map.oldest()).toBe('b');
    map.delete('b');
    expect(map.oldest()).toBe('d');
    map.delete('d');
    expect(map.oldest()).toBeUndefined();
    map.set('e', 6);
    expect(map.oldest()).toBe('e');
  });

  it('setWithin evicts the oldest entry for a new key past the bound, and returns it; a held key is replaced in place', () => {
    const map = new FifoMap<string, number>();
    expect(map.setWithin(2, 'a', 1)).toBeUndefined();
    expect(map.setWithin(2, 'b', 2)).toBeUndefined();
    expect(map.setWithin(2, 'a', 3)).toBeUndefined(); // held: replaced, nothing evicted, still the oldest
    expect(map.get('a')).toBe(3);
    expect(map.setWithin(2, 'c', 4)).toEqual(['a', 3]);
    expect(map.has('a')).toBe(false);
    expect(map.size).toBe(2);
    expect(map.oldest()).toBe('b');
  });

  it('setWithin keeps the newest `max` keys, as a reference FIFO does', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }),
        (max, keys) => {
          const map = new FifoMap<number, number>(2);
          const reference: number[] = [];
          keys.forEach((key, step) => {
            const evicted = map.setWithin(max, key, step);
            let expected: number | undefined;
            if (!reference.includes(key)) {
              if (reference.length >= max) expected = reference.shift();
              reference.push(key);
            }
            expect(evicted?.[0]).toBe(expected);
          });
          expect([...map.entries()].map(([key]) => key)).toEqual(reference);
        },
      ),
    );
  });

  it('starts from the new front after clear()', () => {
    const map = new FifoMap<number, number>();
    map.set(1, 1);
    map.set(2, 2);
    expect(map.oldest()).toBe(1);
    map.clear();
    map.set(7, 7);
    map.set(8, 8);
    expect(map.oldest()).toBe(7);
  });

  it('keeps every entry, its value and its place through the rebuilds that many deletions cause', () => {
    const map = new FifoMap<number, string>(256);
    const reference = new Map<number, string>();
    for (let i = 0; i < 5_000; i++) {
      map.set(i, `v${i}`);
      reference.set(i, `v${i}`);
    }
    // Every third key goes: far more deleted slots than the rebuild threshold, in several rounds.
    for (let i = 0; i < 5_000; i += 3) {
      expect(map.delete(i)).toBe(true);
      reference.delete(i);
      expect(map.delete(i)).toBe(false);
    }
    expect(map.size).toBe(reference.size);
    expect([...map.entries()]).toEqual([...reference.entries()]);
    for (const [key, value] of reference) expect(map.get(key)).toBe(value);
    expect(map.oldest()).toBe(1);
  });

  it('after a rebuild, answers from the rebuilt table: a key deleted since is never the oldest', () => {
    const map = new FifoMap<number, number>(4);
    for (let i = 0; i < 16; i++) map.set(i, i);
    expect(map.oldest()).toBe(0);
    map.delete(0);
    // Four more deleted slots: a quarter of what is left, so the table is rebuilt.
    for (let i = 8; i < 12; i++) map.delete(i);
    map.delete(1);
    expect(map.oldest()).toBe(2);
    map.delete(2);
    expect(map.oldest()).toBe(3);
  });

  it('always agrees with a plain Map under any mix of inserts, deletes, evictions and clears, rebuilds included', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.integer({ min: 0, max: 600 }) }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 600 }) }),
      fc.record({ kind: fc.constant('evict' as const) }),
      fc.record({ kind: fc.constant('clear' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 3_000 }), (ops) => {
        const map = new FifoMap<number, number>(16);
        const reference = new Map<number, number>();
        ops.forEach((step, i) => {
          if (step.kind === 'set') {
            map.set(step.key, i);
            reference.set(step.key, i);
          } else if (step.kind === 'delete') {
            expect(map.delete(step.key)).toBe(reference.delete(step.key));
          } else if (step.kind === 'clear') {
            map.clear();
            reference.clear();
          } else {
            const expected = reference.keys().next();
            const got = map.oldest();
            expect(got).toBe(expected.done ? undefined : expected.value);
            if (got !== undefined) {
              map.delete(got);
              reference.delete(got);
            }
          }
          expect(map.size).toBe(reference.size);
        });
        expect([...map.entries()]).toEqual([...reference.entries()]);
      }),
      { numRuns: 200 },
    );
  });
});
