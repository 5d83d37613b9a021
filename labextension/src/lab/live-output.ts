// The renderer a notebook uses for orch8-nb outputs that carry both a static view and a
// live widget (displayed instances, ExecutionTree, SequenceEditor...).
//
// JupyterLab would pick the widget, and a notebook reopened without its kernel would then
// show "Loading widget..." forever. This renderer draws the static view at once and mounts
// the widget hidden beside it; only when the widget really draws (its kernel is alive)
// does it replace the static view. Untrusted outputs never get the widget.
//
// While the widget is live, the static bundle Python sends for what it shows now (see
// STATIC_EVENT) is written into the output, so a saved notebook holds the final picture,
// not the first one.
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { Panel } from "@lumino/widgets";
import { INSTANCE_MIME, SEQUENCE_MIME, WIDGET_MIME } from "../model/contract";
import { STATIC_EVENT, WIDGET_ATTRIBUTE } from "../widget/render";
import { ViewRenderer } from "./view-renderer";

export const WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json";

/** Ahead of ipywidgets' widget renderer (rank -10) in the notebooks it is added to. */
export const LIVE_RANK = -20;

/** What creates renderers by mime type: a notebook's rendermime registry. */
export interface RendererSource {
  getFactory(mimeType: string): IRenderMime.IRendererFactory | undefined;
  createRenderer(mimeType: string): IRenderMime.IRenderer;
}

/** ipywidgets' text when a widget's model is gone for good (an old kernel's output). */
const MODEL_GONE = /Error displaying widget/;

export class LiveOutput extends Panel implements IRenderMime.IRenderer {
  private readonly options: IRenderMime.IRendererOptions;
  private readonly source: RendererSource;
  private watcher: MutationObserver | null = null;
  private model: IRenderMime.IMimeModel | null = null;
  private liveId: string | null = null;
  /** Bumped by each renderModel, so a render overtaken by a newer one stops halfway. */
  private generation = 0;

  constructor(options: IRenderMime.IRendererOptions, source: RendererSource) {
    super();
    this.options = options;
    this.source = source;
    this.addClass("orch8-live-output");
    this.node.addEventListener(STATIC_EVENT, this.onStatic);
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.model = model;
    // Our own write-back (or a display update) of the widget already showing: keep it.
    if (this.liveId !== null && this.liveId === modelId(model)) return;
    this.reset();
    const generation = ++this.generation;
    const still = new ViewRenderer(this.options);
    this.addWidget(still);
    await still.renderModel(model);
    if (generation !== this.generation) return;
    if (!model.trusted || model.data[WIDGET_VIEW_MIME] === undefined) return;
    if (this.source.getFactory(WIDGET_VIEW_MIME) === undefined) return;
    const live = this.source.createRenderer(WIDGET_VIEW_MIME);
    // Laid out (so the graph measures its size) but invisible until it has drawn.
    live.addClass("orch8-live-pending");
    this.addWidget(live);
    this.watch(live, still);
    await live.renderModel(model);
  }

  dispose(): void {
    this.stopWatching();
    this.node.removeEventListener(STATIC_EVENT, this.onStatic);
    super.dispose();
  }

  private readonly onStatic = (event: Event): void => {
    event.stopPropagation();
    const model = this.model;
    const bundle = (event as CustomEvent<Record<string, unknown>>).detail;
    if (model === null || this.liveId === null || typeof bundle !== "object" || bundle === null) return;
    const data = { ...model.data, ...bundle } as typeof model.data;
    if (JSON.stringify(data) === JSON.stringify(model.data)) return; // unchanged: not dirty
    model.setData({ data });
  };

  private watch(live: IRenderMime.IRenderer, still: IRenderMime.IRenderer): void {
    const check = (): void => {
      if (live.node.querySelector(`[${WIDGET_ATTRIBUTE}]`) !== null) {
        this.stopWatching();
        still.dispose();
        live.removeClass("orch8-live-pending");
        this.liveId = this.model !== null ? modelId(this.model) : null;
      } else if (MODEL_GONE.test(live.node.textContent ?? "")) {
        this.stopWatching();
        live.dispose();
      }
    };
    this.watcher = new MutationObserver(check);
    this.watcher.observe(live.node, { childList: true, subtree: true, characterData: true });
    check();
  }

  private stopWatching(): void {
    this.watcher?.disconnect();
    this.watcher = null;
  }

  private reset(): void {
    this.stopWatching();
    this.liveId = null;
    for (const child of [...this.widgets]) child.dispose();
  }
}

function modelId(model: IRenderMime.IMimeModel): string | null {
  const view = model.data[WIDGET_VIEW_MIME] as { model_id?: unknown } | undefined;
  return typeof view?.model_id === "string" ? view.model_id : null;
}

/** The factory a notebook's rendermime gets (see plugin.ts). */
export function liveOutputFactory(source: RendererSource): IRenderMime.IRendererFactory {
  return {
    safe: true, // untrusted outputs get the static view only (see renderModel)
    mimeTypes: [SEQUENCE_MIME, INSTANCE_MIME, WIDGET_MIME],
    defaultRank: LIVE_RANK,
    createRenderer: (options) => new LiveOutput(options, source),
  };
}
