// anywidget render for the `tree` widget (ExecutionTree): see docs/ui-protocol.md.
import { createRoot } from "react-dom/client";
import type { WidgetModel } from "../model/contract";
import { TreeStore } from "./store";
import { TreeView } from "./TreeView";

/** Mounts the live execution tree in `el`; the cleanup unmounts it and drops listeners. */
export function renderTree(model: WidgetModel, el: HTMLElement): () => void {
  const store = new TreeStore(model);
  store.attach(); // before the first render, so no message is missed
  const root = createRoot(el);
  root.render(<TreeView store={store} />);
  return () => {
    store.detach();
    root.unmount();
  };
}
