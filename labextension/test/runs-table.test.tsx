import { act } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { InstanceRow, InstanceView, NodeView } from "../src/model/contract";
import { FakeModel } from "./fake-model";

// The graph canvas belongs to another module; a stub shows what it was given.
vi.mock("../src/graph/SequenceCanvas", () => ({
  SequenceCanvas: (props: { sequence: { name: string }; nodes?: Record<string, NodeView> }) => (
    <div data-testid="canvas" data-sequence={props.sequence.name} data-nodes={JSON.stringify(props.nodes)} />
  ),
}));

const { renderTable } = await import("../src/runs/table-widget");

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);

const ROWS: InstanceRow[] = [
  {
    id: "01900000-1111-7222-8333-4444aaaaaaaa",
    sequence_name: "orders",
    version: 2,
    state: "failed",
    created_at: NOW - 5 * 60_000,
    updated_at: NOW - 3_000,
    dlq: true,
  },
  {
    id: "01900000-1111-7222-8333-4444bbbbbbbb",
    sequence_name: "billing",
    version: 1,
    state: "completed",
    created_at: NOW - 2 * 3_600_000,
    updated_at: NOW - 90 * 60_000,
    dlq: false,
  },
];

function treeFor(id: string): InstanceView {
  return {
    protocol: 1,
    sequence: { name: "orders", blocks: [{ type: "step", id: "charge", handler: "pay" }] },
    instance: { id, state: "running", sequence_name: "orders", version: 2, error: null },
    nodes: { charge: { state: "running", attempt: 1 } },
  };
}

let el: HTMLElement;
let model: FakeModel;
let cleanup: () => void;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date", "setInterval", "clearInterval"] });
  vi.setSystemTime(NOW);
  el = document.createElement("div");
  document.body.append(el);
  model = new FakeModel({
    _kind: "table",
    rows: ROWS,
    filters: { sequence: null, state: null, dlq: false },
    selected: null,
    tree: null,
  });
  act(() => {
    cleanup = renderTable(model, el);
  });
});

afterEach(() => {
  act(() => cleanup());
  el.remove();
  vi.useRealTimers();
});

const q = (testId: string) => el.querySelector(`[data-testid="${testId}"]`) as HTMLElement | null;

function change(testId: string, value: string | boolean) {
  const input = q(testId) as HTMLInputElement | HTMLSelectElement;
  act(() => {
    if (typeof value === "boolean") {
      (input as HTMLInputElement).click();
    } else {
      input.value = value;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
}

describe("instances table", () => {
  it("shows one row per instance with short id, sequence@version, state, times, DLQ", () => {
    expect(q("orch8-table")).not.toBeNull();
    const row = q(`orch8-table-row-${ROWS[0].id}`)!;
    const cells = [...row.querySelectorAll("td")].map((td) => td.textContent);
    expect(cells).toEqual(["…aaaaaaaa", "orders@2", "✗ failed", "5 min ago", "3 s ago", "⚑ DLQ"]);
    expect(row.querySelector("td")!.title).toBe(ROWS[0].id);
    const other = q(`orch8-table-row-${ROWS[1].id}`)!;
    expect(other.querySelectorAll("td")[2].textContent).toBe("✓ completed");
    expect(other.querySelectorAll("td")[3].textContent).toBe("2 h ago");
  });

  it("writes each filter change to `filters` and saves", () => {
    change("orch8-filter-sequence", "orders");
    expect(model.get("filters")).toEqual({ sequence: "orders", state: null, dlq: false });
    change("orch8-filter-state", "failed");
    change("orch8-filter-dlq", true);
    expect(model.saved).toEqual([
      { filters: { sequence: "orders", state: null, dlq: false } },
      { filters: { sequence: "orders", state: "failed", dlq: false } },
      { filters: { sequence: "orders", state: "failed", dlq: true } },
    ]);
    change("orch8-filter-sequence", "");
    expect(model.get("filters")).toEqual({ sequence: null, state: "failed", dlq: true });
  });

  it("hides non-matching rows at once, before Python answers", () => {
    change("orch8-filter-state", "completed");
    expect(q(`orch8-table-row-${ROWS[0].id}`)).toBeNull();
    expect(q(`orch8-table-row-${ROWS[1].id}`)).not.toBeNull();
  });

  it("keeps offering every sequence seen after Python narrows the rows", () => {
    change("orch8-filter-sequence", "orders");
    act(() => model.fromPython("rows", [ROWS[0]]));
    const options = [...(q("orch8-filter-sequence") as HTMLSelectElement).options].map((o) => o.value);
    expect(options).toEqual(["", "billing", "orders"]);
  });

  it("row click writes `selected`; a second click clears it; Enter works too", () => {
    const row = q(`orch8-table-row-${ROWS[1].id}`)!;
    act(() => row.click());
    expect(model.saved[model.saved.length - 1]).toEqual({ selected: ROWS[1].id });
    expect(row.getAttribute("aria-selected")).toBe("true");
    act(() => row.click());
    expect(model.saved[model.saved.length - 1]).toEqual({ selected: null });
    act(() => {
      row.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    });
    expect(model.get("selected")).toBe(ROWS[1].id);
  });

  it("shows the live tree of the selected instance and applies patches", () => {
    const id = ROWS[0].id;
    act(() => q(`orch8-table-row-${id}`)!.click());
    expect(q("canvas")).toBeNull();
    act(() => model.fromPython("tree", treeFor(id)));
    const canvas = q("canvas")!;
    expect(canvas.dataset.sequence).toBe("orders");
    expect(JSON.parse(canvas.dataset.nodes!)).toEqual({ charge: { state: "running", attempt: 1 } });

    act(() =>
      model.emit("msg:custom", {
        type: "patch",
        instance: { state: "failed", error: "card declined" },
        nodes: { charge: { state: "failed", attempt: 1, error: "card declined" } },
      }),
    );
    expect(JSON.parse(q("canvas")!.dataset.nodes!)).toEqual({
      charge: { state: "failed", attempt: 1, error: "card declined" },
    });
    expect(q("orch8-table-tree")!.textContent).toContain("✗ failed");
    expect(q("orch8-table-tree")!.textContent).toContain("card declined");

    // A new `tree` value resets what the patches built up.
    act(() => model.fromPython("tree", treeFor(id)));
    expect(JSON.parse(q("canvas")!.dataset.nodes!).charge.state).toBe("running");
  });

  it("says it is loading while the tree is still the previous instance's", () => {
    act(() => q(`orch8-table-row-${ROWS[1].id}`)!.click());
    act(() => model.fromPython("tree", treeFor(ROWS[0].id)));
    expect(q("canvas")).toBeNull();
    expect(q("orch8-table-tree")!.textContent).toContain("Loading instance …bbbbbbbb");
  });

  it("refreshes relative times and removes its listeners on cleanup", () => {
    act(() => {
      vi.advanceTimersByTime(60_000);
    });
    const row = q(`orch8-table-row-${ROWS[0].id}`)!;
    expect(row.querySelectorAll("td")[4].textContent).toBe("1 min ago");
    act(() => cleanup());
    expect(model.listenerCount()).toBe(0);
    cleanup = () => undefined;
  });
});
