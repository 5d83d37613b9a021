// Dead letters: failed instances grouped by how they failed (GET /instances/dlq/groups),
// a group retried at once or one sample first, and the failed instances one by one
// (GET /instances/dlq) with their error and a retry each.
import { useRef, useState } from "react";
import { shortId } from "../graph/format";
import { absoluteTime, relativeTime } from "../runs/time";
import type { Api } from "./api";
import { ConfirmButton } from "./ConfirmButton";
import { InstanceLink, ListTable } from "./ListTable";
import type { Answer } from "./ConfirmButton";
import { errorLine, SequenceNames } from "./instances";
import type { TaskInstance } from "./instances";
import { REFRESH_MS } from "./InstancesPage";
import { useListNow, usePoll } from "./poll";
import { Problem } from "./Problem";

export interface DlqGroup {
  fingerprint: string;
  count: number;
  sequence_name: string;
  sequence_version: number;
  block_id: string | null;
  handler: string | null;
  error_kind: string | null;
  message: string;
  instance_ids: string[];
  last_failed_at: number | string;
}

/** POST .../groups/{fingerprint}/retry answers `{fingerprint, sample, count, instance_ids}`. */
async function retryGroup(api: Api, fingerprint: string, sample: boolean): Promise<string> {
  const path = `/instances/dlq/groups/${encodeURIComponent(fingerprint)}/retry${sample ? "?sample=true" : ""}`;
  const answer = await api.post<{ count: number }>(path);
  return `${answer.count} instance${answer.count === 1 ? "" : "s"} retried`;
}

const asMs = (at: number | string): number => (typeof at === "number" ? at : Date.parse(at));

export function DlqPage({ api, onOpen }: { api: Api; onOpen: (instanceId: string) => void }) {
  const now = useListNow(10_000);
  const names = useRef(new SequenceNames(api));
  const groups = usePoll((s) => api.get<DlqGroup[]>("/instances/dlq/groups", s), REFRESH_MS, "groups");
  const failed = usePoll(
    async (s) => {
      const rows = await api.get<TaskInstance[]>("/instances/dlq?limit=200", s);
      return { rows, sequences: await names.current.resolve(rows.map((r) => r.sequence_id), s) };
    },
    REFRESH_MS,
    "dlq",
  );
  // The last action's answer, said above the lists: its row is gone once it worked.
  const [notice, setNotice] = useState<Answer | null>(null);
  const refresh = (answer: Answer) => {
    setNotice(answer);
    groups.refresh();
    failed.refresh();
  };

  return (
    <div className="orch8-runs orch8-dash-page" data-testid="orch8-dash-dlq">
      <h2>Failure groups</h2>
      {notice !== null && (
        <p className={notice.ok ? "orch8-ok-text" : "orch8-error-text"} role={notice.ok ? "status" : "alert"} data-testid="orch8-dash-dlq-notice">
          <span aria-hidden="true">{notice.ok ? "✓" : "✗"}</span> {notice.text}
        </p>
      )}
      <Problem error={groups.error} what="failure groups" />
      <ListTable testId="orch8-dash-dlq-groups" columns={["Failed", "Sequence", "Step", "Error", "Last", "Retry"]} empty="No failed instances." count={(groups.data ?? []).length}>
        {(groups.data ?? []).map((g) => (
          <tr key={g.fingerprint} data-testid={`orch8-dash-group-${g.fingerprint}`}>
            <td>{g.count}</td>
            <td>{`${g.sequence_name}@${g.sequence_version}`}</td>
            <td>
              {g.block_id ?? "—"}
              {g.handler ? <span className="orch8-muted"> ({g.handler})</span> : null}
            </td>
            <td className="orch8-runs-error" title={g.message}>
              {g.error_kind ? <span className="orch8-badge">{g.error_kind}</span> : null} {g.message}
            </td>
            <td title={absoluteTime(asMs(g.last_failed_at))}>{relativeTime(asMs(g.last_failed_at), now)}</td>
            <td>
              {g.count > 1 && (
                <ConfirmButton
                  label="Retry one"
                  question="Retry the newest instance of this group?"
                  run={() => retryGroup(api, g.fingerprint, true)}
                  testId={`orch8-dash-group-sample-${g.fingerprint}`}
                  done={refresh}
                />
              )}{" "}
              <ConfirmButton
                label="Retry all"
                question={`Retry all ${g.count} failed instance${g.count === 1 ? "" : "s"} of this group?`}
                run={() => retryGroup(api, g.fingerprint, false)}
                testId={`orch8-dash-group-retry-${g.fingerprint}`}
                done={refresh}
              />
            </td>
          </tr>
        ))}
      </ListTable>

      <h2>Failed instances</h2>
      <Problem error={failed.error} what="the dead-letter queue" />
      <div className="orch8-dash-scroll">
        <ListTable testId="orch8-dash-dlq-instances" columns={["Instance", "Sequence", "Failed", "Error", "Retry"]} empty="The dead-letter queue is empty." count={(failed.data?.rows ?? []).length}>
          {(failed.data?.rows ?? []).map((row) => {
            const seq = failed.data?.sequences.get(row.sequence_id);
            const at = Date.parse(row.updated_at);
            return (
              <tr key={row.id} data-testid={`orch8-dash-dlq-${row.id}`}>
                <td>
                  <InstanceLink id={row.id} onOpen={onOpen} />
                </td>
                <td>{seq ? `${seq.name}@${seq.version}` : row.sequence_id}</td>
                <td title={absoluteTime(at)}>{relativeTime(at, now)}</td>
                <td className="orch8-runs-error" title={errorLine(row)}>
                  {errorLine(row)}
                </td>
                <td>
                  <ConfirmButton
                    label="Retry"
                    question="Retry this instance from its failed step?"
                    run={async () => {
                      await api.post(`/instances/${encodeURIComponent(row.id)}/retry`);
                      return `${shortId(row.id)} retrying`;
                    }}
                    testId={`orch8-dash-retry-${row.id}`}
                    done={refresh}
                  />
                </td>
              </tr>
            );
          })}
        </ListTable>
      </div>
    </div>
  );
}
