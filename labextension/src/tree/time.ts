// Relative times for live views ("3 s ago"); static views show absolute times instead.

/** `at` (epoch ms) relative to `now`: "just now", "3 s ago", "5 min ago", "in 2 h". */
export function relativeTime(at: number, now: number): string {
  const delta = Math.round((now - at) / 1000);
  const size = Math.abs(delta);
  if (size < 1) return "just now";
  let text: string;
  if (size < 60) text = `${size} s`;
  else if (size < 3600) text = `${Math.floor(size / 60)} min`;
  else if (size < 86_400) text = `${Math.floor(size / 3600)} h`;
  else text = `${Math.floor(size / 86_400)} d`;
  return delta >= 0 ? `${text} ago` : `in ${text}`;
}

/** The absolute time, for tooltips (ISO 8601, UTC: the same for every reader). */
export function absoluteTime(at: number): string {
  return Number.isFinite(at) ? new Date(at).toISOString() : String(at);
}
