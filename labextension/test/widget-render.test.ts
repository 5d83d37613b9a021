import { afterEach, describe, expect, it } from "vitest";
import { cleanup } from "@testing-library/react";
import { renderWidget, STATIC_EVENT, WIDGET_ATTRIBUTE } from "../src/widget/render";
import { FakeModel } from "./fake-model";

afterEach(cleanup);

describe("widget render", () => {
  it("marks the element, keeps keys from JupyterLab and hands static bundles to the output", () => {
    const model = new FakeModel({ _kind: "timeline", bars: [] });
    const el = document.createElement("div");
    document.body.append(el);
    const seen: unknown[] = [];
    document.body.addEventListener(STATIC_EVENT, (e) => seen.push((e as CustomEvent).detail));
    const unmount = renderWidget({ model, el });
    expect(el.getAttribute(WIDGET_ATTRIBUTE)).toBe("timeline");
    expect(el.getAttribute("data-lm-suppress-shortcuts")).toBe("true");
    model.message({ type: "patch", nodes: {} });
    model.message({ type: "static", bundle: { "text/plain": "Timeline: 0 attempts" } });
    expect(seen).toEqual([{ "text/plain": "Timeline: 0 attempts" }]);
    unmount();
    model.message({ type: "static", bundle: { "text/plain": "late" } });
    expect(seen).toHaveLength(1);
    el.remove();
  });

  it("names an unknown widget kind", () => {
    const el = document.createElement("div");
    renderWidget({ model: new FakeModel({ _kind: "gauge" }), el });
    expect(el.textContent).toBe('orch8-nb: unknown widget kind "gauge"');
  });
});
