import { act } from "react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TimelineBar } from "../src/model/contract";
import {
  DEFAULT_WIDTH,
  LABEL_WIDTH,
  MIN_BAR_WIDTH,
  RIGHT_PAD,
  layoutTimeline,
  niceStep,
} from "../src/runs/timeline-layout";
import { renderTimeline } from "../src/runs/timeline-widget";
import { FakeModel } from "./fake-model";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const BARS: TimelineBar[] = [
  { instance: "aaaa1111", block_id: "fetch", attempt: 1, start_ms: 0, end_ms: 200, outcome: "failed" },
  { instance: "aaaa1111", block_id: "fetch", attempt: 2, start_ms: 300, end_ms: 500, outcome: "completed" },
  { instance: "bbbb2222", block_id: "charge", attempt: 1, start_ms: 100, end_ms: 1000, outcome: "completed" },
];

const PLOT = DEFAULT_WIDTH - LABEL_WIDTH - RIGHT_PAD;
const xAt = (ms: number) => LABEL_WIDTH + (ms / 1000) * PLOT;

describe("timeline layout", () => {
  it("places bars at their relative start with a width proportional to duration", () => {
    const layout = layoutTimeline(BARS);
    expect(layout.span).toBe(1000);
    const expected = [
      [xAt(0), xAt(200) - xAt(0)],
      [xAt(300), xAt(500) - xAt(300)],
      [xAt(100), xAt(1000) - xAt(100)],
    ];
    layout.bars.forEach((bar, i) => {
      expect(bar.x).toBeCloseTo(expected[i][0], 2);
      expect(bar.width).toBeCloseTo(expected[i][1], 2);
    });
    expect(layout.rows.map((r) => r.instance)).toEqual(["aaaa1111", "bbbb2222"]);
    // Sequential attempts share a lane; the second instance's row is below the first.
    expect(layout.bars[0].y).toBe(layout.bars[1].y);
    expect(layout.bars[2].y).toBeGreaterThan(layout.bars[0].y);
  });

  it("puts overlapping attempts of one instance on separate lanes", () => {
    const layout = layoutTimeline([
      { instance: "x", block_id: "a", attempt: 1, start_ms: 0, end_ms: 100, outcome: "completed" },
      { instance: "x", block_id: "b", attempt: 1, start_ms: 50, end_ms: 150, outcome: "completed" },
    ]);
    expect(layout.rows).toHaveLength(1);
    expect(layout.bars[1].y).toBeGreaterThan(layout.bars[0].y);
    expect(layout.rows[0].height).toBeGreaterThan(2 * layout.bars[0].height);
  });

  it("measures from the earliest bar and keeps zero-length attempts visible", () => {
    const layout = layoutTimeline([
      { instance: "x", block_id: "a", attempt: 1, start_ms: 5000, end_ms: 5000, outcome: "completed" },
      { instance: "x", block_id: "b", attempt: 1, start_ms: 5500, end_ms: 6000, outcome: "completed" },
    ]);
    expect(layout.start).toBe(5000);
    expect(layout.bars[0].x).toBe(LABEL_WIDTH);
    expect(layout.bars[0].width).toBe(MIN_BAR_WIDTH);
    expect(layout.bars[1].x).toBe(LABEL_WIDTH + PLOT / 2);
  });

  it("labels the axis in relative ms and s with 1-2-5 steps", () => {
    expect(niceStep(1000)).toBe(200);
    expect(niceStep(7)).toBe(2);
    expect(layoutTimeline(BARS).ticks.map((t) => t.label)).toEqual([
      "0 ms",
      "200 ms",
      "400 ms",
      "600 ms",
      "800 ms",
      "1 s",
    ]);
    const long = layoutTimeline([{ ...BARS[0], end_ms: 90_000 }]);
    expect(long.ticks.map((t) => t.label).slice(0, 3)).toEqual(["0 ms", "20 s", "40 s"]);
  });
});

describe("timeline widget", () => {
  let el: HTMLElement;
  let model: FakeModel;
  let cleanup: () => void;

  beforeEach(() => {
    el = document.createElement("div");
    document.body.append(el);
    model = new FakeModel({ _kind: "timeline", bars: BARS });
    act(() => {
      cleanup = renderTimeline(model, el);
    });
  });

  afterEach(() => {
    act(() => cleanup());
    el.remove();
  });

  const bars = () => [...el.querySelectorAll('[data-testid="orch8-timeline-bar"]')];

  it("draws one bar per entry at the laid-out position", () => {
    expect(el.querySelector('[data-testid="orch8-timeline"] svg')).not.toBeNull();
    expect(bars()).toHaveLength(3);
    const rects = bars().map((bar) => bar.querySelector("rect")!);
    expect(Number(rects[2].getAttribute("x"))).toBeCloseTo(xAt(100));
    expect(Number(rects[2].getAttribute("width"))).toBeCloseTo(xAt(1000) - xAt(100));
  });

  it("labels bars with text, never colour alone", () => {
    const first = bars()[0];
    expect(first.getAttribute("data-outcome")).toBe("failed");
    expect(first.querySelector("title")!.textContent).toBe(
      "fetch · attempt 1 · 200 ms · ✗ failed (instance aaaa1111, from 0 ms)",
    );
    expect(first.querySelector("text")!.textContent).toBe("✗ fetch");
    const legend = el.querySelector(".orch8-tl-legend")!.textContent;
    expect(legend).toContain("failed");
    expect(legend).toContain("completed");
  });

  it("shows block, attempt, duration and outcome on hover", () => {
    act(() => {
      bars()[1].dispatchEvent(new MouseEvent("mouseover", { bubbles: true }));
    });
    const card = el.querySelector('[data-testid="orch8-timeline-card"]')!;
    expect(card.textContent).toBe("fetchattempt 2200 ms✓ completed");
    act(() => {
      bars()[1].dispatchEvent(new MouseEvent("mouseout", { bubbles: true }));
    });
    expect(el.querySelector('[data-testid="orch8-timeline-card"]')).toBeNull();
  });

  it("follows the `bars` trait", () => {
    act(() => model.set("bars", BARS.slice(0, 1)));
    expect(bars()).toHaveLength(1);
    act(() => model.set("bars", []));
    expect(el.textContent).toContain("No step attempts yet.");
  });
});
