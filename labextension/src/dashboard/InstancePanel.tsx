// One instance, live: the notebook's TreeView (canvas, inspector, controls) on a
// TreeStore whose model is the REST API instead of a kernel.
import { useEffect, useState } from "react";
import { TreeStore } from "../tree/store";
import { TreeView } from "../tree/TreeView";
import { shortId } from "../graph/format";
import type { Api } from "./api";
import { RestTreeModel } from "./rest-model";

export function InstancePanel({ api, instanceId, onClose }: { api: Api; instanceId: string; onClose: () => void }) {
  const [store, setStore] = useState<TreeStore | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const model = new RestTreeModel(api, instanceId);
    let opened: TreeStore | null = null;
    setStore(null);
    setError(null);
    model.open().then(
      () => {
        if (model.closed) return;
        opened = new TreeStore(model);
        opened.attach();
        setStore(opened);
      },
      (err: Error) => {
        if (!model.closed) setError(err.message);
      },
    );
    return () => {
      opened?.detach();
      model.close();
    };
  }, [api, instanceId]);

  return (
    <section className="orch8-dash-instance" aria-label={`Instance ${instanceId}`} data-testid="orch8-dash-instance">
      <div className="orch8-dash-instance-bar">
        <span className="orch8-muted">
          Instance <code title={instanceId}>{shortId(instanceId)}</code>
        </span>
        <button type="button" className="orch8-button" onClick={onClose} aria-label="Close the instance">
          Close
        </button>
      </div>
      {error !== null && (
        <p className="orch8-error-text" role="alert">
          {error}
        </p>
      )}
      {error === null && store === null && <p className="orch8-muted">Loading instance…</p>}
      {store !== null && <TreeView store={store} />}
    </section>
  );
}
