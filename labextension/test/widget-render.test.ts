import { afterEach, describe, expect, it } from "vitest";
import { cleanup } from "@testing-library/react";
import type { WidgetModel } from "../src/model/contract";
import { renderWidget, STATIC_EVENT, WIDGET_ATTRIBUTE } from "../src/widget/render";

type Listener = (content: unknown) => void;

class Model implements WidgetModel {
  readonly listeners = new Set<Listener>();
  constructor(private readonly traits: Record<string, unknown>) {}
  get(name: string): unknown {
    return this.traits[name];
  }
  set(): void {}
  save_changes(): void {}
  on(event: string, callback: Listener): void {
    if (event === "msg:custom") this.listeners.add(callback);
  }
  off(_event?: string | null, callback?: Listener | null): void {
    if (callback) this.listeners.delete(callback);
  }
  send(): void {}
  fromPython(content: unknown): void {
    for (const listener of [...this.listeners]) listener(content);
  }
}

afterEach(cleanup);

describe("widget render", () => {
  it("marks the element, keeps keys from JupyterLab and hands static bundles to the output", () => {
    const model = new Model({ _kind: "timeline", bars: [] });
    const el = document.createElement("div");
    document.body.append(el);
    const seen: unknown[] = [];
    document.body.addEventListener(STATIC_EVENT, (e) => seen.push((e as CustomEvent).detail));
    const unmount = renderWidget({ model, el });
    expect(el.getAttribute(WIDGET_ATTRIBUTE)).toBe("timeline");
    expect(el.getAttribute("data-lm-suppress-shortcuts")).toBe("true");
    model.fromPython({ type: "patch", nodes: {} });
    model.fromPython({ type: "static", bundle: { "text/plain": "Timeline: 0 attempts" } });
    expect(seen).toEqual([{ "text/plain": "Timeline: 0 attempts" }]);
    unmount();
    model.fromPython({ type: "static", bundle: { "text/plain": "late" } });
    expect(seen).toHaveLength(1);
    el.remove();
  });

  it("names an unknown widget kind", () => {
    const el = document.createElement("div");
    renderWidget({ model: new Model({ _kind: "gauge" }), el });
    expect(el.textContent).toBe('orch8-nb: unknown widget kind "gauge"');
  });
});
