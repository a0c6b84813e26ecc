// Running actions: every action runs once at a time (a TanStack mutation) with an idempotency key that a
// retry of the same action reuses. Loading data is TanStack Query's useQuery over api/queries.ts.
import { useMutation } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, newIdempotencyKey } from '../api/client';

export interface Action {
  busy: boolean;
  error: ApiError | null;
  /**
   * Runs fn once at a time. `signature` names the action and its input: a retry with the same signature after
   * a failure that may not have been seen by the server reuses the key, so the server does it at most once.
   * Resolves with fn's answer, or undefined when it failed (the error is in `error`) or another run was busy.
   */
  run<R>(signature: string, fn: (idempotencyKey: string) => Promise<R>): Promise<R | undefined>;
  clearError: () => void;
}

interface Run {
  fn: (key: string) => Promise<unknown>;
  key: string;
}

export function useAction(): Action {
  const mutation = useMutation<unknown, ApiError, Run>({
    mutationFn: async ({ fn, key }) => {
      try {
        return await fn(key);
      } catch (e) {
        throw ApiError.from(e);
      }
    },
    retry: false,
  });
  const busyRef = useRef(false);
  const keyRef = useRef<{ signature: string; key: string } | null>(null);

  const { mutateAsync, reset } = mutation;
  const run = useCallback(
    async <R,>(signature: string, fn: (key: string) => Promise<R>): Promise<R | undefined> => {
      if (busyRef.current) return undefined; // a second click while the first is on its way
      busyRef.current = true;
      if (keyRef.current?.signature !== signature) keyRef.current = { signature, key: newIdempotencyKey() };
      const key = keyRef.current.key;
      try {
        const result = (await mutateAsync({ fn, key })) as R;
        keyRef.current = null;
        return result;
      } catch (e) {
        // A refusal on the merits is final for that key: the next try (after fixing things) needs a new one.
        if (!ApiError.from(e).retryable) keyRef.current = null;
        return undefined;
      } finally {
        busyRef.current = false;
      }
    },
    [mutateAsync],
  );

  return { busy: mutation.isPending, error: mutation.error ?? null, run, clearError: reset };
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
