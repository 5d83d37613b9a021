// JupyterLab mime extension (package.json "jupyterlab.mimeExtension"): renderers for the
// orch8-nb mime types in notebook outputs, and a read-only viewer for *.sequence.json.
// Everything renders from the saved data, so outputs show with no kernel running.
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { GRAPHVIZ_MIME, INSTANCE_MIME, SEQUENCE_MIME, WIDGET_MIME } from "../model/contract";
import { GraphvizRenderer } from "./graphviz-renderer";
import { ViewRenderer } from "./view-renderer";

/**
 * Lower rank wins. JupyterLab ranks text/html at 50 and image/svg+xml at 80; every orch8-nb
 * bundle also carries those static fallbacks, and the interactive drawing should win.
 */
export const VIEW_RANK = 10;
export const GRAPHVIZ_RANK = 20;

export const SEQUENCE_FILE_TYPE = "orch8-sequence";

export const viewRendererFactory: IRenderMime.IRendererFactory = {
  // Safe: it draws with React from JSON, never injecting markup from the data.
  safe: true,
  mimeTypes: [SEQUENCE_MIME, INSTANCE_MIME, WIDGET_MIME],
  defaultRank: VIEW_RANK,
  createRenderer: (options) => new ViewRenderer(options),
};

export const graphvizRendererFactory: IRenderMime.IRendererFactory = {
  // Safe: the SVG is sanitised, and untrusted outputs lose their links (see graphviz.ts).
  safe: true,
  mimeTypes: [GRAPHVIZ_MIME],
  defaultRank: GRAPHVIZ_RANK,
  createRenderer: (options) => new GraphvizRenderer(options),
};

const views: IRenderMime.IExtension = {
  id: "orch8-nb:views",
  description: "Draws orch8-nb sequences and instances saved in notebook outputs.",
  rendererFactory: viewRendererFactory,
  rank: VIEW_RANK,
  dataType: "json",
  fileTypes: [
    {
      name: SEQUENCE_FILE_TYPE,
      displayName: "Orch8 sequence",
      mimeTypes: [SEQUENCE_MIME],
      extensions: [".sequence.json"],
      fileFormat: "text",
      icon: "ui-components:json",
    },
  ],
  documentWidgetFactoryOptions: {
    name: "Orch8 sequence viewer",
    primaryFileType: SEQUENCE_FILE_TYPE,
    fileTypes: [SEQUENCE_FILE_TYPE],
    defaultFor: [SEQUENCE_FILE_TYPE],
  },
};

const graphviz: IRenderMime.IExtension = {
  id: "orch8-nb:graphviz",
  description: "Draws Graphviz DOT outputs (text/vnd.graphviz) with a bundled WASM Graphviz.",
  rendererFactory: graphvizRendererFactory,
  rank: GRAPHVIZ_RANK,
  dataType: "string",
};

const extensions: IRenderMime.IExtension[] = [views, graphviz];
export default extensions;
