// Group commit: the commands that reach the queue in one turn go together into one transaction, each in a
// savepoint of its own, and none is answered before that transaction committed. First the queue alone, with a
// batch runner the test settles by hand; then Db.batch and the use cases on each engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { GroupCommit, type BatchReport, type BatchWork, type GroupCommitLimits, type Settled, type WorkScope } from '../../src/storage/group-commit.js';
import type { Queryable } from '../../src/storage/database.js';
import { ENGINES, openTestStore, type TestStore } from '../support/engines.js';
import { FixedClock } from '../../src/domain/clock.js';
import { DomainError } from '../../src/domain/errors.js';
import type { Deps } from '../../src/application/context.js';
import type { WriteBatch } from '../../src/application/ports.js';
import { redeem } from '../../src/application/redemption.js';
import { verifyLedger } from '../../src/application/verify.js';
import { MASTER, VISIT, furnishSalon } from '../support/salon.js';

/** The end of this turn of the event loop: a batch scheduled before it has started by then. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await nextTurn();
};

/** One call of the fake RunBatch: which commands it was given, in the order it was given them. */
interface FakeRun {
  readonly labels: string[];
  /** Runs the works one after another, as a transaction would, without answering yet. */
  execute(): Promise<void>;
  /** Answers with each work's outcome: the commit returned. */
  commit(): void;
  /** execute() then commit(). */
  complete(): Promise<void>;
  /** The transaction as a whole failed. */
  fail(error: unknown): void;
}

/** A GroupCommit over a fake runner, and commands named by a label that their work answers. */
function harness(limits: Partial<GroupCommitLimits> = {}) {
  const runs: FakeRun[] = [];
  const executed: string[] = [];
  const reports: BatchReport[] = [];
  const labelOf = new Map<BatchWork<null>, string>();
  const group = new GroupCommit<null>(
    (works) =>
      new Promise<Settled[]>((resolve, reject) => {
        let settled: Settled[] | undefined;
        const run: FakeRun = {
          labels: works.map((w) => labelOf.get(w)!),
          async execute() {
            settled = [];
            for (const work of works) {
              try {
                settled.push({ ok: true, value: await work(null, { wrote: false, shared: new Map() }) });
              } catch (error) {
                settled.push({ ok: false, error });
              }
            }
          },
          commit: () => resolve(settled!),
          async complete() {
            await run.execute();
            run.commit();
          },
          fail: reject,
        };
        runs.push(run);
      }),
    { maxCommands: 100, maxBytes: 1000, writers: 1, ...limits },
    (report) => reports.push(report),
  );
  /** Submits a command whose work answers its label (or throws `fails`). */
  const submit = (label: string, options: { target?: string; bytes?: number; fails?: unknown } = {}) => {
    const work: BatchWork<null> = async () => {
      executed.push(label);
      if (options.fails !== undefined) throw options.fails;
      return label;
    };
    labelOf.set(work, label);
    return group.submit<string>({ work, target: options.target ?? '', bytes: options.bytes ?? 1 });
  };
  return { group, runs, executed, reports, submit };
}

/** Whether a promise has settled yet, looked at without waiting for it. */
function watch(promise: Promise<unknown>) {
  const state = { settled: false };
  promise.then(
    () => void (state.settled = true),
    () => void (state.settled = true),
  );
  return state;
}

