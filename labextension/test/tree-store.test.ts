import { describe, expect, it, vi } from "vitest";
import type { InstanceView } from "../src/model/contract";
import { TreeStore } from "../src/tree/store";
import { FakeModel } from "./fake-model";

const last = (items: unknown[]): unknown => items[items.length - 1];

const VIEW: InstanceView = {
  protocol: 1,
  sequence: { name: "orders", blocks: [{ type: "step", id: "a", handler: "h" }, { type: "step", id: "b", handler: "h" }] },
  instance: { state: "running", sequence_name: "orders", version: 2, error: null },
  nodes: { a: { state: "running" }, b: { state: "pending" } },
};

/** A scheduler whose frames run only when the test says so. */
function manualFrames() {
  const queue: (() => void)[] = [];
  const schedule = vi.fn((cb: () => void) => {
    queue.push(cb);
    return () => queue.splice(queue.indexOf(cb), 1);
  });
  return { schedule, run: () => queue.splice(0).forEach((cb) => cb()), queue };
}

describe("TreeStore", () => {
  it("asks for a full view on attach and stops listening on detach", () => {
    const model = new FakeModel({ view: VIEW });
    const store = new TreeStore(model);
    store.attach();
    expect(model.sent).toEqual([{ type: "refresh" }]);
    expect(store.getState().view?.instance.state).toBe("running");
    store.detach();
    expect(model.listenerCount()).toBe(0);
  });

  it("folds many patches into one state change per frame", () => {
    const model = new FakeModel({ view: VIEW });
    const frames = manualFrames();
    const store = new TreeStore(model, frames.schedule);
    store.attach();
    const listener = vi.fn();
    store.subscribe(listener);
    model.emit("msg:custom", { type: "patch", nodes: { a: { state: "completed", duration_ms: 5 } } });
    model.emit("msg:custom", { type: "patch", nodes: { b: { state: "running" } }, instance: { state: "running" } });
    model.emit("msg:custom", { type: "patch", nodes: { b: { state: "failed", error: "x" } }, instance: { state: "failed", error: "x" } });
    expect(frames.schedule).toHaveBeenCalledTimes(1);
    expect(listener).not.toHaveBeenCalled();
    frames.run();
    expect(listener).toHaveBeenCalledTimes(1);
    const view = store.getState().view!;
    expect(view.nodes).toEqual({ a: { state: "completed", duration_ms: 5 }, b: { state: "failed", error: "x" } });
    expect(view.instance).toEqual({ state: "failed", sequence_name: "orders", version: 2, error: "x" });
    // A NodeView replaces the old one: a stale error does not survive a retry.
    model.emit("msg:custom", { type: "patch", nodes: { b: { state: "running", attempt: 2 } } });
    frames.run();
    expect(store.getState().view!.nodes.b).toEqual({ state: "running", attempt: 2 });
  });

  it("drops queued patches when a full view arrives", () => {
    const model = new FakeModel({ view: VIEW });
    const frames = manualFrames();
    const store = new TreeStore(model, frames.schedule);
    store.attach();
    model.emit("msg:custom", { type: "patch", nodes: { a: { state: "failed" } } });
    model.set("view", { ...VIEW, nodes: { a: { state: "completed" }, b: { state: "completed" } } });
    frames.run();
    expect(store.getState().view!.nodes.a.state).toBe("completed");
  });

  it("sends inspect and keeps only the inspection of the open node", () => {
    const model = new FakeModel({ view: VIEW });
    const frames = manualFrames();
    const store = new TreeStore(model, frames.schedule);
    store.attach();
    store.inspect("a");
    expect(last(model.sent)).toEqual({ type: "inspect", block_id: "a" });
    const inspection = { type: "inspection", block_id: "a", params: {}, output: 1, error: null, attempts: [], context: {}, audit: [], gate: null };
    model.emit("msg:custom", { ...inspection, block_id: "b" });
    expect(store.getState().inspection).toBeNull();
    model.emit("msg:custom", inspection);
    expect(store.getState().inspection).toEqual(inspection);
    // The open node changed: ask again so the inspector stays live.
    model.emit("msg:custom", { type: "patch", nodes: { a: { state: "completed" } } });
    frames.run();
    expect(last(model.sent)).toEqual({ type: "inspect", block_id: "a" });
    store.inspect(null);
    expect(store.getState().inspecting).toBeNull();
  });

  it("tracks a control until its result arrives", () => {
    const model = new FakeModel({ view: VIEW });
    const store = new TreeStore(model);
    store.attach();
    store.control("signal", { name: "go", payload: { n: 1 } });
    expect(last(model.sent)).toEqual({ type: "control", action: "signal", name: "go", payload: { n: 1 } });
    expect(store.getState().pending).toEqual({ signal: true });
    model.emit("msg:custom", { type: "result", action: "signal", ok: false, message: "no such instance" });
    expect(store.getState().pending).toEqual({});
    expect(store.getState().results.signal).toEqual({ type: "result", action: "signal", ok: false, message: "no such instance" });
  });

  it("waits for the view when the trait is still empty", () => {
    const model = new FakeModel({ view: null });
    const store = new TreeStore(model);
    store.attach();
    expect(store.getState().view).toBeNull();
    model.set("view", VIEW);
    expect(store.getState().view?.sequence.name).toBe("orders");
  });
});
