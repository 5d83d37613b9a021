// Reading a list again every few seconds while the page is visible (tables of instances,
// workers, tasks and dead letters). The open instance's tree does not poll: it follows
// the instance's event stream (rest-model.ts).
import { useCallback, useEffect, useRef, useState } from "react";
import { useNow } from "../graph/clock";
import { ApiError } from "./api";

export interface Polled<T> {
  data: T | null;
  error: ApiError | null;
  /** Reads at once (after an action), without waiting for the next tick. */
  refresh: () => void;
}

export function usePoll<T>(load: (signal: AbortSignal) => Promise<T>, intervalMs: number, key: string): Polled<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const latest = useRef(load);
  latest.current = load;
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((n) => n + 1), []);

  useEffect(() => {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | null = null;
    const run = async (): Promise<void> => {
      if (typeof document === "undefined" || document.visibilityState !== "hidden") {
        try {
          const value = await latest.current(abort.signal);
          if (abort.signal.aborted) return;
          setData(value);
          setError(null);
        } catch (err) {
          if (abort.signal.aborted) return;
          setError(err instanceof ApiError ? err : new ApiError(0, String((err as Error).message)));
        }
      }
      if (!abort.signal.aborted) timer = setTimeout(() => void run(), intervalMs);
    };
    void run();
    return () => {
      abort.abort();
      if (timer !== null) clearTimeout(timer);
    };
  }, [intervalMs, key, tick]);

  return { data, error, refresh };
}

/**
 * "Now" for relative times in lists that poll: the clock re-renders every `tickMs`, and a
 * render caused by fresh rows reads the time again, so a row just updated never shows as
 * "in 2 s".
 */
export function useListNow(tickMs: number): number {
  useNow(tickMs);
  return Date.now();
}
