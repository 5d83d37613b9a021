import { describe, expect, it } from "vitest";
import { LayoutIndex, parsePayload } from "../src/graph/dnd";
import { layoutSequence } from "../src/graph/layout";
import type { Sequence } from "../src/model/contract";

const SEQ: Sequence = {
  name: "s",
  blocks: [
    { type: "step", id: "a", handler: "h" },
    { type: "loop", id: "lp", condition: "true", body: [{ type: "step", id: "b", handler: "h" }, { type: "step", id: "c", handler: "h" }] },
    { type: "saga", id: "sg", steps: [{ id: "s1", action: { type: "step", id: "act", handler: "h" } }] },
  ],
};

describe("drop targets", () => {
  it("computes the insertion index from the drop y among the lane's blocks", async () => {
    const index = new LayoutIndex(await layoutSequence(SEQ));
    const body = index.byId.get("lane:lp:body")!;
    const rb = index.rects.get("b")!;
    const rc = index.rects.get("c")!;
    expect(index.indexAt(body, rb.y)).toBe(0); // upper half of b: before b
    expect(index.indexAt(body, rb.y + rb.height - 1)).toBe(1); // lower half of b: after b
    expect(index.indexAt(body, rc.y + rc.height + 50)).toBe(2);
    expect(index.dropTarget("c", rc.y + 1)).toEqual({ lane: body.lane, index: 1 });
    // A drop on a composite's header goes to the lane holding the composite.
    expect(index.dropTarget("lp", 0)?.lane.path).toEqual(["blocks"]);
  });

  it("always gives index 0 in a saga slot and knows what is inside what", async () => {
    const index = new LayoutIndex(await layoutSequence(SEQ));
    expect(index.dropTarget("lane:sg:step:0:compensation", 10_000)).toEqual({
      lane: { id: "lane:sg:step:0:compensation", ownerId: "sg", label: "compensate", path: ["blocks", 2, "steps", 0, "compensation"], single: true },
      index: 0,
    });
    expect(index.isWithin("lane:lp:body", "lp")).toBe(true);
    expect(index.isWithin("c", "lp")).toBe(true);
    expect(index.isWithin("lane:root", "lp")).toBe(false);
  });

  it("parses only well-formed payloads", () => {
    expect(parsePayload('{"kind":"new","blockType":"race"}')).toEqual({ kind: "new", blockType: "race" });
    expect(parsePayload('{"kind":"move","blockId":"x"}')).toEqual({ kind: "move", blockId: "x" });
    expect(parsePayload('{"kind":"new","blockType":"nope"}')).toBeNull();
    expect(parsePayload("text from elsewhere")).toBeNull();
  });
});
