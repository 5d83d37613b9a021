import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { Widget } from "@lumino/widgets";
import { describe, expect, it, vi } from "vitest";
import { INSTANCE_MIME, SEQUENCE_MIME, WIDGET_MIME } from "../src/model/contract";

vi.mock("../src/graph/StaticSequence", () => ({
  renderStaticSequence: (el: HTMLElement) => {
    el.textContent = "static drawing";
    return () => undefined;
  },
}));

const { LIVE_RANK, WIDGET_VIEW_MIME, liveOutputFactory } = await import("../src/lab/live-output");

const VIEW = {
  protocol: 1,
  sequence: { name: "s", blocks: [{ type: "step", id: "a", handler: "noop" }] },
  instance: { state: "running", sequence_name: "s", version: 1 },
  nodes: {},
};

/** Stands in for ipywidgets' renderer: `outcome` says what the widget view ends up as. */
class FakeWidgetRenderer extends Widget implements IRenderMime.IRenderer {
  constructor(private readonly outcome: "draws" | "gone" | "loading") {
    super();
  }
  async renderModel(): Promise<void> {
    this.node.textContent = "Loading widget...";
    if (this.outcome === "loading") return;
    await Promise.resolve();
    if (this.outcome === "gone") {
      this.node.textContent = "Error displaying widget: model not found";
      return;
    }
    this.node.replaceChildren();
    const el = document.createElement("div");
    el.setAttribute("data-orch8-widget", "tree");
    el.textContent = "live tree";
    this.node.append(el);
  }
}

function setup(outcome: "draws" | "gone" | "loading", hasWidgets = true) {
  const created: FakeWidgetRenderer[] = [];
  const source = {
    getFactory: (mime: string) => (hasWidgets && mime === WIDGET_VIEW_MIME ? ({} as IRenderMime.IRendererFactory) : undefined),
    createRenderer: () => {
      const renderer = new FakeWidgetRenderer(outcome);
      created.push(renderer);
      return renderer;
    },
  };
  const factory = liveOutputFactory(source);
  const renderer = factory.createRenderer({ mimeType: INSTANCE_MIME, sanitizer: { sanitize: (h: string) => h } } as unknown as IRenderMime.IRendererOptions);
  Widget.attach(renderer as unknown as Widget, document.body);
  return { factory, renderer, created };
}

function model(trusted: boolean, data: Record<string, unknown>) {
  const setData = vi.fn();
  return { trusted, data, metadata: {}, setData } as unknown as IRenderMime.IMimeModel & { setData: typeof setData };
}

const WITH_WIDGET = { [INSTANCE_MIME]: VIEW, [WIDGET_VIEW_MIME]: { model_id: "m1", version_major: 2, version_minor: 1 } };

describe("live outputs", () => {
  it("come before ipywidgets' renderer and stay safe for untrusted outputs", () => {
    const { factory } = setup("draws");
    expect(factory.mimeTypes).toEqual([SEQUENCE_MIME, INSTANCE_MIME, WIDGET_MIME]);
    expect(LIVE_RANK).toBeLessThan(-10);
    expect(factory.safe).toBe(true);
  });

  it("swap the static view for the widget once the widget has drawn", async () => {
    const { renderer, created } = setup("draws");
    await renderer.renderModel(model(true, WITH_WIDGET));
    await vi.waitFor(() => expect(renderer.node.textContent).toBe("live tree"));
    expect(created[0].hasClass("orch8-live-pending")).toBe(false);
  });

  it("keep the static view while the widget only says it is loading (no kernel)", async () => {
    const { renderer, created } = setup("loading");
    await renderer.renderModel(model(true, WITH_WIDGET));
    expect(renderer.node.textContent).toContain("static drawing");
    expect(created[0].hasClass("orch8-live-pending")).toBe(true); // invisible meanwhile
  });

  it("drop the widget when its model is gone for good (an old kernel's output)", async () => {
    const { renderer, created } = setup("gone");
    await renderer.renderModel(model(true, WITH_WIDGET));
    await vi.waitFor(() => expect(created[0].isDisposed).toBe(true));
    expect(renderer.node.textContent).toBe("static drawing");
  });

  it("never mount widgets of untrusted outputs, nor where ipywidgets is missing", async () => {
    const untrusted = setup("draws");
    await untrusted.renderer.renderModel(model(false, WITH_WIDGET));
    expect(untrusted.created).toEqual([]);
    const bare = setup("draws", false);
    await bare.renderer.renderModel(model(true, WITH_WIDGET));
    expect(bare.created).toEqual([]);
    expect(bare.renderer.node.textContent).toContain("static drawing");
  });

  it("show a table's own static HTML for the widget marker", async () => {
    const { factory, created } = setup("loading");
    const table = factory.createRenderer({ mimeType: WIDGET_MIME, sanitizer: { sanitize: (h: string) => h } } as unknown as IRenderMime.IRendererOptions);
    await table.renderModel(
      model(true, { [WIDGET_MIME]: { protocol: 1, kind: "table" }, "text/html": "<table><tr><td>orders</td></tr></table>", [WIDGET_VIEW_MIME]: { model_id: "m2" } }),
    );
    expect(table.node.querySelector("td")?.textContent).toBe("orders");
    expect(created).toHaveLength(1);
  });

  it("keep the static bundle Python sends in the output, so the notebook saves it", async () => {
    const { renderer, created } = setup("draws");
    const output = model(true, WITH_WIDGET);
    await renderer.renderModel(output);
    await vi.waitFor(() => expect(renderer.node.textContent).toBe("live tree"));
    const done = { ...VIEW, instance: { ...VIEW.instance, state: "completed" } };
    const bundle = { "text/plain": "done", [INSTANCE_MIME]: done };
    const el = renderer.node.querySelector("[data-orch8-widget]")!;
    el.dispatchEvent(new CustomEvent("orch8-static", { bubbles: true, detail: bundle }));
    expect(output.setData).toHaveBeenCalledWith({ data: { ...WITH_WIDGET, ...bundle } });
    // JupyterLab then renders the changed output again: the live widget stays.
    await renderer.renderModel(model(true, { ...WITH_WIDGET, ...bundle }));
    expect(created).toHaveLength(1);
    expect(renderer.node.textContent).toBe("live tree");
  });

  it("write nothing when the bundle is what the output holds, or before the widget is live", async () => {
    const { renderer } = setup("loading");
    const output = model(true, WITH_WIDGET);
    await renderer.renderModel(output);
    renderer.node.dispatchEvent(new CustomEvent("orch8-static", { detail: { "text/plain": "x" } }));
    expect(output.setData).not.toHaveBeenCalled();
    const live = setup("draws");
    const same = model(true, WITH_WIDGET);
    await live.renderer.renderModel(same);
    await vi.waitFor(() => expect(live.renderer.node.textContent).toBe("live tree"));
    live.renderer.node.dispatchEvent(new CustomEvent("orch8-static", { detail: { [INSTANCE_MIME]: VIEW } }));
    expect(same.setData).not.toHaveBeenCalled();
  });

  it("let a newer render overtake one still drawing its static view", async () => {
    const { renderer, created } = setup("draws");
    const first = renderer.renderModel(model(true, WITH_WIDGET));
    const second = renderer.renderModel(model(true, WITH_WIDGET));
    await Promise.all([first, second]);
    expect(created).toHaveLength(1);
    await vi.waitFor(() => expect(renderer.node.textContent).toBe("live tree"));
  });
});
