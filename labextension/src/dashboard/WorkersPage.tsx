// Workers: the fleet that polled this server (GET /workers), task counts
// (GET /workers/tasks/stats) and the tasks themselves (GET /workers/tasks), each task
// linking to its instance's tree.
import { useState } from "react";
import { shortId } from "../graph/format";
import { StateLabel } from "../runs/table";
import { absoluteTime, relativeTime } from "../runs/time";
import type { Api } from "./api";
import { useListNow, usePoll } from "./poll";
import { InstanceLink, ListTable } from "./ListTable";
import { Problem } from "./Problem";
import { REFRESH_MS } from "./InstancesPage";

export interface Worker {
  worker_id: string;
  handlers: string[];
  queues: string[];
  tasks_claimed: number;
  last_seen: number;
  alive: boolean;
}

export interface WorkerTaskRow {
  id: string;
  instance_id: string;
  block_id: string;
  handler_name: string;
  queue_name?: string | null;
  state: string;
  worker_id?: string | null;
  attempt: number;
  claimed_at?: string | null;
  heartbeat_at?: string | null;
}

export interface TaskStats {
  by_state: Record<string, number>;
  by_handler: Record<string, Record<string, number>>;
  total: number;
}

const TASK_STATES = ["pending", "claimed", "completed", "failed"];

function when(at: string | null | undefined, now: number): JSX.Element {
  if (!at) return <span className="orch8-muted">—</span>;
  const ms = Date.parse(at);
  return <time title={absoluteTime(ms)}>{relativeTime(ms, now)}</time>;
}

export function WorkersPage({ api, onOpen }: { api: Api; onOpen: (instanceId: string) => void }) {
  const [state, setState] = useState<string>("");
  const now = useListNow(5000);
  const workers = usePoll((s) => api.get<Worker[]>("/workers?include_stale=true", s), REFRESH_MS, "workers");
  const stats = usePoll((s) => api.get<TaskStats>("/workers/tasks/stats", s), REFRESH_MS, "stats");
  const query = state === "" ? "" : `&state=${encodeURIComponent(state)}`;
  const tasks = usePoll((s) => api.get<WorkerTaskRow[]>(`/workers/tasks?limit=200${query}`, s), REFRESH_MS, query);

  return (
    <div className="orch8-runs orch8-dash-page" data-testid="orch8-dash-workers">
      <h2>Workers</h2>
      <Problem error={workers.error} what="workers" />
      <ListTable testId="orch8-dash-worker-table" columns={["Worker", "Handlers", "Queues", "Tasks claimed", "Last poll"]} empty="No worker has polled this server yet." count={(workers.data ?? []).length}>
        {(workers.data ?? []).map((w) => (
          <tr key={w.worker_id} data-testid={`orch8-dash-worker-${w.worker_id}`}>
            <td>
              <code>{w.worker_id}</code>
            </td>
            <td>{w.handlers.join(", ")}</td>
            <td>{w.queues.join(", ") || <span className="orch8-muted">any</span>}</td>
            <td>{w.tasks_claimed}</td>
            <td title={absoluteTime(w.last_seen)}>
              {relativeTime(w.last_seen, now)} {w.alive ? "" : <span className="orch8-muted">(stale)</span>}
            </td>
          </tr>
        ))}
      </ListTable>

      <h2>Tasks</h2>
      <Problem error={stats.error ?? tasks.error} what="worker tasks" />
      {stats.data !== null && (
        <p className="orch8-dash-stats" data-testid="orch8-dash-task-stats">
          {stats.data.total} tasks:{" "}
          {TASK_STATES.map((s) => `${stats.data?.by_state[s] ?? 0} ${s}`).join(" · ")}
        </p>
      )}
      <div className="orch8-runs-filters" role="group" aria-label="Filter tasks">
        <label>
          State{" "}
          <select data-testid="orch8-dash-task-state" value={state} onChange={(e) => setState(e.target.value)}>
            <option value="">all</option>
            {TASK_STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="orch8-dash-scroll">
        <ListTable testId="orch8-dash-task-table" columns={["Task", "Handler", "Queue", "State", "Worker", "Attempt", "Claimed", "Heartbeat", "Instance"]} empty="No tasks." count={(tasks.data ?? []).length}>
          {(tasks.data ?? []).map((t) => (
            <tr key={t.id} data-testid={`orch8-dash-task-${t.id}`}>
              <td title={t.id}>
                <code>{shortId(t.id)}</code>
              </td>
              <td>{t.handler_name}</td>
              <td>{t.queue_name ?? <span className="orch8-muted">—</span>}</td>
              <td>
                <StateLabel state={t.state} />
              </td>
              <td>{t.worker_id ? <code>{t.worker_id}</code> : <span className="orch8-muted">—</span>}</td>
              <td>{t.attempt + 1}</td>
              <td>{when(t.claimed_at, now)}</td>
              <td>{when(t.heartbeat_at, now)}</td>
              <td>
                <InstanceLink id={t.instance_id} onOpen={onOpen}>
                  {` · ${t.block_id}`}
                </InstanceLink>
              </td>
            </tr>
          ))}
        </ListTable>
      </div>
    </div>
  );
}
