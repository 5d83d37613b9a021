// One level of the layout through elkjs: a flat graph of fixed-size boxes (the blocks of a
// lane, or the lanes of a composite) with its edges. Levels are laid out bottom-up, each in
// its own ELK run, and memoised by shape: a level with the same sizes, edges and options
// gets the same answer without running ELK again. Sequences repeat shapes a lot (a lane of
// one card), and an edit re-runs ELK only for the levels it changed.
//
// ELK's cost grows with the number of boxes (about 1 ms per box, cold), so a long lane
// (a plain top-down chain) takes the closed form of what ELK answers for a chain instead;
// a test pins that both agree.
import ELK from "elkjs/lib/elk.bundled.js";
import type { ElkNode, LayoutOptions as ElkOptions } from "elkjs/lib/elk-api";

export interface LevelInput {
  sizes: [number, number][];
  /** Edges as [from, to] indices into `sizes`. */
  edges: [number, number][];
  options: ElkOptions;
  /** Set when the level is a chain stacked top-down (a lane): allows the fast path. */
  stack?: Stack;
}

/** Padding and gap of a chain, the same numbers as its ELK options. */
export interface Stack {
  top: number;
  side: number;
  bottom: number;
  gap: number;
}

/** Chains longer than this skip ELK (see the module comment). */
export const LONG_CHAIN = 24;

export interface LevelResult {
  width: number;
  height: number;
  positions: [number, number][];
}

const elk = new ELK();
const cache = new Map<string, LevelResult>();
const CACHE_LIMIT = 5000;

function keyOf(level: LevelInput): string {
  return JSON.stringify([level.sizes, level.edges, level.options]);
}

async function run(level: LevelInput): Promise<LevelResult> {
  const graph: ElkNode = {
    id: "level",
    layoutOptions: level.options,
    children: level.sizes.map(([width, height], i) => ({ id: `n${i}`, width, height })),
    edges: level.edges.map(([s, t], i) => ({ id: `e${i}`, sources: [`n${s}`], targets: [`n${t}`] })),
  };
  const out = await elk.layout(graph);
  const byId = new Map((out.children ?? []).map((c) => [c.id, c]));
  return {
    width: Math.round(out.width ?? 0),
    height: Math.round(out.height ?? 0),
    positions: level.sizes.map((_, i) => {
      const c = byId.get(`n${i}`);
      return [Math.round(c?.x ?? 0), Math.round(c?.y ?? 0)];
    }),
  };
}

/** What ELK's layered algorithm gives for a top-down chain: one box per layer, left-aligned. */
export function stackLevel(sizes: [number, number][], stack: Stack): LevelResult {
  let y = stack.top;
  const positions: [number, number][] = sizes.map(([, height]) => {
    const at: [number, number] = [stack.side, y];
    y += height + stack.gap;
    return at;
  });
  const widest = Math.max(0, ...sizes.map(([width]) => width));
  const used = sizes.length > 0 ? y - stack.gap : y;
  return { width: widest + 2 * stack.side, height: used + stack.bottom, positions };
}

/** The positions of the level's boxes and the level's size (padding included). */
export async function layoutLevel(level: LevelInput): Promise<LevelResult> {
  if (level.stack !== undefined && level.sizes.length > LONG_CHAIN) {
    return stackLevel(level.sizes, level.stack);
  }
  const key = keyOf(level);
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const result = await run(level);
  if (cache.size >= CACHE_LIMIT) cache.clear(); // crude, but bounded and deterministic
  cache.set(key, result);
  return result;
}

/** Forget memoised levels (tests measure cold layouts with it). */
export function clearLevelCache(): void {
  cache.clear();
}
