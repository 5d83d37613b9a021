// Every orch8-nb widget view behind one `render`: the `_kind` trait picks the view. Used by
// the standalone bundle (index.tsx) and by the JupyterLab extension (lab/plugin.ts).
import type { WidgetModel } from "../model/contract";
import { renderEditor } from "../editor/widget";
import { renderTable } from "../runs/table-widget";
import { renderTimeline } from "../runs/timeline-widget";
import { renderTree } from "../tree/widget";

type Render = (model: WidgetModel, el: HTMLElement) => () => void;

const VIEWS: Record<string, Render> = {
  editor: renderEditor,
  tree: renderTree,
  table: renderTable,
  timeline: renderTimeline,
};

/** The attribute on a mounted widget's element: the live-output swap looks for it. */
export const WIDGET_ATTRIBUTE = "data-orch8-widget";

/**
 * The DOM event (bubbling, `detail`: a mime bundle) with which a widget hands its output
 * the static bundle Python sent for what it shows now; lab/live-output.ts keeps it in the
 * notebook, so the file saves the final picture. Elsewhere nobody listens.
 */
export const STATIC_EVENT = "orch8-static";

function forwardStatic(model: WidgetModel, el: HTMLElement): () => void {
  const onMessage = (content: { type?: unknown; bundle?: unknown }): void => {
    if (content?.type !== "static" || typeof content.bundle !== "object" || content.bundle === null) return;
    el.dispatchEvent(new CustomEvent(STATIC_EVENT, { bubbles: true, detail: content.bundle }));
  };
  model.on("msg:custom", onMessage);
  return () => model.off("msg:custom", onMessage);
}

export function renderWidget({ model, el }: { model: WidgetModel; el: HTMLElement }): () => void {
  const kind = String(model.get("_kind"));
  const view = VIEWS[kind];
  if (view === undefined) {
    el.textContent = `orch8-nb: unknown widget kind ${JSON.stringify(kind)}`;
    return () => undefined;
  }
  el.classList.add("orch8", "jp-RenderedHTMLCommon");
  el.setAttribute(WIDGET_ATTRIBUTE, kind);
  // Keys typed in a widget (Delete, A, B, X...) must not trigger notebook shortcuts.
  el.setAttribute("data-lm-suppress-shortcuts", "true");
  const stopForwarding = forwardStatic(model, el);
  const unmount = view(model, el);
  return () => {
    stopForwarding();
    unmount();
  };
}
