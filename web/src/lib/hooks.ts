// Loading data and running actions: every load can fail and be retried; every action runs once at a time
// with an idempotency key that a retry of the same action reuses.
import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';
import { ApiError, newIdempotencyKey } from '../api/client';

export interface Query<T> {
  data: T | undefined;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
  setData: (data: T) => void;
}

function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(0, 'CLIENT', error instanceof Error ? error.message : String(error));
}

/** Loads on mount and whenever deps change; a newer load cancels an older one. */
export function useQuery<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): Query<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [nonce, setNonce] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    load(controller.signal).then(
      (result) => {
        if (controller.signal.aborted) return;
        setData(result);
        setLoading(false);
      },
      (e: unknown) => {
        if (controller.signal.aborted) return;
        setError(asApiError(e));
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [...deps, nonce]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { data, error, loading, reload, setData };
}

export interface Action {
  busy: boolean;
  error: ApiError | null;
  /**
   * Runs fn once at a time. `signature` names the action and its input: a retry with the same signature after
   * a failure that may not have been seen by the server reuses the key, so the server does it at most once.
   */
  run<R>(signature: string, fn: (idempotencyKey: string) => Promise<R>): Promise<R | undefined>;
  clearError: () => void;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const busyRef = useRef(false);
  const keyRef = useRef<{ signature: string; key: string } | null>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const run = useCallback(async <R,>(signature: string, fn: (key: string) => Promise<R>): Promise<R | undefined> => {
    if (busyRef.current) return undefined; // a second click while the first is on its way
    busyRef.current = true;
    if (keyRef.current?.signature !== signature) keyRef.current = { signature, key: newIdempotencyKey() };
    const key = keyRef.current.key;
    setBusy(true);
    setError(null);
    try {
      const result = await fn(key);
      keyRef.current = null;
      return result;
    } catch (e) {
      const err = asApiError(e);
      // A refusal on the merits is final for that key: the next try (after fixing things) needs a new one.
      if (!err.retryable) keyRef.current = null;
      if (mounted.current) setError(err);
      return undefined;
    } finally {
      busyRef.current = false;
      if (mounted.current) setBusy(false);
    }
  }, []);

  return { busy, error, run, clearError: useCallback(() => setError(null), []) };
}

/** A value that settles after the user stops typing. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}
