// A button for an action that changes instances: it asks once, inline (UI.md "Controls"),
// then shows the server's answer next to itself.
import { useState } from "react";

export interface Answer {
  ok: boolean;
  text: string;
}

export interface ConfirmButtonProps {
  label: string;
  question: string;
  run: () => Promise<string>;
  testId: string;
  /** Called with the answer (to read the list again, and to say it where the row that
   *  held the button may be gone by then). */
  done?: (answer: Answer) => void;
}

export function ConfirmButton({ label, question, run, testId, done }: ConfirmButtonProps) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<Answer | null>(null);
  const go = async (): Promise<void> => {
    setAsking(false);
    setBusy(true);
    let result: Answer;
    try {
      result = { ok: true, text: await run() };
    } catch (err) {
      result = { ok: false, text: (err as Error).message };
    }
    setBusy(false);
    setAnswer(result);
    done?.(result);
  };
  return (
    <span className="orch8-dash-confirm">
      {!asking && (
        <button type="button" className="orch8-button" disabled={busy} onClick={() => setAsking(true)} data-testid={testId}>
          {busy ? `${label}…` : label}
        </button>
      )}
      {asking && (
        <span role="alertdialog" aria-label={question}>
          {question}{" "}
          <button type="button" className="orch8-button orch8-button-danger" autoFocus onClick={() => void go()} data-testid={`${testId}-confirm`}>
            yes, {label.toLowerCase()}
          </button>{" "}
          <button type="button" className="orch8-button" onClick={() => setAsking(false)}>
            no
          </button>
        </span>
      )}
      {answer !== null && (
        <span className={answer.ok ? "orch8-ok-text" : "orch8-error-text"} role={answer.ok ? "status" : "alert"} data-testid={`${testId}-result`}>
          {" "}
          <span aria-hidden="true">{answer.ok ? "✓" : "✗"}</span> {answer.text}
        </span>
      )}
    </span>
  );
}
