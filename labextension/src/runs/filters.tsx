// The instances table's filter bar. Each change writes the whole `filters` trait
// ({sequence, state, dlq}); Python re-queries the store and sends new `rows`.
import type { ChangeEvent } from "react";
import { INSTANCE_STATES, stateLook } from "./states";

export interface Filters {
  sequence: string | null;
  state: string | null;
  dlq: boolean;
}

export const NO_FILTERS: Filters = { sequence: null, state: null, dlq: false };

/** Normalises the trait value (missing keys, wrong types from an older Python side). */
export function readFilters(value: unknown): Filters {
  const raw = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  return {
    sequence: typeof raw.sequence === "string" && raw.sequence !== "" ? raw.sequence : null,
    state: typeof raw.state === "string" && raw.state !== "" ? raw.state : null,
    dlq: raw.dlq === true,
  };
}

export interface FilterBarProps {
  filters: Filters;
  /** Sequence names to offer (those seen in rows so far, so a filter does not hide the others). */
  sequences: string[];
  onChange: (filters: Filters) => void;
}

export function FilterBar({ filters, sequences, onChange }: FilterBarProps) {
  const names = [...new Set([...sequences, ...(filters.sequence ? [filters.sequence] : [])])].sort();
  const states: string[] = [...INSTANCE_STATES];
  if (filters.state && !states.includes(filters.state)) states.push(filters.state);
  const pick = (key: "sequence" | "state") => (event: ChangeEvent<HTMLSelectElement>) =>
    onChange({ ...filters, [key]: event.target.value === "" ? null : event.target.value });
  return (
    <div className="orch8-runs-filters" role="group" aria-label="Filter instances">
      <label>
        Sequence{" "}
        <select
          data-testid="orch8-filter-sequence"
          value={filters.sequence ?? ""}
          onChange={pick("sequence")}
        >
          <option value="">all</option>
          {names.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <label>
        State{" "}
        <select data-testid="orch8-filter-state" value={filters.state ?? ""} onChange={pick("state")}>
          <option value="">all</option>
          {states.map((state) => (
            <option key={state} value={state}>
              {`${stateLook(state).icon} ${stateLook(state).label}`}
            </option>
          ))}
        </select>
      </label>
      <label>
        <input
          type="checkbox"
          data-testid="orch8-filter-dlq"
          checked={filters.dlq}
          onChange={(event) => onChange({ ...filters, dlq: event.target.checked })}
        />{" "}
        dead-letter queue only
      </label>
    </div>
  );
}

/**
 * Rows matching `filters`. Python filters too; doing it here as well makes a change show
 * at once, before the new rows arrive, and both sides agree (`dlq: false` means "all").
 */
export function filterRows<R extends { sequence_name: string; state: string; dlq: boolean }>(
  rows: R[],
  filters: Filters,
): R[] {
  return rows.filter(
    (row) =>
      (filters.sequence === null || row.sequence_name === filters.sequence) &&
      (filters.state === null || row.state === filters.state) &&
      (!filters.dlq || row.dlq),
  );
}
