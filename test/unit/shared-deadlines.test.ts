import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SharedDeadlines } from '../../src/core/shared-deadlines.js';

const timedOut = (ms: number) => new Error(`no answer within ${ms} ms`);
const never = () => new Promise<string>(() => {});
/** Fake timers for setTimeout and the clock only: the deadline is judged in a real setImmediate, awaited here. */
const fakeTimers = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
const afterImmediates = () => new Promise((resolve) => setImmediate(resolve));

describe('SharedDeadlines', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fails an unanswered call after the timeout, and not a millisecond of its window before', async () => {
    fakeTimers();
    const deadlines = new SharedDeadlines(2_000, timedOut, { windowMs: 250 });
    let outcome = 'pending';
    deadlines.guard(never()).catch((error: Error) => {
      outcome = error.message;
    });
    await vi.advanceTimersByTimeAsync(2_249);
    await afterImmediates();
    expect(outcome).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    await afterImmediates();
    expect(outcome).toBe('no answer within 2000 ms');
  });

  it('gives a call sent at the end of a window at least the timeout too', async () => {
    fakeTimers();
    const deadlines = new SharedDeadlines(2_000, timedOut, { windowMs: 250 });
    const outcomes: string[] = [];
    deadlines.guard(never()).catch(() => outcomes.push('first'));
    await vi.advanceTimersByTimeAsync(249);
    deadlines.guard(never()).catch(() => outcomes.push('last of the window'));
    await vi.advanceTimersByTimeAsync(1_999);
    await afterImmediates();
    expect(outcomes).toEqual([]);
    await vi.advanceTimersByTimeAsync(2);
    await afterImmediates();
    expect(outcomes).toEqual(['first', 'last of the window']);
  });

  it('passes answers and failures through untouched, and an answered call never fails later', async () => {
    fakeTimers();
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

describe('SharedDeadlines after a stalled event loop', () => {
  it('counts an answer that arrived during the stall as in time, rather than failing it', async () => {
    // The echo server is another process, so its answer lands in our socket while this process is busy.
    const echo = spawn(process.execPath, [
      '-e',
      "const s=require('node:net').createServer(c=>{c.on('data',d=>c.write(d));c.on('error',()=>{})});" +
        "s.listen(0,'127.0.0.1',()=>console.log(s.address().port))",
    ]);
    try {
      const port = Number(await new Promise<string>((resolve) => echo.stdout.once('data', (d) => resolve(String(d)))));
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => {});
      await new Promise((resolve) => socket.once('connect', resolve));
      const deadlines = new SharedDeadlines(50, timedOut, { windowMs: 5 });
      const echoed = deadlines.guard(new Promise<string>((resolve) => socket.once('data', (d) => resolve(String(d)))));
      socket.write('ping');
      // This process is busy past the deadline while the echo lands in the socket's buffer.
      const busyUntil = Date.now() + 1_000;
      while (Date.now() < busyUntil) {
        // spin
      }
      await expect(echoed).resolves.toBe('ping');
      socket.destroy();
    } finally {
      echo.kill();
    }
  });
});
