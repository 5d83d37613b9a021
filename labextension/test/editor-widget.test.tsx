// The editor widget against a fake anywidget model. The canvas is replaced by a stub that
// records its props (layout with elkjs is the graph's own business and heavy in happy-dom).
import { act } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Sequence, ValidationProblem } from "../src/model/contract";
import type { SequenceCanvasProps } from "../src/graph/SequenceCanvas";
import { allTypes, SCHEMA } from "./editor.fixtures";
import { FakeModel } from "./fake-model";

const canvas = vi.hoisted(() => ({ props: null as SequenceCanvasProps | null }));

vi.mock("../src/graph/SequenceCanvas", () => ({
  DRAG_MIME: "application/x-orch8-block",
  SequenceCanvas: (props: SequenceCanvasProps) => {
    canvas.props = props;
    return <div data-testid="fake-canvas">{props.sequence.blocks.map((b) => b.id).join(",")}</div>;
  },
}));

const { renderEditor } = await import("../src/editor/widget");

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let el: HTMLElement;
let dispose: () => void;
let model: FakeModel;

function mount(spec: Sequence = allTypes(), extra: Record<string, unknown> = {}): void {
  model = new FakeModel({
    _kind: "editor", _protocol: 1, spec, errors: [], handlers: ["noop", "send_email"], block_schema: SCHEMA, status: null, ...extra,
  });
  el = document.createElement("div");
  document.body.appendChild(el);
  act(() => {
    dispose = renderEditor(model, el);
  });
}

