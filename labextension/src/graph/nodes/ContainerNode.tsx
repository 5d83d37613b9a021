// A composite block drawn as a titled box around its lanes: icon, id, type, the key
// setting (race semantics, loop condition and max, for_each collection...) and, in live
// views, its status. The lanes are separate child nodes drawn on top of the box.
import { Handle, type NodeProps, Position } from "@xyflow/react";
import type { DragEvent } from "react";
import { dropProps, useCanvas } from "../context";
import { headline } from "../describe";
import { blockIcon, blockLabel } from "../icons";
import type { GraphNode } from "./CardNode";
import { ProblemNote, StatusLine, stateClasses } from "./parts";

export function ContainerNode({ data }: NodeProps<GraphNode>): JSX.Element {
  const ctx = useCanvas();
  const block = data.info.block;
  if (block === undefined) return <div />;
  const id = String(block.id ?? "");
  const live = ctx.states !== undefined;
  const view = live ? (ctx.states?.[id] ?? { state: "pending" as const }) : undefined;
  const problems = ctx.problems.get(id);
  const line = headline(block);
  const selected = ctx.selected === id;
  const drag = ctx.editable
    ? { draggable: true, onDragStart: (e: DragEvent<HTMLElement>) => ctx.onDragStart(e, id) }
    : {};
  return (
    <div
      className={`orch8-container ${stateClasses(view, selected, problems !== undefined)}`}
      data-testid={`orch8-node-${id}`}
      {...(view !== undefined ? { "data-state": view.state } : {})}
      data-block-type={block.type}
      data-block-id={id}
      tabIndex={0}
      role="button"
      aria-label={`${blockLabel(block.type)} ${id}${view !== undefined ? `, ${view.state}` : ""}`}
      aria-pressed={selected}
      {...dropProps(ctx, data.info.id)}
    >
      <Handle type="target" position={Position.Top} isConnectable={false} />
      {/* Only the header drags: the lanes inside are drop targets. */}
      <div className={`orch8-container-head ${ctx.editable ? "nodrag nopan" : ""}`} {...drag}>
        <div className="orch8-title">
          <span className="orch8-icon" title={blockLabel(block.type)} aria-hidden="true">
            {blockIcon(block.type)}
          </span>
          <span className="orch8-id" title={id}>
            {id}
          </span>
          <span className="orch8-kind">{blockLabel(block.type)}</span>
        </div>
        <div className="orch8-line">
          <code title={line}>{line}</code>
        </div>
        {live && <StatusLine view={view} />}
        <ProblemNote messages={problems} />
      </div>
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
}
