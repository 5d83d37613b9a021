// The sequence editor (UI.md "The editor"): toolbar on top, palette left, canvas middle,
// form right, problems below. All keys are handled here and stopped, so typing in the
// editor never triggers a JupyterLab shortcut.
import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import type { WidgetModel } from "../model/contract";
import { SequenceCanvas } from "../graph/SequenceCanvas";
import { BlockForm } from "./BlockForm";
import { collectIds } from "./defaults";
import { canRedo, canUndo } from "./history";
import { Palette } from "./Palette";
import { ProblemList } from "./ProblemList";
import type { SpecSync } from "./sync";
import { Toolbar } from "./Toolbar";
import { asProblems, asStatus, asStrings, useTrait } from "./traits";
import { locate, useEditor } from "./useEditor";

export interface EditorProps {
  model: WidgetModel;
  sync: SpecSync;
  canvasHeight?: number;
}

function isTextEntry(target: EventTarget): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !["checkbox", "radio", "button"].includes(target.type);
}

export function Editor({ model, sync, canvasHeight = 520 }: EditorProps): JSX.Element {
  const [state, act] = useEditor(model, sync);
  const problems = asProblems(useTrait(model, "errors"));
  const handlers = asStrings(useTrait(model, "handlers"));
  const schema = useTrait(model, "block_schema");
  const rawStatus = useTrait(model, "status");
  const status = asStatus(rawStatus);
  const [busy, setBusy] = useState<string | null>(null);
  // Any new status is Python's answer to the pending button (the trait object is new).
  useEffect(() => setBusy(null), [rawStatus]);

  const seq = state.history.present;
  const found = locate(seq, state.selected);

  // Deleting (or undoing) can remove the focused card; the browser then drops focus to
  // <body> and the next Ctrl+Z would go to JupyterLab. Park focus on the editor first.
  const rootRef = useRef<HTMLDivElement>(null);
  const keepFocus =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A): void => {
      const root = rootRef.current;
      const active = document.activeElement;
      if (root !== null && active !== null && root.contains(active) && !isTextEntry(active)) {
        root.focus({ preventScroll: true });
      }
      fn(...args);
    };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    e.stopPropagation();
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    // Text areas (JSON fields, run input) keep the browser's own undo.
    const native = e.target instanceof HTMLTextAreaElement;
    if (mod && !native && (key === "z" || key === "y")) {
      e.preventDefault();
      if (key === "y" || e.shiftKey) keepFocus(act.redo)();
      else keepFocus(act.undo)();
    } else if ((e.key === "Delete" || e.key === "Backspace") && !isTextEntry(e.target) && found !== null) {
      e.preventDefault();
      keepFocus(act.removeSelected)();
    }
  };

  const send = (action: string, message: Record<string, unknown>): void => {
    sync.flush(); // Python must see the latest spec before it registers or runs it
    setBusy(action);
    model.send(message);
  };

  return (
    <div className="orch8-editor" data-testid="orch8-editor" tabIndex={-1} ref={rootRef} onKeyDown={onKeyDown}>
      <Toolbar
        canUndo={canUndo(state.history)}
        canRedo={canRedo(state.history)}
        canDelete={found !== null}
        onUndo={keepFocus(act.undo)}
        onRedo={keepFocus(act.redo)}
        onDelete={keepFocus(act.removeSelected)}
        onRegister={() => send("register", { type: "register" })}
        onRun={(input) => send("run", { type: "run", input })}
        busy={busy}
        status={status}
      />
      <div className="orch8-editor-body">
        <Palette onAdd={act.add} />
        <div className="orch8-editor-canvas">
          <SequenceCanvas
            sequence={seq}
            problems={problems}
            selected={state.selected}
            onSelect={act.select}
            onDropOnLane={act.drop}
            onDeleteBlock={keepFocus(act.remove)}
            height={canvasHeight}
          />
        </div>
        <aside className="orch8-editor-side" aria-label="Selected block">
          {found !== null ? (
            <BlockForm
              key={JSON.stringify(found.path)}
              schema={schema}
              block={found.block}
              blockPath={found.path}
              handlers={handlers}
              problems={problems}
              takenIds={() => collectIds(seq)}
              onChange={act.edit}
            />
          ) : (
            <p className="orch8-editor-hint">
              Select a block to edit it. Drag a block type from the palette onto the canvas, or click one to add it.
            </p>
          )}
        </aside>
      </div>
      <ProblemList problems={problems} onSelect={act.select} />
    </div>
  );
}
