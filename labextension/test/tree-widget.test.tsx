import { act, cleanup, fireEvent, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { InspectionMessage, InstanceView } from "../src/model/contract";
import { renderTree } from "../src/tree/widget";
import { FakeModel } from "./fake-model";

const last = (items: unknown[]): unknown => items[items.length - 1];

const VIEW: InstanceView = {
  protocol: 1,
  sequence: {
    name: "orders",
    blocks: [
      { type: "step", id: "charge", handler: "charge_card", retry: { max_attempts: 3, initial_backoff: 1, max_backoff: 2 } },
      { type: "step", id: "review", handler: "human_input" },
    ],
  },
  instance: { state: "running", sequence_name: "orders", version: 2, error: null, id: "0190abcd-1234" },
  nodes: { charge: { state: "running", attempt: 1, max_attempts: 3 }, review: { state: "pending" } },
};

const INSPECTION: InspectionMessage = {
  type: "inspection",
  block_id: "review",
  params: { prompt: "ship it?" },
  output: { big: "x".repeat(5000) },
  error: null,
  attempts: [{ attempt: 1, state: "waiting", started_at: Date.now() - 3000, duration_ms: null, error: null }],
  context: { data: { order: 7 } },
  audit: [{ event_type: "step.waiting", at: Date.now() - 3000, details: { for: "human" } }],
  gate: { prompt: "Ship order 7?", choices: ["approve", "deny"], allow_comment: true },
};

let el: HTMLElement;
let model: FakeModel;
let dispose: () => void;

function mount(view: InstanceView | null = VIEW): ReturnType<typeof within> {
  model = new FakeModel({ _kind: "tree", view });
  el = document.createElement("div");
  document.body.appendChild(el);
  act(() => {
    dispose = renderTree(model, el);
  });
  return within(el);
}

const controls = () => model.sent.filter((m) => (m as { type: string }).type === "control");

beforeEach(() => {
  Object.defineProperty(navigator, "clipboard", { value: { writeText: vi.fn(() => Promise.resolve()) }, configurable: true });
});
afterEach(() => {
  act(() => dispose?.());
  el?.remove();
  cleanup();
});

describe("renderTree", () => {
  it("sends refresh on mount and shows the instance", async () => {
    const ui = mount();
    expect(model.sent[0]).toEqual({ type: "refresh" });
    expect(ui.getByTestId("orch8-tree")).toBeTruthy();
    const state = ui.getByTestId("orch8-instance-state");
    expect(state.textContent).toContain("▶");
    expect(state.textContent).toContain("running");
    expect(ui.getByTestId("orch8-tree").textContent).toContain("orders");
    await waitFor(() => expect(ui.getByTestId("orch8-node-charge").getAttribute("data-state")).toBe("running"));
    expect(ui.getByTestId("orch8-node-charge").textContent).toContain("1/3");
  });

  it("applies patches, coalesced into one frame", async () => {
    const ui = mount();
    await waitFor(() => ui.getByTestId("orch8-node-review"));
    const raf = vi.spyOn(window, "requestAnimationFrame");
    model.emit("msg:custom", { type: "patch", nodes: { charge: { state: "completed", duration_ms: 1500 } } });
    model.emit("msg:custom", { type: "patch", nodes: { review: { state: "running" } } });
    model.emit("msg:custom", {
      type: "patch",
      nodes: { review: { state: "waiting", waiting_for: "human input: Ship order 7?" } },
      instance: { state: "waiting" },
    });
    expect(raf).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(ui.getByTestId("orch8-node-review").getAttribute("data-state")).toBe("waiting"));
    expect(ui.getByTestId("orch8-node-review").textContent).toContain("human input: Ship order 7?");
    expect(ui.getByTestId("orch8-node-charge").textContent).toContain("1.5s");
    expect(ui.getByTestId("orch8-instance-state").textContent).toContain("waiting");
    raf.mockRestore();
  });

  it("sends pause at once, and cancel / retry only after an inline confirm", () => {
    const ui = mount();
    fireEvent.click(ui.getByTestId("orch8-control-pause"));
    expect(controls()).toEqual([{ type: "control", action: "pause" }]);
    model.emit("msg:custom", { type: "result", action: "pause", ok: true, message: "paused" });
    expect(ui.getByTestId("orch8-result").textContent).toContain("paused");
    expect(ui.getByTestId("orch8-result").getAttribute("data-ok")).toBe("true");
    fireEvent.click(ui.getByTestId("orch8-control-cancel"));
    expect(controls()).toHaveLength(1);
    fireEvent.click(ui.getByTestId("orch8-control-cancel-confirm"));
    expect(last(controls())).toEqual({ type: "control", action: "cancel" });
    model.emit("msg:custom", { type: "result", action: "cancel", ok: false, message: "instance is already completed" });
    expect(ui.getByTestId("orch8-result").textContent).toContain("instance is already completed");
    expect(ui.getByTestId("orch8-result").getAttribute("role")).toBe("alert");
  });

  it("retries a failed instance after the confirm, and offers resume when paused", () => {
    const ui = mount({ ...VIEW, instance: { ...VIEW.instance, state: "failed", error: "boom" } });
    expect((ui.getByTestId("orch8-control-pause") as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(ui.getByTestId("orch8-control-retry"));
    fireEvent.click(ui.getByTestId("orch8-control-dismiss"));
    expect(controls()).toHaveLength(0);
    fireEvent.click(ui.getByTestId("orch8-control-retry"));
    fireEvent.click(ui.getByTestId("orch8-control-retry-confirm"));
    expect(controls()).toEqual([{ type: "control", action: "retry" }]);
    model.set("view", { ...VIEW, instance: { ...VIEW.instance, state: "paused" } });
    fireEvent.click(ui.getByTestId("orch8-control-resume"));
    expect(last(controls())).toEqual({ type: "control", action: "resume" });
  });

  it("sends a signal only with a name and valid JSON", () => {
    const ui = mount();
    fireEvent.click(ui.getByTestId("orch8-control-signal"));
    fireEvent.change(ui.getByTestId("orch8-signal-name"), { target: { value: "approve_all" } });
    fireEvent.change(ui.getByTestId("orch8-signal-payload"), { target: { value: "{not json" } });
    fireEvent.click(ui.getByTestId("orch8-control-signal-send"));
    expect(ui.getByTestId("orch8-signal-error").textContent).toContain("not valid JSON");
    expect(controls()).toHaveLength(0);
    fireEvent.change(ui.getByTestId("orch8-signal-payload"), { target: { value: '{"n": 1}' } });
    fireEvent.click(ui.getByTestId("orch8-control-signal-send"));
    expect(controls()).toEqual([{ type: "control", action: "signal", name: "approve_all", payload: { n: 1 } }]);
    expect(ui.queryByTestId("orch8-signal-error")).toBeNull();
  });

  it("inspects a clicked node and answers its gate", async () => {
    const ui = mount();
    await waitFor(() => ui.getByTestId("orch8-node-review"));
    fireEvent.click(ui.getByTestId("orch8-node-review"));
    expect(last(model.sent)).toEqual({ type: "inspect", block_id: "review" });
    const panel = ui.getByTestId("orch8-inspector");
    expect(panel.textContent).toContain("loading");
    model.emit("msg:custom", INSPECTION);
    const inspector = within(ui.getByTestId("orch8-inspector"));
    expect(inspector.getByText("Ship order 7?", { exact: false })).toBeTruthy();
    expect(ui.getByTestId("orch8-inspector").textContent).toContain("ship it?");
    expect(ui.getByTestId("orch8-inspector").textContent).toMatch(/\d+ s ago/);
    expect(ui.getByTestId("orch8-inspector").textContent).toContain("step.waiting");
    // the 5000-character output is truncated until "show all"
    const showAll = inspector.getByText(/show all/);
    expect(ui.getByTestId("orch8-inspector").textContent).not.toContain("x".repeat(4000));
    fireEvent.click(showAll);
    expect(ui.getByTestId("orch8-inspector").textContent).toContain("x".repeat(4000));
    fireEvent.change(ui.getByTestId("orch8-gate-comment"), { target: { value: "looks good" } });
    fireEvent.click(ui.getByTestId("orch8-gate-choice-approve"));
    expect(last(controls())).toEqual({ type: "control", action: "approve", block_id: "review", value: "approve", comment: "looks good" });
    model.emit("msg:custom", { type: "result", action: "approve", ok: true, message: "answered" });
    expect(ui.getByTestId("orch8-inspector").textContent).toContain("answered");
    fireEvent.click(inspector.getByLabelText("close inspector"));
    expect(ui.queryByTestId("orch8-inspector")).toBeNull();
  });

  it("shows a running model's streamed text in the inspector as patches bring it", async () => {
    const ui = mount();
    await waitFor(() => ui.getByTestId("orch8-node-charge"));
    fireEvent.click(ui.getByTestId("orch8-node-charge"));
    model.emit("msg:custom", { ...INSPECTION, block_id: "charge", gate: null });
    act(() => {
      model.emit("msg:custom", { type: "patch", nodes: { charge: { state: "running", stream: "Thinking about", turn: 2 } } });
    });
    await waitFor(() => expect(ui.getByTestId("orch8-stream").textContent).toBe("Thinking about"));
    expect(ui.getByTestId("orch8-inspector").textContent).toContain("streaming · turn 2");
    expect(ui.getByTestId("orch8-node-charge").textContent).toContain("turn 2");
    act(() => {
      model.emit("msg:custom", { type: "patch", nodes: { charge: { state: "completed", attempt: 1 } } });
    });
    await waitFor(() => expect(ui.queryByTestId("orch8-stream")).toBeNull());
  });

  it("copies JSON with the copy button", async () => {
    const ui = mount();
    await waitFor(() => ui.getByTestId("orch8-node-review"));
    fireEvent.click(ui.getByTestId("orch8-node-review"));
    model.emit("msg:custom", INSPECTION);
    fireEvent.click(within(ui.getByTestId("orch8-inspector")).getByLabelText("copy params as JSON"));
    expect(navigator.clipboard.writeText).toHaveBeenCalledWith(JSON.stringify({ prompt: "ship it?" }, null, 2));
  });

  it("waits for a late view and cleans up its listeners", async () => {
    const ui = mount(null);
    expect(ui.getByTestId("orch8-tree").textContent).toContain("waiting for the kernel");
    model.set("view", VIEW);
    await waitFor(() => ui.getByTestId("orch8-node-charge"));
    act(() => dispose());
    expect(model.listenerCount()).toBe(0);
    expect(el.innerHTML).toBe("");
    dispose = () => undefined;
  });
});
