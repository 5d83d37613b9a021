// Lays a sequence out as nested boxes, top to bottom (UI.md "The graph"). elkjs' layered
// algorithm places every level bottom-up (blocks stacked in a lane, lanes side by side in a
// composite, saga steps as rows; see level.ts), then a top-down pass aligns the lanes of a
// row and centres cards in their lane. Node order is document order and ELK is told to
// keep it, so the same sequence always gives the same coordinates and editing one block
// does not reshuffle the others.
import type { LayoutOptions as ElkOptions } from "elkjs/lib/elk-api";
import type { Block, Sequence } from "../model/contract";
import { type Stack, layoutLevel } from "./level";
import { ROOT_LANE_ID, asBlocks, childSlots, laneId, uniqueId } from "./lists";
import * as S from "./sizes";

export { blockLists } from "./lists";

export interface LaneInfo {
  /** Unique node id, e.g. "lane:par1:branch:0" ("lane:root" for the sequence's blocks). */
  id: string;
  /** Block id of the composite ("" for the root list). */
  ownerId: string;
  /** "branch 1", "try", "body", "route 1: x > 3", "default", "a · 30%", "compensate"... */
  label: string;
  /** JSON path of the block LIST inside the sequence, e.g. ["blocks", 0, "branches", 1]. */
  path: (string | number)[];
  /**
   * A saga action or compensation: the slot holds ONE block at `path` itself (not a list);
   * dropping there replaces it (index is always 0). Absent for ordinary lists.
   */
  single?: boolean;
}

export interface LaidOutNode {
  /** Block id for blocks, LaneInfo.id for lanes. */
  id: string;
  kind: "block" | "lane";
  block?: Block;
  lane?: LaneInfo;
  /** Blocks: JSON path of the block itself; lanes: path of the list. */
  path: (string | number)[];
  /** Enclosing container node id (lane or composite block). */
  parentId?: string;
  /** Relative to the parent (React Flow sub-flow convention). */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LaidOutEdge {
  id: string;
  source: string;
  target: string;
}

export interface Layout {
  nodes: LaidOutNode[];
  edges: LaidOutEdge[];
  width: number;
  height: number;
}

/** What the cards must make room for besides the sequence itself. */
export interface LayoutOptions {
  /** Reserve a status row on each card (tree views with node states). */
  live?: boolean;
  /** Block ids with validation problems: their cards get a message row. */
  problemIds?: Iterable<string>;
}

const LANE_GAP = 10; // between lanes side by side
const LAYER_GAP = 20; // between blocks stacked in a lane

const BASE: ElkOptions = {
  "elk.algorithm": "layered",
  "elk.direction": "DOWN",
  // Edges are drawn by React Flow, and each level is a simple stack or row: the cheapest
  // routing, layering and placement give the same picture much faster.
  "elk.edgeRouting": "POLYLINE",
  "elk.separateConnectedComponents": "false",
  "elk.layered.layering.strategy": "LONGEST_PATH",
  "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
  "elk.layered.crossingMinimization.forceNodeModelOrder": "true",
  "elk.layered.nodePlacement.strategy": "SIMPLE",
  "elk.layered.thoroughness": "1",
  "elk.layered.spacing.nodeNodeBetweenLayers": String(LAYER_GAP),
  "elk.spacing.nodeNode": "12",
};

/** A node of the layout tree before placement: a leaf card or a container of boxes. */
interface Box {
  node: LaidOutNode;
  stack?: Stack;
  /** Saga rows: lanes of one row share y and height. */
  row: number;
  children: Box[];
  edges: [number, number][];
  options: ElkOptions;
  minWidth: number;
  minHeight: number;
}

const padding = (top: number, side: number, bottom: number): string =>
  `[top=${top},left=${side},bottom=${bottom},right=${side}]`;

class Builder {
  readonly edges: LaidOutEdge[] = [];
  private readonly seen = new Set<string>();
  private readonly problems: Set<string>;

  constructor(private readonly live: boolean, problemIds: Iterable<string>) {
    this.problems = new Set(problemIds);
  }

  lane(lane: LaneInfo, blocks: Block[], parentId: string | undefined, single: boolean, row: number): Box {
    const children = blocks.map((b, i) => this.block(b, single ? lane.path : [...lane.path, i], lane.id));
    const edges: [number, number][] = [];
    for (let i = 1; i < children.length; i++) {
      const [source, target] = [children[i - 1].node.id, children[i].node.id];
      this.edges.push({ id: `edge:${source}->${target}`, source, target });
      edges.push([i - 1, i]);
    }
    const stack: Stack = { top: lane.label === "" ? S.LANE_SIDE : S.LANE_LABEL, side: S.LANE_SIDE, bottom: S.LANE_BOTTOM, gap: LAYER_GAP };
    return {
      node: makeNode(lane.id, "lane", lane.path, parentId, { lane }),
      stack,
      row,
      children,
      edges,
      options: { ...BASE, "elk.padding": padding(stack.top, stack.side, stack.bottom) },
      minWidth: S.CARD_WIDTH + 2 * S.LANE_SIDE,
      minHeight: S.EMPTY_LANE_HEIGHT,
    };
  }

