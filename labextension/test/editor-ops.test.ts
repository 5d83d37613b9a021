import { describe, expect, it } from "vitest";
import { BLOCK_TYPES, type Block, type Sequence } from "../src/model/contract";
import { collectIds, freshId, newBlock } from "../src/editor/defaults";
import {
  appendTarget,
  createBlock,
  deleteBlock,
  findBlock,
  insertBlock,
  moveBlock,
  updateBlock,
  type Path,
} from "../src/editor/ops";
import { getIn } from "../src/editor/tree";
import { allTypes } from "./editor.fixtures";

const ids = (list: unknown): string[] => (list as Block[]).map((b) => b.id);
const frozen = (): { seq: Sequence; json: string } => {
  const seq = allTypes();
  return { seq, json: JSON.stringify(seq) };
};

describe("findBlock", () => {
  it.each([
    ["a", ["blocks", 0]],
    ["p2", ["blocks", 1, "branches", 1, 0]],
    ["l1", ["blocks", 3, "body", 0]],
    ["ro1", ["blocks", 5, "routes", 0, "blocks", 0]],
    ["rd", ["blocks", 5, "default", 0]],
    ["fi1", ["blocks", 6, "finally_block", 0]],
    ["vb", ["blocks", 8, "variants", 1, "blocks", 0]],
    ["cs1", ["blocks", 9, "blocks", 0]],
    ["act1", ["blocks", 10, "steps", 0, "action"]],
    ["comp1", ["blocks", 10, "steps", 0, "compensation"]],
  ])("finds %s at its JSON path", (id, path) => {
    const found = findBlock(allTypes(), id);
    expect(found?.path).toEqual(path);
    expect(found?.block.id).toBe(id);
  });

  it("returns null for an unknown id", () => {
    expect(findBlock(allTypes(), "nope")).toBeNull();
  });
});

describe("new blocks", () => {
  it.each(BLOCK_TYPES.map((t) => [t]))("creates a %s with a fresh id", (type) => {
    const block = createBlock(allTypes(), type);
    expect(block.type).toBe(type);
    expect(block.id).toBe(`${type}_1`);
  });

  it("never reuses an id anywhere in the tree, saga step ids included", () => {
    const seq = allTypes();
    seq.blocks[0].id = "step_1";
    (seq.blocks[10].steps as { id: string }[])[0].id = "step_2";
    (seq.blocks[1].branches as Block[][])[0][0].id = "step_3";
    expect(createBlock(seq, "step").id).toBe("step_4");
  });

  it("gives a new saga's inner step and saga step their own ids", () => {
    const taken = collectIds(allTypes());
    const saga = newBlock("saga", taken);
    const step = (saga.steps as { id: string; action: Block }[])[0];
    const all = [saga.id, step.id, step.action.id];
    expect(new Set(all).size).toBe(3);
    expect(all.every((id) => taken.has(id))).toBe(true);
  });

  it("freshId counts up from 1 and records the id", () => {
    const taken = new Set(["loop_1"]);
    expect(freshId(taken, "loop")).toBe("loop_2");
    expect(freshId(taken, "loop")).toBe("loop_3");
  });

  it("starts a step on the built-in noop handler, or the one given", () => {
    expect(createBlock(allTypes(), "step").handler).toBe("noop");
    expect(createBlock(allTypes(), "step", "send_email").handler).toBe("send_email");
  });
});

