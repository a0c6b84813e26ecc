// Group commit: balance-moving commands that arrive while a commit is in flight wait and go together into the
// next transaction, so that one fsync (SQLite) or one commit round (PostgreSQL) serves many. A command refused
// or failing leaves nothing of its own in it (batch-runner.ts) and answers its own error; no command is answered
// before the commit that holds it has returned, since even a refusal was judged on what the commands before it
// in the batch wrote.

/** One command's work in a batch: it runs on the batch's transaction. */
export type BatchWork<Q> = (trx: Q, scope: WorkScope) => Promise<unknown>;

/** What a work and the batch running it tell each other. */
export interface WorkScope {
  /**
   * Set by the work before its first write (the write methods of the repositories do it): a work that throws
   * having written must have its writes undone, one that has not can simply be left out.
   */
  wrote: boolean;
  /** Kept for the batch's duration, shared by its works: what every command reads alike (the webhook endpoints). */
  readonly shared: Map<string, unknown>;
}

/** What became of each work of a batch, in order, once its transaction has committed. */
export type Settled = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/**
 * Runs works in one transaction, one after another, a failed one's writes undone, and commits; resolves with
 * each work's outcome after the commit returned, or rejects (every work failed with it) when the transaction as
 * a whole did.
 */
export type RunBatch<Q> = (works: readonly BatchWork<Q>[]) => Promise<Settled[]>;

export interface GroupCommitLimits {
  /** Commands in one batch at most. */
  readonly maxCommands: number;
  /** The commands' declared sizes in one batch at most (a command bigger than this runs alone). */
  readonly maxBytes: number;
  /** Batches in flight at once: 1 on SQLite (one writer); several on PostgreSQL, each on a connection. */
  readonly writers: number;
}

export const DEFAULT_GROUP_COMMIT: Omit<GroupCommitLimits, 'writers'> = { maxCommands: 128, maxBytes: 1 << 20 };

export interface Command<Q> {
  readonly work: BatchWork<Q>;
  /** The size the batch bound counts: the command's request, as its JSON's length. */
  readonly bytes: number;
  /**
   * The row the command locks (its package), or '' for none: a batch runs its commands in this order, so that
   * concurrent batches (and other processes') take their locks in one order and can never deadlock.
   */
  readonly target: string;
}

interface Waiting<Q> extends Command<Q> {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** A batch as it went: for /metrics and the benchmarks. */
export interface BatchReport {
  readonly commands: number;
  readonly bytes: number;
  readonly failed: number;
  readonly ms: number;
}

export class GroupCommit<Q> {
  private readonly queue: Waiting<Q>[] = [];
  private inFlight = 0;
  private scheduled = false;
  private closed = false;
  /** Told when the last batch in flight has ended and nothing waits: what drain() waits for. */
  private idle: (() => void)[] = [];

  constructor(
    private readonly run: RunBatch<Q>,
    private readonly limits: GroupCommitLimits,
    private readonly observe: (report: BatchReport) => void = () => {},
  ) {}

  /** Runs the command in the next batch; settles as its work did, once that batch has committed. */
  submit<T>(command: Command<Q>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the store is closing: no more commands'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ ...command, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  /** Takes no more commands and resolves once every command taken so far has been answered. */
  drain(): Promise<void> {
    this.closed = true;
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Commands waiting for a writer. */
  get waiting(): number {
    return this.queue.length;
  }

  // A batch starts at the end of this turn of the event loop, not at once: every command that reached the
  // queue in the same turn (requests read from the network together) joins it. An idle writer waits no longer.
  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.limits.writers || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.inFlight < this.limits.writers && this.queue.length > 0) void this.runBatch(this.take());
    });
  }

  private take(): Waiting<Q>[] {
    const batch: Waiting<Q>[] = [];
    let bytes = 0;
    while (this.queue.length > 0 && batch.length < this.limits.maxCommands) {
      const next = this.queue[0]!;
      if (batch.length > 0 && bytes + next.bytes > this.limits.maxBytes) break;
      bytes += next.bytes;
      batch.push(this.queue.shift()!);
    }
    // A stable sort: commands on one package keep their order of arrival.
    return batch.sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
  }

  private async runBatch(batch: Waiting<Q>[]): Promise<void> {
    this.inFlight++;
    const started = performance.now();
    const bytes = batch.reduce((n, c) => n + c.bytes, 0);
    let failed = 0;
    try {
      const settled = await this.run(batch.map((c) => c.work));
      // A runner owes one outcome per work; one that answered fewer would leave the rest waiting for ever.
      if (settled.length !== batch.length) throw new Error(`a batch of ${batch.length} came back with ${settled.length} outcomes`);
      settled.forEach((s, i) => {
        if (s.ok) batch[i]!.resolve(s.value);
        else {
          failed++;
          batch[i]!.reject(s.error);
        }
      });
    } catch (error) {
      failed = batch.length;
      for (const c of batch) c.reject(error);
    } finally {
      this.inFlight--;
      this.schedule();
      if (this.inFlight === 0 && this.queue.length === 0) for (const resolve of this.idle.splice(0)) resolve();
    }
    // After every command is settled, and outside the try: a watcher that throws cannot undo an answer.
    try {
      this.observe({ commands: batch.length, bytes, failed, ms: performance.now() - started });
    } catch {
      // A watcher's failure is its own; the batch committed as it did.
    }
  }
}
