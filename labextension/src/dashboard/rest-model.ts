// The tree widget's model, served by HTTP instead of a kernel: the dashboard mounts the
// notebook's TreeView and TreeStore unchanged on it. What Python's widget does in the
// kernel happens here over the API:
// - `view` is GET /instances/{id}/view, re-read when the instance's event stream
//   (GET /instances/{id}/stream?nodes=true) says something changed, at most once per
//   `minIntervalMs`; the differences reach the store as `patch` messages, a changed
//   sequence (injected blocks, a migration) as a new `view`;
// - `inspect` is GET /instances/{id}/blocks/{block}/inspection;
// - `control` is POST /instances/{id}/control, answered with a `result` message.
// As in the kernel's follower, a step whose handler runs (`step_started`) or streams model
// text (`llm_delta`) shows as running, with the text's tail, until its result commits.
import type { InstanceView, NodeView, PatchMessage, WidgetModel } from "../model/contract";
import type { Api } from "./api";
import { readEvents } from "./sse";

/** Characters of streamed text a node shows (the end of it), as in the kernel. */
const STREAM_TAIL = 160;

type Listener = (...args: any[]) => void;

export interface RestTreeOptions {
  /** Least time between two reads of the view. */
  minIntervalMs?: number;
  /** Wait before reopening a stream that broke (not one the server ended). */
  reconnectMs?: number;
}

export class RestTreeModel implements WidgetModel {
  private view: InstanceView | null = null;
  private readonly listeners = new Map<string, Set<Listener>>();
  /** Running steps (started, nothing committed yet) and the text each streamed so far. */
  private readonly running = new Map<string, string>();
  private readonly abort = new AbortController();
  private reading: Promise<void> | null = null;
  private readAgain = false;
  private lastRead = 0;
  private readonly minIntervalMs: number;
  private readonly reconnectMs: number;

  constructor(
    private readonly api: Api,
    readonly instanceId: string,
    options: RestTreeOptions = {},
  ) {
    this.minIntervalMs = options.minIntervalMs ?? 100;
    this.reconnectMs = options.reconnectMs ?? 2000;
  }

  // --- the anywidget model surface TreeStore uses --------------------------------------

  get(name: string): unknown {
    if (name === "view") return this.view;
    if (name === "_kind") return "tree";
    return undefined;
  }

  set(): void {}

  save_changes(): void {}

  on(event: string, callback: Listener): void {
    let set = this.listeners.get(event);
    if (set === undefined) this.listeners.set(event, (set = new Set()));
    set.add(callback);
  }

  off(event?: string | null, callback?: Listener | null): void {
    if (event == null) this.listeners.clear();
    else if (callback == null) this.listeners.delete(event);
    else this.listeners.get(event)?.delete(callback);
  }

  send(content: unknown): void {
    const message = (typeof content === "object" && content !== null ? content : {}) as Record<string, unknown>;
    if (message.type === "refresh") this.reload(true).catch(ignore);
    else if (message.type === "inspect") void this.inspect(String(message.block_id ?? ""));
    else if (message.type === "control") void this.control(message);
  }

  // --- life ----------------------------------------------------------------------------

  /** The first view (throws ApiError: unknown id, wrong key...), then follows the stream. */
  async open(): Promise<InstanceView> {
    await this.reload(true);
    void this.follow();
    return this.view as InstanceView;
  }

  close(): void {
    this.abort.abort();
    this.listeners.clear();
  }

  get closed(): boolean {
    return this.abort.signal.aborted;
  }

