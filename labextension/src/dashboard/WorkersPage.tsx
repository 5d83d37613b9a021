// Workers: the fleet that polled this server (GET /workers), task counts
// (GET /workers/tasks/stats) and the tasks themselves (GET /workers/tasks), each task
// linking to its instance's tree.
import { useState } from "react";
import { shortId } from "../graph/format";
import { StateLabel } from "../runs/table";
import { absoluteTime, relativeTime } from "../runs/time";
import type { Api } from "./api";
import { useListNow, usePoll } from "./poll";
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
      <table className="orch8-runs-table" data-testid="orch8-dash-worker-table">
        <thead>
          <tr>
            <th scope="col">Worker</th>
            <th scope="col">Handlers</th>
            <th scope="col">Queues</th>
            <th scope="col">Tasks claimed</th>
            <th scope="col">Last poll</th>
          </tr>
        </thead>
        <tbody>
          {(workers.data ?? []).length === 0 && (
            <tr>
              <td colSpan={5} className="orch8-runs-empty">
                No worker has polled this server yet.
              </td>
            </tr>
          )}
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
        </tbody>
      </table>

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
        <table className="orch8-runs-table" data-testid="orch8-dash-task-table">
          <thead>
            <tr>
              <th scope="col">Task</th>
              <th scope="col">Handler</th>
              <th scope="col">Queue</th>
              <th scope="col">State</th>
              <th scope="col">Worker</th>
              <th scope="col">Attempt</th>
              <th scope="col">Claimed</th>
              <th scope="col">Heartbeat</th>
              <th scope="col">Instance</th>
            </tr>
          </thead>
          <tbody>
            {(tasks.data ?? []).length === 0 && (
              <tr>
                <td colSpan={9} className="orch8-runs-empty">
                  No tasks.
                </td>
              </tr>
            )}
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
                  <a href={`#/instances/${encodeURIComponent(t.instance_id)}`} onClick={(e) => { e.preventDefault(); onOpen(t.instance_id); }} title={t.instance_id}>
                    <code>{shortId(t.instance_id)}</code> · {t.block_id}
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
