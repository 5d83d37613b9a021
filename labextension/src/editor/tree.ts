// Where blocks live inside a sequence: the child slots of each block type, a depth-first
// walk, and immutable get/set by JSON path. The spec may be invalid while the user edits
// it, so every accessor checks shapes instead of trusting the types.
import type { Block, Sequence } from "../model/contract";

export type Path = (string | number)[];

/**
 * A place that holds child blocks. "list" is an array of blocks; "single" holds one block
 * (a saga step's action or compensation); "saga-steps" is a saga's `steps`, whose items
 * wrap a block rather than being one.
 */
export interface Slot {
  path: Path;
  kind: "list" | "single" | "saga-steps";
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isBlock(value: unknown): value is Block {
  return isRecord(value) && typeof value.type === "string";
}

function listSlot(owner: Record<string, unknown>, key: string, path: Path): Slot[] {
  return Array.isArray(owner[key]) ? [{ path: [...path, key], kind: "list" }] : [];
}

function indexedSlots(block: Block, key: string, inner: string | null): Slot[] {
  const items = block[key];
  if (!Array.isArray(items)) return [];
  const slots: Slot[] = [];
  items.forEach((item, i) => {
    if (inner === null) {
      if (Array.isArray(item)) slots.push({ path: [key, i], kind: "list" });
    } else if (isRecord(item)) {
      slots.push(...listSlot(item, inner, [key, i]));
    }
  });
  return slots;
}

function sagaSlots(block: Block): Slot[] {
  const steps = block.steps;
  if (!Array.isArray(steps)) return [];
  const slots: Slot[] = [];
  steps.forEach((step, i) => {
    if (!isRecord(step)) return;
    slots.push({ path: ["steps", i, "action"], kind: "single" });
    if (isBlock(step.compensation)) {
      slots.push({ path: ["steps", i, "compensation"], kind: "single" });
    }
  });
  return slots;
}

/** Child slots of one block, with paths relative to the block. */
export function blockSlots(block: Block): Slot[] {
  switch (block.type) {
    case "parallel":
    case "race":
      return indexedSlots(block, "branches", null);
    case "loop":
    case "for_each":
      return listSlot(block, "body", []);
    case "router":
      return [...indexedSlots(block, "routes", "blocks"), ...listSlot(block, "default", [])];
    case "try_catch":
      return ["try_block", "catch_block", "finally_block"].flatMap((k) => listSlot(block, k, []));
    case "cancellation_scope":
      return listSlot(block, "blocks", []);
    case "ab_split":
      return indexedSlots(block, "variants", "blocks");
    case "saga":
      return sagaSlots(block);
    default:
      return [];
  }
}

const ROOT_LISTS = ["blocks", "on_failure", "on_cancel"];

/** The sequence's own lists: the main blocks and the cleanup hooks. */
export function rootSlots(seq: Sequence): Slot[] {
  return ROOT_LISTS.flatMap((k) => listSlot(seq, k, []));
}

/** Visits every block depth-first (parents before children) with its full path. */
export function walkBlocks(seq: Sequence, visit: (block: Block, path: Path) => void): void {
  const visitSlot = (owner: unknown, slot: Slot, base: Path): void => {
    const path = [...base, ...slot.path];
    const value = getIn(owner, slot.path);
    const items: unknown[] = slot.kind === "single" ? [value] : Array.isArray(value) ? value : [];
    items.forEach((item, i) => {
      if (!isBlock(item)) return;
      const at = slot.kind === "single" ? path : [...path, i];
      visit(item, at);
      for (const child of blockSlots(item)) visitSlot(item, child, at);
    });
  };
  for (const slot of rootSlots(seq)) visitSlot(seq, slot, []);
}

export function getIn(root: unknown, path: Path): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (Array.isArray(node) && typeof key === "number") node = node[key];
    else if (isRecord(node) && typeof key === "string") node = node[key];
    else return undefined;
  }
  return node;
}

/** Copy of `root` with the value at `path` replaced; `undefined` deletes an object key. */
export function setIn<T>(root: T, path: Path, value: unknown): T {
  if (path.length === 0) return value as T;
  const [key, ...rest] = path;
  if (Array.isArray(root) && typeof key === "number") {
    const copy = root.slice();
    copy[key] = setIn(copy[key], rest, value);
    return copy as T;
  }
  const copy: Record<string, unknown> = { ...(isRecord(root) ? root : {}) };
  const next = setIn(copy[String(key)], rest, value);
  if (next === undefined) delete copy[String(key)];
  else copy[String(key)] = next;
  return copy as T;
}

export function isPrefix(prefix: Path, path: Path): boolean {
  return prefix.length <= path.length && prefix.every((key, i) => path[i] === key);
}

/** The slot kind of an absolute path (a list path as given by the canvas). */
export function slotKindAt(seq: Sequence, path: Path): Slot["kind"] | null {
  if (path.length === 1) return ROOT_LISTS.includes(String(path[0])) ? "list" : null;
  for (let cut = path.length - 1; cut >= 1; cut--) {
    const owner = getIn(seq, path.slice(0, cut));
    if (!isBlock(owner)) continue;
    const rel = path.slice(cut);
    if (owner.type === "saga" && rel.length === 1 && rel[0] === "steps") return "saga-steps";
    if (owner.type === "saga" && rel.length === 3 && rel[0] === "steps") {
      return rel[2] === "action" || rel[2] === "compensation" ? "single" : null;
    }
    const match = blockSlots(owner).find((s) => isPrefix(s.path, rel) && s.path.length === rel.length);
    if (match) return match.kind;
    // An optional list that is absent (e.g. finally_block) can still be dropped into.
    return optionalListKeys(owner).includes(String(rel[0])) && rel.length === 1 ? "list" : null;
  }
  return null;
}

function optionalListKeys(block: Block): string[] {
  if (block.type === "try_catch") return ["finally_block"];
  if (block.type === "router") return ["default"];
  return [];
}
