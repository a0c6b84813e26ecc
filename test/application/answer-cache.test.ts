// The answer cache serves rendered bytes again only while nothing they show can differ: the page's versions
// (found) or the store's write generation (writes), the reference generation, and time (readingChangesAt).
import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { AnswerCache, foundOf } from '../../src/application/answer-cache.js';
import type { PackageView } from '../../src/application/package-tx.js';
import * as timePasses from '../../src/domain/time-passes.js';
import { at, hold as baseHold, item, pkg as basePackage } from '../support/domain-fixtures.js';

// Lets one test make readingChangesAt answer what no real package can (not after asOf); the rest see the real one.
vi.mock('../../src/domain/time-passes.js', async (original) => {
  const real = await original<typeof import('../../src/domain/time-passes.js')>();
  return { ...real, readingChangesAt: vi.fn(real.readingChangesAt) };
});

const NOW = at('2025-03-01T12:00:00Z');
const bytes = (text: string) => new TextEncoder().encode(text);
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

/** A package that never expires, started long ago, one unit held: time changes nothing but the hold. */
const pkg = () => basePackage({ endTime: null, validity: { never: true }, items: [item({ held: 1 })] });
const hold = (holdExpireTime: number | null) => baseHold({ holdExpireTime, redeemTime: NOW - 60_000, createTime: NOW - 60_000, updateTime: NOW - 60_000 });

const timeless: PackageView = { pkg: pkg(), holds: [], asOf: NOW };
/** A view whose hold lapses at `x` (then its unit comes back). */
const lapsingAt = (x: number): PackageView => ({ pkg: pkg(), holds: [hold(x)], asOf: NOW });

