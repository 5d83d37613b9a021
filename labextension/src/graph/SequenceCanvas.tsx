// The sequence drawn with React Flow: nested boxes from layout.ts, cards and lanes from
// nodes/. Read-only unless the editor hooks are given; live states come in through
// `nodes` and only re-render cards (the layout depends on the sequence alone).
import {
  Controls,
  type Edge,
  MarkerType,
  type NodeMouseHandler,
  ReactFlow,
  type ReactFlowInstance,
  ReactFlowProvider,
  useReactFlow,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { type DragEvent, type KeyboardEvent, useCallback, useMemo, useRef, useState } from "react";
import type { NodeView, Sequence, ValidationProblem } from "../model/contract";
import { CanvasContext, type CanvasContextValue } from "./context";
import { DRAG_MIME, type DragPayload, LayoutIndex, parsePayload } from "./dnd";
import type { Layout } from "./layout";
import { CardNode, type GraphNode } from "./nodes/CardNode";
import { ContainerNode } from "./nodes/ContainerNode";
import { LaneNode } from "./nodes/LaneNode";
import { isComposite } from "./sizes";
import { chosenLaneKey } from "./status";
import { problemIdsOf, useLayout } from "./useLayout";

export { DRAG_MIME };
export type { DragPayload };

export interface SequenceCanvasProps {
  sequence: Sequence;
  /** Live/static states by block id (tree view). */
  nodes?: Record<string, NodeView>;
  /** Validation errors shown on their cards. */
  problems?: ValidationProblem[];
  selected?: string | null;
  onSelect?: (blockId: string | null) => void;
  /** Editor hooks (absent = read-only). `index` counts blocks of the list as it is now. */
  onDropOnLane?: (lanePath: (string | number)[], index: number, payload: DragPayload) => void;
  onDeleteBlock?: (blockId: string) => void;
  /** Pixels; the default fits the content up to 600. */
  height?: number;
}

const NODE_TYPES = { card: CardNode, container: ContainerNode, lane: LaneNode };
const MAX_HEIGHT = 600;
const MIN_HEIGHT = 120;

function toFlowNodes(layout: Layout, index: LayoutIndex): GraphNode[] {
  return layout.nodes.map((info) => {
    const type = info.kind === "lane" ? "lane" : info.block !== undefined && isComposite(info.block) ? "container" : "card";
    return {
      id: info.id,
      type,
      position: { x: info.x, y: info.y },
      width: info.width,
      height: info.height,
      style: { width: info.width, height: info.height },
      ...(info.parentId !== undefined ? { parentId: info.parentId, extent: "parent" as const } : {}),
      draggable: false,
      selectable: info.kind === "block",
      connectable: false,
      deletable: false,
      data: { info, ...(info.kind === "lane" ? { empty: (index.children.get(info.id) ?? []).length === 0 } : {}) },
    };
  });
}

function toFlowEdges(layout: Layout): Edge[] {
  return layout.edges.map((e) => ({
    ...e,
    type: "straight",
    markerEnd: { type: MarkerType.ArrowClosed, width: 14, height: 14 },
    className: "orch8-edge",
    focusable: false,
    selectable: false,
  }));
}

function groupProblems(problems: ValidationProblem[] | undefined): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const p of problems ?? []) {
    if (p.block_id === null || p.block_id === undefined) continue;
    map.set(p.block_id, [...(map.get(p.block_id) ?? []), p.message]);
  }
  return map;
}

function skippedLanes(layout: Layout | null, states: Record<string, NodeView> | undefined): Set<string> {
  const out = new Set<string>();
  if (layout === null || states === undefined) return out;
  const chosen = new Map<string, string>(); // composite node id -> chosen lane id
  for (const n of layout.nodes) {
    if (n.kind !== "block" || n.block === undefined) continue;
    const key = chosenLaneKey(n.block, states[String(n.block.id)]);
    if (key !== null) chosen.set(n.id, `lane:${n.id}:${key}`);
  }
  for (const n of layout.nodes) {
    if (n.kind !== "lane" || n.parentId === undefined) continue;
    const pick = chosen.get(n.parentId);
    if (pick !== undefined && pick !== n.id) out.add(n.id);
  }
  return out;
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return el !== null && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.isContentEditable === true);
}

// Start at the top, centred across (a sequence reads top to bottom), and for a tall one fit
// the width, not the whole height, so a long picture opens readable instead of shrunk to a
// stripe.
function initialView(flow: ReactFlowInstance<GraphNode, Edge>, el: HTMLElement | null, layout: Layout): void {
  const width = el?.clientWidth || layout.width;
  const height = el?.clientHeight || layout.height;
  const zoom = Math.min(1, (width - 16) / Math.max(1, layout.width));
  const z = layout.height * zoom <= height - 16 ? zoom : Math.max(zoom, 0.3);
  void flow.setViewport({ x: Math.max(8, (width - layout.width * z) / 2), y: 8, zoom: z });
}

