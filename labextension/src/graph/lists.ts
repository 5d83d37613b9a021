// The child lists ("lanes") of each composite block type, with their labels and JSON paths.
// Mirrors orch8_nb/model/walk.py (child_block_lists): same order, same slots. The sequence
// may be invalid while it is edited, so every field is read defensively.
import type { Block, Sequence } from "../model/contract";
import type { LaneInfo } from "./layout";

/** One list slot of a composite, relative to the block that owns it. */
export interface ChildSlot {
  /** Unique within the block: "branch:0", "try", "step:1:compensation"... */
  key: string;
  label: string;
  /** Path of the list relative to the block, e.g. ["branches", 1] or ["try_block"]. */
  field: (string | number)[];
  blocks: Block[];
  /** A saga action/compensation: one block sitting at `field` itself, not a list. */
  single?: boolean;
  /** Lanes of one row sit side by side; rows stack (saga steps). Row 0 otherwise. */
  row: number;
}

type Rec = Record<string, unknown>;

function isRecord(value: unknown): value is Rec {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isBlock(value: unknown): value is Block {
  return isRecord(value) && typeof value.type === "string";
}

/** The blocks of a list field, dropping anything that is not a block object. */
export function asBlocks(value: unknown): Block[] {
  return Array.isArray(value) ? value.filter(isBlock) : [];
}

function records(value: unknown): Rec[] {
  return Array.isArray(value) ? value.map((v) => (isRecord(v) ? v : {})) : [];
}

/** "33.3" for 1/3: three significant digits like the Python renderer (`:.3g`). */
export function percent(weight: number, total: number): string {
  if (total <= 0) return "0";
  return String(Number(((weight * 100) / total).toPrecision(3)));
}

function branchSlots(block: Block): ChildSlot[] {
  const branches: unknown[] = Array.isArray(block.branches) ? block.branches : [];
  return branches.map((branch, i) => ({
    key: `branch:${i}`,
    label: `branch ${i + 1}`,
    field: ["branches", i],
    blocks: asBlocks(branch),
    row: 0,
  }));
}

function routerSlots(block: Block): ChildSlot[] {
  const slots: ChildSlot[] = records(block.routes).map((route, i) => ({
    key: `route:${i}`,
    label: `route ${i + 1}: ${String(route.condition ?? "")}`,
    field: ["routes", i, "blocks"],
    blocks: asBlocks(route.blocks),
    row: 0,
  }));
  if (Array.isArray(block.default)) {
    slots.push({ key: "default", label: "default", field: ["default"], blocks: asBlocks(block.default), row: 0 });
  }
  return slots;
}

function tryCatchSlots(block: Block): ChildSlot[] {
  const slots: ChildSlot[] = [
    { key: "try", label: "try", field: ["try_block"], blocks: asBlocks(block.try_block), row: 0 },
    { key: "catch", label: "catch", field: ["catch_block"], blocks: asBlocks(block.catch_block), row: 0 },
  ];
  if (Array.isArray(block.finally_block)) {
    slots.push({ key: "finally", label: "finally", field: ["finally_block"], blocks: asBlocks(block.finally_block), row: 0 });
  }
  return slots;
}

function abSlots(block: Block): ChildSlot[] {
  const variants = records(block.variants);
  const weight = (v: Rec): number => (typeof v.weight === "number" ? v.weight : 0);
  const total = variants.reduce((sum, v) => sum + weight(v), 0);
  return variants.map((v, i) => ({
    key: `variant:${i}`,
    label: `${String(v.name ?? `variant ${i + 1}`)} · ${percent(weight(v), total)}%`,
    field: ["variants", i, "blocks"],
    blocks: asBlocks(v.blocks),
    row: 0,
  }));
}

// Each saga step is a row: its action, and beside it the compensation. The compensation
// slot is listed even when empty so the editor can drop one in (the static HTML shows
// "none" there too).
function sagaSlots(block: Block): ChildSlot[] {
  return records(block.steps).flatMap((step, i) => {
    const name = typeof step.id === "string" && step.id !== "" ? step.id : `step ${i + 1}`;
    const one = (value: unknown): Block[] => (isBlock(value) ? [value] : []);
    return [
      { key: `step:${i}:action`, label: `${name} · action`, field: ["steps", i, "action"], blocks: one(step.action), single: true, row: i },
      { key: `step:${i}:compensation`, label: "compensate", field: ["steps", i, "compensation"], blocks: one(step.compensation), single: true, row: i },
    ];
  });
}

/** The child slots of `block` in document order (none for step and sub_sequence). */
export function childSlots(block: Block): ChildSlot[] {
  switch (block.type) {
    case "parallel":
    case "race":
      return branchSlots(block);
    case "loop":
    case "for_each":
      return [{ key: "body", label: "body", field: ["body"], blocks: asBlocks(block.body), row: 0 }];
    case "router":
      return routerSlots(block);
    case "try_catch":
      return tryCatchSlots(block);
    case "ab_split":
      return abSlots(block);
    case "cancellation_scope":
      return [{ key: "blocks", label: "shielded", field: ["blocks"], blocks: asBlocks(block.blocks), row: 0 }];
    case "saga":
      return sagaSlots(block);
    default:
      return [];
  }
}

export const ROOT_LANE_ID = "lane:root";

/** Lane id of `slot` of the block whose node id is `ownerNodeId`. */
export function laneId(ownerNodeId: string, slot: ChildSlot): string {
  return `lane:${ownerNodeId}:${slot.key}`;
}

/** Every list slot of the sequence, the root ["blocks"] first, then depth-first in order. */
export function blockLists(seq: Sequence): LaneInfo[] {
  const lanes: LaneInfo[] = [{ id: ROOT_LANE_ID, ownerId: "", label: "", path: ["blocks"] }];
  const seen = new Set<string>();
  const visit = (blocks: Block[], listPath: (string | number)[], single: boolean): void => {
    blocks.forEach((block, i) => {
      const path = single ? listPath : [...listPath, i];
      const nodeId = uniqueId(block, path, seen);
      for (const slot of childSlots(block)) {
        const lanePath = [...path, ...slot.field];
        lanes.push({ id: laneId(nodeId, slot), ownerId: String(block.id ?? ""), label: slot.label, path: lanePath, ...(slot.single ? { single: true } : {}) });
        visit(slot.blocks, lanePath, slot.single === true);
      }
    });
  };
  visit(asBlocks(seq.blocks), ["blocks"], false);
  return lanes;
}

/**
 * The node id of a block: its id, unless empty or already used (an invalid sequence being
 * edited), then made unique from its path so the canvas never sees two nodes with one id.
 */
export function uniqueId(block: Block, path: (string | number)[], seen: Set<string>): string {
  const raw = typeof block.id === "string" ? block.id : "";
  const id = raw !== "" && !seen.has(raw) ? raw : `${raw}@${path.join(".")}`;
  seen.add(id);
  return id;
}
