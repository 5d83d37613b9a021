// Time formatting for the run views. Live views show relative times (UI.md); the absolute
// time goes in the title attribute so it stays one hover away.

const UNITS: [number, string][] = [
  [86_400_000, "d"],
  [3_600_000, "h"],
  [60_000, "min"],
  [1_000, "s"],
];

/** "3 s ago", "5 min ago", "in 2 h" relative to `now` (both epoch ms). */
export function relativeTime(at: number, now: number): string {
  const delta = now - at;
  const abs = Math.abs(delta);
  if (abs < 1_000) return "just now";
  for (const [size, unit] of UNITS) {
    if (abs >= size) {
      const n = Math.floor(abs / size);
      return delta >= 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
    }
  }
  return "just now";
}

/** Absolute local time for titles. */
export function absoluteTime(at: number): string {
  return new Date(at).toLocaleString();
}

/** A duration for axis labels and tooltips: "0 ms", "250 ms", "1.5 s", "2 min 5 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "?";
  const abs = Math.abs(ms);
  const sign = ms < 0 ? "-" : "";
  if (abs < 1_000) return `${sign}${round(abs, 1)} ms`;
  if (abs < 60_000) return `${sign}${round(abs / 1_000, 2)} s`;
  const minutes = Math.floor(abs / 60_000);
  const seconds = Math.round((abs % 60_000) / 1_000);
  if (minutes < 60) return `${sign}${minutes} min${seconds ? ` ${seconds} s` : ""}`;
  return `${sign}${round(abs / 3_600_000, 2)} h`;
}

/** Rounds to at most `digits` decimals without trailing zeros (1.50 -> "1.5"). */
function round(value: number, digits: number): string {
  return String(Number(value.toFixed(digits)));
}