describe("insertBlock", () => {
  const block: Block = { type: "step", id: "new", handler: "noop" };

  it.each([
    [["blocks"], 1, ["blocks", 1]],
    [["blocks", 1, "branches", 1], 0, ["blocks", 1, "branches", 1, 0]],
    [["blocks", 3, "body"], 1, ["blocks", 3, "body", 1]],
    [["blocks", 5, "routes", 0, "blocks"], 0, ["blocks", 5, "routes", 0, "blocks", 0]],
    [["blocks", 6, "catch_block"], 1, ["blocks", 6, "catch_block", 1]],
    [["blocks", 8, "variants", 0, "blocks"], 0, ["blocks", 8, "variants", 0, "blocks", 0]],
    [["blocks", 9, "blocks"], 99, ["blocks", 9, "blocks", 1]],
  ] as [Path, number, Path][])("into %j at %i", (listPath, index, expected) => {
    const { seq, json } = frozen();
    const next = insertBlock(seq, listPath, index, block);
    expect(findBlock(next, "new")?.path).toEqual(expected);
    expect(JSON.stringify(seq)).toBe(json); // immutable
  });

  it("wraps a block dropped on a saga's steps in a new saga step", () => {
    const next = insertBlock(allTypes(), ["blocks", 10, "steps"], 1, block);
    const steps = next.blocks[10].steps as { id: string; action: Block }[];
    expect(steps).toHaveLength(2);
    expect(steps[1].action).toBe(block);
    expect(steps[1].id).toBe("saga_step_1");
  });

  it("replaces the block of a saga action slot and fills an empty compensation", () => {
    let next = insertBlock(allTypes(), ["blocks", 10, "steps", 0, "action"], 0, block);
    expect(getIn(next, ["blocks", 10, "steps", 0, "action", "id"])).toBe("new");
    next = deleteBlock(next, "comp1");
    next = insertBlock(next, ["blocks", 10, "steps", 0, "compensation"], 0, { ...block, id: "undo" });
    expect(getIn(next, ["blocks", 10, "steps", 0, "compensation", "id"])).toBe("undo");
  });

  it("creates an optional lane that is absent (finally_block)", () => {
    const seq = allTypes();
    delete seq.blocks[6].finally_block;
    const next = insertBlock(seq, ["blocks", 6, "finally_block"], 0, block);
    expect(ids(next.blocks[6].finally_block)).toEqual(["new"]);
  });

  it("refuses a path that is not a block slot", () => {
    const seq = allTypes();
    expect(insertBlock(seq, ["blocks", 0, "retry"], 0, block)).toBe(seq);
    expect(insertBlock(seq, ["blocks", 0, "params"], 0, block)).toBe(seq);
    expect(insertBlock(seq, ["nowhere"], 0, block)).toBe(seq);
  });
});

describe("moveBlock", () => {
  it("reorders within a list (indexes as the canvas shows them before the move)", () => {
    const seq = allTypes();
    expect(ids(moveBlock(seq, "a", ["blocks"], 2).blocks).slice(0, 3)).toEqual(["par", "a", "rc"]);
    expect(ids(moveBlock(seq, "rc", ["blocks"], 0).blocks).slice(0, 3)).toEqual(["rc", "a", "par"]);
  });

  it.each([
    ["parallel", ["blocks", 1, "branches", 1], ["blocks", 1, "branches", 1, 0]],
    ["race", ["blocks", 2, "branches", 0], ["blocks", 2, "branches", 0, 0]],
    ["loop", ["blocks", 3, "body"], ["blocks", 3, "body", 0]],
    ["for_each", ["blocks", 4, "body"], ["blocks", 4, "body", 0]],
    ["router route", ["blocks", 5, "routes", 0, "blocks"], ["blocks", 5, "routes", 0, "blocks", 0]],
    ["router default", ["blocks", 5, "default"], ["blocks", 5, "default", 0]],
    ["try", ["blocks", 6, "try_block"], ["blocks", 6, "try_block", 0]],
    ["catch", ["blocks", 6, "catch_block"], ["blocks", 6, "catch_block", 0]],
    ["finally", ["blocks", 6, "finally_block"], ["blocks", 6, "finally_block", 0]],
    ["ab_split", ["blocks", 8, "variants", 1, "blocks"], ["blocks", 8, "variants", 1, "blocks", 0]],
    ["cancellation_scope", ["blocks", 9, "blocks"], ["blocks", 9, "blocks", 0]],
  ] as [string, Path, Path][])("moves a root step into a %s lane", (_name, lane, expected) => {
    const { seq, json } = frozen();
    const next = moveBlock(seq, "a", lane, 0);
    // The root list lost its first block, so every path shifts by one at the root.
    const shifted = ["blocks", (expected[1] as number) - 1, ...expected.slice(2)];
    expect(findBlock(next, "a")?.path).toEqual(shifted);
    expect(next.blocks).toHaveLength(seq.blocks.length - 1);
    expect(JSON.stringify(seq)).toBe(json);
  });

  it("moves a nested block out to the root and between composites", () => {
    let next = moveBlock(allTypes(), "p1", ["blocks"], 0);
    expect(ids(next.blocks)[0]).toBe("p1");
    expect(next.blocks[2].branches).toEqual([[], [expect.objectContaining({ id: "p2" })]]);
    next = moveBlock(next, "l1", ["blocks", 10, "blocks"], 1); // loop body -> cancellation scope
    expect(ids(next.blocks[10].blocks)).toEqual(["cs1", "l1"]);
    expect(next.blocks[4].body).toEqual([]);
  });

  it("moves a whole composite into another one", () => {
    const next = moveBlock(allTypes(), "lp", ["blocks", 6, "catch_block"], 1);
    expect(findBlock(next, "lp")?.path).toEqual(["blocks", 5, "catch_block", 1]);
    expect(findBlock(next, "l1")?.path).toEqual(["blocks", 5, "catch_block", 1, "body", 0]);
  });

  it("refuses to move a composite into itself or a descendant", () => {
    const seq = allTypes();
    expect(moveBlock(seq, "par", ["blocks", 1, "branches", 0], 0)).toBe(seq);
    const nested = moveBlock(seq, "lp", ["blocks", 1, "branches", 0], 0);
    const lpPath = findBlock(nested, "lp")!.path;
    expect(moveBlock(nested, "par", [...lpPath, "body"], 0)).toBe(nested);
  });

  it("wraps a block moved onto a saga's steps, and drops the emptied saga step", () => {
    let next = moveBlock(allTypes(), "a", ["blocks", 10, "steps"], 1);
    const steps = next.blocks[9].steps as { action: Block }[];
    expect(steps.map((s) => s.action.id)).toEqual(["act1", "a"]);
    next = moveBlock(next, "act1", ["blocks"], 0);
    expect(ids(next.blocks)[0]).toBe("act1");
    expect((next.blocks[10].steps as { action: Block }[]).map((s) => s.action.id)).toEqual(["a"]);
  });

  it("swaps with the block of an occupied saga slot", () => {
    const next = moveBlock(allTypes(), "a", ["blocks", 10, "steps", 0, "action"], 0);
    expect(getIn(next, ["blocks", 10, "steps", 0, "action", "id"])).toBe("a");
    expect(findBlock(next, "act1")?.path).toEqual(["blocks", 0]);
  });

  it("refuses a move that would drop the block with its saga step", () => {
    const seq = deleteBlock(allTypes(), "comp1");
    expect(moveBlock(seq, "act1", ["blocks", 10, "steps", 0, "compensation"], 0)).toBe(seq);
  });

  it("refuses an unknown id", () => {
    const seq = allTypes();
    expect(moveBlock(seq, "nope", ["blocks"], 0)).toBe(seq);
  });
});

