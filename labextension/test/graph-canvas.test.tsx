import { act, cleanup, fireEvent, render, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DRAG_MIME, SequenceCanvas } from "../src/graph/SequenceCanvas";
import type { Block, Sequence } from "../src/model/contract";

const step = (id: string, extra: Record<string, unknown> = {}): Block => ({ type: "step", id, handler: "noop", ...extra });
const SEQ: Sequence = {
  name: "s",
  blocks: [
    step("first", { retry: { max_attempts: 3, initial_backoff: 1, max_backoff: 2 } }),
    { type: "router", id: "r", routes: [{ condition: "x", blocks: [step("yes")] }], default: [step("no")] },
    { type: "try_catch", id: "tc", try_block: [step("t1"), step("t2")], catch_block: [] },
  ],
};

afterEach(cleanup);

/** A drag event with coordinates (happy-dom's DragEvent ignores clientX/clientY in its init). */
function dragEvent(type: string, dataTransfer: unknown, clientY = 0): Event {
  const event = new Event(type, { bubbles: true, cancelable: true });
  Object.defineProperties(event, {
    dataTransfer: { value: dataTransfer },
    clientX: { value: 5 },
    clientY: { value: clientY },
  });
  return event;
}

async function mounted(ui: JSX.Element) {
  const result = render(ui);
  await waitFor(() => expect(result.getByTestId("orch8-node-first")).toBeTruthy());
  return result;
}

describe("SequenceCanvas", () => {
  it("draws cards with id, handler and badges", async () => {
    const { getByTestId } = await mounted(<SequenceCanvas sequence={SEQ} />);
    const card = getByTestId("orch8-node-first");
    expect(card.textContent).toContain("first");
    expect(card.textContent).toContain("noop");
    expect(card.textContent).toContain("↻ 3x");
    expect(card.getAttribute("data-state")).toBeNull();
    expect(getByTestId("orch8-node-r").textContent).toContain("1 route + default");
  });

  it("shows live states with icon and word, and skips lanes not chosen", async () => {
    const nodes = {
      first: { state: "failed" as const, error: "boom\nsecond line", attempt: 2, max_attempts: 3 },
      r: { state: "completed" as const, route: "default" },
      t1: { state: "waiting" as const, waiting_for: "human input: ok?" },
    };
    const { getByTestId } = await mounted(<SequenceCanvas sequence={SEQ} nodes={nodes} />);
    const first = getByTestId("orch8-node-first");
    expect(first.getAttribute("data-state")).toBe("failed");
    expect(first.textContent).toContain("✗ failed");
    expect(first.textContent).toContain("boom");
    expect(first.textContent).not.toContain("second line");
    expect(first.textContent).toContain("2/3");
    expect(getByTestId("orch8-node-t1").textContent).toContain("human input: ok?");
    expect(getByTestId("orch8-node-t2").getAttribute("data-state")).toBe("pending");
    expect(getByTestId("orch8-lane-lane:r:route:0").className).toContain("orch8-lane-skipped");
    expect(getByTestId("orch8-lane-lane:r:route:0").textContent).toContain("skipped");
    expect(getByTestId("orch8-lane-lane:r:default").className).not.toContain("orch8-lane-skipped");
  });

  it("outlines cards with problems and shows the message", async () => {
    const problems = [{ path: ["blocks", 0], block_id: "first", message: "handler 'noop' is not registered" }];
    const { getByTestId } = await mounted(<SequenceCanvas sequence={SEQ} problems={problems} />);
    const card = getByTestId("orch8-node-first");
    expect(card.className).toContain("orch8-has-problem");
    const note = card.querySelector(".orch8-problem-note");
    expect(note?.textContent).toContain("not registered");
    expect(note?.getAttribute("title")).toBe("handler 'noop' is not registered");
  });

  it("selects on click and deletes the selection with Delete, hiding the key from the page", async () => {
    const onSelect = vi.fn();
    const onDelete = vi.fn();
    const outer = vi.fn();
    document.addEventListener("keydown", outer);
    const { getByTestId } = await mounted(
      <SequenceCanvas sequence={SEQ} selected="t1" onSelect={onSelect} onDeleteBlock={onDelete} onDropOnLane={() => undefined} />,
    );
    fireEvent.click(getByTestId("orch8-node-t2"));
    expect(onSelect).toHaveBeenCalledWith("t2");
    expect(getByTestId("orch8-node-t1").className).toContain("orch8-selected");
    fireEvent.keyDown(getByTestId("orch8-node-t1"), { key: "Delete" });
    expect(onDelete).toHaveBeenCalledWith("t1");
    expect(outer).not.toHaveBeenCalled();
    document.removeEventListener("keydown", outer);
  });

  it("accepts drops on lanes and cards with the insertion index", async () => {
    const onDrop = vi.fn();
    const { getByTestId } = await mounted(<SequenceCanvas sequence={SEQ} onDropOnLane={onDrop} />);
    const data = new Map<string, string>([[DRAG_MIME, JSON.stringify({ kind: "new", blockType: "loop" })]]);
    const dataTransfer = { types: [DRAG_MIME], getData: (t: string) => data.get(t) ?? "", setData: (t: string, v: string) => data.set(t, v), dropEffect: "", effectAllowed: "" };
    const empty = getByTestId("orch8-lane-lane:tc:catch");
    fireEvent.dragOver(empty, { dataTransfer });
    await waitFor(() => expect(getByTestId("orch8-lane-lane:tc:catch").className).toContain("orch8-lane-over"));
    fireEvent(empty, dragEvent("drop", dataTransfer, 5));
    expect(onDrop).toHaveBeenLastCalledWith(["blocks", 2, "catch_block"], 0, { kind: "new", blockType: "loop" });
    // Dropping on the root lane far below everything appends.
    fireEvent(getByTestId("orch8-lane-lane:root"), dragEvent("drop", dataTransfer, 100_000));
    expect(onDrop).toHaveBeenLastCalledWith(["blocks"], 3, { kind: "new", blockType: "loop" });
    // A card passes the drop to its lane; above everything means index 0.
    fireEvent(getByTestId("orch8-node-t2"), dragEvent("drop", dataTransfer, -100));
    expect(onDrop).toHaveBeenLastCalledWith(["blocks", 2, "try_block"], 0, { kind: "new", blockType: "loop" });
    // A block cannot move into itself.
    data.set(DRAG_MIME, JSON.stringify({ kind: "move", blockId: "tc" }));
    const calls = onDrop.mock.calls.length;
    fireEvent(empty, dragEvent("drop", dataTransfer, 5));
    expect(onDrop.mock.calls.length).toBe(calls);
  });

  it("makes cards draggable with a move payload only when editing", async () => {
    const { getByTestId, unmount } = await mounted(<SequenceCanvas sequence={SEQ} />);
    expect(getByTestId("orch8-node-first").getAttribute("draggable")).toBeNull();
    unmount();
    const edit = await mounted(<SequenceCanvas sequence={SEQ} onDropOnLane={() => undefined} />);
    const card = edit.getByTestId("orch8-node-first");
    expect(card.getAttribute("draggable")).toBe("true");
    const data = new Map<string, string>();
    await act(async () => {
      fireEvent.dragStart(card, { dataTransfer: { setData: (t: string, v: string) => data.set(t, v), effectAllowed: "" } });
    });
    expect(JSON.parse(data.get(DRAG_MIME) ?? "null")).toEqual({ kind: "move", blockId: "first" });
  });
});
