// New blocks and new lanes with sensible defaults. Composites start with empty lanes (the
// user drops children into them; the validator flags a lane that must not stay empty), so
// a fresh block never invents work the user did not ask for. The one exception is a saga
// step, which cannot exist without an action: it gets a `noop` step to replace.
import type { Block, BlockType, Sequence } from "../model/contract";
import { isRecord, walkBlocks } from "./tree";

/** The built-in handler that does nothing: a valid placeholder for a new step. */
export const DEFAULT_HANDLER = "noop";

/** Every id in use: block ids and saga step ids (they share one namespace in Orch8). */
export function collectIds(seq: Sequence): Set<string> {
  const ids = new Set<string>();
  walkBlocks(seq, (block) => {
    if (typeof block.id === "string") ids.add(block.id);
    if (block.type === "saga" && Array.isArray(block.steps)) {
      for (const step of block.steps) {
        if (isRecord(step) && typeof step.id === "string") ids.add(step.id);
      }
    }
  });
  return ids;
}

/** `<prefix>_<n>` with the smallest n >= 1 not in `taken`; the id is added to `taken`. */
export function freshId(taken: Set<string>, prefix: string): string {
  let n = 1;
  while (taken.has(`${prefix}_${n}`)) n += 1;
  const id = `${prefix}_${n}`;
  taken.add(id);
  return id;
}

export function newSagaStep(taken: Set<string>, action?: Block): Record<string, unknown> {
  const id = freshId(taken, "saga_step");
  return { id, action: action ?? newBlock("step", taken) };
}

/** A new block of `type` whose ids (its own and any inner ones) are fresh in `taken`. */
export function newBlock(type: BlockType, taken: Set<string>, handler = DEFAULT_HANDLER): Block {
  const id = freshId(taken, type);
  switch (type) {
    case "step":
      return { type, id, handler };
    case "parallel":
      return { type, id, branches: [[], []] };
    case "race":
      return { type, id, branches: [[], []], semantics: "first_to_resolve" };
    case "loop":
      return { type, id, condition: "true", body: [], max_iterations: 10 };
    case "for_each":
      return { type, id, collection: "context.data.items", item_var: "item", body: [] };
    case "router":
      return { type, id, routes: [{ condition: "true", blocks: [] }], default: [] };
    case "try_catch":
      return { type, id, try_block: [], catch_block: [], finally_block: [] };
    case "sub_sequence":
      return { type, id, sequence_name: "child_sequence" };
    case "ab_split":
      return { type, id, variants: [newVariant([]), newVariant(["A"])] };
    case "cancellation_scope":
      return { type, id, blocks: [] };
    case "saga":
      return { type, id, steps: [newSagaStep(taken)] };
  }
}

/** A variant named by the next free letter (A, B, C...), weight 50. */
export function newVariant(names: string[]): Record<string, unknown> {
  let n = 0;
  const label = (i: number): string =>
    i < 26 ? String.fromCharCode(65 + i) : `V${i + 1}`;
  while (names.includes(label(n))) n += 1;
  return { name: label(n), weight: 50, blocks: [] };
}

/**
 * A new item for a block's lane collection (`branches`, `routes`, `variants`, `steps`),
 * or null when the field is not one.
 */
export function newLaneItem(block: Block, field: string, taken: Set<string>): unknown {
  const items = Array.isArray(block[field]) ? (block[field] as unknown[]) : [];
  if (field === "branches") return [];
  if (field === "routes") return { condition: "true", blocks: [] };
  if (field === "variants") {
    const names = items.flatMap((v) => (isRecord(v) && typeof v.name === "string" ? [v.name] : []));
    return newVariant(names);
  }
  if (field === "steps" && block.type === "saga") return newSagaStep(taken);
  return null;
}
