import { describe, expect, it } from 'vitest';
import { freshReads, turnReads } from '../../src/storage/fresh-reads.js';

/** A read whose every call is a promise the test settles by hand, in order. */
function controlledRead() {
  const pending: { resolve: (v: number) => void; reject: (e: Error) => void }[] = [];
  let started = 0;
  const read = () =>
    new Promise<number>((resolve, reject) => {
      started++;
      pending.push({ resolve, reject });
    });
  return { read, started: () => started, settle: (v: number) => pending.shift()!.resolve(v), fail: () => pending.shift()!.reject(new Error('down')) };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('fresh reads', () => {
  it('reads at once for a caller alone', async () => {
    const r = controlledRead();
    const get = freshReads(r.read);
    const a = get();
    expect(r.started()).toBe(1);
    r.settle(1);
    expect(await a).toBe(1);
    const b = get();
    expect(r.started()).toBe(2);
    r.settle(2);
    expect(await b).toBe(2);
  });

  it('never answers a call with a reading begun before it, and serves every call that came meanwhile with one read', async () => {
    const r = controlledRead();
    const get = freshReads(r.read);
    const first = get(); // reading 1 begins
    const later = [get(), get(), get()]; // came while reading 1 was under way
    expect(r.started()).toBe(1);
    r.settle(1);
    expect(await first).toBe(1);
    await tick();
    expect(r.started()).toBe(2); // one more read, begun after they came
    const last = get(); // came while reading 2 was under way: waits for reading 3
    r.settle(2);
    expect(await Promise.all(later)).toEqual([2, 2, 2]);
    await tick();
    expect(r.started()).toBe(3);
    r.settle(3);
    expect(await last).toBe(3);
  });

  it('goes on after a failed reading', async () => {
    const r = controlledRead();
    const get = freshReads(r.read);
    const first = get();
    const second = get();
    r.fail();
    await expect(first).rejects.toThrow('down');
    await tick();
    r.settle(7);
    expect(await second).toBe(7);
  });
});

describe('readings per turn of the event loop', () => {
  it('gives every call of one turn the one reading, taken after the last of them', async () => {
    let value = 0;
    let reads = 0;
    const get = turnReads(() => {
      reads++;
      return value;
    });
    const calls = [get(), get()];
    value = 1; // a write after the first calls, in the same turn: the reading comes after it
    calls.push(get());
    expect(await Promise.all(calls)).toEqual([1, 1, 1]);
    expect(reads).toBe(1);
    value = 2;
    expect(await get()).toBe(2); // a later turn: a reading of its own
    expect(reads).toBe(2);
  });

  it('passes a failed reading to the calls of its turn, and reads again on the next', async () => {
    let fail = true;
    const get = turnReads(() => {
      if (fail) throw new Error('closed');
      return 'ok';
    });
    await expect(get()).rejects.toThrow('closed');
    fail = false;
    expect(await get()).toBe('ok');
  });
});
