import { describe, expect, it } from 'vitest';
import { memoizeFor } from '../../src/core/memoize-for.js';

describe('memoizeFor()', () => {
  it('answers from one run until it is older than the limit, then runs again', async () => {
    let now = 0;
    let runs = 0;
    const check = memoizeFor(
      250,
      async () => ++runs,
      () => now,
    );
    expect(await check()).toBe(1);
    now = 249;
    expect(await check()).toBe(1);
    now = 250;
    expect(await check()).toBe(2);
  });

  it('shares one in-flight run among concurrent callers', async () => {
    let runs = 0;
    let release!: () => void;
    const check = memoizeFor(
      0,
      () => new Promise<number>((resolve) => (release = () => resolve(++runs))),
      () => 0,
    );
    const answers = Promise.all([check(), check(), check()]);
    release();
    expect(await answers).toEqual([1, 1, 1]);
  });

  it('keeps no failed run: the next call tries again', async () => {
    let calls = 0;
    const check = memoizeFor(
      10_000,
      async () => {
        calls++;
        if (calls === 1) throw new Error('store down');
        return 'ok';
      },
      () => 0,
    );
    await expect(check()).rejects.toThrow('store down');
    expect(await check()).toBe('ok');
  });
});