describe("deleteBlock and updateBlock", () => {
  it("deletes nested blocks, a composite with its children, and nothing for unknown ids", () => {
    const { seq, json } = frozen();
    expect((deleteBlock(seq, "p1").blocks[1].branches as Block[][])[0]).toEqual([]);
    const noLoop = deleteBlock(seq, "lp");
    expect(findBlock(noLoop, "l1")).toBeNull();
    expect(deleteBlock(seq, "nope")).toBe(seq);
    expect(JSON.stringify(seq)).toBe(json);
  });

  it("deleting a saga action removes its saga step; a compensation just goes", () => {
    expect(deleteBlock(allTypes(), "act1").blocks[10].steps).toEqual([]);
    const step = (deleteBlock(allTypes(), "comp1").blocks[10].steps as Record<string, unknown>[])[0];
    expect(step).not.toHaveProperty("compensation");
    expect(step.action).toEqual(expect.objectContaining({ id: "act1" }));
  });

  it("replaces a block, including a rename", () => {
    const { seq, json } = frozen();
    const next = updateBlock(seq, "l1", { type: "step", id: "renamed", handler: "log" });
    expect(findBlock(next, "l1")).toBeNull();
    expect(findBlock(next, "renamed")?.path).toEqual(["blocks", 3, "body", 0]);
    expect(next.blocks[0]).toBe(seq.blocks[0]); // untouched branches are shared
    expect(JSON.stringify(seq)).toBe(json);
    expect(updateBlock(seq, "nope", { type: "step", id: "x" })).toBe(seq);
  });
});

describe("appendTarget", () => {
  it("is the end of the root list with no selection", () => {
    expect(appendTarget(allTypes(), null)).toEqual({ listPath: ["blocks"], index: 11 });
  });

  it("is right after a selected step", () => {
    expect(appendTarget(allTypes(), "p1")).toEqual({ listPath: ["blocks", 1, "branches", 0], index: 1 });
  });

  it.each([
    ["par", ["blocks", 1, "branches", 0], 1],
    ["lp", ["blocks", 3, "body"], 1],
    ["rt", ["blocks", 5, "routes", 0, "blocks"], 1],
    ["tc", ["blocks", 6, "try_block"], 1],
    ["ab", ["blocks", 8, "variants", 0, "blocks"], 1],
    ["cs", ["blocks", 9, "blocks"], 1],
    ["sg", ["blocks", 10, "steps"], 1],
    ["act1", ["blocks", 10, "steps"], 1],
  ] as [string, Path, number][])("appends into the selected %s", (id, listPath, index) => {
    expect(appendTarget(allTypes(), id)).toEqual({ listPath, index });
  });
});