function Canvas(props: SequenceCanvasProps): JSX.Element {
  const { sequence, nodes: states, problems, onSelect, onDropOnLane, onDeleteBlock } = props;
  const selected = props.selected ?? null;
  const problemIds = useMemo(() => problemIdsOf(problems), [problems]);
  const { layout, error } = useLayout(sequence, states !== undefined, problemIds);
  const index = useMemo(() => (layout ? new LayoutIndex(layout) : null), [layout]);
  const flowNodes = useMemo(() => (layout && index ? toFlowNodes(layout, index) : []), [layout, index]);
  const flowEdges = useMemo(() => (layout ? toFlowEdges(layout) : []), [layout]);
  const problemMap = useMemo(() => groupProblems(problems), [problems]);
  const skipped = useMemo(() => skippedLanes(layout, states), [layout, states]);
  const [overLane, setOverLane] = useState<string | null>(null);
  const wrapper = useRef<HTMLDivElement>(null);
  const flow = useReactFlow<GraphNode, Edge>();
  const editable = onDropOnLane !== undefined;

  const onDragOver = useCallback(
    (e: DragEvent<HTMLElement>, nodeId: string) => {
      if (!Array.from(e.dataTransfer?.types ?? []).includes(DRAG_MIME)) return;
      e.preventDefault();
      e.stopPropagation();
      const lane = index?.laneFor(nodeId)?.id ?? null;
      setOverLane((current) => (current === lane ? current : lane));
    },
    [index],
  );
  const onDrop = useCallback(
    (e: DragEvent<HTMLElement>, nodeId: string) => {
      setOverLane(null);
      const payload = parsePayload(e.dataTransfer?.getData(DRAG_MIME) ?? "");
      if (payload === null || index === null || onDropOnLane === undefined) return;
      e.preventDefault();
      e.stopPropagation();
      const at = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      const target = index.dropTarget(nodeId, at.y);
      if (target === null) return;
      if (payload.kind === "move" && index.isWithin(target.lane.id, payload.blockId)) return;
      onDropOnLane(target.lane.path, target.index, payload);
    },
    [index, flow, onDropOnLane],
  );
  const onDragStart = useCallback((e: DragEvent<HTMLElement>, blockId: string) => {
    e.stopPropagation();
    const payload: DragPayload = { kind: "move", blockId };
    e.dataTransfer?.setData(DRAG_MIME, JSON.stringify(payload));
    if (e.dataTransfer) e.dataTransfer.effectAllowed = "move";
  }, []);
  const onDragLeave = useCallback(() => setOverLane(null), []);

  const ctx: CanvasContextValue = useMemo(
    () => ({ states, problems: problemMap, selected, skippedLanes: skipped, editable, overLane, onDragOver, onDragLeave, onDrop, onDragStart }),
    [states, problemMap, selected, skipped, editable, overLane, onDragOver, onDragLeave, onDrop, onDragStart],
  );

  const onNodeClick: NodeMouseHandler<GraphNode> = useCallback(
    (_e, node) => onSelect?.(node.data.info.kind === "block" ? String(node.data.info.block?.id ?? "") : null),
    [onSelect],
  );
  const onKeyDown = useCallback(
    (e: KeyboardEvent<HTMLDivElement>) => {
      if (isTyping(e.target)) return;
      if ((e.key === "Delete" || e.key === "Backspace") && onDeleteBlock && selected !== null) {
        // JupyterLab must never see it (Backspace would delete the cell output or cell).
        e.preventDefault();
        e.stopPropagation();
        onDeleteBlock(selected);
      } else if ((e.key === "Enter" || e.key === " ") && onSelect) {
        const id = (e.target as HTMLElement).closest?.("[data-block-id]")?.getAttribute("data-block-id");
        if (id !== null && id !== undefined) {
          e.preventDefault();
          onSelect(id);
        }
      } else if (e.key === "Escape" && onSelect && selected !== null) {
        onSelect(null);
      }
    },
    [onDeleteBlock, onSelect, selected],
  );

  const height = props.height ?? Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, (layout?.height ?? 0) + 24));
  return (
    <div
      ref={wrapper}
      className={`orch8-canvas${editable ? " orch8-canvas-editable" : ""}`}
      style={{ height }}
      onKeyDown={onKeyDown}
      data-testid="orch8-canvas"
    >
      <CanvasContext.Provider value={ctx}>
        {layout === null ? (
          <div className="orch8-canvas-note">{error ?? "laying out…"}</div>
        ) : (
          <ReactFlow<GraphNode, Edge>
            nodes={flowNodes}
            edges={flowEdges}
            nodeTypes={NODE_TYPES}
            onInit={(instance) => initialView(instance, wrapper.current, layout)}
            onNodeClick={onNodeClick}
            onPaneClick={() => onSelect?.(null)}
            nodesDraggable={false}
            nodesConnectable={false}
            nodesFocusable={false}
            edgesFocusable={false}
            elementsSelectable={false}
            deleteKeyCode={null}
            selectionKeyCode={null}
            multiSelectionKeyCode={null}
            zoomOnDoubleClick={false}
            // In a notebook the wheel scrolls the page; zoom with the buttons or a pinch.
            zoomOnScroll={false}
            panOnScroll={false}
            preventScrolling={false}
            minZoom={0.1}
            maxZoom={2}
            proOptions={{ hideAttribution: true }}
          >
            <Controls showInteractive={false} />
          </ReactFlow>
        )}
      </CanvasContext.Provider>
    </div>
  );
}

/** The sequence graph; read-only unless the editor hooks are set. */
export function SequenceCanvas(props: SequenceCanvasProps): JSX.Element {
  return (
    <ReactFlowProvider>
      <Canvas {...props} />
    </ReactFlowProvider>
  );
}
