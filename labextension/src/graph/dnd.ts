// Drag and drop on the canvas: the payload format and where a drop lands. Pure functions
// over a Layout so they are easy to test; SequenceCanvas wires them to DOM events.
import type { BlockType } from "../model/contract";
import { BLOCK_TYPES } from "../model/contract";
import type { LaidOutNode, LaneInfo, Layout } from "./layout";

/** dataTransfer type carrying a JSON DragPayload. */
export const DRAG_MIME = "application/x-orch8-block";

export type DragPayload = { kind: "new"; blockType: BlockType } | { kind: "move"; blockId: string };

/** The payload in `text`, or null when it is not one (a drag from elsewhere). */
export function parsePayload(text: string): DragPayload | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  if (v.kind === "new" && (BLOCK_TYPES as readonly unknown[]).includes(v.blockType)) {
    return { kind: "new", blockType: v.blockType as BlockType };
  }
  if (v.kind === "move" && typeof v.blockId === "string") return { kind: "move", blockId: v.blockId };
  return null;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Lookups over one layout, built once per layout. */
export class LayoutIndex {
  readonly byId = new Map<string, LaidOutNode>();
  readonly children = new Map<string, LaidOutNode[]>();
  readonly rects = new Map<string, Rect>();

  constructor(readonly layout: Layout) {
    // Parents come before children in layout.nodes, so absolute positions build in one pass.
    for (const node of layout.nodes) {
      this.byId.set(node.id, node);
      const parent = node.parentId !== undefined ? this.rects.get(node.parentId) : undefined;
      this.rects.set(node.id, {
        x: node.x + (parent?.x ?? 0),
        y: node.y + (parent?.y ?? 0),
        width: node.width,
        height: node.height,
      });
      if (node.parentId !== undefined) {
        const siblings = this.children.get(node.parentId) ?? [];
        siblings.push(node);
        this.children.set(node.parentId, siblings);
      }
    }
  }

  /** The lane a drop on `nodeId` goes to: the lane itself, or the lane holding the block. */
  laneFor(nodeId: string): LaidOutNode | null {
    const node = this.byId.get(nodeId);
    if (node === undefined) return null;
    if (node.kind === "lane") return node;
    const parent = node.parentId !== undefined ? this.byId.get(node.parentId) : undefined;
    return parent?.kind === "lane" ? parent : null;
  }

  /** Insertion index in `lane` for a drop at flow y: before the first block whose middle is below. */
  indexAt(lane: LaidOutNode, flowY: number): number {
    if (lane.lane?.single === true) return 0;
    const kids = this.children.get(lane.id) ?? [];
    let index = 0;
    for (const kid of kids) {
      const r = this.rects.get(kid.id);
      if (r !== undefined && r.y + r.height / 2 < flowY) index += 1;
    }
    return index;
  }

  /** Where a drop on `nodeId` at flow y lands, or null when nowhere. */
  dropTarget(nodeId: string, flowY: number): { lane: LaneInfo; index: number } | null {
    const lane = this.laneFor(nodeId);
    if (lane?.lane === undefined) return null;
    return { lane: lane.lane, index: this.indexAt(lane, flowY) };
  }

  /** True when `nodeId` is `ancestorId` or sits inside it (a block cannot move into itself). */
  isWithin(nodeId: string, ancestorId: string): boolean {
    let current: LaidOutNode | undefined = this.byId.get(nodeId);
    while (current !== undefined) {
      if (current.id === ancestorId) return true;
      current = current.parentId !== undefined ? this.byId.get(current.parentId) : undefined;
    }
    return false;
  }
}
