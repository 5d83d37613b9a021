// A leaf card (step, sub_sequence, or a block type this version does not know): bold id,
// handler or target, badges, and in live views the status line. Fills exactly the box
// the layout reserved for it (sizes.ts).
import { Handle, type Node, type NodeProps, Position } from "@xyflow/react";
import type { Block } from "../../model/contract";
import { headline, stepBadges } from "../describe";
import type { LaidOutNode } from "../layout";
import { BlockTitle, dragProps, nodeAttributes, ProblemNote, StatusLine, useBlockNode } from "./parts";

/** A React Flow node of the canvas; `empty` marks a lane with no blocks. */
export type GraphNode = Node<{ info: LaidOutNode; empty?: boolean }, "card" | "container" | "lane">;

export function CardNode({ data }: NodeProps<GraphNode>): JSX.Element {
  const info = data.info;
  const block = info.block;
  if (block === undefined) return <div />;
  return <Card block={block} layoutId={info.id} />;
}

function Card({ block, layoutId }: { block: Block; layoutId: string }): JSX.Element {
  const node = useBlockNode(block);
  const { ctx, id, view, problems } = node;
  const badges = block.type === "step" ? stepBadges(block) : [];
  const line = headline(block);
  return (
    <div {...nodeAttributes(node, block, `orch8-card ${ctx.editable ? "nodrag nopan" : ""}`, layoutId)} {...dragProps(node)}>
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <BlockTitle block={block} id={id} kind={block.type !== "step"} />
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
      {view !== undefined && <StatusLine view={view} />}
      <ProblemNote messages={problems} />
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
}
