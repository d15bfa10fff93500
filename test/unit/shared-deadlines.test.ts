import { afterEach, describe, expect, it, vi } from 'vitest';
import { SharedDeadlines } from '../../src/core/shared-deadlines.js';

const timedOut = (ms: number) => new Error(`no answer within ${ms} ms`);
const never = () => new Promise<string>(() => {});

describe('SharedDeadlines', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fails an unanswered call after the timeout, and not a millisecond of its window before', async () => {
    vi.useFakeTimers();
    const deadlines = new SharedDeadlines(2_000, timedOut, { windowMs: 250 });
    let outcome = 'pending';
    deadlines.guard(never()).catch((error: Error) => {
      outcome = error.message;
    });
    await vi.advanceTimersByTimeAsync(2_249);
    expect(outcome).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome).toBe('no answer within 2000 ms');
  });

  it('gives a call sent at the end of a window at least the timeout too', async () => {
    vi.useFakeTimers();
    const deadlines = new SharedDeadlines(2_000, timedOut, { windowMs: 250 });
    const outcomes: string[] = [];
    deadlines.guard(never()).catch(() => outcomes.push('first'));
    await vi.advanceTimersByTimeAsync(249);
    deadlines.guard(never()).catch(() => outcomes.push('last of the window'));
    await vi.advanceTimersByTimeAsync(1_999);
    expect(outcomes).toEqual([]);
    await vi.advanceTimersByTimeAsync(2);
    expect(outcomes).toEqual(['first', 'last of the window']);
  });

  it('passes answers and failures through untouched, and an answered call never fails later', async () => {
    vi.useFakeTimers();
    const deadlines = new SharedDeadlines(100, timedOut, { windowMs: 10 });
    await expect(deadlines.guard(Promise.resolve('answer'))).resolves.toBe('answer');
    const refusal = { refused: true };
    await expect(deadlines.guard(Promise.reject(refusal))).rejects.toBe(refusal);
    const answered = deadlines.guard(
      new Promise<string>((resolve) => setTimeout(() => resolve('late but in time'), 90)),
    );
    await vi.advanceTimersByTimeAsync(500);
    await expect(answered).resolves.toBe('late but in time');
  });
});
