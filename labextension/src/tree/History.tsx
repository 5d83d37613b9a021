// The inspector's tables: a node's attempts (time, duration, outcome) and its audit rows.
// Times are relative ("3 s ago") with the absolute time in the tooltip.
import type { AttemptView, AuditView, NodeState } from "../model/contract";
import { formatMs } from "../graph/format";
import { stateIcon } from "../graph/icons";
import { absoluteTime, relativeTime } from "./time";

function When({ at, now }: { at: number | null; now: number }): JSX.Element {
  if (at === null) return <span className="orch8-muted">—</span>;
  return <time title={absoluteTime(at)}>{relativeTime(at, now)}</time>;
}

export function Attempts({ attempts, now }: { attempts: AttemptView[]; now: number }): JSX.Element {
  if (attempts.length === 0) return <p className="orch8-muted">no attempts yet</p>;
  return (
    <table className="orch8-table">
      <thead>
        <tr>
          <th>#</th>
          <th>outcome</th>
          <th>started</th>
          <th>took</th>
          <th>error</th>
        </tr>
      </thead>
      <tbody>
        {attempts.map((a) => (
          <tr key={a.attempt}>
            <td>{a.attempt}</td>
            <td className={`orch8-fg-${a.state}`}>
              <span aria-hidden="true">{stateIcon(a.state as NodeState)}</span> {a.state}
            </td>
            <td>
              <When at={a.started_at} now={now} />
            </td>
            <td>{a.duration_ms !== null ? formatMs(a.duration_ms) : "—"}</td>
            <td className="orch8-cell-error" title={a.error ?? ""}>
              {a.error ?? ""}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function short(details: Record<string, unknown>): string {
  const text = JSON.stringify(details);
  return text === undefined || text === "{}" ? "" : text;
}

export function Audit({ rows, now }: { rows: AuditView[]; now: number }): JSX.Element {
  if (rows.length === 0) return <p className="orch8-muted">no audit rows</p>;
  return (
    <table className="orch8-table">
      <tbody>
        {rows.map((row, i) => (
          <tr key={i}>
            <td className="orch8-cell-time">
              <When at={row.at} now={now} />
            </td>
            <td>{row.event_type}</td>
            <td className="orch8-cell-details" title={short(row.details)}>
              <code>{short(row.details)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
