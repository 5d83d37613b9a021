// The dashboard's lists (workers, tasks, failure groups, dead letters): the instances
// table's look, a header row, and one line saying so when the list is empty.
import type { ReactNode } from "react";
import { shortId } from "../graph/format";

export interface ListTableProps {
  testId: string;
  columns: string[];
  /** Shown across the table when `count` is 0. */
  empty: string;
  count: number;
  children: ReactNode;
}

export function ListTable({ testId, columns, empty, count, children }: ListTableProps) {
  return (
    <table className="orch8-runs-table" data-testid={testId}>
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column} scope="col">
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {count === 0 && (
          <tr>
            <td colSpan={columns.length} className="orch8-runs-empty">
              {empty}
            </td>
          </tr>
        )}
        {children}
      </tbody>
    </table>
  );
}

/** A link opening an instance's live tree (its short id; the full one on hover). */
export function InstanceLink({ id, onOpen, children }: { id: string; onOpen: (id: string) => void; children?: ReactNode }) {
  return (
    <a
      href={`#/instances/${encodeURIComponent(id)}`}
      title={id}
      onClick={(event) => {
        event.preventDefault();
        onOpen(id);
      }}
    >
      <code>{shortId(id)}</code>
      {children}
    </a>
  );
}
