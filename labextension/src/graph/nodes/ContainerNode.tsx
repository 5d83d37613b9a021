// A composite block drawn as a titled box around its lanes: icon, id, type, the key
// setting (race semantics, loop condition and max, for_each collection...) and, in live
// views, its status. The lanes are separate child nodes drawn on top of the box.
import { Handle, type NodeProps, Position } from "@xyflow/react";
import type { Block } from "../../model/contract";
import { headline } from "../describe";
import type { GraphNode } from "./CardNode";
import { BlockTitle, dragProps, nodeAttributes, ProblemNote, StatusLine, useBlockNode } from "./parts";

export function ContainerNode({ data }: NodeProps<GraphNode>): JSX.Element {
  const block = data.info.block;
  if (block === undefined) return <div />;
  return <Container block={block} layoutId={data.info.id} />;
}

function Container({ block, layoutId }: { block: Block; layoutId: string }): JSX.Element {
  const node = useBlockNode(block);
  const { ctx, id, view, problems } = node;
  const line = headline(block);
  return (
    <div {...nodeAttributes(node, block, "orch8-container", layoutId)}>
      <Handle type="target" position={Position.Top} isConnectable={false} />
      {/* Only the header drags: the lanes inside are drop targets. */}
      <div className={`orch8-container-head ${ctx.editable ? "nodrag nopan" : ""}`} {...dragProps(node)}>
        <BlockTitle block={block} id={id} kind />
        <div className="orch8-line">
          <code title={line}>{line}</code>
        </div>
        {view !== undefined && <StatusLine view={view} />}
        <ProblemNote messages={problems} />
      </div>
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
}
