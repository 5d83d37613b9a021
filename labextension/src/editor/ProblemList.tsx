// The footer: every validation problem of the sequence, worded exactly as Python prints
// it (`blocks[0].retry: ...`); clicking one selects the block it is about.
import type { ValidationProblem } from "../model/contract";
import { problemText } from "./format";

export interface ProblemListProps {
  problems: ValidationProblem[];
  onSelect: (blockId: string) => void;
}

export function ProblemList({ problems, onSelect }: ProblemListProps): JSX.Element {
  return (
    <div className="orch8-editor-errors" data-testid="orch8-editor-errors" data-count={problems.length}>
      {problems.length === 0 ? (
        <span className="orch8-editor-valid">✓ valid</span>
      ) : (
        <>
          <span className="orch8-editor-errors-title">
            ⚠ {problems.length} problem{problems.length === 1 ? "" : "s"}
          </span>
          <ul>
            {problems.map((p, i) => (
              <li key={i}>
                {p.block_id !== null ? (
                  <button type="button" className="orch8-editor-error-link" title={`Select ${p.block_id}`} onClick={() => onSelect(p.block_id as string)}>
                    {problemText(p)}
                  </button>
                ) : (
                  problemText(p)
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
