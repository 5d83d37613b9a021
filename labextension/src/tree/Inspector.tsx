// The side panel for one node (UI.md "The inspector"): its gate if it waits for a human,
// then error, the params its last attempt was given, output, attempts, the instance
// context and the block's audit rows. Filled by the `inspection` message answering {type:"inspect"}.
import type { Block, InspectionMessage, NodeView, ResultMessage } from "../model/contract";
import { useNow } from "../graph/clock";
import { blockIcon, blockLabel, stateIcon } from "../graph/icons";
import { Gate } from "./Gate";
import { Attempts, Audit } from "./History";
import { JsonView, toJson } from "./JsonView";

export interface InspectorProps {
  blockId: string;
  block: Block | undefined;
  node: NodeView | undefined;
  inspection: InspectionMessage | null;
  onClose: () => void;
  onAnswer: (value: string, comment: string) => void;
  approveResult: ResultMessage | undefined;
  approvePending: boolean;
}


function ErrorBlock({ error }: { error: unknown }): JSX.Element | null {
  if (error === null || error === undefined) return null;
  if (typeof error === "string") {
    return <pre className="orch8-error-box">{error}</pre>;
  }
  const rec = typeof error === "object" ? (error as Record<string, unknown>) : {};
  const message = typeof rec.message === "string" ? rec.message : null;
  const { message: _m, ...details } = rec;
  return (
    <div>
      <pre className="orch8-error-box">{message ?? toJson(error)}</pre>
      {message !== null && Object.keys(details).length > 0 && <JsonView label="error details" value={details} open={false} />}
    </div>
  );
}

function Body({ inspection, props }: { inspection: InspectionMessage; props: InspectorProps }): JSX.Element {
  const now = useNow(5000);
  const streaming = props.node?.state === "running" ? props.node.stream : undefined;
  return (
    <>
      {streaming !== undefined && (
        <section aria-live="polite">
          <h4>{props.node?.turn !== undefined ? `streaming · turn ${props.node.turn}` : "streaming"}</h4>
          <pre className="orch8-stream-box" data-testid="orch8-stream">
            {streaming}
          </pre>
        </section>
      )}
      {inspection.gate !== null && (
        <Gate
          blockId={props.blockId}
          gate={inspection.gate}
          onAnswer={props.onAnswer}
          result={props.approveResult}
          pending={props.approvePending}
        />
      )}
      {inspection.error !== null && inspection.error !== undefined && (
        <section>
          <h4>error</h4>
          <ErrorBlock error={inspection.error} />
        </section>
      )}
      <JsonView label="params" value={inspection.params} />
      <JsonView label="output" value={inspection.output} />
      <section>
        <h4>attempts</h4>
        <Attempts attempts={inspection.attempts ?? []} now={now} />
      </section>
      <JsonView label="context" value={inspection.context} open={false} />
      <section>
        <h4>audit</h4>
        <Audit rows={inspection.audit ?? []} now={now} />
      </section>
    </>
  );
}

export function Inspector(props: InspectorProps): JSX.Element {
  const { blockId, block, node, inspection, onClose } = props;
  return (
    <aside className="orch8-inspector" data-testid="orch8-inspector" aria-label={`inspector: ${blockId}`}>
      <header className="orch8-inspector-head">
        {block !== undefined && (
          <span className="orch8-icon" title={blockLabel(block.type)} aria-hidden="true">
            {blockIcon(block.type)}
          </span>
        )}
        <strong className="orch8-id" title={blockId}>
          {blockId}
        </strong>
        {node !== undefined && (
          <span className={`orch8-pill orch8-fg-${node.state}`}>
            <span aria-hidden="true">{stateIcon(node.state)}</span> {node.state}
          </span>
        )}
        <button type="button" className="orch8-button orch8-inspector-close" onClick={onClose} aria-label="close inspector">
          ×
        </button>
      </header>
      {inspection === null ? <p className="orch8-muted">loading…</p> : <Body inspection={inspection} props={props} />}
    </aside>
  );
}
