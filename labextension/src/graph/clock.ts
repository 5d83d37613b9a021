// Time in live views: a ticking "now" for relative times, and timer countdowns.
import { useEffect, useMemo, useState } from "react";

/** `Date.now()`, re-read every `intervalMs` while `enabled` (re-rendering the caller). */
export function useNow(intervalMs: number, enabled = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!enabled) return undefined;
    const handle = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(handle);
  }, [intervalMs, enabled]);
  return now;
}

/**
 * What is left of `ms`, counted down once a second from when the value arrived (Python
 * sends `wakes_in_ms` as of its read; every patch brings a fresh one). Undefined stays
 * undefined.
 */
export function useCountdown(ms: number | undefined): number | undefined {
  const since = useMemo(() => Date.now(), [ms]);
  const now = useNow(1000, ms !== undefined);
  if (ms === undefined) return undefined;
  return Math.max(0, ms - Math.max(0, now - since));
}
