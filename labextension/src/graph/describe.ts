// What a block shows, independent of how it is drawn: the key setting of a composite's
// header and the badges of a step card. Mirrors orch8_nb/render/_describe.py so the
// static HTML and the live canvas say the same thing.
import type { Block } from "../model/contract";
import { formatMs } from "./format";

/** A small tag on a card; `title` is the full text shown on hover. */
export interface Badge {
  text: string;
  title: string;
}

type Rec = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const rec = (v: unknown): Rec | null =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Rec) : null;
const count = (v: unknown): number => (Array.isArray(v) ? v.length : 0);
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** True for a human-input gate: the `human_input` handler or a `wait_for_input` setting. */
export function isGate(block: Block): boolean {
  return block.type === "step" && (block.handler === "human_input" || rec(block.wait_for_input) !== null);
}

function badge(text: string, title = text): Badge {
  return { text, title };
}

function retryBadge(retry: Rec): Badge {
  const max = num(retry.max_attempts) ?? 1;
  const initial = num(retry.initial_backoff);
  const cap = num(retry.max_backoff);
  const backoff = initial !== null && cap !== null ? `, backoff ${formatMs(initial)} → ${formatMs(cap)}` : "";
  return badge(`↻ ${max}x`, `retry: ${max} attempts${backoff}`);
}

function gateBadge(block: Block): Badge {
  const gate = rec(block.wait_for_input);
  const params = rec(block.params);
  const prompt = str(gate?.prompt) || str(params?.prompt) || "human input";
  const choices = Array.isArray(gate?.choices)
    ? gate.choices.map((c) => str(rec(c)?.label) ?? "").filter(Boolean)
    : [];
  return badge("☝ human input", choices.length ? `${prompt} (${choices.join(", ")})` : prompt);
}

/** Badges of a step card, in a fixed order (retry, timeout, when, cache, gate, queue...). */
export function stepBadges(block: Block): Badge[] {
  const out: Badge[] = [];
  const retry = rec(block.retry);
  if (retry) out.push(retryBadge(retry));
  const timeout = num(block.timeout);
  if (timeout !== null) out.push(badge(`timeout ${formatMs(timeout)}`));
  const when = str(block.when);
  if (when !== null) out.push(badge(`when ${when}`, `runs only when: ${when}`));
  const cacheKey = str(block.cache_key);
  if (cacheKey !== null) out.push(badge("cache", `cache key: ${cacheKey}`));
  if (isGate(block)) out.push(gateBadge(block));
  const queue = str(block.queue_name);
  if (queue !== null) out.push(badge(`queue ${queue}`));
  const delay = num(rec(block.delay)?.duration);
  if (delay !== null) out.push(badge(`delay ${formatMs(delay)}`));
  const deadline = num(block.deadline);
  if (deadline !== null) out.push(badge(`deadline ${formatMs(deadline)}`));
  if (block.cancellable === false) out.push(badge("not cancellable"));
  const comp = str(rec(block.compensation)?.handler);
  if (comp !== null) out.push(badge("compensable", `compensation: ${comp}`));
  return out;
}

function loopLine(block: Block): string {
  const parts = [`while ${str(block.condition) ?? "?"}`, `max ${num(block.max_iterations) ?? 1000}`];
  const breakOn = str(block.break_on);
  if (breakOn !== null) parts.push(`break on ${breakOn}`);
  if (block.continue_on_error === true) parts.push("continue on error");
  const poll = num(block.poll_interval);
  if (poll !== null) parts.push(`every ${formatMs(poll * 1000)}`); // seconds: an Orch8 quirk
  return parts.join(" · ");
}

function forEachLine(block: Block): string {
  const item = str(block.item_var) ?? "item";
  const parts = [`for ${item} in ${str(block.collection) ?? "?"}`, `max ${num(block.max_iterations) ?? 1000}`];
  const parallel = num(block.max_parallel);
  if (parallel !== null) parts.push(`≤${parallel} at once`);
  return parts.join(" · ");
}

/** The key setting of a block: the handler of a step, a composite header's second line. */
export function headline(block: Block): string {
  switch (block.type) {
    case "step":
      return str(block.handler) ?? "";
    case "parallel":
      return plural(count(block.branches), "branch", "branches");
    case "race":
      return `${(str(block.semantics) ?? "first_to_resolve").replace(/_/g, " ")} · ${plural(count(block.branches), "branch", "branches")}`;
    case "loop":
      return loopLine(block);
    case "for_each":
      return forEachLine(block);
    case "router":
      return plural(count(block.routes), "route") + (Array.isArray(block.default) ? " + default" : "");
    case "try_catch":
      return Array.isArray(block.finally_block) ? "try · catch · finally" : "try · catch";
    case "sub_sequence": {
      const version = num(block.version);
      return `runs ${str(block.sequence_name) ?? "?"} ${version !== null ? `v${version}` : "(latest)"}`;
    }
    case "ab_split":
      return plural(count(block.variants), "variant");
    case "cancellation_scope":
      return "shielded from cancel";
    case "saga":
      return plural(count(block.steps), "step");
    default:
      return `unknown block type ${JSON.stringify(block.type)}`;
  }
}
