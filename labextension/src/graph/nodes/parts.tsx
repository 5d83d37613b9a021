// Small pieces shared by cards and containers: the status line and the problem note.
import type { NodeView } from "../../model/contract";
import { stateIcon } from "../icons";
import { statusOf } from "../status";

/** Icon + state word + detail + facts: never colour alone. */
export function StatusLine({ view }: { view: NodeView | undefined }): JSX.Element {
  if (view === undefined) return <div className="orch8-status orch8-status-none" />;
  const status = statusOf(view);
  return (
    <div className={`orch8-status orch8-fg-${view.state}`} title={status.title}>
      <span className="orch8-status-word">
        <span aria-hidden="true">{stateIcon(view.state)}</span> {view.state}
      </span>
      {status.detail && <span className="orch8-status-detail">{status.detail}</span>}
      {status.facts.length > 0 && <span className="orch8-status-facts">{status.facts.join(" · ")}</span>}
    </div>
  );
}

/** The validation message(s) of a block: first line shown, everything in the tooltip. */
export function ProblemNote({ messages }: { messages: string[] | undefined }): JSX.Element | null {
  if (messages === undefined || messages.length === 0) return null;
  const full = messages.join("\n");
  return (
    <div className="orch8-problem-note" title={full}>
      <span aria-hidden="true">⚠</span> {messages.length > 1 ? `(${messages.length}) ` : ""}
      {messages[0]}
    </div>
  );
}

/** CSS classes of a card or container for its state, selection and problems. */
export function stateClasses(view: NodeView | undefined, selected: boolean, problem: boolean): string {
  return [
    view !== undefined ? `orch8-state-${view.state}` : "",
    selected ? "orch8-selected" : "",
    problem ? "orch8-has-problem" : "",
  ]
    .filter(Boolean)
    .join(" ");
}