describe('GroupCommit with a fake batch runner', () => {
  it('puts the commands submitted in one turn into one batch, started when the turn ends', async () => {
    const { runs, submit } = harness();
    const answers = [submit('a')];
    // Later in the same turn, after awaits (as a request whose handler awaited something quick).
    await Promise.resolve();
    answers.push(submit('b'));
    for (let i = 0; i < 10; i++) await Promise.resolve();
    answers.push(submit('c'));
    expect(runs).toHaveLength(0); // not at once: others of this turn may still come
    await nextTurn();
    expect(runs.map((r) => r.labels)).toEqual([['a', 'b', 'c']]);
    await runs[0]!.complete();
    expect(await Promise.all(answers)).toEqual(['a', 'b', 'c']);
    expect(runs).toHaveLength(1);
  });

  it('drains on close: answers every command already taken, in flight or waiting, and refuses new ones', async () => {
    const { group, runs, submit } = harness();
    const first = submit('a');
    await nextTurn();
    const waiting = submit('b'); // queued behind the batch in flight
    const drained = watch(group.drain());
    await expect(submit('late')).rejects.toThrow(/closing/);
    await turns(3);
    expect(drained.settled).toBe(false);
    await runs[0]!.complete();
    await nextTurn();
    expect(runs.map((r) => r.labels)).toEqual([['a'], ['b']]);
    expect(drained.settled).toBe(false);
    await runs[1]!.complete();
    await turns(2);
    expect(drained.settled).toBe(true);
    expect(await Promise.all([first, waiting])).toEqual(['a', 'b']);
  });

  it('fails every command of a batch whose runner answered fewer outcomes than works', async () => {
    const group = new GroupCommit<null>(async () => [{ ok: true, value: 'only one' }], { maxCommands: 10, maxBytes: 100, writers: 1 });
    const answers = [group.submit({ work: async () => 'a', target: '', bytes: 1 }), group.submit({ work: async () => 'b', target: '', bytes: 1 })];
    for (const answer of answers) await expect(answer).rejects.toThrow(/2 came back with 1/);
  });

  it('runs a lone command as a batch of one once its turn ends, waiting for no others', async () => {
    const { runs, submit } = harness();
    const answer = submit('alone');
    await nextTurn();
    expect(runs.map((r) => r.labels)).toEqual([['alone']]);
    await runs[0]!.complete();
    expect(await answer).toBe('alone');
  });

  it('bounds a batch by maxCommands, the rest going in the next batch', async () => {
    // Writers enough for every batch at once: what each batch took is seen in one turn.
    const { runs, submit } = harness({ maxCommands: 2, writers: 10 });
    for (const label of ['a', 'b', 'c', 'd', 'e']) void submit(label);
    await nextTurn();
    expect(runs.map((r) => r.labels)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('bounds a batch by maxBytes, a batch filled exactly to the bound included', async () => {
    const { runs, submit } = harness({ maxBytes: 10, writers: 10 });
    void submit('a', { bytes: 4 });
    void submit('b', { bytes: 6 });
    void submit('c', { bytes: 1 });
    void submit('d', { bytes: 5 });
    void submit('e', { bytes: 5 });
    void submit('f', { bytes: 1 });
    await nextTurn();
    expect(runs.map((r) => r.labels)).toEqual([['a', 'b'], ['c', 'd'], ['e', 'f']]);
  });

  it('runs a command bigger than maxBytes alone', async () => {
    const { runs, submit } = harness({ maxBytes: 10, writers: 10 });
    void submit('small', { bytes: 3 });
    void submit('big', { bytes: 50 });
    void submit('after', { bytes: 3 });
    void submit('last', { bytes: 3 });
    await nextTurn();
    expect(runs.map((r) => r.labels)).toEqual([['small'], ['big'], ['after', 'last']]);
  });

  it('runs a batch sorted by target, commands on one target in their order of arrival, each answered its own result', async () => {
    const { runs, executed, submit } = harness();
    const answers = {
      a: submit('a', { target: 'pkg_2' }),
      b: submit('b', { target: 'pkg_1' }),
      c: submit('c', { target: 'pkg_2' }),
      d: submit('d', { target: '' }),
      e: submit('e', { target: 'pkg_1' }),
      f: submit('f', { target: 'pkg_2' }),
    };
    await nextTurn();
    expect(runs[0]!.labels).toEqual(['d', 'b', 'e', 'a', 'c', 'f']);
    await runs[0]!.complete();
    expect(executed).toEqual(['d', 'b', 'e', 'a', 'c', 'f']);
    for (const [label, answer] of Object.entries(answers)) expect(await answer).toBe(label);
  });

  it('answers no command before its batch run has resolved, not even one whose work has finished', async () => {
    const { runs, submit } = harness();
    const answer = submit('a');
    const refused = submit('b', { fails: new Error('refused') });
    const [a, b] = [watch(answer), watch(refused)];
    await nextTurn();
    await runs[0]!.execute(); // the works ran and returned; the commit has not
    await turns(5);
    expect(a.settled).toBe(false);
    expect(b.settled).toBe(false);
    runs[0]!.commit();
    expect(await answer).toBe('a');
    await expect(refused).rejects.toThrow('refused');
  });

  it('rejects only the command whose work failed, with its own error', async () => {
    const { runs, submit } = harness();
    const boom = new Error('boom');
    const answers = [submit('a'), submit('b', { fails: boom }), submit('c')];
    await nextTurn();
    await runs[0]!.complete();
    const outcomes = await Promise.allSettled(answers);
    expect(outcomes).toEqual([
      { status: 'fulfilled', value: 'a' },
      { status: 'rejected', reason: boom },
      { status: 'fulfilled', value: 'c' },
    ]);
  });

  it('rejects every command of a batch whose run rejected, with the run error', async () => {
    const { runs, submit } = harness();
    const lost = new Error('commit failed');
    const answers = [submit('a'), submit('b')];
    await nextTurn();
    runs[0]!.fail(lost);
    expect(await Promise.allSettled(answers)).toEqual([
      { status: 'rejected', reason: lost },
      { status: 'rejected', reason: lost },
    ]);
  });

  it('with one writer, starts the next batch only after the first finished, with everything that arrived meanwhile', async () => {
    const { runs, submit } = harness({ writers: 1 });
    const log: string[] = [];
    const first = [submit('a'), submit('b')];
    for (const p of first) void p.then((label) => log.push(`answered ${label}`));
    await nextTurn();
    expect(runs.map((r) => r.labels)).toEqual([['a', 'b']]);
    const later = [submit('c')];
    await nextTurn();
    later.push(submit('d'), submit('e'));
    await turns(5);
    expect(runs).toHaveLength(1); // the writer is busy: c, d and e wait
    await runs[0]!.complete();
    await Promise.all(first);
    await turns(2);
    expect(log).toEqual(['answered a', 'answered b']);
    expect(runs.map((r) => r.labels)).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e'],
    ]);
    await runs[1]!.complete();
    expect(await Promise.all(later)).toEqual(['c', 'd', 'e']);
  });

  it('with two writers, has two batches in flight at once and never a third', async () => {
    const { runs, submit } = harness({ writers: 2 });
    const a = submit('a');
    await nextTurn();
    const b = submit('b');
    await nextTurn();
    expect(runs.map((r) => r.labels)).toEqual([['a'], ['b']]); // the first still unresolved
    const c = submit('c');
    await turns(5);
    expect(runs).toHaveLength(2);
    await runs[1]!.complete();
    expect(await b).toBe('b');
    await turns(2);
    expect(runs.map((r) => r.labels)).toEqual([['a'], ['b'], ['c']]);
    await runs[0]!.complete();
    await runs[2]!.complete();
    expect(await Promise.all([a, c])).toEqual(['a', 'c']);
  });

  it('reports the commands, bytes and failures of each batch to observe', async () => {
    const { runs, reports, submit } = harness({ writers: 1 });
    const first = [submit('a', { bytes: 3 }), submit('b', { bytes: 4, fails: new Error('no') }), submit('c', { bytes: 5 })];
    await nextTurn();
    await runs[0]!.complete();
    await Promise.allSettled(first);
    const second = [submit('d', { bytes: 7 }), submit('e', { bytes: 8 })];
    await nextTurn();
    runs[1]!.fail(new Error('lost'));
    await Promise.allSettled(second);
    expect(reports.map(({ commands, bytes, failed }) => ({ commands, bytes, failed }))).toEqual([
      { commands: 3, bytes: 12, failed: 1 },
      { commands: 2, bytes: 15, failed: 2 },
    ]);
  });
});

const START = Date.parse('2026-03-10T15:00:00Z');

describe.each(ENGINES)('group commit on %s', (engine) => {
  let ts: TestStore;
  let deps: Deps;
  beforeAll(async () => {
    ts = await openTestStore(engine);
    deps = { store: ts.store, clock: new FixedClock(START), masterKey: null };
    await sql`CREATE TABLE gc_probe (id TEXT PRIMARY KEY, batch TEXT NOT NULL)`.execute(ts.db.kysely);
  });
  afterAll(() => ts.close());

  /** The probe rows of one test (by its label), in id order. */
  const rowsOf = async (batch: string, q: Queryable = ts.db.kysely) =>
    (await sql<{ id: string }>`SELECT id FROM gc_probe WHERE batch = ${batch} ORDER BY id`.execute(q)).rows.map((r) => r.id.split('/')[1]);
  /** A write as the repositories make them: the scope told first. Ids are the test's own. */
  const insertInto = (batch: string) => (q: Queryable, scope: WorkScope, id: string) => {
    scope.wrote = true;
    return sql`INSERT INTO gc_probe (id, batch) VALUES (${`${batch}/${id}`}, ${batch})`.execute(q);
  };
  const outcomes = (settled: Settled[]) => settled.map((s) => (s.ok ? { ok: true, value: s.value } : { ok: false }));

  it('Db.batch: a throwing work leaves none of its rows, the works around it commit, and each sees those before it', async () => {
    const rows = (q?: Queryable) => rowsOf('one', q);
    const insert = insertInto('one');
    const boom = new Error('refused after writing');
    const settled = await ts.db.batch([
      async (q, scope) => {
        await insert(q, scope, 'a');
        return 'first';
      },
      async (q, scope) => {
        await insert(q, scope, 'b');
        expect(await rows(q)).toEqual(['a', 'b']);
        throw boom;
      },
      async (q, scope) => {
        const seen = await rows(q); // a, but not the refused b
        await insert(q, scope, 'c');
        return seen;
      },
      // A failing statement: on PostgreSQL it aborts the transaction until the savepoint is rolled back.
      async (q, scope) => {
        await insert(q, scope, 'd');
        await insert(q, scope, 'a');
        return 'unreachable';
      },
      async (q, scope) => {
        await insert(q, scope, 'e');
        return rows(q);
      },
    ]);
    expect(outcomes(settled)).toEqual([
      { ok: true, value: 'first' },
      { ok: false },
      { ok: true, value: ['a'] },
      { ok: false },
      { ok: true, value: ['a', 'c', 'e'] },
    ]);
    expect(settled[1]).toEqual({ ok: false, error: boom });
    expect(ts.store.isUniqueViolation((settled[3] as { error: unknown }).error)).toBe(true);
    expect(await rows()).toEqual(['a', 'c', 'e']);
  });

  it('Db.batch: runs every work once when the one refused had written nothing, and once more each when one had', async () => {
    const runs: string[] = [];
    const insert = insertInto('twice');
    const work =
      (label: string, fails: 'before writing' | 'after writing' | null): BatchWork<Queryable> =>
      async (q, scope) => {
        runs.push(label);
        if (fails === 'before writing') throw new Error(label);
        await insert(q, scope, label);
        if (fails === 'after writing') throw new Error(label);
        return label;
      };
    const clean = await ts.db.batch([work('a', null), work('b', 'before writing'), work('c', null)]);
    expect(outcomes(clean)).toEqual([{ ok: true, value: 'a' }, { ok: false }, { ok: true, value: 'c' }]);
    expect(runs).toEqual(['a', 'b', 'c']); // no savepoints were needed, so none ran again
    runs.length = 0;
    const undone = await ts.db.batch([work('d', null), work('e', 'after writing'), work('f', null)]);
    expect(outcomes(undone)).toEqual([{ ok: true, value: 'd' }, { ok: false }, { ok: true, value: 'f' }]);
    // The first run ended at e, which had written: it was taken back whole and run again, a savepoint each.
    expect(runs).toEqual(['d', 'e', 'd', 'e', 'f']);
    expect(await rowsOf('twice')).toEqual(['a', 'c', 'd', 'f']);
  });

  it.runIf(engine === 'sqlite')('Db.batch on SQLite: a work that wrote without saying so and then threw leaves nothing behind', async () => {
    const settled = await ts.db.batch([
      async (q) => {
        await sql`INSERT INTO gc_probe (id, batch) VALUES ('unsaid/x', 'unsaid')`.execute(q);
        throw new Error('refused');
      },
      async (q, scope) => {
        await insertInto('unsaid')(q, scope, 'y');
        return 'y';
      },
    ]);
    expect(outcomes(settled)).toEqual([{ ok: false }, { ok: true, value: 'y' }]);
    expect(await rowsOf('unsaid')).toEqual(['y']);
  });

  it.runIf(engine === 'postgres')(
    'Db.batch on PostgreSQL: a work that caught a failed statement cannot pass for committed, and the others stand',
    async () => {
      const insert = insertInto('caught');
      const swallow = async (q: Queryable) => {
        await sql`SELECT 1 / 0`.execute(q).catch(() => {});
      };
      // Refused in its own code after swallowing a failure: the probe finds the transaction ended and the batch
      // runs again with savepoints, where the failure is its own.
      const refused = await ts.db.batch([
        async (q, scope) => {
          await insert(q, scope, 'a');
          return 'a';
        },
        async (q) => {
          await swallow(q);
          throw new Error('refused');
        },
        async (q, scope) => {
          await insert(q, scope, 'b');
          return 'b';
        },
      ]);
      expect(outcomes(refused)).toEqual([{ ok: true, value: 'a' }, { ok: false }, { ok: true, value: 'b' }]);
      // Answering as if nothing had happened, last in its batch: the commit would roll back without an error.
      await expect(
        ts.db.batch([
          async (q, scope) => {
            await insert(q, scope, 'c');
            return 'c';
          },
          async (q) => {
            await swallow(q);
            return 'swallowed';
          },
        ]),
      ).rejects.toThrow(/aborted/);
      expect(await rowsOf('caught')).toEqual(['a', 'b']);
    },
  );

  /** A company with a business, a customer, a $30 service and a sold package of `units` visits. */
  async function packageOf(units: number) {
    const { companyId, sell } = await furnishSalon(deps, { units });
    const sold = { result: { pkg: await sell() } };
    const visit = VISIT;
    const left = async () => (await ts.store.read.packages.get(companyId, sold.result.pkg.id))!.items[0]!.remaining;
    const redeemed = async () => (await ts.store.read.events.all(companyId, sold.result.pkg.id)).filter((e) => e.type === 'REDEEMED');
    return { companyId, packageId: sold.result.pkg.id, visit, left, redeemed };
  }

  /**
   * Deps on which n redemptions' reads before their command (the business they name) answer in one turn, when
   * the last of them has: as on SQLite, where those reads answer at once, and not as on PostgreSQL, where each
   * comes back in a turn of its own and an idle writer would take each command alone.
   */
  function arrivingTogether(n: number): Deps {
    const businesses = ts.store.read.businesses;
    let arrived = 0;
    let allIn!: () => void;
    const together = new Promise<void>((resolve) => (allIn = resolve));
    const get = async (...args: Parameters<typeof businesses.get>) => {
      const business = await businesses.get(...args);
      if (++arrived === n) allIn();
      await together;
      return business;
    };
    return { ...deps, store: { ...ts.store, read: { ...ts.store.read, businesses: { ...businesses, get } } } };
  }

  /** The group commits made while fn ran. */
  async function batchesDuring<T>(fn: () => Promise<T>): Promise<{ result: T; batches: WriteBatch[] }> {
    const batches: WriteBatch[] = [];
    const stop = ts.store.onWriteBatch((b) => batches.push(b));
    try {
      return { result: await fn(), batches };
    } finally {
      stop();
    }
  }

  it('a command that wrote through a repository and then threw leaves none of it; the others of its batch commit', async () => {
    // On PostgreSQL nothing but the repositories' own word (WorkScope.wrote) tells that such a command wrote.
    const { companyId } = await furnishSalon(deps, { units: 1 });
    const record = { operation: 'probe', requestHash: 'h', status: 200, body: '{}' };
    const writing = (key: string, refuse: boolean) =>
      ts.store.command(
        async (repos) => {
          await repos.idempotency.insert(companyId, key, record, START);
          if (refuse) throw new Error(`refused after writing ${key}`);
          return key;
        },
        { target: key, bytes: 1 },
      );
    const { result, batches } = await batchesDuring(() =>
      Promise.allSettled([writing('probe-a', false), writing('probe-b', true), writing('probe-c', false)]),
    );
    expect(batches.map(({ commands, failed }) => ({ commands, failed }))).toEqual([{ commands: 3, failed: 1 }]);
    expect(result.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const stored = async (key: string) => (await ts.store.read.idempotency.get(companyId, key)) !== undefined;
    expect([await stored('probe-a'), await stored('probe-b'), await stored('probe-c')]).toEqual([true, false, true]);
  });

  it('puts three redemptions of one unit started together on a package of two into one batch: two redeemed, one refused, no drift', async () => {
    const { companyId, packageId, visit, left, redeemed } = await packageOf(2);
    const together = arrivingTogether(3);
    const { result, batches } = await batchesDuring(() =>
      Promise.allSettled([1, 2, 3].map(() => redeem(together, MASTER, companyId, packageId, visit))),
    );
    expect(batches.map(({ commands, failed }) => ({ commands, failed }))).toEqual([{ commands: 3, failed: 1 }]);
    expect(result.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    const refusals = result.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toBeInstanceOf(DomainError);
    expect((refusals[0] as DomainError).code).toBe('FAILED_PRECONDITION');
    expect(await left()).toBe(0);
    expect(await redeemed()).toHaveLength(2);
    expect((await verifyLedger(deps, companyId)).drifts).toEqual([]);
  });

  it('moves one unit for two identical keyed redemptions started together: the second is ABORTED as in use, and a retry replays the first answer', async () => {
    const { companyId, packageId, visit, left, redeemed } = await packageOf(3);
    const together = arrivingTogether(2);
    const { result, batches } = await batchesDuring(() =>
      Promise.allSettled([1, 2].map(() => redeem(together, MASTER, companyId, packageId, visit, 'visit-1'))),
    );
    // In one process the second finds the key in flight and is refused before it reaches the queue.
    const done = result.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const refused = result.flatMap((r) => (r.status === 'rejected' ? [r.reason as DomainError] : []));
    expect(done).toHaveLength(1);
    expect(done[0]!.replayed).toBe(false);
    expect(refused.map((e) => [e.code, e.reason])).toEqual([['ABORTED', 'IDEMPOTENCY_KEY_IN_USE']]);
    expect(batches.map(({ commands, failed }) => ({ commands, failed }))).toEqual([{ commands: 1, failed: 0 }]);
    expect(await left()).toBe(2);
    expect(await redeemed()).toHaveLength(1);
    const retry = await redeem(deps, MASTER, companyId, packageId, visit, 'visit-1');
    expect(retry.replayed).toBe(true);
    expect(retry.result).toEqual(done[0]!.result);
    expect(await left()).toBe(2);
    expect(await redeemed()).toHaveLength(1);
    expect((await verifyLedger(deps, companyId)).drifts).toEqual([]);
  });
});