describe('the answer cache', () => {
  it('serves an answer only when what was found, the generation and the time all match', () => {
    const cache = new AnswerCache();
    const x = NOW + 60_000;
    expect(cache.get('k', 'f', null, 1, NOW)).toBeUndefined();
    cache.set('k', 'f', null, 1, NOW, [timeless, lapsingAt(x)], bytes('answer'));
    expect(text(cache.get('k', 'f', null, 1, NOW))).toBe('answer');
    expect(text(cache.get('k', 'f', null, 1, x - 1))).toBe('answer');
    expect(cache.get('other', 'f', null, 1, NOW)).toBeUndefined();
    expect(cache.get('k', 'f', null, 2, NOW)).toBeUndefined(); // reference data changed
    cache.set('k', 'f', null, 1, NOW, [lapsingAt(x), timeless], bytes('answer'));
    expect(cache.get('k', 'f', null, 1, x)).toBeUndefined(); // the hold has lapsed by then (the earliest view decides)
    cache.set('k', 'f', null, 1, NOW, [lapsingAt(x)], bytes('answer'));
    expect(cache.get('k', 'f2', null, 1, NOW)).toBeUndefined(); // a package changed
    // and a miss forgets the answer: it is not served to the old versions afterwards either
    expect(cache.get('k', 'f', null, 1, NOW)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps an answer of packages that time never changes for as long as nothing else changes', () => {
    const cache = new AnswerCache();
    cache.set('k', 'f', null, 1, NOW, [timeless], bytes('answer'));
    expect(text(cache.get('k', 'f', null, 1, NOW + 50 * 365 * 86_400_000))).toBe('answer');
    cache.set('empty', 'f', null, 1, NOW, [], bytes('no packages'));
    expect(text(cache.get('empty', 'f', null, 1, NOW + 86_400_000))).toBe('no packages');
  });

  it('serves unchanged() only while the write generation is the one remembered, never when it is unknown', () => {
    const cache = new AnswerCache();
    const x = NOW + 60_000;
    cache.set('k', 'f', 'w1', 1, NOW, [lapsingAt(x)], bytes('answer'));
    expect(text(cache.unchanged('k', 'w1', 1, NOW))).toBe('answer');
    expect(cache.unchanged('k', 'w2', 1, NOW)).toBeUndefined(); // something was written somewhere
    expect(cache.unchanged('k', 'w1', 2, NOW)).toBeUndefined(); // reference data changed
    expect(cache.unchanged('k', 'w1', null, NOW)).toBeUndefined(); // reference generation unknown
    expect(cache.unchanged('k', 'w1', 1, x)).toBeUndefined(); // time changed it
    expect(cache.unchanged('k', null, 1, NOW)).toBeUndefined(); // the write generation cannot be known
    expect(cache.unchanged('other', 'w1', 1, NOW)).toBeUndefined();
    expect(text(cache.unchanged('k', 'w1', 1, x - 1))).toBe('answer'); // and none of those forgot it

    // An answer kept without a write generation is never served without reading the versions.
    cache.set('n', 'f', null, 1, NOW, [timeless], bytes('answer'));
    expect(cache.unchanged('n', null, 1, NOW)).toBeUndefined();
    expect(cache.unchanged('n', 'null', 1, NOW)).toBeUndefined();
    expect(text(cache.get('n', 'f', null, 1, NOW))).toBe('answer');
  });

  it('get remembers the write generation it was given: a later unchanged() with it serves', () => {
    const cache = new AnswerCache();
    cache.set('k', 'f', 'w1', 1, NOW, [timeless], bytes('answer'));
    // Something was written elsewhere (w2), but the page's versions are what they were.
    expect(cache.unchanged('k', 'w2', 1, NOW)).toBeUndefined();
    expect(text(cache.get('k', 'f', 'w2', 1, NOW))).toBe('answer');
    expect(text(cache.unchanged('k', 'w2', 1, NOW))).toBe('answer');
    expect(cache.unchanged('k', 'w1', 1, NOW)).toBeUndefined(); // the old one no longer names it
    // A get that could not know the write generation leaves nothing unchanged() may trust.
    expect(text(cache.get('k', 'f', null, 1, NOW))).toBe('answer');
    expect(cache.unchanged('k', 'w2', 1, NOW)).toBeUndefined();
    // A get that misses remembers nothing.
    cache.set('m', 'f', 'w1', 1, NOW, [timeless], bytes('answer'));
    expect(cache.get('m', 'f', 'w3', 2, NOW)).toBeUndefined();
    expect(cache.unchanged('m', 'w3', 1, NOW)).toBeUndefined();
    expect(cache.unchanged('m', 'w1', 1, NOW)).toBeUndefined();
  });

  it('keeps nothing while the generation is unknown', () => {
    const cache = new AnswerCache();
    cache.set('k', 'f', 'w1', null, NOW, [timeless], bytes('answer'));
    expect(cache.size).toBe(0);
    expect(cache.get('k', 'f', 'w1', null, NOW)).toBeUndefined();
    expect(cache.unchanged('k', 'w1', null, NOW)).toBeUndefined();
    // and an answer kept under a known generation is not served while it is unknown
    cache.set('k', 'f', 'w1', 1, NOW, [timeless], bytes('answer'));
    expect(cache.get('k', 'f', 'w1', null, NOW)).toBeUndefined();
  });

  it('keeps nothing when the views say their reading may change by asOf', () => {
    const changesAt = vi.mocked(timePasses.readingChangesAt);
    const cache = new AnswerCache();
    changesAt.mockReturnValueOnce(NOW);
    cache.set('k', 'f', 'w1', 1, NOW, [timeless], bytes('answer'));
    expect(cache.size).toBe(0);
    changesAt.mockReturnValueOnce(NOW - 1);
    cache.set('k', 'f', 'w1', 1, NOW, [timeless], bytes('answer'));
    expect(cache.size).toBe(0);
    // the earliest view decides, whichever it is
    changesAt.mockReturnValueOnce(NOW).mockReturnValueOnce(Infinity);
    cache.set('k', 'f', 'w1', 1, NOW, [timeless, timeless], bytes('answer'));
    expect(cache.size).toBe(0);
    // a millisecond later is enough to keep it, for that millisecond only
    changesAt.mockReturnValueOnce(NOW + 1);
    cache.set('k', 'f', 'w1', 1, NOW, [timeless], bytes('answer'));
    expect(text(cache.get('k', 'f', 'w1', 1, NOW))).toBe('answer');
    expect(cache.unchanged('k', 'w1', 1, NOW + 1)).toBeUndefined();
    // it is asked of each view, as of the answer's asOf
    changesAt.mockClear();
    cache.set('k2', 'f', 'w1', 1, NOW + 5, [timeless, lapsingAt(NOW + 60_000)], bytes('answer'));
    expect(changesAt.mock.calls.map(([, asOf]) => asOf)).toEqual([NOW + 5, NOW + 5]);
    expect(text(cache.get('k2', 'f', 'w1', 1, NOW + 59_999))).toBe('answer');
    expect(cache.get('k2', 'f', 'w1', 1, NOW + 60_000)).toBeUndefined();
  });

  it('keeps at most max answers, dropping the least recently used', () => {
    const cache = new AnswerCache({ max: 2 });
    cache.set('a', 'f', 'w', 1, NOW, [], bytes('A'));
    cache.set('b', 'f', 'w', 1, NOW, [], bytes('B'));
    expect(text(cache.get('a', 'f', 'w', 1, NOW))).toBe('A'); // a is now the more recently used
    cache.set('c', 'f', 'w', 1, NOW, [], bytes('C'));
    expect(cache.size).toBe(2);
    expect(cache.get('b', 'f', 'w', 1, NOW)).toBeUndefined();
    expect(text(cache.unchanged('a', 'w', 1, NOW))).toBe('A');
    expect(text(cache.unchanged('c', 'w', 1, NOW))).toBe('C');
  });

  it('keeps at most maxBytes, dropping the least recently used, and never an answer larger than that', () => {
    // Each answer counts its bytes, twice the length of what was found, and 200 for the entry.
    const cache = new AnswerCache({ maxBytes: 1000 });
    const answer = (n: number) => new Uint8Array(n);
    cache.set('a', 'ff', 'w', 1, NOW, [], answer(296)); // 500
    cache.set('b', 'ff', 'w', 1, NOW, [], answer(296)); // 1000: exactly full
    expect(cache.size).toBe(2);
    cache.unchanged('a', 'w', 1, NOW);
    cache.set('c', 'f', 'w', 1, NOW, [], answer(1)); // 203: b, the least recently used, goes
    expect(cache.size).toBe(2);
    expect(cache.unchanged('b', 'w', 1, NOW)).toBeUndefined();
    expect(cache.unchanged('a', 'w', 1, NOW)).toBeDefined();
    expect(cache.unchanged('c', 'w', 1, NOW)).toBeDefined();
    // Too large for the whole cache: not kept, and it pushes nothing out.
    cache.set('huge', '', 'w', 1, NOW, [], answer(801));
    expect(cache.unchanged('huge', 'w', 1, NOW)).toBeUndefined();
    expect(cache.size).toBe(2);
    // Replacing an answer with one too large drops the old one too (it no longer shows what is current).
    cache.set('a', 'ff', 'w', 1, NOW, [], answer(2000));
    expect(cache.unchanged('a', 'w', 1, NOW)).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('behaves as an LRU bounded by entries and bytes over any sequence of uses', () => {
    type Op = { kind: 'set'; key: number; size: number } | { kind: 'get' | 'unchanged' | 'stale'; key: number };
    const key = fc.integer({ min: 0, max: 7 });
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key, size: fc.integer({ min: 0, max: 700 }) }),
      fc.record({ kind: fc.constantFrom('get' as const, 'unchanged' as const, 'stale' as const), key }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 250, max: 2000 }), fc.array(op, { maxLength: 40 }), (max, maxBytes, ops) => {
        const cache = new AnswerCache({ max, maxBytes });
        const cost = (size: number) => size + 2 * 'f'.length + 200;
        // The model: keys from least to most recently used, with each entry's counted size.
        let model: { key: string; size: number }[] = [];
        const touch = (k: string) => {
          const found = model.find((e) => e.key === k);
          if (found) model = [...model.filter((e) => e !== found), found];
          return found;
        };
        for (const o of ops) {
          const k = `k${o.key}`;
          if (o.kind === 'set') {
            model = model.filter((e) => e.key !== k);
            cache.set(k, 'f', 'w', 1, NOW, [], new Uint8Array(o.size).fill(o.key));
            if (cost(o.size) <= maxBytes) {
              model.push({ key: k, size: cost(o.size) });
              while (model.length > max || model.reduce((n, e) => n + e.size, 0) > maxBytes) model.shift();
            }
          } else if (o.kind === 'stale') {
            expect(cache.get(k, 'other', 'w', 1, NOW)).toBeUndefined();
            model = model.filter((e) => e.key !== k);
          } else {
            const served = o.kind === 'get' ? cache.get(k, 'f', 'w', 1, NOW) : cache.unchanged(k, 'w', 1, NOW);
            const kept = touch(k);
            expect(served !== undefined).toBe(kept !== undefined);
            if (served) expect(served.byteLength + 2 + 200).toBe(kept!.size);
            if (served && served.length > 0) expect(served[0]).toBe(o.key);
          }
          expect(cache.size).toBe(model.length);
          expect(cache.size).toBeLessThanOrEqual(max);
        }
        // What is still served never adds up to more than the bound.
        let total = 0;
        for (let n = 0; n < 8; n++) total += (cache.unchanged(`k${n}`, 'w', 1, NOW)?.byteLength ?? -202) + 202;
        expect(total).toBeLessThanOrEqual(maxBytes);
      }),
      { numRuns: 300 },
    );
  });
});

describe('foundOf', () => {
  it('names each version and everything else shown, so that any change makes another string', () => {
    expect(foundOf([{ id: 'p1', eventSeq: 3 }, { id: 'p2', eventSeq: 1 }], 2)).toBe('2|p1:3|p2:1');
    const base = foundOf([{ id: 'p1', eventSeq: 3 }, { id: 'p2', eventSeq: 1 }], 2);
    expect(foundOf([{ id: 'p1', eventSeq: 4 }, { id: 'p2', eventSeq: 1 }], 2)).not.toBe(base);
    expect(foundOf([{ id: 'p2', eventSeq: 1 }, { id: 'p1', eventSeq: 3 }], 2)).not.toBe(base); // order shows
    expect(foundOf([{ id: 'p1', eventSeq: 3 }, { id: 'p2', eventSeq: 1 }], 3)).not.toBe(base); // the count shows
    expect(foundOf([{ id: 'p1', eventSeq: 3 }], 2)).not.toBe(base);
    expect(foundOf([], 0)).not.toBe(foundOf([]));
  });
});
