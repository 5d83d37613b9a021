import { describe, expect, it } from "vitest";
import { Api, ApiError, errorText } from "../src/dashboard/api";
import { parseRoute, routeHash } from "../src/dashboard/routes";
import { SseParser } from "../src/dashboard/sse";
import { errorLine, toRow } from "../src/dashboard/instances";

describe("SseParser", () => {
  it("splits events across chunks and ignores keep-alive comments", () => {
    const parser = new SseParser();
    expect(parser.push('id: 1\nevent: state\ndata: {"state":')).toEqual([]);
    expect(parser.push('"running"}\n\n: keep-alive\n\nevent: done\r\ndata: {}\r\n\r\n')).toEqual([
      { event: "state", data: '{"state":"running"}', id: "1" },
      { event: "done", data: "{}" },
    ]);
  });

  it("joins multi-line data and defaults the event name to message", () => {
    expect(new SseParser().push("data: a\ndata: b\n\n")).toEqual([{ event: "message", data: "a\nb" }]);
  });
});

describe("routes", () => {
  it("round-trips every page through the hash", () => {
    for (const route of [
      { page: "instances", instance: null },
      { page: "instances", instance: "a/b c" },
      { page: "workers" },
      { page: "dlq" },
    ] as const) {
      expect(parseRoute(routeHash(route))).toEqual(route);
    }
    expect(parseRoute("")).toEqual({ page: "instances", instance: null });
    expect(parseRoute("#/nowhere")).toEqual({ page: "instances", instance: null });
  });
});

describe("Api", () => {
  it("sends the key and turns Orch8 error bodies into ApiError", async () => {
    const seen: RequestInit[] = [];
    const api = new Api("/api/v1", "k1", async (_url, init) => {
      seen.push(init ?? {});
      return new Response(JSON.stringify({ error: "instance x not found" }), { status: 404 });
    });
    const failure = await api.get("/instances/x").catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).status).toBe(404);
    expect((failure as ApiError).message).toBe("instance x not found");
    expect((seen[0].headers as Record<string, string>)["x-api-key"]).toBe("k1");
  });

  it("says when the server cannot be reached", async () => {
    const api = new Api("", null, async () => {
      throw new TypeError("Failed to fetch");
    });
    await expect(api.get("/info")).rejects.toThrow("cannot reach the server: Failed to fetch");
  });

  it("falls back to the status and body text", () => {
    expect(errorText(502, "Bad gateway", "Bad gateway")).toBe("HTTP 502: Bad gateway");
    expect(errorText(500, null, "")).toBe("HTTP 500");
  });
});

describe("instance rows", () => {
  it("names the sequence and marks failed instances as dead letters", () => {
    const seqs = new Map([["s1", { id: "s1", name: "orders", version: 3 }]]);
    const row = toRow(
      { id: "i1", sequence_id: "s1", state: "failed", created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:01Z",
        metadata: { _error: { message: "boom\nstack" } } },
      seqs,
    );
    expect(row).toEqual({ id: "i1", sequence_name: "orders", version: 3, state: "failed",
      created_at: Date.UTC(2026, 0, 1), updated_at: Date.UTC(2026, 0, 1, 0, 0, 1), dlq: true });
    expect(errorLine({ id: "i1", sequence_id: "s1", state: "failed", created_at: "", updated_at: "",
      metadata: { _error: { message: "boom\nstack" } } })).toBe("boom");
  });
});
