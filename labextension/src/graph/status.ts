// What a node's state says on its card: the state word, one detail (what it waits for,
// the error, the chosen branch) and small facts (attempt 2/3, iteration 4/10, duration).
// State is never colour alone: every card shows the icon and the word (UI.md).
import type { Block, NodeState, NodeView } from "../model/contract";
import { formatMs } from "./format";

export interface Status {
  state: NodeState;
  detail: string;
  facts: string[];
  /** Everything above on one line, for the tooltip. */
  title: string;
}

function chosen(view: NodeView): string {
  if (view.variant !== undefined) return `variant ${view.variant}`;
  if (view.route !== undefined) {
    const index = Number(view.route);
    return view.route === "default" || !Number.isInteger(index) ? `route ${view.route}` : `route ${index + 1}`;
  }
  return "";
}

function detailOf(view: NodeView, wakesIn: number | undefined): string {
  if (view.state === "waiting" && view.waiting_for === "timer" && wakesIn !== undefined) {
    return wakesIn > 0 ? `timer: ${formatMs(Math.ceil(wakesIn / 1000) * 1000)}` : "timer: due";
  }
  if (view.state === "waiting" && view.waiting_for) return view.waiting_for;
  if (view.state === "running" && view.stream) return streamTail(view.stream);
  if (view.state === "failed" && view.error) return view.error.split("\n", 1)[0];
  return chosen(view) || (view.error ? view.error.split("\n", 1)[0] : "");
}

/** The end of streamed model text, on one line: "…the latest words". */
export function streamTail(text: string, chars = 12): string {
  const line = text.replace(/\s+/g, " ").trimStart();
  return line.length > chars ? `…${line.slice(-chars)}` : line;
}

function factsOf(view: NodeView): string[] {
  const facts: string[] = [];
  if (view.turn !== undefined) facts.push(`turn ${view.turn}`);
  const { attempt, max_attempts: max } = view;
  if (attempt !== undefined && (attempt > 1 || (max !== undefined && max > 1))) {
    facts.push(max !== undefined ? `${attempt}/${max}` : `attempt ${attempt}`);
  }
  if (view.iteration !== undefined) {
    facts.push(view.iterations !== undefined ? `${view.iteration}/${view.iterations}` : `#${view.iteration}`);
  }
  if (view.duration_ms !== undefined) facts.push(formatMs(view.duration_ms));
  return facts;
}

/**
 * The status line of a node, from its NodeView; `wakesIn` is what is left of its timer
 * (counted down from `wakes_in_ms`), for "timer: 3m 12s".
 */
export function statusOf(view: NodeView, wakesIn?: number): Status {
  const detail = detailOf(view, wakesIn);
  const facts = factsOf(view);
  const attemptFact = facts.length > 0 ? ` (${facts.join(", ")})` : "";
  const title = `${view.state}${detail ? `: ${detail}` : ""}${attemptFact}`;
  return { state: view.state, detail, facts, title };
}

/**
 * Lanes drawn as skipped because their composite chose another one: the router's `route`
 * ("0", "1"... or "default") and the A/B split's `variant` name pick one lane.
 */
export function chosenLaneKey(block: Block, view: NodeView | undefined): string | null {
  if (view === undefined) return null;
  if (block.type === "router" && view.route !== undefined) {
    return view.route === "default" ? "default" : `route:${view.route}`;
  }
  if (block.type === "ab_split" && view.variant !== undefined && Array.isArray(block.variants)) {
    const index = block.variants.findIndex(
      (v) => typeof v === "object" && v !== null && (v as { name?: unknown }).name === view.variant,
    );
    return index >= 0 ? `variant:${index}` : null;
  }
  return null;
}
