import { describe, expect, it } from "vitest";
import { type LaidOutNode, type Layout, blockLists, layoutSequence } from "../src/graph/layout";
import { LONG_CHAIN, clearLevelCache, layoutLevel, stackLevel } from "../src/graph/level";
import type { Block, Sequence } from "../src/model/contract";

const step = (id: string, extra: Record<string, unknown> = {}): Block => ({ type: "step", id, handler: "noop", ...extra });

/** Every block type, as `SequenceDefinition.model_dump(by_alias=True)` gives it. */
const ALL_TYPES: Sequence = {
  name: "checkout",
  blocks: [
    { type: "for_each", id: "each_item", collection: "context.data.items", item_var: "item", max_iterations: 1000,
      body: [step("price_item", { retry: { max_attempts: 3, initial_backoff: 100, max_backoff: 1000 }, timeout: 5000 })] },
    { type: "parallel", id: "checks", branches: [
      [step("fraud", { when: "context.data.risky" })],
      [{ type: "race", id: "stock", semantics: "first_to_resolve", branches: [[step("warehouse_a")], [step("warehouse_b")]] }],
    ] },
    { type: "router", id: "shipping", routes: [{ condition: "context.data.express == true", blocks: [step("express")] }], default: [step("standard")] },
    { type: "ab_split", id: "banner", variants: [{ name: "control", weight: 30, blocks: [step("plain")] }, { name: "festive", weight: 70, blocks: [step("confetti")] }] },
    { type: "try_catch", id: "receipt", try_block: [step("email")], catch_block: [step("letter")], finally_block: [step("archive")] },
    { type: "loop", id: "poll", condition: "x < 3", max_iterations: 10, body: [step("check_status")] },
    { type: "saga", id: "fulfil", steps: [
      { id: "s_reserve", action: step("reserve"), compensation: step("release") },
      { id: "s_charge", action: step("charge") },
    ] },
    { type: "cancellation_scope", id: "bookkeeping", blocks: [step("ledger", { cache_key: "k", queue_name: "q" })] },
    { type: "sub_sequence", id: "invoice", sequence_name: "invoicing" },
    step("approve", { handler: "human_input" }),
  ],
};

/** Three levels deep: parallel > try_catch > loop > steps, with an empty catch. */
const NESTED: Sequence = {
  name: "nested",
  blocks: [
    step("first"),
    { type: "parallel", id: "par", branches: [
      [{ type: "try_catch", id: "tc", try_block: [{ type: "loop", id: "lp", condition: "true", body: [step("a"), step("b"), step("c")] }], catch_block: [] }],
      [step("side")],
    ] },
    step("last"),
  ],
};

const byId = (layout: Layout): Map<string, LaidOutNode> => new Map(layout.nodes.map((n) => [n.id, n]));

function absolute(layout: Layout): Map<string, { x: number; y: number }> {
  const nodes = byId(layout);
  const out = new Map<string, { x: number; y: number }>();
  for (const n of layout.nodes) {
    const parent = n.parentId !== undefined ? out.get(n.parentId) : undefined;
    expect(n.parentId === undefined || nodes.has(n.parentId)).toBe(true);
    out.set(n.id, { x: n.x + (parent?.x ?? 0), y: n.y + (parent?.y ?? 0) });
  }
  return out;
}

