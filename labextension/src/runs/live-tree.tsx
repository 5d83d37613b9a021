// The selected instance's live tree under the table: the `tree` trait gives the full
// InstanceView, `patch` custom messages update it in between (as for the tree widget).
import { useEffect, useState } from "react";
import { SequenceCanvas } from "../graph/SequenceCanvas";
import type { InstanceView, WidgetModel } from "../model/contract";
import { useCustomMessages } from "./model-hooks";
import { applyPatch, isPatch } from "./patch";
import { shortId } from "../graph/format";
import { StateLabel } from "./table";

export interface LiveTreeProps {
  model: WidgetModel;
  tree: InstanceView;
  /** The row the user picked; the tree may still be the previous one for a moment. */
  selected: string;
}

export function LiveTree({ model, tree, selected }: LiveTreeProps) {
  const [view, setView] = useState<InstanceView>(tree);
  const [block, setBlock] = useState<string | null>(null);
  // A new `tree` value is a full reset (new selection or a re-render request).
  useEffect(() => {
    setView(tree);
    setBlock(null);
  }, [tree]);
  useCustomMessages(model, (message) => {
    if (isPatch(message)) setView((current) => applyPatch(current, message));
  });

  const id = view.instance.id;
  if (id !== undefined && id !== selected) {
    return (
      <div className="orch8-runs-tree orch8-runs-loading" data-testid="orch8-table-tree">
        Loading instance <code>{shortId(selected)}</code>…
      </div>
    );
  }
  const { instance } = view;
  return (
    <section className="orch8-runs-tree" data-testid="orch8-table-tree" aria-label="Instance tree">
      <header className="orch8-runs-tree-header">
        <strong>{`${instance.sequence_name}@${instance.version}`}</strong>{" "}
        {id !== undefined && <code title={id}>{shortId(id)}</code>}{" "}
        <StateLabel state={instance.state} />
        {instance.error ? <span className="orch8-runs-error">{instance.error}</span> : null}
      </header>
      <SequenceCanvas
        sequence={view.sequence}
        nodes={view.nodes}
        selected={block}
        onSelect={setBlock}
      />
    </section>
  );
}
