import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OldestKey } from '../../src/core/oldest-key.js';

describe('OldestKey', () => {
  it('answers the keys in insertion order, skipping deleted ones and placing re-inserted ones last', () => {
    const map = new Map<string, number>([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    const oldest = new OldestKey(map);
    expect(oldest.next()).toBe('a');
    map.delete('a');
    map.delete('b');
    map.set('b', 4);
    map.set('d', 5);
    expect(oldest.next()).toBe('c');
    map.delete('c');
    expect(oldest.next()).toBe('b');
    map.delete('b');
    expect(oldest.next()).toBe('d');
    map.delete('d');
    expect(oldest.next()).toBeUndefined();
    map.set('e', 6);
    expect(oldest.next()).toBe('e');
  });

  it('starts from the new front after clear() and reset()', () => {
    const map = new Map<number, number>([
      [1, 1],
      [2, 2],
    ]);
    const oldest = new OldestKey(map);
    expect(oldest.next()).toBe(1);
    map.clear();
    oldest.reset();
    map.set(7, 7);
    map.set(8, 8);
    expect(oldest.next()).toBe(7);
  });

  it('always agrees with a fresh keys().next() under any mix of inserts, deletes and evictions', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ kind: fc.constant('evict' as const) }),
      fc.record({ kind: fc.constant('clear' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const map = new Map<number, true>();
        const oldest = new OldestKey(map);
        for (const step of ops) {
          if (step.kind === 'set') map.set(step.key, true);
          else if (step.kind === 'delete') map.delete(step.key);
          else if (step.kind === 'clear') {
            map.clear();
            oldest.reset();
          } else {
            const expected = map.keys().next();
            const got = oldest.next();
            expect(got).toBe(expected.done ? undefined : expected.value);
            if (got !== undefined) map.delete(got);
          }
        }
      }),
    );
  });
});
