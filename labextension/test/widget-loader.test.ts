import { afterEach, describe, expect, it, vi } from "vitest";
import { BUILD } from "../src/model/build";
import loader, { loadViews } from "../src/widget/loader";
import { findViews, forgetViews, keepViews } from "../src/widget/registry";
import { FakeModel } from "./fake-model";

const bytes = (text: string) => new DataView(new TextEncoder().encode(text).buffer);

afterEach(() => {
  forgetViews(BUILD);
  document.head.querySelectorAll("style[data-orch8-nb]").forEach((s) => s.remove());
});

describe("widget loader", () => {
  it("uses the views the page registered for its build, asking the kernel nothing", async () => {
    const render = vi.fn(() => () => undefined);
    keepViews(BUILD, { build: BUILD, render });
    const model = new FakeModel();
    const el = document.createElement("div");
    await loader.render({ model, el });
    expect(render).toHaveBeenCalledWith({ model, el });
    expect(model.sent).toEqual([]);
  });

  it("ignores views of another build (a lab page older than the kernel's package)", async () => {
    keepViews("0.0.1+old", { build: "0.0.1+old", render: vi.fn() });
    const model = new FakeModel();
    void loadViews(model).catch(() => undefined);
    expect(model.sent).toEqual([{ type: "bundle" }]);
    forgetViews("0.0.1+old");
  });

  it("asks the kernel once per page, however many widgets wait", async () => {
    const first = new FakeModel();
    const second = new FakeModel();
    const a = loadViews(first);
    const b = loadViews(second);
    expect(first.sent).toEqual([{ type: "bundle" }]);
    expect(second.sent).toEqual([]);
    first.message({ type: "bundle", error: "front end not built" });
    await expect(a).rejects.toThrow("front end not built");
    await expect(b).rejects.toThrow("front end not built");
  });

  it("shows the kernel's refusal in the output, and tries again for the next widget", async () => {
    const model = new FakeModel();
    const el = document.createElement("div");
    const rendering = loader.render({ model, el });
    model.message({ type: "other" }); // not for the loader: still waiting
    expect(model.listenerCount("msg:custom")).toBe(1);
    model.message({ type: "bundle", error: "the orch8-nb widget front end is not built" });
    await rendering;
    expect(el.textContent).toBe(
      "orch8-nb: could not load the widget front end: Error: the orch8-nb widget front end is not built",
    );
    expect(model.listenerCount("msg:custom")).toBe(0);
    expect(findViews(BUILD)).toBeUndefined();
    const again = new FakeModel();
    void loadViews(again).catch(() => undefined);
    expect(again.sent).toEqual([{ type: "bundle" }]);
  });

  it("installs the stylesheet the kernel sent with the views", async () => {
    const model = new FakeModel();
    const loading = loadViews(model).catch((error: unknown) => error);
    model.message({ type: "bundle" }, [bytes("export default {}"), bytes(".orch8 { color: red }")]);
    await loading; // importing a blob: URL needs a browser (tests/ui covers it)
    const style = document.head.querySelector(`style[data-orch8-nb="${BUILD}"]`);
    expect(style?.textContent).toBe(".orch8 { color: red }");
  });

  it("says so when the kernel never answers", async () => {
    vi.useFakeTimers();
    try {
      const model = new FakeModel();
      const loading = loadViews(model);
      const checked = expect(loading).rejects.toThrow("the kernel sent no widget bundle within 60 s");
      await vi.advanceTimersByTimeAsync(60_000);
      await checked;
      expect(model.listenerCount("msg:custom")).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
