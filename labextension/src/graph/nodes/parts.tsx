// What cards and containers share: the block's live state and problems, the element's
// attributes (test ids, state, accessibility), the title row, the status line and the
// problem note.
import type { DragEvent } from "react";
import type { Block, NodeView } from "../../model/contract";
import { useCountdown } from "../clock";
import { type CanvasContextValue, dropProps, useCanvas } from "../context";
import { blockIcon, blockLabel, stateIcon } from "../icons";
import { statusOf } from "../status";

export interface BlockNode {
  ctx: CanvasContextValue;
  id: string;
  /** Live views only (pending until the engine reached the block). */
  view: NodeView | undefined;
  problems: string[] | undefined;
  selected: boolean;
}

/** The canvas state of `block`, read from the canvas context. */
export function useBlockNode(block: Block): BlockNode {
  const ctx = useCanvas();
  const id = String(block.id ?? "");
  const view = ctx.states !== undefined ? (ctx.states[id] ?? { state: "pending" as const }) : undefined;
  return { ctx, id, view, problems: ctx.problems.get(id), selected: ctx.selected === id };
}

/** The attributes of a card's or container's element; `className` goes first. */
export function nodeAttributes(node: BlockNode, block: Block, className: string, layoutId: string) {
  const { ctx, id, view, selected } = node;
  return {
    className: `${className} ${stateClasses(view, selected, node.problems !== undefined)}`,
    "data-testid": `orch8-node-${id}`,
    ...(view !== undefined ? { "data-state": view.state } : {}),
    "data-block-type": block.type,
    "data-block-id": id,
    tabIndex: 0,
    role: "button",
    "aria-label": `${blockLabel(block.type)} ${id}${view !== undefined ? `, ${view.state}` : ""}`,
    "aria-pressed": selected,
    ...dropProps(ctx, layoutId),
  };
}

/** What makes an element drag its block in the editor (nothing in read-only views). */
export function dragProps(node: BlockNode) {
  const { ctx, id } = node;
  return ctx.editable
    ? { draggable: true, onDragStart: (e: DragEvent<HTMLElement>) => ctx.onDragStart(e, id) }
    : {};
}

/** Icon, bold id (full id on hover) and, unless hidden, the block type's name. */
export function BlockTitle({ block, id, kind }: { block: Block; id: string; kind: boolean }): JSX.Element {
  return (
    <div className="orch8-title">
      <span className="orch8-icon" title={blockLabel(block.type)} aria-hidden="true">
        {blockIcon(block.type)}
      </span>
      <span className="orch8-id" title={id}>
        {id}
      </span>
      {kind && <span className="orch8-kind">{blockLabel(block.type)}</span>}
    </div>
  );
}

/** Icon + state word + detail + facts: never colour alone. */
export function StatusLine({ view }: { view: NodeView }): JSX.Element {
  const status = statusOf(view, useCountdown(view.wakes_in_ms));
  return (
    <div className={`orch8-status orch8-fg-${view.state}`} title={status.title}>
      <span className="orch8-status-word">
        <span aria-hidden="true">{stateIcon(view.state)}</span> {view.state}
      </span>
      {status.detail && <span className="orch8-status-detail">{status.detail}</span>}
      {status.facts.length > 0 && <span className="orch8-status-facts">{status.facts.join(" · ")}</span>}
    </div>
  );
}

/** The validation message(s) of a block: first line shown, everything in the tooltip. */
export function ProblemNote({ messages }: { messages: string[] | undefined }): JSX.Element | null {
  if (messages === undefined || messages.length === 0) return null;
  const full = messages.join("\n");
  return (
    <div className="orch8-problem-note" title={full}>
      <span aria-hidden="true">⚠</span> {messages.length > 1 ? `(${messages.length}) ` : ""}
      {messages[0]}
    </div>
  );
}

/** CSS classes of a card or container for its state, selection and problems. */
export function stateClasses(view: NodeView | undefined, selected: boolean, problem: boolean): string {
  return [
    view !== undefined ? `orch8-state-${view.state}` : "",
    selected ? "orch8-selected" : "",
    problem ? "orch8-has-problem" : "",
  ]
    .filter(Boolean)
    .join(" ");
}