describe("layoutSequence", () => {
  it("draws every block of every composite type, with lanes and JSON paths", async () => {
    const layout = await layoutSequence(ALL_TYPES);
    const nodes = byId(layout);
    const blocks = layout.nodes.filter((n) => n.kind === "block").map((n) => n.id);
    expect(blocks).toEqual([
      "each_item", "price_item", "checks", "fraud", "stock", "warehouse_a", "warehouse_b",
      "shipping", "express", "standard", "banner", "plain", "confetti", "receipt", "email", "letter",
      "archive", "poll", "check_status", "fulfil", "reserve", "release", "charge", "bookkeeping",
      "ledger", "invoice", "approve",
    ]);
    expect(nodes.get("warehouse_b")?.path).toEqual(["blocks", 1, "branches", 1, 0, "branches", 1, 0]);
    expect(nodes.get("warehouse_b")?.parentId).toBe("lane:stock:branch:1");
    expect(nodes.get("lane:stock:branch:1")?.parentId).toBe("stock");
    expect(nodes.get("stock")?.parentId).toBe("lane:checks:branch:1");
    expect(nodes.get("release")?.path).toEqual(["blocks", 6, "steps", 0, "compensation"]);
    const lane = (id: string) => nodes.get(id)?.lane;
    expect(lane("lane:shipping:route:0")).toEqual({ id: "lane:shipping:route:0", ownerId: "shipping", label: "route 1: context.data.express == true", path: ["blocks", 2, "routes", 0, "blocks"] });
    expect(lane("lane:shipping:default")?.label).toBe("default");
    expect(lane("lane:banner:variant:0")?.label).toBe("control · 30%");
    expect(lane("lane:banner:variant:1")?.path).toEqual(["blocks", 3, "variants", 1, "blocks"]);
    expect(["try", "catch", "finally"].map((k) => lane(`lane:receipt:${k}`)?.path)).toEqual([
      ["blocks", 4, "try_block"], ["blocks", 4, "catch_block"], ["blocks", 4, "finally_block"],
    ]);
    expect(lane("lane:poll:body")?.label).toBe("body");
    expect(lane("lane:fulfil:step:1:compensation")).toEqual({ id: "lane:fulfil:step:1:compensation", ownerId: "fulfil", label: "compensate", path: ["blocks", 6, "steps", 1, "compensation"], single: true });
    expect(lane("lane:bookkeeping:blocks")?.path).toEqual(["blocks", 7, "blocks"]);
    expect(nodes.get("lane:root")?.lane).toEqual({ id: "lane:root", ownerId: "", label: "", path: ["blocks"] });
  });

  it("stacks siblings top to bottom with an edge between consecutive ones", async () => {
    const layout = await layoutSequence(NESTED);
    const abs = absolute(layout);
    const ys = ["a", "b", "c"].map((id) => abs.get(id)?.y ?? 0);
    expect(ys[0]).toBeLessThan(ys[1]);
    expect(ys[1]).toBeLessThan(ys[2]);
    expect(layout.edges.map((e) => `${e.source}->${e.target}`).sort()).toEqual(["a->b", "b->c", "first->par", "par->last"]);
  });

  it("puts lanes of a composite side by side, aligned at the top and equally tall", async () => {
    const layout = await layoutSequence(NESTED);
    const nodes = byId(layout);
    const [b0, b1] = [nodes.get("lane:par:branch:0"), nodes.get("lane:par:branch:1")];
    expect(b0 && b1).toBeTruthy();
    expect(b0!.y).toBe(b1!.y);
    expect(b0!.height).toBe(b1!.height);
    expect(b0!.x + b0!.width).toBeLessThanOrEqual(b1!.x);
    // saga rows: action and compensation side by side, steps stacked
    const all = byId(await layoutSequence(ALL_TYPES));
    const [a0, c0, a1] = ["step:0:action", "step:0:compensation", "step:1:action"].map((k) => all.get(`lane:fulfil:${k}`)!);
    expect(a0.y).toBe(c0.y);
    expect(c0.x).toBeGreaterThan(a0.x);
    expect(a1.y).toBeGreaterThan(a0.y + a0.height - 1);
  });

  it("keeps every child inside its parent's box (nesting 3 deep)", async () => {
    for (const seq of [NESTED, ALL_TYPES]) {
      const layout = await layoutSequence(seq, { live: true, problemIds: ["b"] });
      const nodes = byId(layout);
      for (const n of layout.nodes) {
        if (n.parentId === undefined) continue;
        const parent = nodes.get(n.parentId)!;
        expect(n.x, n.id).toBeGreaterThanOrEqual(0);
        expect(n.y, n.id).toBeGreaterThanOrEqual(0);
        expect(n.x + n.width, n.id).toBeLessThanOrEqual(parent.width);
        expect(n.y + n.height, n.id).toBeLessThanOrEqual(parent.height);
      }
      expect(layout.width).toBe(nodes.get("lane:root")!.width);
    }
    const nodes = byId(await layoutSequence(NESTED));
    expect(nodes.get("a")?.parentId).toBe("lane:lp:body");
    expect(nodes.get("lp")?.parentId).toBe("lane:tc:try");
    expect(nodes.get("tc")?.parentId).toBe("lane:par:branch:0");
  });

  it("gives an empty lane a drop area", async () => {
    const nodes = byId(await layoutSequence(NESTED));
    const empty = nodes.get("lane:tc:catch")!;
    expect(empty.height).toBeGreaterThanOrEqual(40);
    expect(empty.width).toBeGreaterThanOrEqual(100);
    expect(nodes.get("lane:fulfil:step:1:compensation")).toBeUndefined();
  });

  it("is deterministic: two runs give identical coordinates, cold or memoised", async () => {
    clearLevelCache();
    const first = await layoutSequence(ALL_TYPES);
    clearLevelCache();
    const second = await layoutSequence(ALL_TYPES);
    const third = await layoutSequence(structuredClone(ALL_TYPES));
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    expect(JSON.stringify(third)).toBe(JSON.stringify(first));
  });

  it("is stable: editing one block leaves blocks before it in place", async () => {
    const before = absolute(await layoutSequence(ALL_TYPES));
    const edited = structuredClone(ALL_TYPES);
    (edited.blocks[9] as Block).retry = { max_attempts: 5, initial_backoff: 1, max_backoff: 2 };
    const after = absolute(await layoutSequence(edited));
    for (const id of ["each_item", "checks", "stock", "warehouse_b", "fulfil", "ledger", "invoice"]) {
      expect(after.get(id), id).toEqual(before.get(id));
    }
  });

  it("reserves rows for live status and validation messages", async () => {
    const plain = byId(await layoutSequence(NESTED));
    const live = byId(await layoutSequence(NESTED, { live: true, problemIds: ["a"] }));
    expect(live.get("b")!.height).toBe(plain.get("b")!.height + 18);
    expect(live.get("a")!.height).toBe(plain.get("a")!.height + 36);
  });

  it("survives an invalid sequence being edited (missing lists, duplicate ids)", async () => {
    const broken = { name: "x", blocks: [step("dup"), step("dup"), { type: "parallel", id: "p" } as Block, { type: "weird", id: "w" } as unknown as Block] };
    const layout = await layoutSequence(broken as Sequence);
    const ids = layout.nodes.map((n) => n.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain("dup@blocks.1");
    expect(ids).toContain("w");
  });
});

describe("blockLists", () => {
  it("lists every list slot, the root first, depth-first in document order", () => {
    const lists = blockLists(NESTED);
    expect(lists.map((l) => [l.id, l.ownerId, l.label, l.path])).toEqual([
      ["lane:root", "", "", ["blocks"]],
      ["lane:par:branch:0", "par", "branch 1", ["blocks", 1, "branches", 0]],
      ["lane:tc:try", "tc", "try", ["blocks", 1, "branches", 0, 0, "try_block"]],
      ["lane:lp:body", "lp", "body", ["blocks", 1, "branches", 0, 0, "try_block", 0, "body"]],
      ["lane:tc:catch", "tc", "catch", ["blocks", 1, "branches", 0, 0, "catch_block"]],
      ["lane:par:branch:1", "par", "branch 2", ["blocks", 1, "branches", 1]],
    ]);
  });

  it("matches the lanes of the layout", async () => {
    const layout = await layoutSequence(ALL_TYPES);
    const lanes = layout.nodes.filter((n) => n.kind === "lane").map((n) => n.lane);
    expect(lanes).toEqual(blockLists(ALL_TYPES));
  });

  it("marks saga slots single and keeps the percent of A/B weights", () => {
    const lists = blockLists(ALL_TYPES);
    const saga = lists.filter((l) => l.ownerId === "fulfil");
    expect(saga.map((l) => [l.label, l.single])).toEqual([
      ["s_reserve · action", true], ["compensate", true], ["s_charge · action", true], ["compensate", true],
    ]);
    expect(lists.find((l) => l.id === "lane:banner:variant:1")?.label).toBe("festive · 70%");
  });
});

describe("level fast path", () => {
  it("gives exactly what ELK gives for a long chain", async () => {
    const sizes: [number, number][] = Array.from({ length: LONG_CHAIN }, (_, i) => [220 + (i % 3) * 30, 50 + (i % 4) * 20]);
    const edges: [number, number][] = sizes.slice(1).map((_, i) => [i, i + 1]);
    const stack = { top: 20, side: 8, bottom: 12, gap: 20 };
    const options = {
      "elk.algorithm": "layered", "elk.direction": "DOWN", "elk.edgeRouting": "POLYLINE",
      "elk.separateConnectedComponents": "false", "elk.layered.layering.strategy": "LONGEST_PATH",
      "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES", "elk.layered.crossingMinimization.forceNodeModelOrder": "true",
      "elk.layered.nodePlacement.strategy": "SIMPLE", "elk.layered.thoroughness": "1",
      "elk.layered.spacing.nodeNodeBetweenLayers": "20", "elk.spacing.nodeNode": "12",
      "elk.padding": "[top=20,left=8,bottom=12,right=8]",
    };
    const viaElk = await layoutLevel({ sizes, edges, options }); // no `stack`: always ELK
    const closed = stackLevel(sizes, stack);
    expect([closed.width, closed.height]).toEqual([viaElk.width, viaElk.height]);
    expect(closed.positions.map(([, y]) => y)).toEqual(viaElk.positions.map(([, y]) => y));
  });
});
