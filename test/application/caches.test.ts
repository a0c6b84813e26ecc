import { describe, expect, it } from 'vitest';
import { GenerationCache } from '../../src/application/generation-cache.js';
import { PackageCache } from '../../src/application/package-cache.js';
import type { CustomerPackage } from '../../src/domain/package.js';

describe('the generation cache', () => {
  it('serves an entry only while the generation it was read under holds', () => {
    const cache = new GenerationCache<string>();
    expect(cache.get('k', 1)).toBeUndefined();
    cache.set('k', 'v', 1);
    expect(cache.get('k', 1)).toBe('v');
    expect(cache.get('k', 2)).toBeUndefined(); // something changed somewhere: all gone
    expect(cache.get('k', 1)).toBeUndefined();
  });

  it('refuses to store what was read under a generation that has since moved', () => {
    const cache = new GenerationCache<string>();
    cache.get('k', 1);
    cache.set('k', 'read before the change', 0);
    expect(cache.get('k', 1)).toBeUndefined();
  });

  it('caches nothing while the generation cannot be known', () => {
    const cache = new GenerationCache<string>();
    cache.get('k', null);
    cache.set('k', 'v', 0);
    expect(cache.get('k', null)).toBeUndefined();
  });

  it('keeps at most its limit in a generation, dropping the least recently used rather than all', () => {
    const cache = new GenerationCache<string>(2);
    cache.get('a', 1);
    cache.set('a', 'A', 1);
    cache.set('b', 'B', 1);
    expect(cache.get('a', 1)).toBe('A'); // a read: now b is the least recently used
    cache.set('c', 'C', 1);
    expect(cache.get('b', 1)).toBeUndefined();
    expect(cache.get('a', 1)).toBe('A');
    expect(cache.get('c', 1)).toBe('C');
  });

  it('empties on clear, as after a change made by this process', () => {
    const cache = new GenerationCache<string>();
    cache.get('k', 5);
    cache.set('k', 'v', 5);
    cache.clear();
    expect(cache.get('k', 5)).toBeUndefined();
  });
});

describe('the package cache', () => {
  const pkg = (id: string, eventSeq: number) => ({ companyId: 'c', id, eventSeq }) as unknown as CustomerPackage;

  it('serves a package only at the version it holds', () => {
    const cache = new PackageCache();
    cache.set({ pkg: pkg('p1', 3), holds: [] });
    expect(cache.get('c', 'p1', 3)?.pkg.eventSeq).toBe(3);
    expect(cache.get('c', 'p1', 4)).toBeUndefined();
    expect(cache.get('other', 'p1', 3)).toBeUndefined();
  });

  it('drops the least recently stored package when full', () => {
    const cache = new PackageCache(2);
    cache.set({ pkg: pkg('p1', 1), holds: [] });
    cache.set({ pkg: pkg('p2', 1), holds: [] });
    cache.set({ pkg: pkg('p3', 1), holds: [] });
    expect(cache.get('c', 'p1', 1)).toBeUndefined();
    expect(cache.get('c', 'p3', 1)).toBeDefined();
  });

  it('keeps a package that is read: the least recently used goes first', () => {
    const cache = new PackageCache(2);
    cache.set({ pkg: pkg('p1', 1), holds: [] });
    cache.set({ pkg: pkg('p2', 1), holds: [] });
    expect(cache.get('c', 'p1', 1)).toBeDefined();
    cache.set({ pkg: pkg('p3', 1), holds: [] });
    expect(cache.get('c', 'p2', 1)).toBeUndefined();
    expect(cache.get('c', 'p1', 1)).toBeDefined();
  });
});
