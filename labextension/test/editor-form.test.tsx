import { cleanup, fireEvent, render } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Block, ValidationProblem } from "../src/model/contract";
import { BlockForm } from "../src/editor/BlockForm";
import { formatMs, formatPath } from "../src/editor/format";
import { blockVariant, defaultFor, fieldsOf } from "../src/editor/schema";
import { SCHEMA } from "./editor.fixtures";

afterEach(cleanup);

function renderForm(block: Block, options: { problems?: ValidationProblem[]; path?: (string | number)[] } = {}) {
  const onChange = vi.fn<(next: Block, key: string | null) => void>();
  const view = render(
    <BlockForm
      schema={SCHEMA}
      block={block}
      blockPath={options.path ?? ["blocks", 0]}
      handlers={["noop", "send_email"]}
      problems={options.problems ?? []}
      takenIds={() => new Set(["a", "lp", "saga_step_1"])}
      onChange={onChange}
    />,
  );
  const field = (key: string): HTMLElement => {
    const el = view.container.querySelector<HTMLElement>(`[data-field="${key}"]`);
    if (el === null) throw new Error(`no field ${key}`);
    return el;
  };
  const last = (): [Block, string | null] => onChange.mock.calls[onChange.mock.calls.length - 1];
  return { ...view, onChange, field, last };
}

const step: Block = { type: "step", id: "a", handler: "noop", params: { to: "x" } };
const loop: Block = { type: "loop", id: "lp", condition: "true", body: [{ type: "step", id: "l1", handler: "noop" }] };

describe("schema reading", () => {
  it("finds each block variant by its type tag", () => {
    for (const type of ["step", "loop", "saga", "ab_split"]) {
      expect(blockVariant(SCHEMA, type)?.title).toMatch(/Def$/);
    }
    expect(blockVariant(SCHEMA, "nope")).toBeNull();
  });

  it("sorts step fields into controls", () => {
    const kinds = Object.fromEntries(fieldsOf(SCHEMA, blockVariant(SCHEMA, "step")!).map((f) => [f.key, f.kind]));
    expect(kinds).toMatchObject({
      type: "const",
      id: "string",
      handler: "string",
      params: "json",
      retry: "object",
      timeout: "integer",
      cancellable: "boolean",
      output_schema: "json",
      wait_for_input: "object",
    });
    const loopKinds = Object.fromEntries(fieldsOf(SCHEMA, blockVariant(SCHEMA, "loop")!).map((f) => [f.key, f.kind]));
    expect(loopKinds).toMatchObject({ body: "blocks", condition: "string", max_iterations: "integer" });
    const kindOf = (type: string, key: string) => fieldsOf(SCHEMA, blockVariant(SCHEMA, type)!).find((f) => f.key === key)?.kind;
    expect(kindOf("parallel", "branches")).toBe("lanes");
    expect(kindOf("router", "routes")).toBe("lanes");
    expect(kindOf("saga", "steps")).toBe("lanes");
    expect(kindOf("race", "semantics")).toBe("enum");
  });

  it("titles a nested model by its field, not its class name", () => {
    const titles = Object.fromEntries(fieldsOf(SCHEMA, blockVariant(SCHEMA, "step")!).map((f) => [f.key, f.title]));
    expect(titles).toMatchObject({ retry: "Retry", wait_for_input: "Wait For Input", timeout: "Timeout" });
  });

  it("writes paths like Python and durations readably", () => {
    expect(formatPath(["blocks", 2, "branches", 0, 1, "id"])).toBe("blocks[2].branches[0][1].id");
    expect([formatMs(250), formatMs(1500), formatMs(90_000), formatMs(3_600_000)]).toEqual(["250 ms", "1.5 s", "1 min 30 s", "1 h"]);
  });

  it("builds a valid-looking retry policy when switched on", () => {
    const retry = fieldsOf(SCHEMA, blockVariant(SCHEMA, "step")!).find((f) => f.key === "retry")!;
    expect(defaultFor(SCHEMA, retry.schema)).toEqual({ max_attempts: 1, initial_backoff: 0, max_backoff: 0 });
  });
});

