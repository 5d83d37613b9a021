// JupyterLab plugin (package.json "jupyterlab.extension"), beside the mime renderers:
// - gives this page's copy of the widget views to the widget loader, so widgets draw
//   without fetching 2 MB from the kernel;
// - adds the live-output renderer to every notebook (see live-output.ts).
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from "@jupyterlab/application";
import type { IRenderMimeRegistry } from "@jupyterlab/rendermime";
import type { DocumentRegistry } from "@jupyterlab/docregistry";
import { BUILD } from "../model/build";
import { keepViews } from "../widget/registry";
import { renderWidget } from "../widget/render";
import { LIVE_RANK, liveOutputFactory } from "./live-output";

function hasRendermime(content: unknown): content is { rendermime: IRenderMimeRegistry } {
  return typeof content === "object" && content !== null && "rendermime" in content;
}

export const notebookOutputs: DocumentRegistry.WidgetExtension = {
  createNew(panel) {
    // A NotebookPanel; typed structurally so this package needs no @jupyterlab/notebook.
    const content: unknown = (panel as unknown as { content?: unknown }).content;
    if (!hasRendermime(content)) return;
    content.rendermime.addFactory(liveOutputFactory(content.rendermime), LIVE_RANK);
  },
};

const plugin: JupyterFrontEndPlugin<void> = {
  id: "orch8-nb:widgets",
  description: "orch8-nb widget views, and live outputs that fall back to static views.",
  autoStart: true,
  activate: (app: JupyterFrontEnd) => {
    keepViews(BUILD, { build: BUILD, render: renderWidget });
    app.docRegistry.addWidgetExtension("Notebook", notebookOutputs);
  },
};

export default plugin;
