// The tree widget's state outside React: the InstanceView from the `view` trait, live
// patches folded in at most once per animation frame (Python may send many while a cell
// blocks), the last inspection and the answers to controls. React reads it through
// useSyncExternalStore, so one frame means at most one render.
import type {
  InspectionMessage,
  InstanceView,
  NodeView,
  PatchMessage,
  ResultMessage,
  WidgetModel,
} from "../model/contract";

export interface TreeState {
  view: InstanceView | null;
  /** Block id the inspector shows (null: closed). */
  inspecting: string | null;
  /** The latest inspection for `inspecting` (null while it is on its way). */
  inspection: InspectionMessage | null;
  /** The latest answer per control action ("pause", "signal", "approve"...). */
  results: Record<string, ResultMessage>;
  /** Actions sent and not answered yet. */
  pending: Record<string, true>;
}

/** Runs a callback before the next paint; injectable so tests control frames. */
export type Scheduler = (callback: () => void) => () => void;

export const frameScheduler: Scheduler = (callback) => {
  if (typeof requestAnimationFrame === "function") {
    const handle = requestAnimationFrame(() => callback());
    return () => cancelAnimationFrame(handle);
  }
  const handle = setTimeout(callback, 16);
  return () => clearTimeout(handle);
};

function isMessage<T extends { type: string }>(content: unknown, type: T["type"]): content is T {
  return typeof content === "object" && content !== null && (content as { type?: unknown }).type === type;
}

export class TreeStore {
  private state: TreeState;
  private readonly listeners = new Set<() => void>();
  private queued: { instance: Partial<InstanceView["instance"]>; nodes: Record<string, NodeView> } | null = null;
  private cancelFrame: (() => void) | null = null;

  constructor(
    private readonly model: WidgetModel,
    private readonly schedule: Scheduler = frameScheduler,
  ) {
    this.state = { view: readView(model), inspecting: null, inspection: null, results: {}, pending: {} };
  }

  // --- wiring -------------------------------------------------------------------------

  /** Listens to the model and asks Python for a full view (this view may be late). */
  attach(): void {
    this.model.on("change:view", this.onView);
    this.model.on("msg:custom", this.onMessage);
    this.model.send({ type: "refresh" });
  }

  /** Stops listening and drops any frame still queued. */
  detach(): void {
    this.model.off("change:view", this.onView);
    this.model.off("msg:custom", this.onMessage);
    this.cancelFrame?.();
    this.cancelFrame = null;
    this.queued = null;
    this.listeners.clear();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getState = (): TreeState => this.state;

  // --- actions from the UI ----------------------------------------------------------

  /** Opens the inspector on `blockId` and asks Python for its details (null closes it). */
  inspect(blockId: string | null): void {
    this.set({ inspecting: blockId, inspection: null });
    if (blockId !== null) this.model.send({ type: "inspect", block_id: blockId });
  }

  /** Sends a control; its `result` message is shown next to the control. */
  control(action: string, extra: Record<string, unknown> = {}): void {
    const { [action]: _old, ...results } = this.state.results;
    this.set({ results, pending: { ...this.state.pending, [action]: true } });
    this.model.send({ type: "control", action, ...extra });
  }

  // --- messages from Python ---------------------------------------------------------

  private onView = (): void => {
    // A full view is newer than any patch still queued: those are dropped.
    this.queued = null;
    this.set({ view: readView(this.model) });
  };

  private onMessage = (content: unknown): void => {
    if (isMessage<PatchMessage>(content, "patch")) this.queuePatch(content);
    else if (isMessage<InspectionMessage>(content, "inspection")) this.onInspection(content);
    else if (isMessage<ResultMessage>(content, "result")) this.onResult(content);
  };

  private queuePatch(patch: PatchMessage): void {
    const q = this.queued ?? { instance: {}, nodes: {} };
    // A NodeView in a patch is the node's whole new state: it replaces the old one.
    this.queued = { instance: { ...q.instance, ...(patch.instance ?? {}) }, nodes: { ...q.nodes, ...(patch.nodes ?? {}) } };
    if (this.cancelFrame === null) this.cancelFrame = this.schedule(this.flush);
  }

  /** Applies every patch queued since the last frame (one state change, one render). */
  flush = (): void => {
    this.cancelFrame = null;
    const q = this.queued;
    this.queued = null;
    const view = this.state.view;
    if (q === null || view === null) return;
    this.set({
      view: { ...view, instance: { ...view.instance, ...q.instance }, nodes: { ...view.nodes, ...q.nodes } },
    });
    // The inspector shows live details: ask again when its node changed.
    const open = this.state.inspecting;
    if (open !== null && open in q.nodes) this.model.send({ type: "inspect", block_id: open });
  };

  private onInspection(message: InspectionMessage): void {
    if (message.block_id !== this.state.inspecting) return; // an answer for a closed node
    this.set({ inspection: message });
  }

  private onResult(message: ResultMessage): void {
    const { [message.action]: _done, ...pending } = this.state.pending;
    this.set({ results: { ...this.state.results, [message.action]: message }, pending });
  }

  private set(partial: Partial<TreeState>): void {
    this.state = { ...this.state, ...partial };
    for (const listener of [...this.listeners]) listener();
  }
}

function readView(model: WidgetModel): InstanceView | null {
  const value: unknown = model.get("view");
  if (typeof value !== "object" || value === null) return null;
  const view = value as Partial<InstanceView>;
  if (typeof view.sequence !== "object" || view.sequence === null) return null;
  return {
    protocol: view.protocol ?? 0,
    sequence: view.sequence,
    instance: view.instance ?? { state: "unknown", sequence_name: view.sequence.name, version: 0 },
    nodes: view.nodes ?? {},
  };
}