describe("BlockForm for a step", () => {
  it("draws the step's fields and no type tag", () => {
    const { container, field } = renderForm(step);
    expect(container.querySelector('[data-field="type"]')).toBeNull();
    expect(field("id").querySelector("input")!.value).toBe("a");
    expect(field("params").querySelector("textarea")!.value).toContain('"to": "x"');
    expect(field("cancellable").querySelector<HTMLInputElement>("input[type=checkbox]")!.checked).toBe(true);
    expect(field("handler").textContent).toContain("Handler name");
  });

  it("offers the registered handlers and still accepts a new name", () => {
    const { container, field, last } = renderForm(step);
    const input = field("handler").querySelector("input")!;
    const list = container.querySelector(`datalist[id="${input.getAttribute("list")}"]`)!;
    expect([...list.querySelectorAll("option")].map((o) => o.value)).toEqual(["noop", "send_email"]);
    fireEvent.change(input, { target: { value: "brand_new" } });
    const [next, key] = last();
    expect(next).toEqual({ ...step, handler: "brand_new" });
    expect(key).toBe('["blocks",0]:handler');
  });

  it("renames the id", () => {
    const { field, last } = renderForm(step);
    fireEvent.change(field("id").querySelector("input")!, { target: { value: "b" } });
    expect(last()[0].id).toBe("b");
  });

  it("edits durations as integer ms and removes a cleared optional number", () => {
    const { field, last, onChange } = renderForm({ ...step, timeout: 1500 });
    const input = field("timeout").querySelector("input")!;
    expect(field("timeout").textContent).toContain("1.5 s");
    fireEvent.change(input, { target: { value: "90000" } });
    expect(last()[0].timeout).toBe(90000);
    fireEvent.change(input, { target: { value: "1.5" } });
    expect(field("timeout").textContent).toContain("whole number");
    const calls = onChange.mock.calls.length;
    fireEvent.change(input, { target: { value: "" } });
    expect(onChange.mock.calls.length).toBe(calls + 1);
    expect(last()[0]).not.toHaveProperty("timeout");
  });

  it("shows JSON parse errors inline and sends nothing until the JSON parses", () => {
    const { field, onChange, last } = renderForm(step);
    const area = field("params").querySelector("textarea")!;
    fireEvent.change(area, { target: { value: '{"to": ' } });
    expect(field("params").querySelector('[role="alert"]')!.textContent).toMatch(/invalid JSON/);
    expect(onChange).not.toHaveBeenCalled();
    fireEvent.change(area, { target: { value: '{"to": "y"}' } });
    expect(last()[0].params).toEqual({ to: "y" });
    expect(field("params").querySelector('[role="alert"]')).toBeNull();
  });

  it("switches a nested object on as a fieldset and edits inside it", () => {
    const { field, last, rerender } = renderForm(step);
    const toggle = field("retry").querySelector<HTMLInputElement>("legend input[type=checkbox]")!;
    expect(toggle.checked).toBe(false);
    fireEvent.click(toggle);
    const [withRetry, key] = last();
    expect(withRetry.retry).toEqual({ max_attempts: 1, initial_backoff: 0, max_backoff: 0 });
    expect(key).toBeNull(); // discrete: saved at once
    rerender(
      <BlockForm schema={SCHEMA} block={withRetry} blockPath={["blocks", 0]} handlers={[]} problems={[]} takenIds={() => new Set()} onChange={() => undefined} />,
    );
    expect(field("max_attempts").querySelector("input")!.value).toBe("1");
    expect(field("backoff_multiplier")).toBeTruthy();
  });

  it("edits arrays of primitives item by item", () => {
    const retry = { max_attempts: 2, initial_backoff: 0, max_backoff: 0, non_retryable_codes: ["E1"] };
    const { field, last } = renderForm({ ...step, retry });
    const codes = field("non_retryable_codes");
    fireEvent.click(codes.querySelector(".orch8-form-add")!);
    expect((last()[0].retry as typeof retry).non_retryable_codes).toEqual(["E1", ""]);
    fireEvent.change(codes.querySelector("input")!, { target: { value: "E9" } });
    expect((last()[0].retry as typeof retry).non_retryable_codes).toEqual(["E9"]);
  });

  it("shows the block's problems on their fields and the rest on top", () => {
    const problems: ValidationProblem[] = [
      { path: ["blocks", 0, "handler"], block_id: "a", message: "unknown handler 'nope'" },
      { path: ["blocks", 0, "retry", "max_attempts"], block_id: "a", message: "must be > 0" },
      { path: ["blocks", 0], block_id: "a", message: "duplicate id 'a'" },
      { path: ["blocks", 1, "handler"], block_id: "b", message: "not mine" },
    ];
    const { field, container } = renderForm({ ...step, retry: { max_attempts: 0, initial_backoff: 0, max_backoff: 0 } }, { problems });
    expect(field("handler").textContent).toContain("unknown handler 'nope'");
    expect(field("max_attempts").textContent).toContain("must be > 0");
    expect(container.querySelector(".orch8-form-problems")!.textContent).toContain("duplicate id 'a'");
    expect(container.textContent).not.toContain("not mine");
  });
});

