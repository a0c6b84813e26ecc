// PackageRepo.writeChange on each engine: a guarded move that changes no row makes the whole change answer
// false (on PostgreSQL from inside its one statement), and a change that moves one item twice, which one
// PostgreSQL statement cannot hold, is written row by row and exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, openTestStore, type TestStore } from '../support/engines.js';
import { FixedClock } from '../../src/domain/clock.js';
import type { Deps } from '../../src/application/context.js';
import type { PackageChange } from '../../src/application/ports.js';
import type { BalanceMove } from '../../src/domain/decision.js';
import { furnishSalon } from '../support/salon.js';

const START = Date.parse('2026-06-01T10:00:00Z');
const rolledBack = new Error('rolled back by the test');

describe.each(ENGINES)('writeChange on %s', (engine) => {
  let ts: TestStore;
  let deps: Deps;
  beforeAll(async () => {
    ts = await openTestStore(engine);
    deps = { store: ts.store, clock: new FixedClock(START), masterKey: null };
  });
  afterAll(() => ts.close());

  /** A sold package of 3 visits; answers its ids and how its one item stands now. */
  async function soldPackage() {
    const { companyId, sell } = await furnishSalon(deps, { units: 3 });
    const pkg = await sell();
    const item = async () => (await ts.store.read.packages.get(companyId, pkg.id))!.items[0]!;
    return { companyId, packageId: pkg.id, itemId: pkg.items[0]!.id, item };
  }

  /** Runs writeChange with these moves on the locked package, answers what it said, then rolls back if asked. */
  async function write(companyId: string, packageId: string, moves: BalanceMove[], keep: boolean): Promise<boolean> {
    let answer: boolean | undefined;
    try {
      await ts.store.transaction(async (repos) => {
        const state = (await repos.packages.lockForUpdate(companyId, packageId))!;
        const change: PackageChange = { moves, redemptions: [], at: START, events: [], state, messages: [] };
        answer = await repos.packages.writeChange(change);
        if (!keep) throw rolledBack;
      });
    } catch (error) {
      if (error !== rolledBack) throw error;
    }
    return answer!;
  }

  it('locks the package as it reads it: every field the same, the sequence number the next one', async () => {
    // On PostgreSQL the lock brings each row back as JSON, the read as columns: the two must never differ.
    const { companyId, sell } = await furnishSalon(deps, { units: 3 });
    const sold = await sell();
    const read = (await ts.store.read.packages.get(companyId, sold.id))!;
    let locked: typeof read | undefined;
    await ts.store.transaction(async (repos) => void (locked = await repos.packages.lockForUpdate(companyId, sold.id)));
    expect(locked).toEqual({ ...read, eventSeq: read.eventSeq + 1 });
  });

  it('answers false when a guarded move changes no row', async () => {
    const p = await soldPackage();
    expect(await write(p.companyId, p.packageId, [{ kind: 'consume', itemId: p.itemId, n: 4 }], false)).toBe(false);
    expect(await p.item()).toMatchObject({ remaining: 3, used: 0 });
  });

  it('answers false when the second of two moves is refused, whether or not they touch one item', async () => {
    const p = await soldPackage();
    const twice: BalanceMove[] = [
      { kind: 'consume', itemId: p.itemId, n: 2 },
      { kind: 'consume', itemId: p.itemId, n: 2 },
    ];
    expect(await write(p.companyId, p.packageId, twice, false)).toBe(false);
    expect(await p.item()).toMatchObject({ remaining: 3, used: 0 });
  });

  it('writes a change that moves one item twice exactly, row by row', async () => {
    const p = await soldPackage();
    const moves: BalanceMove[] = [
      { kind: 'hold', itemId: p.itemId, n: 1 },
      { kind: 'consume', itemId: p.itemId, n: 1 },
    ];
    expect(await write(p.companyId, p.packageId, moves, true)).toBe(true);
    expect(await p.item()).toMatchObject({ remaining: 1, used: 1, held: 1 });
  });

  it('writes a change of one move and the state in one go', async () => {
    const p = await soldPackage();
    expect(await write(p.companyId, p.packageId, [{ kind: 'consume', itemId: p.itemId, n: 3 }], true)).toBe(true);
    expect(await p.item()).toMatchObject({ remaining: 0, used: 3 });
  });
});
