// Instance controls: pause, resume, cancel, retry and send signal. Destructive actions
// (cancel, retry) ask once inline; a signal's payload must be valid JSON before anything
// is sent. Every answer from the kernel is shown next to the controls.
import { useState } from "react";
import type { ResultMessage } from "../model/contract";
import { ResultLine } from "./ResultLine";

type Action = "pause" | "resume" | "cancel" | "retry";

const TERMINAL = new Set(["completed", "failed", "cancelled"]);
const CONFIRM: Partial<Record<Action, string>> = {
  cancel: "Cancel this instance? Running steps are stopped.",
  retry: "Retry this failed instance? It runs again; outputs of finished steps are kept.",
};

/** Whether `action` makes sense in instance state `state` (unknown states allow all). */
export function enabled(action: Action, state: string): boolean {
  const known = TERMINAL.has(state) || ["running", "scheduled", "waiting", "paused"].includes(state);
  if (!known) return true;
  switch (action) {
    case "pause":
      return !TERMINAL.has(state) && state !== "paused";
    case "resume":
      return state === "paused";
    case "cancel":
      return !TERMINAL.has(state);
    case "retry":
      return state === "failed"; // Orch8 retries failed instances only
  }
}

export interface ControlsProps {
  state: string;
  onControl: (action: string, extra?: Record<string, unknown>) => void;
  results: Record<string, ResultMessage>;
  pending: Record<string, true>;
}

/** Parses a signal payload: an object/array/value, or the reason it is not JSON. */
export function parsePayload(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  if (text.trim() === "") return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: `payload is not valid JSON: ${(err as Error).message}` };
  }
}

function SignalForm({ onSend, onClose }: { onSend: (name: string, payload: unknown) => void; onClose: () => void }): JSX.Element {
  const [name, setName] = useState("");
  const [payload, setPayload] = useState("{}");
  const [error, setError] = useState<string | null>(null);
  const send = (): void => {
    if (name.trim() === "") return setError("a signal needs a name");
    const parsed = parsePayload(payload);
    if (!parsed.ok) return setError(parsed.error);
    setError(null);
    onSend(name.trim(), parsed.value);
  };
  return (
    <div className="orch8-signal-form" data-testid="orch8-signal-form">
      <input
        className="orch8-input"
        placeholder="signal name"
        aria-label="signal name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        data-testid="orch8-signal-name"
      />
      <textarea
        className="orch8-input orch8-input-code"
        aria-label="signal payload (JSON)"
        rows={3}
        value={payload}
        onChange={(e) => setPayload(e.target.value)}
        data-testid="orch8-signal-payload"
      />
      <div className="orch8-row">
        <button type="button" className="orch8-button orch8-button-primary" onClick={send} data-testid="orch8-control-signal-send">
          send
        </button>
        <button type="button" className="orch8-button" onClick={onClose}>
          close
        </button>
      </div>
      {error !== null && (
        <div className="orch8-error-text" role="alert" data-testid="orch8-signal-error">
          {error}
        </div>
      )}
    </div>
  );
}

export function Controls({ state, onControl, results, pending }: ControlsProps): JSX.Element {
  const [confirming, setConfirming] = useState<Action | null>(null);
  const [signalOpen, setSignalOpen] = useState(false);
  const [last, setLast] = useState<string | null>(null);
  const fire = (action: string, extra?: Record<string, unknown>): void => {
    setLast(action);
    onControl(action, extra);
  };
  const click = (action: Action): void => {
    if (CONFIRM[action] !== undefined) setConfirming(action);
    else fire(action);
  };
  const buttons: Action[] = ["pause", "resume", "cancel", "retry"];
  return (
    <div className="orch8-controls">
      <div className="orch8-row">
        {buttons.map((action) => (
          <button
            key={action}
            type="button"
            className={`orch8-button${action === "cancel" ? " orch8-button-danger" : ""}`}
            disabled={!enabled(action, state) || pending[action] === true}
            onClick={() => click(action)}
            data-testid={`orch8-control-${action}`}
          >
            {action}
          </button>
        ))}
        <button
          type="button"
          className="orch8-button"
          aria-expanded={signalOpen}
          disabled={TERMINAL.has(state)}
          onClick={() => setSignalOpen(!signalOpen)}
          data-testid="orch8-control-signal"
        >
          send signal…
        </button>
      </div>
      {confirming !== null && (
        <div className="orch8-confirm" role="alertdialog" aria-label={`confirm ${confirming}`}>
          <span>{CONFIRM[confirming]}</span>
          <button
            type="button"
            className="orch8-button orch8-button-danger"
            onClick={() => {
              setConfirming(null);
              fire(confirming);
            }}
            data-testid={`orch8-control-${confirming}-confirm`}
            autoFocus
          >
            yes, {confirming}
          </button>
          <button type="button" className="orch8-button" onClick={() => setConfirming(null)} data-testid="orch8-control-dismiss">
            no
          </button>
        </div>
      )}
      {signalOpen && (
        <SignalForm onSend={(name, payload) => fire("signal", { name, payload })} onClose={() => setSignalOpen(false)} />
      )}
      {last !== null && <ResultLine result={results[last]} pending={pending[last] === true} />}
    </div>
  );
}
