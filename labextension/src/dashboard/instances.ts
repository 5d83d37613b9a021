// Orch8's TaskInstance JSON as the instances table's rows: the table wants the sequence's
// name and version, which the API keeps on the sequence, so names are looked up by id
// (one list of sequences, then one read per id the list did not have).
import type { InstanceRow } from "../model/contract";
import type { Api } from "./api";

export interface TaskInstance {
  id: string;
  sequence_id: string;
  state: string;
  created_at: string;
  updated_at: string;
  metadata?: Record<string, unknown>;
}

export interface SequenceSummary {
  id: string;
  name: string;
  version: number;
}

export class SequenceNames {
  private readonly known = new Map<string, SequenceSummary>();

  constructor(private readonly api: Api) {}

  async resolve(ids: Iterable<string>, signal?: AbortSignal): Promise<Map<string, SequenceSummary>> {
    const missing = [...new Set(ids)].filter((id) => !this.known.has(id));
    if (missing.length > 0) {
      const page = await this.api.get<{ items: SequenceSummary[] }>("/sequences?limit=1000", signal);
      for (const seq of page.items) this.known.set(seq.id, seq);
      for (const id of missing.filter((m) => !this.known.has(m))) {
        try {
          this.known.set(id, await this.api.get<SequenceSummary>(`/sequences/${encodeURIComponent(id)}`, signal));
        } catch {
          this.known.set(id, { id, name: `(deleted ${id.slice(0, 8)})`, version: 0 });
        }
      }
    }
    return this.known;
  }
}

export function toRow(instance: TaskInstance, sequences: Map<string, SequenceSummary>): InstanceRow {
  const seq = sequences.get(instance.sequence_id);
  return {
    id: instance.id,
    sequence_name: seq?.name ?? instance.sequence_id,
    version: seq?.version ?? 0,
    state: instance.state,
    created_at: Date.parse(instance.created_at),
    updated_at: Date.parse(instance.updated_at),
    dlq: instance.state === "failed",
  };
}

/** The first line of the failure Orch8 keeps in `metadata._error`, if any. */
export function errorLine(instance: TaskInstance): string {
  const error = instance.metadata?._error;
  const message = typeof error === "object" && error !== null ? (error as { message?: unknown }).message : error;
  return typeof message === "string" ? (message.trim().split("\n")[0] ?? "") : "";
}
