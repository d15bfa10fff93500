import type { Clock } from '../../src/core/clock.js';

/** A clock that only moves when told to: time-dependent behaviour without sleeping. */
export class FakeClock implements Clock {
  #now: number;

  constructor(start = Date.UTC(2026, 10, 25, 12, 0, 0)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  advance(ms: number): void {
    this.#now += ms;
  }
}
