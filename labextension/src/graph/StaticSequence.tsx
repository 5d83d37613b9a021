// Read-only drawing for the mime renderers (no kernel): the same canvas, plus the
// instance's state line for an InstanceView. Static views carry no wall-clock data, so
// nothing here depends on the time it is drawn.
import { createRoot } from "react-dom/client";
import type { InstanceView, NodeState, SequenceView } from "../model/contract";
import { SequenceCanvas } from "./SequenceCanvas";
import { stateIcon } from "./icons";

function isInstanceView(view: SequenceView | InstanceView): view is InstanceView {
  return "nodes" in view && typeof (view as InstanceView).nodes === "object" && (view as InstanceView).nodes !== null;
}

function StaticView({ view }: { view: SequenceView | InstanceView }): JSX.Element {
  if (!isInstanceView(view)) {
    return (
      <div className="orch8-static">
        <SequenceCanvas sequence={view.sequence} />
      </div>
    );
  }
  const inst = view.instance;
  return (
    <div className="orch8-static">
      <div className="orch8-static-head">
        <span className={`orch8-pill orch8-fg-${inst.state}`} data-testid="orch8-instance-state">
          <span aria-hidden="true">{stateIcon(inst.state as NodeState)}</span> {inst.state}
        </span>{" "}
        <strong>{inst.sequence_name}</strong> <span className="orch8-muted">v{inst.version}</span>
        {inst.error ? <span className="orch8-static-error" title={inst.error}> {inst.error}</span> : null}
      </div>
      <SequenceCanvas sequence={view.sequence} nodes={view.nodes} />
    </div>
  );
}

/** Draws `view` into `el`; returns the cleanup that unmounts it. */
export function renderStaticSequence(el: HTMLElement, view: SequenceView | InstanceView): () => void {
  const root = createRoot(el);
  root.render(<StaticView view={view} />);
  return () => root.unmount();
}
