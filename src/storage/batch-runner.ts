// How a group commit's batch runs on one connection, for either engine: first without savepoints, since a
// savepoint per command costs (on SQLite each page a command touches is copied to the statement journal, about
// 40 µs a redemption; on PostgreSQL a round trip a command); then, only when a command failed after it had
// written, or left the transaction unusable, all over again with a savepoint each. Nothing of a batch is
// answered before its commit, so running its commands a second time is not seen by anyone.
import type { BatchWork, Settled, WorkScope } from './group-commit.js';

/** The control statements of one engine, and how it tells whether a failed work left the transaction as it was. */
export interface BatchSteps<Q> {
  readonly conn: Q;
  begin(): Promise<void> | void;
  commit(): Promise<void> | void;
  rollback(): Promise<void> | void;
  /** The first savepoint is taken with begin, so that a batch of n works costs n + 1 control steps. */
  beginWithSavepoint(): Promise<void> | void;
  /** Between two works: the one before stands, a new savepoint for the next. */
  nextSavepoint(): Promise<void> | void;
  /** Undoes the work since the savepoint, which failed with error; the transaction goes on, or error is thrown. */
  rollbackToSavepoint(error: unknown): Promise<void> | void;
  /** Something the engine counts, read before a work, that intact() compares with (SQLite: rows changed). */
  mark(): number;
  /**
   * After a work threw without a savepoint: true when the transaction stands with nothing of the work in it, false
   * when the batch must run again with savepoints; throws when the transaction is gone (then the batch fails).
   */
  intact(error: unknown, scope: WorkScope, mark: number): Promise<boolean> | boolean;
}

export async function runBatch<Q>(steps: BatchSteps<Q>, works: readonly BatchWork<Q>[]): Promise<Settled[]> {
  const optimistic = await withoutSavepoints(steps, works);
  return optimistic ?? withSavepoints(steps, works);
}

/** The works in one transaction, committed, or null (and rolled back) when one of them left writes behind. */
async function withoutSavepoints<Q>(steps: BatchSteps<Q>, works: readonly BatchWork<Q>[]): Promise<Settled[] | null> {
  await steps.begin();
  return rolledBackOnFailure(steps, async () => {
    const settled: Settled[] = [];
    const shared = new Map<string, unknown>();
    for (const work of works) {
      const scope: WorkScope = { wrote: false, shared };
      const mark = steps.mark();
      try {
        settled.push({ ok: true, value: await work(steps.conn, scope) });
      } catch (error) {
        if (!(await steps.intact(error, scope, mark))) {
          await steps.rollback();
          return null;
        }
        settled.push({ ok: false, error });
      }
    }
    await steps.commit();
    return settled;
  });
}

/** The works in one transaction, each in a savepoint of its own: a work that throws takes only its own writes back. */
async function withSavepoints<Q>(steps: BatchSteps<Q>, works: readonly BatchWork<Q>[]): Promise<Settled[]> {
  await steps.beginWithSavepoint();
  return rolledBackOnFailure(steps, async () => {
    const settled: Settled[] = [];
    const shared = new Map<string, unknown>();
    for (const [i, work] of works.entries()) {
      if (i > 0) await steps.nextSavepoint();
      const scope: WorkScope = { wrote: false, shared };
      try {
        settled.push({ ok: true, value: await work(steps.conn, scope) });
      } catch (error) {
        // The work's statements are undone and the transaction usable again; if even that fails, the
        // connection is gone and so is the batch.
        await steps.rollbackToSavepoint(error);
        settled.push({ ok: false, error });
      }
    }
    await steps.commit();
    return settled;
  });
}

/** body, in the transaction just begun: when it throws, the transaction is rolled back and the error goes on. */
async function rolledBackOnFailure<Q, T>(steps: BatchSteps<Q>, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    try {
      await steps.rollback();
    } catch {
      // The transaction is already gone (SQLite ended it, or the connection broke): the body's error says why.
    }
    throw error;
  }
}
