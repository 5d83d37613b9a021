// Geometry of the Gantt chart, kept apart from React so it is tested as plain numbers.
// Rows are instances in order of first appearance; bars that overlap in time inside one
// instance (parallel branches, races) go on separate lanes instead of hiding each other.
import type { TimelineBar } from "../model/contract";
import { formatDuration } from "./time";

export const LABEL_WIDTH = 110;
export const RIGHT_PAD = 16;
export const LANE_HEIGHT = 20;
export const LANE_GAP = 2;
export const ROW_PAD = 4;
export const AXIS_HEIGHT = 22;
export const DEFAULT_WIDTH = 800;
/** A zero-length attempt still gets a visible, hoverable sliver. */
export const MIN_BAR_WIDTH = 2;

export interface PlacedBar {
  bar: TimelineBar;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedRow {
  instance: string;
  y: number;
  height: number;
}

export interface Tick {
  x: number;
  label: string;
}

export interface TimelineLayout {
  width: number;
  height: number;
  rows: PlacedRow[];
  bars: PlacedBar[];
  ticks: Tick[];
  /** Start of the time axis (ms) and its length; bars are drawn relative to `start`. */
  start: number;
  span: number;
}

/** Hundredths of a pixel: short SVG attributes, no visible difference. */
const px = (value: number) => Math.round(value * 100) / 100;

/** 1, 2 or 5 times a power of ten: axis steps a reader can add up. */
export function niceStep(span: number, target = 6): number {
  const raw = Math.max(span, 1) / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const factor of [1, 2, 5, 10]) {
    if (raw <= factor * power) return factor * power;
  }
  return 10 * power;
}

/** Lane index per bar: first lane whose last bar ended before this one starts. */
function assignLanes(bars: TimelineBar[]): number[] {
  const order = bars.map((_, i) => i).sort((a, b) => bars[a].start_ms - bars[b].start_ms || a - b);
  const laneEnds: number[] = [];
  const lanes = new Array<number>(bars.length);
  for (const i of order) {
    const bar = bars[i];
    let lane = laneEnds.findIndex((end) => end <= bar.start_ms);
    if (lane === -1) lane = laneEnds.length;
    laneEnds[lane] = Math.max(bar.end_ms, bar.start_ms);
    lanes[i] = lane;
  }
  return lanes;
}

export function layoutTimeline(bars: TimelineBar[], width = DEFAULT_WIDTH): TimelineLayout {
  const start = bars.length ? Math.min(...bars.map((b) => b.start_ms)) : 0;
  const end = bars.length ? Math.max(...bars.map((b) => Math.max(b.end_ms, b.start_ms))) : 0;
  const span = Math.max(end - start, 1);
  const plot = Math.max(width - LABEL_WIDTH - RIGHT_PAD, 1);
  const scale = plot / span;
  const xOf = (ms: number) => px(LABEL_WIDTH + (ms - start) * scale);

  const byInstance = new Map<string, number[]>();
  bars.forEach((bar, i) => {
    const list = byInstance.get(bar.instance) ?? [];
    list.push(i);
    byInstance.set(bar.instance, list);
  });

  const rows: PlacedRow[] = [];
  const placed = new Array<PlacedBar>(bars.length);
  let y = AXIS_HEIGHT;
  for (const [instance, indexes] of byInstance) {
    const lanes = assignLanes(indexes.map((i) => bars[i]));
    const laneCount = Math.max(...lanes) + 1;
    const height = laneCount * (LANE_HEIGHT + LANE_GAP) - LANE_GAP + 2 * ROW_PAD;
    rows.push({ instance, y, height });
    indexes.forEach((i, k) => {
      const bar = bars[i];
      placed[i] = {
        bar,
        x: xOf(bar.start_ms),
        y: y + ROW_PAD + lanes[k] * (LANE_HEIGHT + LANE_GAP),
        width: Math.max(px((Math.max(bar.end_ms, bar.start_ms) - bar.start_ms) * scale), MIN_BAR_WIDTH),
        height: LANE_HEIGHT,
      };
    });
    y += height;
  }

  const step = niceStep(span);
  const ticks: Tick[] = [];
  // Multiples of the step, not a running sum, so float error does not drift the labels.
  for (let k = 0; k * step <= span; k++) {
    ticks.push({ x: xOf(start + k * step), label: formatDuration(k * step) });
  }
  return { width, height: y, rows, bars: placed, ticks, start, span };
}
