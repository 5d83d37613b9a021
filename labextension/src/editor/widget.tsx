// anywidget view of `SequenceEditor` (docs/ui-protocol.md, widget `editor`): mounts the
// React editor and returns its teardown, which first writes any edit still waiting in
// the typing debounce so closing the view loses nothing.
import { createRoot } from "react-dom/client";
import type { WidgetModel } from "../model/contract";
import { Editor } from "./Editor";
import { SpecSync } from "./sync";

export function renderEditor(model: WidgetModel, el: HTMLElement): () => void {
  const container = document.createElement("div");
  container.className = "orch8-editor-root";
  el.appendChild(container);
  // React's handlers run on `container`; this second guard stops keys from fields React
  // does not handle (e.g. the canvas) before they reach JupyterLab's document listener.
  const stopKeys = (e: KeyboardEvent): void => e.stopPropagation();
  el.addEventListener("keydown", stopKeys);
  const sync = new SpecSync(model);
  const root = createRoot(container);
  root.render(<Editor model={model} sync={sync} />);
  return () => {
    sync.flush();
    root.unmount();
    el.removeEventListener("keydown", stopKeys);
    container.remove();
  };
}
