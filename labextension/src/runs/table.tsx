// The instances table: one row per instance, newest first (Python's order is kept).
// Rows are buttons in all but looks: focusable, Enter/Space select, aria-selected.
import type { KeyboardEvent } from "react";
import type { InstanceRow } from "../model/contract";
import { shortId } from "../graph/format";
import { stateLook } from "./states";
import { absoluteTime, relativeTime } from "./time";

export function StateLabel({ state }: { state: string }) {
  const look = stateLook(state);
  return (
    <span className={`orch8-runs-state orch8-tone-${look.tone}`}>
      <span aria-hidden="true">{look.icon}</span> {look.label}
    </span>
  );
}

export interface TableProps {
  rows: InstanceRow[];
  selected: string | null;
  now: number;
  onSelect: (id: string | null) => void;
}

export function InstancesTable({ rows, selected, now, onSelect }: TableProps) {
  // Clicking the selected row again closes its tree.
  const toggle = (id: string) => onSelect(id === selected ? null : id);
  const onKey = (id: string) => (event: KeyboardEvent) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      toggle(id);
    }
  };
  return (
    <table className="orch8-runs-table" data-testid="orch8-table">
      <thead>
        <tr>
          <th scope="col">Instance</th>
          <th scope="col">Sequence</th>
          <th scope="col">State</th>
          <th scope="col">Created</th>
          <th scope="col">Updated</th>
          <th scope="col">DLQ</th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && (
          <tr>
            <td colSpan={6} className="orch8-runs-empty">
              No instances match.
            </td>
          </tr>
        )}
        {rows.map((row) => (
          <tr
            key={row.id}
            data-testid={`orch8-table-row-${row.id}`}
            className={row.id === selected ? "orch8-runs-row orch8-selected" : "orch8-runs-row"}
            tabIndex={0}
            aria-selected={row.id === selected}
            onClick={() => toggle(row.id)}
            onKeyDown={onKey(row.id)}
          >
            <td title={row.id}>
              <code>{shortId(row.id)}</code>
            </td>
            <td>{`${row.sequence_name}@${row.version}`}</td>
            <td>
              <StateLabel state={row.state} />
            </td>
            <td title={absoluteTime(row.created_at)}>{relativeTime(row.created_at, now)}</td>
            <td title={absoluteTime(row.updated_at)}>{relativeTime(row.updated_at, now)}</td>
            <td>{row.dlq ? <span className="orch8-runs-dlq">⚑ DLQ</span> : ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
