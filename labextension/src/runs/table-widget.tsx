// anywidget view `table` (InstancesTable): traits `rows`, `filters` (js -> py),
// `selected` (js -> py) and `tree` (py -> js). See docs/ui-protocol.md.
import { useRef } from "react";
import { mount } from "../graph/mount";
import type { InstanceRow, InstanceView, WidgetModel } from "../model/contract";
import { useNow } from "../graph/clock";
import { FilterBar, filterRows, readFilters } from "./filters";
import type { Filters } from "./filters";
import { LiveTree } from "./live-tree";
import { useTrait, writeTrait } from "./model-hooks";
import { InstancesTable } from "./table";

/** Relative times ("3 s ago") go stale; this often is enough for minute-scale runs. */
const CLOCK_TICK_MS = 10_000;


export function TableView({ model }: { model: WidgetModel }) {
  const rows = (useTrait<InstanceRow[] | null>(model, "rows") ?? []) as InstanceRow[];
  const filters = readFilters(useTrait<unknown>(model, "filters"));
  const selected = useTrait<string | null>(model, "selected") ?? null;
  const tree = useTrait<InstanceView | null>(model, "tree") ?? null;
  const now = useNow(CLOCK_TICK_MS);

  // Every sequence name seen so far, so choosing one does not empty the drop-down.
  const seen = useRef(new Set<string>());
  for (const row of rows) seen.current.add(row.sequence_name);

  const setFilters = (next: Filters) => writeTrait(model, "filters", next);
  const select = (id: string | null) => writeTrait(model, "selected", id);
  return (
    <div className="orch8-runs">
      <FilterBar filters={filters} sequences={[...seen.current]} onChange={setFilters} />
      <InstancesTable rows={filterRows(rows, filters)} selected={selected} now={now} onSelect={select} />
      {selected !== null && tree !== null && <LiveTree model={model} tree={tree} selected={selected} />}
      {selected !== null && tree === null && (
        <div className="orch8-runs-tree orch8-runs-loading">Loading instance…</div>
      )}
    </div>
  );
}

export function renderTable(model: WidgetModel, el: HTMLElement): () => void {
  return mount(el, <TableView model={model} />);
}