  private emit(event: string, payload?: unknown): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) listener(payload);
  }

  private async follow(): Promise<void> {
    const path = `/instances/${encodeURIComponent(this.instanceId)}/stream?nodes=true`;
    while (!this.closed) {
      let ended = false;
      try {
        const response = await this.api.open(path, this.abort.signal);
        await readEvents(response, (event) => {
          ended ||= event.event === "done";
          this.onEvent(event.event, event.data);
        }, this.abort.signal);
      } catch {
        // a broken stream is opened again below; the view stays as last read meanwhile
      }
      if (this.closed) return;
      if (ended) {
        await this.reload(true).catch(ignore); // the final picture, with the last durations
        return;
      }
      await sleep(this.reconnectMs);
      this.reload(true).catch(ignore); // whatever happened while the stream was down
    }
  }

  private onEvent(kind: string, data: string): void {
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(data) as Record<string, unknown>;
    } catch {
      // an event without a JSON body still says something changed
    }
    const block = typeof body.block_id === "string" ? body.block_id : null;
    if (block !== null) {
      if (kind === "step_started") this.running.set(block, "");
      else if (kind === "output") this.running.delete(block);
      else if (kind === "llm_delta") {
        const text = (this.running.get(block) ?? "") + String(body.text ?? "");
        this.running.set(block, text.slice(-4 * STREAM_TAIL));
      }
    }
    this.reload(false).catch(ignore);
  }

  // --- reading the view ----------------------------------------------------------------

  /** Reads the view now (`force`) or coalesced with other events at most once per interval. */
  private reload(force: boolean): Promise<void> {
    if (this.reading !== null) {
      this.readAgain = true;
      return this.reading;
    }
    const wait = force ? 0 : Math.max(0, this.lastRead + this.minIntervalMs - Date.now());
    this.reading = (async () => {
      try {
        if (wait > 0) await sleep(wait);
        do {
          this.readAgain = false;
          this.lastRead = Date.now();
          await this.readOnce();
        } while (this.readAgain && !this.closed);
      } finally {
        this.reading = null;
      }
    })();
    return this.reading;
  }

  private async readOnce(): Promise<void> {
    const path = `/instances/${encodeURIComponent(this.instanceId)}/view`;
    const fresh = this.overlay(await this.api.get<InstanceView>(path, this.abort.signal));
    if (this.closed) return;
    const known = this.view;
    this.view = fresh;
    if (known === null || JSON.stringify(known.sequence) !== JSON.stringify(fresh.sequence)) {
      this.emit("change:view");
      return;
    }
    const patch = diff(known, fresh);
    if (patch !== null) this.emit("msg:custom", patch);
  }

  /** Running steps the stored view cannot know about yet, drawn as running. */
  private overlay(view: InstanceView): InstanceView {
    for (const [block, text] of [...this.running]) {
      const node = view.nodes[block];
      if (node === undefined || (node.state !== "pending" && node.state !== "running")) {
        this.running.delete(block); // its result committed: the output has it
        continue;
      }
      const live: NodeView = { ...node, state: "running" };
      if (text !== "") live.stream = text.slice(-STREAM_TAIL);
      view.nodes[block] = live;
    }
    return view;
  }

  // --- inspector and controls ---------------------------------------------------------

  private async inspect(blockId: string): Promise<void> {
    const path = `/instances/${encodeURIComponent(this.instanceId)}/blocks/${encodeURIComponent(blockId)}/inspection`;
    try {
      this.emit("msg:custom", await this.api.get(path, this.abort.signal));
    } catch (err) {
      if (this.closed) return;
      this.emit("msg:custom", {
        type: "inspection", block_id: blockId, params: null, output: null,
        error: `could not load this block: ${(err as Error).message}`,
        attempts: [], context: null, audit: [], gate: null,
      });
    }
  }

  private async control(message: Record<string, unknown>): Promise<void> {
    const { type: _type, ...body } = message;
    const action = String(body.action ?? "");
    try {
      const answer = await this.api.post<{ message: string }>(
        `/instances/${encodeURIComponent(this.instanceId)}/control`, body,
      );
      this.emit("msg:custom", { type: "result", action, ok: true, message: answer.message });
    } catch (err) {
      this.emit("msg:custom", { type: "result", action, ok: false, message: (err as Error).message });
    }
    this.reload(true).catch(ignore); // show the effect without waiting for the stream
  }
}

/** What changed between two views of the same sequence, as a `patch` (null: nothing). */
export function diff(known: InstanceView, fresh: InstanceView): PatchMessage | null {
  const nodes: Record<string, NodeView> = {};
  for (const [id, node] of Object.entries(fresh.nodes)) {
    if (JSON.stringify(known.nodes[id]) !== JSON.stringify(node)) nodes[id] = node;
  }
  const instance: Record<string, unknown> = {};
  const before = known.instance as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(fresh.instance)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(value)) instance[key] = value;
  }
  if (Object.keys(nodes).length === 0 && Object.keys(instance).length === 0) return null;
  return { type: "patch", instance, nodes };
}

/** A failed re-read keeps the last view; the next event or the reconnect reads again. */
function ignore(): void {}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
