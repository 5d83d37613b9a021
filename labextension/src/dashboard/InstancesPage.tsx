// Instances: the notebook's instances table and filters over GET /instances (newest
// 500, read again every 2 s), and the selected instance's live tree under it.
import { useRef, useState } from "react";
import { FilterBar, NO_FILTERS, filterRows } from "../runs/filters";
import type { Filters } from "../runs/filters";
import { InstancesTable } from "../runs/table";
import type { Api } from "./api";
import { InstancePanel } from "./InstancePanel";
import { SequenceNames, toRow } from "./instances";
import type { TaskInstance } from "./instances";
import { useListNow, usePoll } from "./poll";
import { Problem } from "./Problem";

export const LIST_LIMIT = 500;
export const REFRESH_MS = 2000;

export function InstancesPage({ api, selected, onSelect }: { api: Api; selected: string | null; onSelect: (id: string | null) => void }) {
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const names = useRef(new SequenceNames(api));
  const now = useListNow(10_000);
  const rows = usePoll(
    async (signal) => {
      const state = filters.dlq ? "failed" : filters.state;
      const query = state === null ? "" : `&state=${encodeURIComponent(state)}`;
      const page = await api.get<{ items: TaskInstance[] }>(`/instances?limit=${LIST_LIMIT}${query}`, signal);
      const sequences = await names.current.resolve(page.items.map((i) => i.sequence_id), signal);
      return page.items.map((i) => toRow(i, sequences));
    },
    REFRESH_MS,
    `${filters.state}|${filters.dlq}`,
  );
  const seen = useRef(new Set<string>());
  for (const row of rows.data ?? []) seen.current.add(row.sequence_name);

  return (
    <div className="orch8-runs orch8-dash-page" data-testid="orch8-dash-instances">
      <FilterBar filters={filters} sequences={[...seen.current]} onChange={setFilters} />
      <Problem error={rows.error} what="instances" />
      {rows.data === null && rows.error === null && <p className="orch8-muted">Loading instances…</p>}
      {rows.data !== null && (
        <div className="orch8-dash-scroll">
          <InstancesTable rows={filterRows(rows.data, filters)} selected={selected} now={now} onSelect={onSelect} />
        </div>
      )}
      {rows.data !== null && rows.data.length >= LIST_LIMIT && (
        <p className="orch8-muted">Showing the newest {LIST_LIMIT} instances; filter by state to see others.</p>
      )}
      {selected !== null && <InstancePanel key={selected} api={api} instanceId={selected} onClose={() => onSelect(null)} />}
    </div>
  );
}
