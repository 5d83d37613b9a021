import { describe, expect, it } from "vitest";
import { COALESCE_MS, canRedo, canUndo, initHistory, pushHistory, redo, undo } from "../src/editor/history";

describe("history", () => {
  it("undoes and redoes in order", () => {
    let h = initHistory("a");
    h = pushHistory(h, "b", { now: 0 });
    h = pushHistory(h, "c", { now: 5000 });
    expect(canUndo(h)).toBe(true);
    h = undo(h);
    expect(h.present).toBe("b");
    h = undo(h);
    expect(h.present).toBe("a");
    expect(canUndo(h)).toBe(false);
    expect(undo(h)).toBe(h);
    h = redo(h);
    h = redo(h);
    expect(h.present).toBe("c");
    expect(canRedo(h)).toBe(false);
    expect(redo(h)).toBe(h);
  });

  it("drops the redo branch on a new edit", () => {
    let h = pushHistory(initHistory("a"), "b", { now: 0 });
    h = pushHistory(undo(h), "x", { now: 10 });
    expect(canRedo(h)).toBe(false);
    expect(undo(h).present).toBe("a");
  });

  it("ignores a push of the present value", () => {
    const h = initHistory("a");
    expect(pushHistory(h, "a")).toBe(h);
  });

  it("coalesces a typing burst with one key into one entry", () => {
    let h = initHistory("");
    let t = 0;
    for (const text of ["h", "he", "hel", "hell", "hello"]) {
      t += COALESCE_MS / 2;
      h = pushHistory(h, text, { coalesceKey: "form:id", now: t });
    }
    expect(h.present).toBe("hello");
    expect(h.past).toEqual([""]);
    expect(undo(h).present).toBe("");
  });

  it("does not coalesce across keys, pauses, discrete edits or an undo", () => {
    let h = initHistory("a");
    h = pushHistory(h, "b", { coalesceKey: "k1", now: 0 });
    h = pushHistory(h, "c", { coalesceKey: "k2", now: 10 });
    expect(h.past).toEqual(["a", "b"]);
    h = pushHistory(h, "d", { coalesceKey: "k2", now: 10 + COALESCE_MS + 1 });
    expect(h.past).toEqual(["a", "b", "c"]);
    h = pushHistory(h, "e", { now: 20 + COALESCE_MS });
    h = pushHistory(h, "f", { now: 30 + COALESCE_MS });
    expect(h.past).toEqual(["a", "b", "c", "d", "e"]);
    h = pushHistory(undo(pushHistory(h, "g", { coalesceKey: "k3", now: 0 })), "h", { coalesceKey: "k3", now: 1 });
    expect(h.past[h.past.length - 1]).toBe("f");
    expect(undo(h).present).toBe("f");
  });

  it("keeps at most `cap` undo entries, dropping the oldest", () => {
    let h = initHistory(0);
    for (let i = 1; i <= 150; i++) h = pushHistory(h, i, { now: i * 10_000 });
    expect(h.past).toHaveLength(100);
    expect(h.past[0]).toBe(50);
    let small = initHistory(0);
    for (let i = 1; i <= 5; i++) small = pushHistory(small, i, { cap: 3, now: i * 10_000 });
    expect(small.past).toEqual([2, 3, 4]);
  });
});
