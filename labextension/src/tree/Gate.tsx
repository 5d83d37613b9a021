// A human-input gate in the inspector: the prompt, one button per choice and an optional
// comment, sent as {type:"control", action:"approve", block_id, value, comment}.
import { useState } from "react";
import type { GateView, ResultMessage } from "../model/contract";
import { ResultLine } from "./ResultLine";

export interface GateProps {
  blockId: string;
  gate: GateView;
  onAnswer: (value: string, comment: string) => void;
  result: ResultMessage | undefined;
  pending: boolean;
}

export function Gate({ blockId, gate, onAnswer, result, pending }: GateProps): JSX.Element {
  const [comment, setComment] = useState("");
  const choices = gate.choices.length > 0 ? gate.choices : ["yes", "no"];
  return (
    <section className="orch8-gate" aria-label={`human input for ${blockId}`}>
      <div className="orch8-gate-prompt">
        <span aria-hidden="true">☝</span> {gate.prompt || "human input"}
      </div>
      {gate.allow_comment && (
        <textarea
          className="orch8-input orch8-gate-comment"
          placeholder="comment (optional)"
          value={comment}
          rows={2}
          onChange={(e) => setComment(e.target.value)}
          data-testid="orch8-gate-comment"
        />
      )}
      <div className="orch8-gate-choices">
        {choices.map((value) => (
          <button
            key={value}
            type="button"
            className="orch8-button orch8-button-primary"
            disabled={pending}
            onClick={() => onAnswer(value, gate.allow_comment ? comment : "")}
            data-testid={`orch8-gate-choice-${value}`}
          >
            {value}
          </button>
        ))}
      </div>
      <ResultLine result={result} pending={pending} />
    </section>
  );
}
