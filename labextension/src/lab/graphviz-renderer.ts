// Renderer for `text/vnd.graphviz` (seq.to_graphviz()): the DOT source drawn as inline
// SVG. On failure it says why and shows the source, so the output is never empty.
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { Widget } from "@lumino/widgets";
import { GRAPHVIZ_MIME } from "../model/contract";
import { showProblem } from "./fallback";
import { dotToSvg, svgElement } from "./graphviz";
import { textOf } from "./views";

export class GraphvizRenderer extends Widget implements IRenderMime.IRenderer {
  private readonly mimeType: string;
  /** Bumped per render so a slow earlier layout cannot overwrite a newer one. */
  private generation = 0;

  constructor(options: IRenderMime.IRendererOptions) {
    super();
    this.mimeType = options.mimeType || GRAPHVIZ_MIME;
    this.addClass("orch8");
    this.addClass("orch8-graphviz");
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const generation = ++this.generation;
    const dot = textOf(model.data[this.mimeType]);
    if (dot === null) {
      this.node.replaceChildren();
      showProblem(this.node, "the output holds no DOT text");
      return;
    }
    let svg: SVGSVGElement;
    try {
      svg = svgElement(await dotToSvg(dot), model.trusted);
    } catch (error) {
      if (generation !== this.generation) return;
      this.showSource(dot, error);
      return;
    }
    if (generation !== this.generation) return;
    svg.setAttribute("role", "img");
    this.node.replaceChildren(svg);
  }

  private showSource(dot: string, error: unknown): void {
    this.node.replaceChildren();
    const reason = error instanceof Error ? error.message : String(error);
    showProblem(this.node, `Graphviz could not draw this graph: ${reason}`);
    const pre = document.createElement("pre");
    pre.className = "orch8-graphviz-source";
    pre.textContent = dot; // textContent: the DOT text is shown, never interpreted
    this.node.append(pre);
  }
}
