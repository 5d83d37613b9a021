// Undo, redo, delete, Register and Run (with its JSON input). Run input that does not
// parse shows an error and sends nothing; the outcome of Register/Run comes back from
// Python in the `status` trait and is shown until the next one.
import { useState } from "react";
import type { Status } from "./traits";

export interface ToolbarProps {
  canUndo: boolean;
  canRedo: boolean;
  canDelete: boolean;
  onUndo: () => void;
  onRedo: () => void;
  onDelete: () => void;
  onRegister: () => void;
  onRun: (input: Record<string, unknown>) => void;
  /** The action waiting for Python's answer, if any. */
  busy: string | null;
  status: Status | null;
}

/** Parses the run input: a JSON object (it becomes context.data). */
export function parseRunInput(text: string): { input: Record<string, unknown> } | { error: string } {
  if (text.trim() === "") return { input: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { error: `invalid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { error: "the run input must be a JSON object (it becomes context.data)" };
  }
  return { input: value as Record<string, unknown> };
}

const MOD = typeof navigator !== "undefined" && /Mac/.test(navigator.platform) ? "⌘" : "Ctrl+";

export function Toolbar(props: ToolbarProps): JSX.Element {
  const [text, setText] = useState("{}");
  const [inputError, setInputError] = useState<string | null>(null);
  const run = (): void => {
    const parsed = parseRunInput(text);
    if ("error" in parsed) {
      setInputError(parsed.error);
      return;
    }
    setInputError(null);
    props.onRun(parsed.input);
  };
  return (
    <div className="orch8-editor-toolbar" role="toolbar" aria-label="Editor actions">
      <button type="button" data-testid="orch8-editor-undo" disabled={!props.canUndo} title={`Undo (${MOD}Z)`} onClick={props.onUndo}>
        ↶ Undo
      </button>
      <button type="button" data-testid="orch8-editor-redo" disabled={!props.canRedo} title={`Redo (${MOD}Shift+Z)`} onClick={props.onRedo}>
        ↷ Redo
      </button>
      <button type="button" data-testid="orch8-editor-delete" disabled={!props.canDelete} title="Delete the selected block (Delete)" onClick={props.onDelete}>
        ✕ Delete
      </button>
      <span className="orch8-editor-toolbar-gap" />
      <button type="button" data-testid="orch8-editor-register" title="Register this sequence with the engine" onClick={props.onRegister}>
        Register
      </button>
      <label className="orch8-editor-run-input">
        <span>input</span>
        <textarea
          data-testid="orch8-editor-run-input"
          rows={1}
          spellCheck={false}
          value={text}
          aria-invalid={inputError !== null}
          title="Run input: a JSON object, the instance's context.data"
          onChange={(e) => setText(e.target.value)}
        />
      </label>
      <button type="button" data-testid="orch8-editor-run" title="Start an instance of this sequence with the input" onClick={run}>
        ▶ Run
      </button>
      <StatusLine busy={props.busy} status={props.status} inputError={inputError} />
    </div>
  );
}

function StatusLine({ busy, status, inputError }: { busy: string | null; status: Status | null; inputError: string | null }): JSX.Element {
  // State is never colour alone: each line starts with an icon and says what happened.
  let cls = "orch8-editor-status";
  let text = "";
  if (inputError !== null) {
    cls += " orch8-editor-status-error";
    text = `✗ ${inputError}`;
  } else if (busy !== null) {
    cls += " orch8-editor-status-busy";
    text = `… ${busy}`;
  } else if (status !== null) {
    cls += status.ok ? " orch8-editor-status-ok" : " orch8-editor-status-error";
    text = `${status.ok ? "✓" : "✗"} ${status.action ? `${status.action}: ` : ""}${status.message}`;
  }
  return (
    <output className={cls} data-testid="orch8-editor-status" role="status" aria-live="polite">
      {text}
    </output>
  );
}
