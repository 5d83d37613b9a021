// A lane: one list of blocks inside a composite (a branch, try/catch/finally, a route, a
// variant, a saga action or its compensation) or the sequence's own list. It labels the
// list, is the drop area in the editor (also when empty) and shows when it was skipped.
import type { NodeProps } from "@xyflow/react";
import { dropProps, useCanvas } from "../context";
import { stateIcon } from "../icons";
import type { GraphNode } from "./CardNode";

export function LaneNode({ id, data }: NodeProps<GraphNode>): JSX.Element {
  const ctx = useCanvas();
  const lane = data.info.lane;
  const skipped = ctx.skippedLanes.has(id);
  const root = lane?.ownerId === "";
  const empty = data.empty === true;
  const classes = [
    "orch8-lane",
    root ? "orch8-lane-root" : "",
    skipped ? "orch8-lane-skipped" : "",
    ctx.overLane === id ? "orch8-lane-over" : "",
  ];
  return (
    <div className={classes.filter(Boolean).join(" ")} data-testid={`orch8-lane-${id}`} {...dropProps(ctx, id)}>
      {lane !== undefined && lane.label !== "" && (
        <div className="orch8-lane-label" title={lane.label}>
          {skipped && (
            <span className="orch8-lane-skip">
              <span aria-hidden="true">{stateIcon("skipped")}</span> skipped ·{" "}
            </span>
          )}
          {lane.label}
        </div>
      )}
      {empty && <div className="orch8-lane-empty">{ctx.editable ? "drop blocks here" : lane?.single ? "none" : "empty"}</div>}
    </div>
  );
}
