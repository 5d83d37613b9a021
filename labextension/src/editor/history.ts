// Undo/redo as an immutable value (fits a React reducer). A burst of edits with the same
// coalesce key (typing in one form field) within COALESCE_MS becomes one undo entry, so
// Ctrl+Z undoes the word, not the last keystroke.

export const HISTORY_CAP = 100;
export const COALESCE_MS = 1000;

export interface History<T> {
  past: T[];
  present: T;
  future: T[];
  /** Key and time of the last push, for coalescing; cleared by undo/redo. */
  lastKey: string | null;
  lastAt: number;
}

export function initHistory<T>(present: T): History<T> {
  return { past: [], present, future: [], lastKey: null, lastAt: 0 };
}

export interface PushOptions {
  /** Edits sharing a key within COALESCE_MS of each other merge into one entry. */
  coalesceKey?: string | null;
  now?: number;
  cap?: number;
}

export function pushHistory<T>(h: History<T>, next: T, options: PushOptions = {}): History<T> {
  if (next === h.present) return h;
  const key = options.coalesceKey ?? null;
  const now = options.now ?? Date.now();
  const cap = options.cap ?? HISTORY_CAP;
  const merge = key !== null && key === h.lastKey && now - h.lastAt <= COALESCE_MS;
  if (merge) return { ...h, present: next, future: [], lastAt: now };
  const past = [...h.past, h.present];
  return {
    past: past.length > cap ? past.slice(past.length - cap) : past,
    present: next,
    future: [],
    lastKey: key,
    lastAt: now,
  };
}

export function undo<T>(h: History<T>): History<T> {
  if (h.past.length === 0) return h;
  const past = h.past.slice(0, -1);
  return { past, present: h.past[h.past.length - 1], future: [h.present, ...h.future], lastKey: null, lastAt: 0 };
}

export function redo<T>(h: History<T>): History<T> {
  if (h.future.length === 0) return h;
  const [present, ...future] = h.future;
  return { past: [...h.past, h.present], present, future, lastKey: null, lastAt: 0 };
}

export const canUndo = <T>(h: History<T>): boolean => h.past.length > 0;
export const canRedo = <T>(h: History<T>): boolean => h.future.length > 0;
