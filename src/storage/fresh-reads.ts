// One read shared by many callers, each still getting a reading begun after it called. A reading under way
// when a call comes may have begun before a write that the caller must see, so the call waits for the next
// reading, which begins when the one under way ends and serves every call that came meanwhile. Under load
// that is one read per round trip, however many callers; alone, a caller waits for its own read only.

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
