// Short human durations, the same wording as orch8_nb/model/durations.py format_duration_ms:
// 250ms, 1.5s, 3m 12s, 1h 30m, 2d.

const UNITS: [string, number][] = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
];

function seconds(ms: number): string {
  const whole = Math.floor(ms / 1000);
  const frac = ms % 1000;
  return frac ? `${whole}.${String(frac).padStart(3, "0").replace(/0+$/, "")}s` : `${whole}s`;
}

/** `ms` as text; non-finite or negative values come back as given. */
export function formatMs(value: number): string {
  if (!Number.isFinite(value) || value < 0) return String(value);
  const ms = Math.round(value);
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return seconds(ms);
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count) parts.push(`${count}${unit}`);
  }
  if (rest) parts.push(seconds(rest));
  return parts.join(" ");
}

/**
 * The tail of an instance id: UUIDv7 ids made close together share their head (a
 * timestamp), so the last 8 characters tell them apart; the title has them all. Mirrors
 * `short_id` in orch8_nb/widgets/timeline.py.
 */
export function shortId(id: string): string {
  return id.length > 8 ? `…${id.slice(-8)}` : id;
}
