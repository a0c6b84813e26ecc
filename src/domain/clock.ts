// Use cases ask an injected Clock for the time, so tests can stand on any day (a DST change, a month end).

import { invalidArgument } from './errors.js';

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export class FixedClock implements Clock {
  #ms: number;

  constructor(ms: number) {
    this.#ms = requireMs(ms);
  }

  now(): number {
    return this.#ms;
  }

  set(ms: number): void {
    this.#ms = requireMs(ms);
  }

  advance(ms: number): void {
    this.#ms = requireMs(this.#ms + requireMs(ms));
  }
}

function requireMs(ms: number): number {
  if (!Number.isSafeInteger(ms)) throw invalidArgument('ms', 'must be an integer number of milliseconds');
  return ms;
}