describe("BlockForm for composites", () => {
  it("draws a loop's settings but not its body", () => {
    const { container, field, last } = renderForm(loop, {
      problems: [{ path: ["blocks", 0, "condition"], block_id: "lp", message: "bad expression" }],
    });
    expect(container.querySelector('[data-field="body"]')).toBeNull();
    expect(field("condition").textContent).toContain("bad expression");
    expect(field("max_iterations").querySelector("input")!.value).toBe("");
    fireEvent.change(field("max_iterations").querySelector("input")!, { target: { value: "5" } });
    expect(last()[0]).toEqual({ ...loop, max_iterations: 5 });
    fireEvent.click(field("continue_on_error").querySelector("input")!);
    expect(last()[0].continue_on_error).toBe(true);
  });

  it("reports a problem on a lane the form does not draw at the top", () => {
    const { container } = renderForm({ ...loop, body: [] }, {
      problems: [{ path: ["blocks", 0, "body"], block_id: "lp", message: "at least 1 block" }],
    });
    expect(container.querySelector(".orch8-form-problems")!.textContent).toContain("body: at least 1 block");
  });

  it("adds and removes parallel branches", () => {
    const par: Block = { type: "parallel", id: "p", branches: [[{ type: "step", id: "x", handler: "noop" }], []] };
    const { field, last } = renderForm(par);
    expect(field("branches").textContent).toContain("1 block");
    fireEvent.click(field("branches").querySelector(".orch8-form-add")!);
    expect(last()[0].branches).toHaveLength(3);
    fireEvent.click(field("branches").querySelectorAll<HTMLButtonElement>(".orch8-form-lane-head button")[1]);
    expect(last()[0].branches).toEqual([[{ type: "step", id: "x", handler: "noop" }]]);
  });

  it("edits route conditions and toggles the router default", () => {
    const rt: Block = { type: "router", id: "rt", routes: [{ condition: "a", blocks: [] }] };
    const { field, last } = renderForm(rt);
    fireEvent.change(field("condition").querySelector("input")!, { target: { value: "b" } });
    expect(last()[0].routes).toEqual([{ condition: "b", blocks: [] }]);
    fireEvent.click(field("default").querySelector("input")!);
    expect(last()[0].default).toEqual([]);
  });

  it("edits variant weights, enums and saga steps", () => {
    const ab: Block = { type: "ab_split", id: "ab", variants: [{ name: "A", weight: 1, blocks: [] }, { name: "B", weight: 1, blocks: [] }] };
    const form = renderForm(ab);
    fireEvent.click(form.field("variants").querySelector(".orch8-form-add")!);
    expect((last(form)[0].variants as { name: string }[]).map((v) => v.name)).toEqual(["A", "B", "C"]);
    form.unmount();

    const race = renderForm({ type: "race", id: "r", branches: [[], []] });
    fireEvent.change(race.field("semantics").querySelector("select")!, { target: { value: "first_to_succeed" } });
    expect(race.last()[0].semantics).toBe("first_to_succeed");
    race.unmount();

    const saga = renderForm({ type: "saga", id: "sg", steps: [] });
    fireEvent.click(saga.field("steps").querySelector(".orch8-form-add")!);
    const steps = saga.last()[0].steps as { id: string; action: Block }[];
    expect(steps[0].id).toBe("saga_step_2");
    expect(steps[0].action).toEqual({ type: "step", id: "step_1", handler: "noop" });
  });

  it("falls back to raw JSON without a schema", () => {
    const onChange = vi.fn();
    const { container } = render(
      <BlockForm schema={{}} block={step} blockPath={["blocks", 0]} handlers={[]} problems={[]} takenIds={() => new Set()} onChange={onChange} />,
    );
    const area = container.querySelector("textarea")!;
    fireEvent.change(area, { target: { value: '{"type": "step", "id": "z", "handler": "noop"}' } });
    expect(onChange).toHaveBeenCalledWith({ type: "step", id: "z", handler: "noop" }, "raw");
  });
});

function last(form: { last: () => [Block, string | null] }): [Block, string | null] {
  return form.last();
}
