// Live updates of an InstanceView: Python sends only what changed (docs/ui-protocol.md,
// `patch` messages), coalesced, so the view keeps its own copy and folds patches in.
import type { InstanceView, PatchMessage } from "../model/contract";

export function isPatch(message: unknown): message is PatchMessage {
  return (
    typeof message === "object" &&
    message !== null &&
    (message as { type?: unknown }).type === "patch"
  );
}

/**
 * The view after `patch`. A NodeView in a patch is the node's whole new state, so it
 * replaces the old one (merging would keep a stale `error` across a retry); the instance
 * summary is partial and is merged.
 */
export function applyPatch(view: InstanceView, patch: PatchMessage): InstanceView {
  return {
    ...view,
    instance: { ...view.instance, ...(patch.instance ?? {}) },
    nodes: { ...view.nodes, ...(patch.nodes ?? {}) },
  };
}
