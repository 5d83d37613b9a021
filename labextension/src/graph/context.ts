// What every node of the canvas reads besides its own layout: live states, problems,
// selection and the editor hooks. Passed by React context so a live patch re-renders the
// cards without rebuilding React Flow's node list.
import type { DragEvent } from "react";
import { createContext, useContext } from "react";
import type { NodeView } from "../model/contract";

export interface CanvasContextValue {
  states: Record<string, NodeView> | undefined;
  /** Validation messages by block id. */
  problems: Map<string, string[]>;
  selected: string | null;
  /** Lane ids drawn as skipped (a router or A/B split chose another lane). */
  skippedLanes: Set<string>;
  /** Editor hooks present: cards drag, lanes accept drops. */
  editable: boolean;
  /** The lane a drag currently hovers (highlighted). */
  overLane: string | null;
  onDragOver(event: DragEvent<HTMLElement>, nodeId: string): void;
  onDragLeave(event: DragEvent<HTMLElement>): void;
  onDrop(event: DragEvent<HTMLElement>, nodeId: string): void;
  onDragStart(event: DragEvent<HTMLElement>, blockId: string): void;
}

const noop = (): void => undefined;

export const CanvasContext = createContext<CanvasContextValue>({
  states: undefined,
  problems: new Map(),
  selected: null,
  skippedLanes: new Set(),
  editable: false,
  overLane: null,
  onDragOver: noop,
  onDragLeave: noop,
  onDrop: noop,
  onDragStart: noop,
});

export function useCanvas(): CanvasContextValue {
  return useContext(CanvasContext);
}

/** Drop handlers for a node's root element (none when the canvas is read-only). */
export function dropProps(ctx: CanvasContextValue, nodeId: string): Record<string, unknown> {
  if (!ctx.editable) return {};
  return {
    onDragOver: (e: DragEvent<HTMLElement>) => ctx.onDragOver(e, nodeId),
    onDragLeave: (e: DragEvent<HTMLElement>) => ctx.onDragLeave(e),
    onDrop: (e: DragEvent<HTMLElement>) => ctx.onDrop(e, nodeId),
  };
}
