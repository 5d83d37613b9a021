// A leaf card (step, sub_sequence, or a block type this version does not know): bold id,
// handler or target, badges, and in live views the status line. Fills exactly the box
// the layout reserved for it (sizes.ts).
import { Handle, type Node, type NodeProps, Position } from "@xyflow/react";
import type { DragEvent } from "react";
import { dropProps, useCanvas } from "../context";
import { headline, stepBadges } from "../describe";
import { blockIcon, blockLabel } from "../icons";
import type { LaidOutNode } from "../layout";
import { ProblemNote, StatusLine, stateClasses } from "./parts";

/** A React Flow node of the canvas; `empty` marks a lane with no blocks. */
export type GraphNode = Node<{ info: LaidOutNode; empty?: boolean }, "card" | "container" | "lane">;

export function CardNode({ data }: NodeProps<GraphNode>): JSX.Element {
  const ctx = useCanvas();
  const info = data.info;
  const block = info.block;
  if (block === undefined) return <div />;
  const id = String(block.id ?? "");
  const live = ctx.states !== undefined;
  const view = live ? (ctx.states?.[id] ?? { state: "pending" as const }) : undefined;
  const problems = ctx.problems.get(id);
  const badges = block.type === "step" ? stepBadges(block) : [];
  const line = headline(block);
  const selected = ctx.selected === id;
  const drag = ctx.editable
    ? { draggable: true, onDragStart: (e: DragEvent<HTMLElement>) => ctx.onDragStart(e, id) }
    : {};
  return (
    <div
      className={`orch8-card ${ctx.editable ? "nodrag nopan" : ""} ${stateClasses(view, selected, problems !== undefined)}`}
      data-testid={`orch8-node-${id}`}
      {...(view !== undefined ? { "data-state": view.state } : {})}
      data-block-type={block.type}
      data-block-id={id}
      tabIndex={0}
      role="button"
      aria-label={`${blockLabel(block.type)} ${id}${view !== undefined ? `, ${view.state}` : ""}`}
      aria-pressed={selected}
      {...drag}
      {...dropProps(ctx, info.id)}
    >
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <div className="orch8-title">
        <span className="orch8-icon" title={blockLabel(block.type)} aria-hidden="true">
          {blockIcon(block.type)}
        </span>
        <span className="orch8-id" title={id}>
          {id}
        </span>
        {block.type !== "step" && <span className="orch8-kind">{blockLabel(block.type)}</span>}
      </div>
      <div className="orch8-line">
        <code title={line}>{line}</code>
      </div>
      {badges.length > 0 && (
        <div className="orch8-badges">
          {badges.map((b, i) => (
            <span key={i} className="orch8-badge" title={b.title}>
              {b.text}
            </span>
          ))}
        </div>
      )}
      {live && <StatusLine view={view} />}
      <ProblemNote messages={problems} />
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
}