const q = <T extends HTMLElement = HTMLElement>(testId: string): T => {
  const node = el.querySelector<T>(`[data-testid="${testId}"]`);
  if (node === null) throw new Error(`no ${testId}`);
  return node;
};
const click = (node: Element): void => act(() => (node as HTMLElement).click());
const spec = (): Sequence => model.get("spec") as Sequence;
const key = (target: Element, init: KeyboardEventInit): KeyboardEvent => {
  const event = new KeyboardEvent("keydown", { bubbles: true, cancelable: true, ...init });
  act(() => {
    target.dispatchEvent(event);
  });
  return event;
};
function setValue(input: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  const proto = input instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  act(() => {
    Object.getOwnPropertyDescriptor(proto, "value")!.set!.call(input, value);
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

beforeEach(() => {
  canvas.props = null;
});

afterEach(() => {
  act(() => dispose());
  el.remove();
  vi.useRealTimers();
});

describe("editor widget", () => {
  it("lays out toolbar, palette of 11 types, canvas and hint", () => {
    mount();
    expect(q("orch8-editor")).toBeTruthy();
    expect(el.querySelectorAll("[data-testid^='orch8-palette-']")).toHaveLength(11);
    expect(q("orch8-palette-for_each").getAttribute("draggable")).toBe("true");
    expect(canvas.props?.sequence.blocks).toHaveLength(11);
    expect(q<HTMLButtonElement>("orch8-editor-undo").disabled).toBe(true);
    expect(el.querySelector("[data-testid='orch8-form']")).toBeNull();
  });

  it("palette click appends a block, selects it and writes spec at once", () => {
    mount();
    click(q("orch8-palette-step"));
    expect(spec().blocks).toHaveLength(12);
    expect(spec().blocks[11]).toEqual({ type: "step", id: "step_1", handler: "noop" });
    expect(model.saves).toBe(1);
    expect(canvas.props?.selected).toBe("step_1");
    expect(q("orch8-form").textContent).toContain("step_1");
  });

  it("palette click with a composite selected adds into its first lane", () => {
    mount();
    act(() => canvas.props!.onSelect!("lp"));
    click(q("orch8-palette-step"));
    expect((spec().blocks[3].body as { id: string }[]).map((b) => b.id)).toEqual(["l1", "step_1"]);
  });

  it("undo restores the previous spec and redo brings it back", () => {
    const original = allTypes();
    mount(original);
    click(q("orch8-palette-parallel"));
    click(q("orch8-editor-undo"));
    expect(spec()).toEqual(original);
    expect(canvas.props?.sequence.blocks).toHaveLength(11);
    click(q("orch8-editor-redo"));
    expect(spec().blocks[11].id).toBe("parallel_1");
  });

  it("applies drops and deletes from the canvas", () => {
    mount();
    act(() => canvas.props!.onDropOnLane!(["blocks", 1, "branches", 0], 0, { kind: "new", blockType: "loop" }));
    expect((spec().blocks[1].branches as { id: string }[][])[0].map((b) => b.id)).toEqual(["loop_1", "p1"]);
    act(() => canvas.props!.onDropOnLane!(["blocks"], 0, { kind: "move", blockId: "sub" }));
    expect(spec().blocks[0].id).toBe("sub");
    act(() => canvas.props!.onDeleteBlock!("sub"));
    expect(spec().blocks.map((b) => b.id)).not.toContain("sub");
  });

  it("Delete removes the selected block; Ctrl+Z and Ctrl+Shift+Z undo and redo; keys stay inside", () => {
    mount();
    const outside = vi.fn();
    document.addEventListener("keydown", outside);
    act(() => canvas.props!.onSelect!("a"));
    const del = key(q("orch8-editor"), { key: "Delete" });
    expect(del.defaultPrevented).toBe(true);
    expect(spec().blocks[0].id).toBe("par");
    expect(canvas.props?.selected).toBeNull();
    key(q("orch8-editor"), { key: "z", ctrlKey: true });
    expect(spec().blocks[0].id).toBe("a");
    key(q("orch8-editor"), { key: "Z", metaKey: true, shiftKey: true });
    expect(spec().blocks[0].id).toBe("par");
    key(q("orch8-editor"), { key: "y", ctrlKey: true });
    expect(outside).not.toHaveBeenCalled();
    document.removeEventListener("keydown", outside);
  });

  it("Backspace while typing in a form field does not delete the block", () => {
    mount();
    act(() => canvas.props!.onSelect!("a"));
    const input = q("orch8-form").querySelector<HTMLInputElement>('[data-field="handler"] input')!;
    key(input, { key: "Backspace" });
    expect(model.saves).toBe(0);
    expect(canvas.props?.sequence.blocks[0].id).toBe("a");
  });

  it("debounces form typing into one spec write and one undo step", () => {
    vi.useFakeTimers();
    mount();
    act(() => canvas.props!.onSelect!("a"));
    const input = () => q("orch8-form").querySelector<HTMLInputElement>('[data-field="handler"] input')!;
    setValue(input(), "s");
    setValue(input(), "se");
    setValue(input(), "send");
    expect(model.saves).toBe(0);
    act(() => vi.advanceTimersByTime(200));
    expect(model.saves).toBe(1);
    expect(spec().blocks[0].handler).toBe("send");
    click(q("orch8-editor-undo"));
    expect(spec().blocks[0].handler).toBe("noop");
  });

  it("renaming a block's id keeps it selected", () => {
    mount();
    act(() => canvas.props!.onSelect!("a"));
    setValue(q("orch8-form").querySelector<HTMLInputElement>('[data-field="id"] input')!, "charge");
    expect(canvas.props?.selected).toBe("charge");
    expect(q("orch8-form").querySelector<HTMLInputElement>('[data-field="id"] input')!.value).toBe("charge");
  });

  it("Register and Run send their messages after writing the pending spec", () => {
    vi.useFakeTimers();
    mount();
    act(() => canvas.props!.onSelect!("a"));
    setValue(q("orch8-form").querySelector<HTMLInputElement>('[data-field="handler"] input')!, "log");
    click(q("orch8-editor-register"));
    expect(spec().blocks[0].handler).toBe("log");
    expect(model.sent).toEqual([{ type: "register" }]);
    expect(q("orch8-editor-status").textContent).toContain("register");
    model.fromPython("status", { action: "register", ok: true, message: "registered all v1" });
    expect(q("orch8-editor-status").textContent).toBe("✓ register: registered all v1");
    setValue(q<HTMLTextAreaElement>("orch8-editor-run-input"), '{"n": 2}');
    click(q("orch8-editor-run"));
    expect(model.sent[1]).toEqual({ type: "run", input: { n: 2 } });
    model.fromPython("status", { action: "run", ok: false, message: "handler noop failed" });
    expect(q("orch8-editor-status").textContent).toBe("✗ run: handler noop failed");
  });

  it("invalid run input shows an error and sends nothing", () => {
    mount();
    setValue(q<HTMLTextAreaElement>("orch8-editor-run-input"), "{oops");
    click(q("orch8-editor-run"));
    expect(model.sent).toEqual([]);
    expect(q("orch8-editor-status").textContent).toMatch(/invalid JSON/);
    setValue(q<HTMLTextAreaElement>("orch8-editor-run-input"), "[1]");
    click(q("orch8-editor-run"));
    expect(model.sent).toEqual([]);
    expect(q("orch8-editor-status").textContent).toMatch(/JSON object/);
  });

  it("shows Python's errors on the canvas, in the form and in the footer", () => {
    mount();
    expect(q("orch8-editor-errors").textContent).toContain("valid");
    const errors: ValidationProblem[] = [
      { path: ["blocks", 3, "condition"], block_id: "lp", message: "unexpected token" },
      { path: [], block_id: null, message: "sequence needs a name" },
    ];
    model.fromPython("errors", errors);
    expect(canvas.props?.problems).toEqual(errors);
    const footer = q("orch8-editor-errors");
    expect(footer.textContent).toContain("blocks[3].condition: unexpected token");
    expect(footer.textContent).toContain("<root>: sequence needs a name");
    click(footer.querySelector("button")!);
    expect(canvas.props?.selected).toBe("lp");
    expect(q("orch8-form").querySelector('[data-field="condition"]')!.textContent).toContain("unexpected token");
  });

  it("a spec from Python replaces the canvas and resets undo; our own echo does not", () => {
    mount();
    click(q("orch8-palette-step"));
    expect(q<HTMLButtonElement>("orch8-editor-undo").disabled).toBe(false);
    // The echo of our own write (same JSON, new object) changes nothing.
    model.fromPython("spec", JSON.parse(JSON.stringify(spec())));
    expect(q<HTMLButtonElement>("orch8-editor-undo").disabled).toBe(false);
    model.fromPython("spec", { name: "other", blocks: [{ type: "step", id: "only", handler: "noop" }] });
    expect(q("fake-canvas").textContent).toBe("only");
    expect(q<HTMLButtonElement>("orch8-editor-undo").disabled).toBe(true);
  });

  it("starts from an empty spec and handles a late block_schema", () => {
    mount({} as Sequence, { block_schema: {} });
    click(q("orch8-palette-loop"));
    expect(spec().blocks.map((b) => b.id)).toEqual(["loop_1"]);
    expect(q("orch8-form").querySelector("textarea")).toBeTruthy(); // raw JSON fallback
    model.fromPython("block_schema", SCHEMA);
    expect(q("orch8-form").querySelector('[data-field="condition"]')).toBeTruthy();
  });

  it("teardown writes a pending edit and removes every listener", () => {
    vi.useFakeTimers();
    mount();
    act(() => canvas.props!.onSelect!("a"));
    setValue(q("orch8-form").querySelector<HTMLInputElement>('[data-field="handler"] input')!, "late");
    act(() => dispose());
    expect(spec().blocks[0].handler).toBe("late");
    expect(model.listenerCount()).toBe(0);
    dispose = () => undefined;
  });
});
