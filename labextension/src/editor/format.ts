// Text shown to the user: problem paths in Python's notation and readable durations.
import type { ValidationProblem } from "../model/contract";
import type { Path } from "./tree";

/** `["blocks", 0, "retry"]` -> `blocks[0].retry`, as Python's `Problem.__str__` writes it. */
export function formatPath(path: Path): string {
  let out = "";
  for (const key of path) {
    out += typeof key === "number" ? `[${key}]` : out === "" ? key : `.${key}`;
  }
  return out;
}

/** The same line Python prints for a problem: `path: message` (`<root>` for the root). */
export function problemText(problem: ValidationProblem): string {
  return `${formatPath(problem.path) || "<root>"}: ${problem.message}`;
}

const UNITS: [number, string][] = [
  [86_400_000, "d"],
  [3_600_000, "h"],
  [60_000, "min"],
  [1000, "s"],
];

/** A ms count as the user thinks of it: 90000 -> "1 min 30 s", 1500 -> "1.5 s". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(3))} s`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000) * 1000;
  for (const [size, unit] of UNITS) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)} ${unit}`);
      rest %= size;
    }
  }
  return parts.join(" ");
}

/** Whether a schema description says the integer is a duration in milliseconds. */
export function isMsField(description: string): boolean {
  return /\bms\b/.test(description);
}
