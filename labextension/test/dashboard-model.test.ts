import { afterEach, describe, expect, it } from "vitest";
import type { InstanceView } from "../src/model/contract";
import { Api } from "../src/dashboard/api";
import { RestTreeModel, diff } from "../src/dashboard/rest-model";
import { TreeStore } from "../src/tree/store";

const VIEW: InstanceView = {
  protocol: 1,
  sequence: { name: "orders", blocks: [{ type: "step", id: "a", handler: "h" }, { type: "step", id: "b", handler: "w" }] },
  instance: { state: "running", sequence_name: "orders", version: 1, error: null },
  nodes: { a: { state: "pending" }, b: { state: "pending" } },
};

const clone = <T,>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** A server in memory: the view it returns, an event stream the test writes to, calls seen. */
class FakeServer {
  view = clone(VIEW);
  calls: { method: string; path: string; body: unknown }[] = [];
  private push: ((text: string) => void) | null = null;
  private end: (() => void) | null = null;
  reads = 0;

  api(): Api {
    return new Api("/api/v1", "key", async (url, init) => {
      const path = url.replace("/api/v1", "");
      const method = init?.method ?? "GET";
      this.calls.push({ method, path, body: init?.body ? JSON.parse(String(init.body)) : undefined });
      if (path.endsWith("/view")) {
        this.reads += 1;
        return json(this.view);
      }
      if (path.includes("/stream")) {
        const stream = new ReadableStream<Uint8Array>({
          start: (controller) => {
            const encoder = new TextEncoder();
            this.push = (text) => controller.enqueue(encoder.encode(text));
            this.end = () => controller.close();
          },
        });
        return new Response(stream, { status: 200, headers: { "content-type": "text/event-stream" } });
      }
      if (path.endsWith("/control")) {
        const body = JSON.parse(String(init?.body)) as { action: string };
        if (body.action === "retry") return json({ error: "only a failed instance can be retried" }, 400);
        return json({ action: body.action, ok: true, message: `${body.action}d` });
      }
      if (path.includes("/inspection")) return json({ type: "inspection", block_id: "a", params: {}, output: null, error: null, attempts: [], context: {}, audit: [], gate: null });
      return json({ error: "no route" }, 404);
    });
  }

  event(kind: string, data: unknown): void {
    this.push?.(`event: ${kind}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  close(): void {
    this.end?.();
  }

  get streaming(): boolean {
    return this.push !== null;
  }
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await tick();
  }
  throw new Error(`timed out waiting for ${what}`);
}

const models: RestTreeModel[] = [];
afterEach(() => models.splice(0).forEach((m) => m.close()));

function open(server: FakeServer): RestTreeModel {
  const model = new RestTreeModel(server.api(), "i1", { minIntervalMs: 0, reconnectMs: 10 });
  models.push(model);
  return model;
}

describe("diff", () => {
  it("keeps only the nodes and instance fields that changed", () => {
    const fresh = clone(VIEW);
    fresh.nodes.a = { state: "completed", duration_ms: 3 };
    expect(diff(VIEW, fresh)).toEqual({ type: "patch", instance: {}, nodes: { a: { state: "completed", duration_ms: 3 } } });
    expect(diff(VIEW, clone(VIEW))).toBeNull();
  });
});

describe("RestTreeModel", () => {
  it("reads the view, then patches the store from the instance's event stream", async () => {
    const server = new FakeServer();
    const model = open(server);
    expect(await model.open()).toEqual(VIEW);
    const store = new TreeStore(model, (cb) => {
      cb();
      return () => undefined;
    });
    store.attach();
    await until(() => server.streaming, "the stream");
    expect(server.calls.some((c) => c.path === "/instances/i1/stream?nodes=true")).toBe(true);

    server.view.nodes.a = { state: "completed" };
    server.view.nodes.b = { state: "waiting", waiting_for: "worker: w" };
    server.view.instance.state = "waiting";
    server.event("output", { block_id: "a" });
    await until(() => store.getState().view?.instance.state === "waiting", "the patch");
    expect(store.getState().view?.nodes).toEqual(server.view.nodes);
    store.detach();
  });

  it("shows a started step as running, with the text it streams, until its result commits", async () => {
    const server = new FakeServer();
    const model = open(server);
    await model.open();
    await until(() => server.streaming, "the stream");
    server.event("step_started", { block_id: "a" });
    server.event("llm_delta", { block_id: "a", text: "Hello" });
    server.event("llm_delta", { block_id: "a", text: " world" });
    await until(() => (model.get("view") as InstanceView).nodes.a.stream === "Hello world", "the streamed text");
    expect((model.get("view") as InstanceView).nodes.a.state).toBe("running");

    server.view.nodes.a = { state: "completed" };
    server.event("output", { block_id: "a" });
    await until(() => (model.get("view") as InstanceView).nodes.a.state === "completed", "the commit");
    expect((model.get("view") as InstanceView).nodes.a.stream).toBeUndefined();
  });

  it("sends a new view, not a patch, when the sequence changed", async () => {
    const server = new FakeServer();
    const model = open(server);
    await model.open();
    const views: unknown[] = [];
    model.on("change:view", () => views.push(model.get("view")));
    await until(() => server.streaming, "the stream");
    server.view.sequence = { ...server.view.sequence, blocks: [...server.view.sequence.blocks, { type: "step", id: "c", handler: "h" }] };
    server.view.nodes.c = { state: "pending" };
    server.event("state", { state: "running" });
    await until(() => views.length === 1, "the new view");
  });

  it("answers controls with the server's words, and reads the view after one", async () => {
    const server = new FakeServer();
    const model = open(server);
    await model.open();
    const results: unknown[] = [];
    model.on("msg:custom", (m: { type: string }) => m.type === "result" && results.push(m));
    const before = server.reads;
    model.send({ type: "control", action: "pause" });
    model.send({ type: "control", action: "retry" });
    await until(() => results.length === 2, "two results");
    expect(results).toContainEqual({ type: "result", action: "pause", ok: true, message: "paused" });
    expect(results).toContainEqual({ type: "result", action: "retry", ok: false, message: "only a failed instance can be retried" });
    expect(server.calls.find((c) => c.path === "/instances/i1/control")?.body).toEqual({ action: "pause" });
    await until(() => server.reads > before, "a read after the control");
  });

  it("reads the final view when the stream says done, and stops", async () => {
    const server = new FakeServer();
    const model = open(server);
    await model.open();
    await until(() => server.streaming, "the stream");
    server.view.instance.state = "completed";
    server.event("done", { state: "completed" });
    server.close();
    await until(() => (model.get("view") as InstanceView).instance.state === "completed", "the final view");
    const streams = server.calls.filter((c) => c.path.includes("/stream")).length;
    await tick(40);
    expect(server.calls.filter((c) => c.path.includes("/stream")).length).toBe(streams);
  });

  it("opens the stream again when it breaks", async () => {
    const server = new FakeServer();
    const model = open(server);
    await model.open();
    await until(() => server.streaming, "the stream");
    server.close(); // no `done`: the connection dropped
    await until(() => server.calls.filter((c) => c.path.includes("/stream")).length === 2, "a second stream");
  });
});
