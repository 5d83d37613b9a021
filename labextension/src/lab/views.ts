// Reading mime data into views. Saved notebooks outlive versions of this extension, so the
// data is checked rather than trusted: a wrong shape or protocol gives a message, not a crash.
import { INSTANCE_MIME, PROTOCOL } from "../model/contract";
import type { InstanceView, Sequence, SequenceView } from "../model/contract";

export type ParsedView = { view: SequenceView | InstanceView } | { error: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isSequence(value: unknown): value is Sequence {
  return isObject(value) && typeof value.name === "string" && Array.isArray(value.blocks);
}

/**
 * The view in `data` for `mimeType`. A bare sequence (a `*.sequence.json` file opened in
 * the viewer) is wrapped as a SequenceView.
 */
export function parseView(mimeType: string, data: unknown): ParsedView {
  if (!isObject(data)) return { error: "the output holds no JSON object" };
  if (mimeType !== INSTANCE_MIME && !("protocol" in data) && isSequence(data)) {
    return { view: { protocol: PROTOCOL, sequence: data } };
  }
  if (data.protocol !== PROTOCOL) {
    const saved = JSON.stringify(data.protocol ?? null);
    return {
      error: `this output uses orch8-nb view protocol ${saved}; this JupyterLab extension reads protocol ${PROTOCOL}`,
    };
  }
  if (!isSequence(data.sequence)) return { error: "the output holds no sequence (name and blocks)" };
  if (mimeType !== INSTANCE_MIME) return { view: { protocol: PROTOCOL, sequence: data.sequence } };
  if (!isObject(data.instance)) return { error: "the output holds no instance summary" };
  return {
    view: {
      protocol: PROTOCOL,
      sequence: data.sequence,
      instance: data.instance as unknown as InstanceView["instance"],
      nodes: (isObject(data.nodes) ? data.nodes : {}) as InstanceView["nodes"],
    },
  };
}

/** nbformat may store text as a list of lines; JupyterLab usually joins them, not always. */
export function textOf(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((line) => typeof line === "string")) return value.join("");
  return null;
}
