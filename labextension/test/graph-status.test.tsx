import { act, cleanup, render } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { NodeView } from "../src/model/contract";
import { useCountdown } from "../src/graph/clock";
import { statusOf } from "../src/graph/status";

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe("node status", () => {
  it("says what a waiting node waits for, and the facts beside it", () => {
    const gate: NodeView = { state: "waiting", waiting_for: "human input: Ship it?", attempt: 2, max_attempts: 3 };
    expect(statusOf(gate)).toEqual({
      state: "waiting",
      detail: "human input: Ship it?",
      facts: ["2/3"],
      title: "waiting: human input: Ship it? (2/3)",
    });
    const failed: NodeView = { state: "failed", error: "KeyError: 'x'\ntraceback", duration_ms: 1500 };
    expect(statusOf(failed).detail).toBe("KeyError: 'x'");
    expect(statusOf(failed).facts).toEqual(["1.5s"]);
    expect(statusOf({ state: "completed", route: "1" }).detail).toBe("route 2");
  });

  it("shows the end of a running model's streamed text and an agent's turn", () => {
    const agent: NodeView = { state: "running", stream: "Comparing the two:\n SQLite keeps rows, DuckDB keeps columns", turn: 3 };
    const status = statusOf(agent);
    expect(status.detail).toBe("…eeps columns");
    expect(status.detail.startsWith("…")).toBe(true);
    expect(status.detail).not.toContain("\n");
    expect(status.facts).toEqual(["turn 3"]);
    expect(statusOf({ state: "running", stream: "short" }).detail).toBe("short");
    expect(statusOf({ state: "completed", stream: "old" }).detail).toBe("");
  });

  it("counts a timer down in whole seconds", () => {
    const timer: NodeView = { state: "waiting", waiting_for: "timer", wakes_in_ms: 192_000 };
    expect(statusOf(timer, 192_000).detail).toBe("timer: 3m 12s");
    expect(statusOf(timer, 191_400).detail).toBe("timer: 3m 12s");
    expect(statusOf(timer, 0).detail).toBe("timer: due");
    expect(statusOf(timer).detail).toBe("timer"); // static views carry no time
  });
});

function Countdown({ ms }: { ms: number | undefined }) {
  const left = useCountdown(ms);
  return <span data-testid="left">{left === undefined ? "none" : String(left)}</span>;
}

describe("useCountdown", () => {
  it("ticks once a second from when the value arrived, and restarts with a new one", () => {
    vi.useFakeTimers();
    const view = render(<Countdown ms={5000} />);
    const left = () => view.getByTestId("left").textContent;
    expect(left()).toBe("5000");
    act(() => void vi.advanceTimersByTime(2000));
    expect(left()).toBe("3000");
    act(() => void vi.advanceTimersByTime(9000));
    expect(left()).toBe("0");
    view.rerender(<Countdown ms={60_000} />); // a patch brings a fresh value
    expect(left()).toBe("60000");
    view.rerender(<Countdown ms={undefined} />);
    expect(left()).toBe("none");
  });
});
