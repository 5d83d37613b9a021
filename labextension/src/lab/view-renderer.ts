// Renderer for the SequenceView / InstanceView mime types: the read-only graph, drawn in
// the browser from the JSON saved in the notebook, so it needs no kernel. Widgets without
// a view of their own (tables, timelines) mark their output with WIDGET_MIME; their static
// form is the bundle's own text/html.
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { Widget } from "@lumino/widgets";
import { renderStaticSequence } from "../graph/StaticSequence";
import { WIDGET_MIME } from "../model/contract";
import { renderFallback, renderStatic } from "./fallback";
import { parseView } from "./views";

export class ViewRenderer extends Widget implements IRenderMime.IRenderer {
  private readonly mimeType: string;
  private readonly sanitizer: IRenderMime.ISanitizer | null;
  private cleanup: (() => void) | null = null;

  constructor(options: IRenderMime.IRendererOptions) {
    super();
    this.mimeType = options.mimeType;
    this.sanitizer = options.sanitizer ?? null;
    // `orch8` scopes the shared stylesheet, as on the widgets' root.
    this.addClass("orch8");
    this.addClass("orch8-mime");
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.clear();
    if (this.mimeType === WIDGET_MIME) {
      renderStatic(this.node, model.data, this.sanitizer, model.trusted);
      return;
    }
    const parsed = parseView(this.mimeType, model.data[this.mimeType]);
    if ("error" in parsed) {
      renderFallback(this.node, parsed.error, model.data, this.sanitizer);
      return;
    }
    const host = document.createElement("div");
    host.className = "orch8-mime-graph";
    this.node.append(host);
    try {
      this.cleanup = renderStaticSequence(host, parsed.view);
    } catch (error) {
      host.remove();
      renderFallback(this.node, `could not draw the sequence: ${String(error)}`, model.data, this.sanitizer);
    }
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.clear();
    super.dispose();
  }

  private clear(): void {
    this.cleanup?.();
    this.cleanup = null;
    this.node.replaceChildren();
  }
}
