// The answer to a control, shown next to it: "✓ paused" or "✗ <the server's error>".
// Nothing fails silently (UI.md "Controls").
import type { ResultMessage } from "../model/contract";

export function ResultLine({ result, pending }: { result: ResultMessage | undefined; pending: boolean }): JSX.Element | null {
  if (pending) {
    return (
      <div className="orch8-result orch8-muted" role="status" data-testid="orch8-result">
        … waiting for an answer
      </div>
    );
  }
  if (result === undefined) return null;
  return (
    <div
      className={`orch8-result ${result.ok ? "orch8-ok-text" : "orch8-error-text"}`}
      role={result.ok ? "status" : "alert"}
      data-testid="orch8-result"
      data-ok={result.ok ? "true" : "false"}
    >
      <span aria-hidden="true">{result.ok ? "✓" : "✗"}</span> {result.action}: {result.message || (result.ok ? "done" : "failed")}
    </div>
  );
}
