// One read shared by many callers, each still getting a reading begun after it called: what a cache may be
// checked against, since a reading begun before a call may predate a write the caller must see.

/**
 * For a read that takes a round trip: a reading under way when a call comes may have begun before it, so the
 * call waits for the next reading, which begins when the one under way ends and serves every call that came
 * meanwhile. Under load that is one read per round trip, however many callers; alone, a caller waits for its
 * own read only.
 */
export function freshReads<T>(read: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | null = null;
  let next: Promise<T> | null = null;
  const start = (): Promise<T> => {
    const reading: Promise<T> = read().finally(() => {
      if (current === reading) current = null;
    });
    current = reading;
    return reading;
  };
  const afterCurrent = () => {
    next = null;
    return start();
  };
  return () => {
    if (current === null) return start();
    next ??= current.then(afterCurrent, afterCurrent);
    return next;
  };
}

/**
 * For a read that is quick but not free (SQLite's data_version): every call made in one turn of the event loop
 * gets the one reading taken when the turn's I/O callbacks are done (setImmediate), after all of them.
 */
export function turnReads<T>(read: () => T): () => Promise<T> {
  let pending: Promise<T> | null = null;
  return () =>
    (pending ??= new Promise<T>((resolve, reject) => {
      setImmediate(() => {
        pending = null;
        try {
          resolve(read());
        } catch (error) {
          reject(error as Error);
        }
      });
    }));
}