  private block(block: Block, path: (string | number)[], parentId: string): Box {
    const id = uniqueId(block, path, this.seen);
    const node = makeNode(id, "block", path, parentId, { block });
    const sizes = { live: this.live, problem: this.problems.has(String(block.id)) };
    if (!S.isComposite(block)) {
      const height = S.cardHeight(block, sizes);
      return { node, row: 0, children: [], edges: [], options: {}, minWidth: S.CARD_WIDTH, minHeight: height };
    }
    const header = S.headerHeight(sizes);
    const slots = childSlots(block);
    const children = slots.map((slot) => {
      const lanePath = [...path, ...slot.field];
      const info: LaneInfo = { id: laneId(id, slot), ownerId: String(block.id ?? ""), label: slot.label, path: lanePath };
      if (slot.single) info.single = true;
      return this.lane(info, slot.blocks, id, slot.single === true, slot.row);
    });
    return {
      node,
      row: 0,
      children,
      edges: rowEdges(slots.map((s) => s.row)),
      options: {
        ...BASE,
        "elk.padding": padding(header, S.CONTAINER_SIDE, S.CONTAINER_BOTTOM),
        "elk.spacing.nodeNode": String(LANE_GAP),
        "elk.layered.spacing.nodeNodeBetweenLayers": "10",
      },
      minWidth: S.MIN_CONTAINER_WIDTH,
      minHeight: header + S.EMPTY_LANE_HEIGHT,
    };
  }
}

function makeNode(
  id: string,
  kind: LaidOutNode["kind"],
  path: (string | number)[],
  parentId: string | undefined,
  extra: Pick<LaidOutNode, "block" | "lane">,
): LaidOutNode {
  return { id, kind, ...extra, path, ...(parentId !== undefined ? { parentId } : {}), x: 0, y: 0, width: 0, height: 0 };
}

// Invisible edges that stack saga rows: lane k of row r points to lane k of row r + 1, so
// the layered algorithm puts each row in its own layer. Never drawn.
function rowEdges(rows: number[]): [number, number][] {
  const edges: [number, number][] = [];
  rows.forEach((row, i) => {
    if (row === 0) return;
    const above = rows.map((r, j) => (r === row - 1 ? j : -1)).filter((j) => j >= 0);
    const k = rows.slice(0, i).filter((r) => r === row).length;
    if (above.length > 0) edges.push([above[Math.min(k, above.length - 1)], i]);
  });
  return edges;
}

/** Sizes every container from its children, innermost first (one ELK run per level). */
async function place(box: Box): Promise<void> {
  if (box.children.length === 0 && box.node.kind === "block") {
    box.node.width = box.minWidth;
    box.node.height = box.minHeight;
    return;
  }
  for (const child of box.children) await place(child);
  if (box.children.length === 0) {
    box.node.width = box.minWidth;
    box.node.height = box.minHeight;
    return;
  }
  const result = await layoutLevel({
    sizes: box.children.map((c) => [c.node.width, c.node.height]),
    edges: box.edges,
    options: box.options,
    ...(box.stack !== undefined ? { stack: box.stack } : {}),
  });
  box.children.forEach((c, i) => {
    [c.node.x, c.node.y] = result.positions[i];
  });
  box.node.width = Math.max(box.minWidth, result.width);
  box.node.height = Math.max(box.minHeight, result.height);
}

/**
 * Emits `box`'s children (parents before children, as React Flow wants), after aligning
 * lanes by row or centring blocks in their lane. A container is adjusted before its
 * children are visited, so a widened lane centres its blocks in its final width.
 */
function emit(box: Box, out: LaidOutNode[]): void {
  const owner = box.node;
  if (owner.kind === "lane") {
    for (const c of box.children) c.node.x = Math.round((owner.width - c.node.width) / 2);
  } else if (box.children.length > 0) {
    alignRows(owner, box.children);
  }
  for (const child of box.children) {
    out.push(child.node);
    emit(child, out);
  }
}

// Lanes of one row get the row's top and height and share any spare width, so drop areas
// line up and fill the container.
function alignRows(owner: LaidOutNode, lanes: Box[]): void {
  const inner = owner.width - 2 * S.CONTAINER_SIDE;
  const rows = new Map<number, LaidOutNode[]>();
  for (const b of lanes) rows.set(b.row, [...(rows.get(b.row) ?? []), b.node]);
  for (const row of rows.values()) {
    const top = Math.min(...row.map((n) => n.y));
    const bottom = Math.max(...row.map((n) => n.y + n.height));
    const used = row.reduce((sum, n) => sum + n.width, 0) + LANE_GAP * (row.length - 1);
    const spare = Math.max(0, Math.floor((inner - used) / row.length));
    let x = S.CONTAINER_SIDE;
    for (const n of row) {
      n.x = x;
      n.y = top;
      n.width += spare;
      n.height = bottom - top;
      x += n.width + LANE_GAP;
    }
  }
}

/** Lays out `seq` (deterministic: the same input gives the same coordinates). */
export async function layoutSequence(seq: Sequence, options: LayoutOptions = {}): Promise<Layout> {
  const builder = new Builder(options.live === true, options.problemIds ?? []);
  const info: LaneInfo = { id: ROOT_LANE_ID, ownerId: "", label: "", path: ["blocks"] };
  const root = builder.lane(info, asBlocks(seq.blocks), undefined, false, 0);
  await place(root);
  root.node.x = 0;
  root.node.y = 0;
  const nodes: LaidOutNode[] = [root.node];
  emit(root, nodes);
  return { nodes, edges: builder.edges, width: root.node.width, height: root.node.height };
}
