// The editing model: pure, immutable operations on the sequence JSON. Each returns a new
// sequence, or the very same object when the operation is refused or finds nothing, so a
// caller can test `next === seq` before recording history.
import type { Block, BlockType, Sequence } from "../model/contract";
import { collectIds, newBlock, newSagaStep } from "./defaults";
import { getIn, isBlock, isPrefix, isRecord, setIn, slotKindAt, walkBlocks, type Path } from "./tree";

export type { Path } from "./tree";

export interface Found {
  block: Block;
  /** Full JSON path of the block, e.g. ["blocks", 1, "branches", 0, 2]. */
  path: Path;
}

export function findBlock(seq: Sequence, id: string): Found | null {
  let found: Found | null = null;
  walkBlocks(seq, (block, path) => {
    if (found === null && block.id === id) found = { block, path };
  });
  return found;
}

/** A new block of `type` with ids that collide with nothing in `seq`. */
export function createBlock(seq: Sequence, type: BlockType, handler?: string): Block {
  return newBlock(type, collectIds(seq), handler);
}

/**
 * Inserts `block` into the slot at `listPath` before position `index` (clamped).
 * A saga's `steps` list wraps the block in a new saga step. A saga step's action or
 * compensation slot holds one block: dropping there replaces what it holds (the canvas
 * contract; a new saga step is added from the form or by clicking the palette).
 * Anything that is not a block slot is refused.
 */
export function insertBlock(seq: Sequence, listPath: Path, index: number, block: Block): Sequence {
  const kind = slotKindAt(seq, listPath);
  if (kind === null) return seq;
  if (kind === "single") return setIn(seq, listPath, block);
  const current = getIn(seq, listPath);
  const list = Array.isArray(current) ? current.slice() : [];
  const item = kind === "saga-steps" ? newSagaStep(collectIds(seq), block) : block;
  list.splice(clamp(index, list.length), 0, item);
  return setIn(seq, listPath, list);
}

/** Removes the block at `path`. A saga step without its action goes as a whole. */
export function removeAt(seq: Sequence, path: Path): Sequence {
  if (path.length === 0) return seq;
  const key = path[path.length - 1];
  const parentPath = path.slice(0, -1);
  const parent = getIn(seq, parentPath);
  if (Array.isArray(parent) && typeof key === "number") {
    return setIn(seq, parentPath, parent.filter((_, i) => i !== key));
  }
  if (key === "action") return removeAt(seq, parentPath);
  if (isRecord(parent)) return setIn(seq, path, undefined);
  return seq;
}

export function deleteBlock(seq: Sequence, id: string): Sequence {
  const found = findBlock(seq, id);
  return found ? removeAt(seq, found.path) : seq;
}

/** Replaces the block `id` with `block` (which may carry a new id). */
export function updateBlock(seq: Sequence, id: string, block: Block): Sequence {
  const found = findBlock(seq, id);
  return found ? setIn(seq, found.path, block) : seq;
}

/**
 * Moves block `id` to (`listPath`, `index`), both given in the tree as it is before the
 * move (what the canvas shows). Refuses to move a block into itself or its descendants.
 * Onto an occupied single slot (saga action/compensation) the two blocks swap places,
 * so a move never discards a block.
 */
export function moveBlock(seq: Sequence, id: string, listPath: Path, index: number): Sequence {
  const found = findBlock(seq, id);
  if (found === null || isPrefix(found.path, listPath)) return seq;
  // A placeholder keeps every index of the original tree valid while we insert; the
  // placeholder is then removed wherever it ended up.
  const marker: Block = { type: "step", id: "\u0000moving" };
  const marked = setIn(seq, found.path, marker);
  const displaced = slotKindAt(seq, listPath) === "single" ? getIn(seq, listPath) : undefined;
  if (isBlock(displaced)) {
    // The source sits inside the block it would swap with: no place to put that block.
    if (isPrefix(listPath, found.path)) return seq;
    return setIn(setIn(marked, listPath, found.block), found.path, displaced);
  }
  const inserted = insertBlock(marked, listPath, index, found.block);
  if (inserted === marked) return seq;
  let markerPath: Path | null = null;
  walkBlocks(inserted, (block, path) => {
    if (block === marker) markerPath = path;
  });
  if (markerPath === null) return seq;
  const moved = removeAt(inserted, markerPath);
  // Removing the marker can take the destination with it (a saga action moved into its
  // own step's compensation): then the move is refused rather than losing the block.
  let kept = false;
  walkBlocks(moved, (block) => {
    kept ||= block === found.block;
  });
  return kept ? moved : seq;
}

/** Where a click on the palette adds a block: after the selected step, into the selected
 * composite's first lane, or at the end of the root list. */
export function appendTarget(seq: Sequence, selected: string | null): { listPath: Path; index: number } {
  const rootEnd = { listPath: ["blocks"], index: Array.isArray(seq.blocks) ? seq.blocks.length : 0 };
  const found = selected === null ? null : findBlock(seq, selected);
  if (found === null) return rootEnd;
  const { block, path } = found;
  if (block.type === "saga") {
    const steps = Array.isArray(block.steps) ? block.steps.length : 0;
    return { listPath: [...path, "steps"], index: steps };
  }
  const lane = firstLane(block);
  if (lane !== null) {
    const list = getIn(block, lane);
    return { listPath: [...path, ...lane], index: Array.isArray(list) ? list.length : 0 };
  }
  const last = path[path.length - 1];
  if (typeof last === "number") return { listPath: path.slice(0, -1), index: last + 1 };
  // A saga action or compensation: a new saga step after its step.
  return { listPath: path.slice(0, -2), index: Number(path[path.length - 2]) + 1 };
}

function firstLane(block: Block): Path | null {
  switch (block.type) {
    case "parallel":
    case "race":
      return ["branches", 0];
    case "loop":
    case "for_each":
      return ["body"];
    case "router":
      return Array.isArray(block.routes) && block.routes.length > 0 ? ["routes", 0, "blocks"] : ["default"];
    case "try_catch":
      return ["try_block"];
    case "cancellation_scope":
      return ["blocks"];
    case "ab_split":
      return ["variants", 0, "blocks"];
    default:
      return null;
  }
}

function clamp(index: number, length: number): number {
  if (!Number.isFinite(index) || index > length) return length;
  return Math.max(0, Math.floor(index));
}
