// anywidget view `timeline` (Timeline): trait `bars`, one entry per step attempt with
// times relative to the earliest bar (docs/ui-protocol.md).
import { useEffect, useRef, useState } from "react";
import type { RefObject } from "react";
import { mount } from "../graph/mount";
import type { TimelineBar, WidgetModel } from "../model/contract";
import { useTrait } from "./model-hooks";
import { Timeline } from "./timeline";
import { DEFAULT_WIDTH } from "./timeline-layout";

/** Follows the output area's width so the axis uses the room there is. */
function useWidth(): [RefObject<HTMLDivElement>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(DEFAULT_WIDTH);
  useEffect(() => {
    const node = ref.current;
    if (node === null || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() => {
      // Zero means "not laid out yet" (hidden tab, test DOM): keep the default.
      if (node.clientWidth > 0) setWidth(Math.max(node.clientWidth, 320));
    });
    observer.observe(node);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

export function TimelineView({ model }: { model: WidgetModel }) {
  const bars = useTrait<TimelineBar[] | null>(model, "bars") ?? [];
  const [ref, width] = useWidth();
  return (
    <div className="orch8-runs" ref={ref}>
      <Timeline bars={bars} width={width} />
    </div>
  );
}

export function renderTimeline(model: WidgetModel, el: HTMLElement): () => void {
  return mount(el, <TimelineView model={model} />);
}
