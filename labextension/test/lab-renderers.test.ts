import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { describe, expect, it, vi } from "vitest";
import { GRAPHVIZ_MIME, INSTANCE_MIME, SEQUENCE_MIME, WIDGET_MIME } from "../src/model/contract";

// The drawing itself belongs to src/graph; the stub records what it was asked to draw.
const drawn: { el: HTMLElement; view: unknown }[] = [];
const cleanups = vi.fn();
vi.mock("../src/graph/StaticSequence", () => ({
  renderStaticSequence: (el: HTMLElement, view: unknown) => {
    drawn.push({ el, view });
    el.textContent = "drawn";
    return cleanups;
  },
}));

const { default: extensions, viewRendererFactory, graphvizRendererFactory, VIEW_RANK, GRAPHVIZ_RANK } =
  await import("../src/lab/index");

const SEQUENCE = { name: "orders", blocks: [{ type: "step", id: "charge", handler: "pay" }] };
const SEQUENCE_VIEW = { protocol: 1, sequence: SEQUENCE };
const INSTANCE_VIEW = {
  protocol: 1,
  sequence: SEQUENCE,
  instance: { state: "completed", sequence_name: "orders", version: 1, error: null },
  nodes: { charge: { state: "completed" } },
};

const sanitizer: IRenderMime.ISanitizer = {
  // Enough to show the fallback goes through the sanitizer, not straight to innerHTML.
  sanitize: (html: string) => html.replace(/<script[\s\S]*?<\/script>/g, ""),
};

function create(mimeType: string) {
  return viewRendererFactory.createRenderer({ mimeType, sanitizer } as unknown as IRenderMime.IRendererOptions);
}

function mimeModel(data: Record<string, unknown>): IRenderMime.IMimeModel {
  return { trusted: false, data, metadata: {}, setData: () => undefined } as unknown as IRenderMime.IMimeModel;
}

describe("mime extension", () => {
  it("registers the three mime types ranked above text/html (50)", () => {
    expect(extensions.map((e) => e.id)).toEqual(["orch8-nb:views", "orch8-nb:graphviz"]);
    expect(viewRendererFactory.mimeTypes).toEqual([SEQUENCE_MIME, INSTANCE_MIME, WIDGET_MIME]);
    expect(graphvizRendererFactory.mimeTypes).toEqual([GRAPHVIZ_MIME]);
    for (const extension of extensions) {
      expect(extension.rank).toBeLessThan(50);
      expect(extension.rendererFactory.defaultRank).toBe(extension.rank);
      // Saved notebooks are untrusted when reopened; the drawings must still show.
      expect(extension.rendererFactory.safe).toBe(true);
    }
    expect(VIEW_RANK).toBeLessThan(GRAPHVIZ_RANK);
  });

  it("opens *.sequence.json in the read-only viewer", () => {
    const views = extensions[0];
    expect(views.dataType).toBe("json");
    expect(views.fileTypes![0].extensions).toEqual([".sequence.json"]);
    expect(views.documentWidgetFactoryOptions).toMatchObject({
      primaryFileType: "orch8-sequence",
      defaultFor: ["orch8-sequence"],
    });
  });
});

describe("sequence and instance renderers", () => {
  it("draws a SequenceView into the output", async () => {
    drawn.length = 0;
    const widget = create(SEQUENCE_MIME);
    await widget.renderModel(mimeModel({ [SEQUENCE_MIME]: SEQUENCE_VIEW, "text/plain": "orders" }));
    expect(drawn).toHaveLength(1);
    expect(drawn[0].view).toEqual(SEQUENCE_VIEW);
    expect(widget.node.contains(drawn[0].el)).toBe(true);
    expect(widget.node.classList.contains("orch8")).toBe(true);
  });

  it("draws an InstanceView with its node states", async () => {
    drawn.length = 0;
    const widget = create(INSTANCE_MIME);
    await widget.renderModel(mimeModel({ [INSTANCE_MIME]: INSTANCE_VIEW }));
    expect(drawn[0].view).toEqual(INSTANCE_VIEW);
  });

  it("wraps a bare sequence (a *.sequence.json file) as a SequenceView", async () => {
    drawn.length = 0;
    const widget = create(SEQUENCE_MIME);
    await widget.renderModel(mimeModel({ [SEQUENCE_MIME]: SEQUENCE }));
    expect(drawn[0].view).toEqual(SEQUENCE_VIEW);
  });

  it("cleans up the previous drawing on re-render and on dispose", async () => {
    cleanups.mockClear();
    const widget = create(SEQUENCE_MIME);
    await widget.renderModel(mimeModel({ [SEQUENCE_MIME]: SEQUENCE_VIEW }));
    await widget.renderModel(mimeModel({ [SEQUENCE_MIME]: SEQUENCE_VIEW }));
    expect(cleanups).toHaveBeenCalledTimes(1);
    expect(widget.node.querySelectorAll(".orch8-mime-graph")).toHaveLength(1);
    widget.dispose();
    expect(cleanups).toHaveBeenCalledTimes(2);
  });

  it("falls back to the sanitised static HTML on another protocol", async () => {
    drawn.length = 0;
    const widget = create(SEQUENCE_MIME);
    await widget.renderModel(
      mimeModel({
        [SEQUENCE_MIME]: { protocol: 99, sequence: SEQUENCE },
        "text/html": ["<b>orders</b>", "<script>alert(1)</script>"],
        "text/plain": "orders",
      }),
    );
    expect(drawn).toHaveLength(0);
    expect(widget.node.querySelector(".orch8-mime-error")!.textContent).toContain("protocol 99");
    expect(widget.node.querySelector(".orch8-mime-static")!.innerHTML).toBe("<b>orders</b>");
  });

  it("falls back to text/plain for an instance without its summary", async () => {
    const widget = create(INSTANCE_MIME);
    await widget.renderModel(
      mimeModel({ [INSTANCE_MIME]: { protocol: 1, sequence: SEQUENCE }, "text/plain": "<Instance orders>" }),
    );
    expect(widget.node.querySelector(".orch8-mime-error")!.textContent).toContain("no instance summary");
    expect(widget.node.querySelector("pre")!.textContent).toBe("<Instance orders>");
  });
});
