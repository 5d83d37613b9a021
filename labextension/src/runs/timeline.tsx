// The Gantt chart: one row per instance, one bar per step attempt, coloured by outcome
// and always labelled (icon, block id when it fits, a <title> and a hover/focus card).
import { useState } from "react";
import type { TimelineBar } from "../model/contract";
import { stateLook } from "./states";
import { formatDuration } from "./time";
import { AXIS_HEIGHT, LABEL_WIDTH, RIGHT_PAD, layoutTimeline } from "./timeline-layout";
import type { PlacedBar } from "./timeline-layout";

/** Approximate width of one character of the 11px UI font, to fit labels without measuring. */
const CHAR_WIDTH = 6.5;

function describe(bar: TimelineBar): string {
  const look = stateLook(bar.outcome);
  return (
    `${bar.block_id} · attempt ${bar.attempt} · ${formatDuration(bar.end_ms - bar.start_ms)} · ` +
    `${look.icon} ${look.label} (instance ${bar.instance}, from ${formatDuration(bar.start_ms)})`
  );
}

/** Text that fits in `width` px: icon, then as much of the block id as fits. */
function barLabel(bar: TimelineBar, width: number): string {
  const chars = Math.floor((width - 6) / CHAR_WIDTH);
  if (chars < 1) return "";
  const full = `${stateLook(bar.outcome).icon} ${bar.block_id}`;
  return full.length <= chars ? full : chars < 4 ? full.slice(0, 1) : `${full.slice(0, chars - 1)}…`;
}

/** Edge labels hang inwards so "0 ms" and the last tick are not cut off. */
function tickAnchor(x: number, width: number): "start" | "middle" | "end" {
  if (x <= LABEL_WIDTH) return "start";
  return x >= width - RIGHT_PAD - 20 ? "end" : "middle";
}

function Bar({ placed, onHover }: { placed: PlacedBar; onHover: (p: PlacedBar | null) => void }) {
  const { bar, x, y, width, height } = placed;
  const look = stateLook(bar.outcome);
  const label = barLabel(bar, width);
  return (
    <g
      className={`orch8-tl-bar orch8-tone-${look.tone}`}
      data-testid="orch8-timeline-bar"
      data-outcome={bar.outcome}
      tabIndex={0}
      role="img"
      aria-label={describe(bar)}
      onMouseEnter={() => onHover(placed)}
      onMouseLeave={() => onHover(null)}
      onFocus={() => onHover(placed)}
      onBlur={() => onHover(null)}
    >
      <title>{describe(bar)}</title>
      <rect x={x} y={y} width={width} height={height} rx={3} />
      {label && (
        <text x={x + 4} y={y + height / 2} dominantBaseline="central">
          {label}
        </text>
      )}
    </g>
  );
}

function Card({ placed }: { placed: PlacedBar }) {
  const { bar } = placed;
  const look = stateLook(bar.outcome);
  return (
    <div
      className="orch8-tl-card"
      role="tooltip"
      data-testid="orch8-timeline-card"
      style={{ left: placed.x, top: placed.y + placed.height + 4 }}
    >
      <strong>{bar.block_id}</strong>
      <div>attempt {bar.attempt}</div>
      <div>{formatDuration(bar.end_ms - bar.start_ms)}</div>
      <div className={`orch8-tone-${look.tone}`}>
        <span aria-hidden="true">{look.icon}</span> {look.label}
      </div>
    </div>
  );
}

export function Timeline({ bars, width }: { bars: TimelineBar[]; width: number }) {
  const [hovered, setHovered] = useState<PlacedBar | null>(null);
  if (bars.length === 0) {
    return (
      <div className="orch8-timeline orch8-runs-empty" data-testid="orch8-timeline">
        No step attempts yet.
      </div>
    );
  }
  const layout = layoutTimeline(bars, width);
  const outcomes = [...new Set(bars.map((b) => b.outcome))];
  return (
    <div className="orch8-timeline" data-testid="orch8-timeline">
      <svg
        width={layout.width}
        height={layout.height}
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        role="group"
        aria-label="Step attempts over time"
      >
        {layout.rows.map((row, i) => (
          <g key={row.instance} className="orch8-tl-row">
            <rect
              className={i % 2 ? "orch8-tl-stripe orch8-tl-odd" : "orch8-tl-stripe"}
              x={0}
              y={row.y}
              width={layout.width}
              height={row.height}
            />
            <text className="orch8-tl-instance" x={4} y={row.y + row.height / 2} dominantBaseline="central">
              <title>{row.instance}</title>
              {row.instance}
            </text>
          </g>
        ))}
        {layout.ticks.map((tick) => (
          <g key={tick.x} className="orch8-tl-tick">
            <line x1={tick.x} x2={tick.x} y1={AXIS_HEIGHT - 4} y2={layout.height} />
            <text x={tick.x} y={AXIS_HEIGHT - 8} textAnchor={tickAnchor(tick.x, layout.width)}>
              {tick.label}
            </text>
          </g>
        ))}
        {layout.bars.map((placed, i) => (
          <Bar key={i} placed={placed} onHover={setHovered} />
        ))}
      </svg>
      {hovered && <Card placed={hovered} />}
      <ul className="orch8-tl-legend" aria-label="Outcomes">
        {outcomes.map((outcome) => {
          const look = stateLook(outcome);
          return (
            <li key={outcome} className={`orch8-tone-${look.tone}`}>
              <span className="orch8-tl-swatch" aria-hidden="true" />
              <span aria-hidden="true">{look.icon}</span> {look.label}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
