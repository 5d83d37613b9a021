// The side form for the selected block, generated from the JSON Schema Python sends in
// `block_schema`: the block's variant is picked by its `type`, each property drawn by
// kind (fields.tsx), lanes by lanes.tsx. Without a usable schema the block is edited as
// raw JSON, so the editor still works against an older or partial Python side.
import { useId } from "react";
import type { Block, ValidationProblem } from "../model/contract";
import { blockIcon } from "../graph/icons";
import { FieldEditor, setKey, type FieldProblem } from "./fields";
import { formatPath } from "./format";
import { JsonField } from "./inputs";
import { LaneEditor } from "./lanes";
import { blockVariant, fieldsOf, type FieldSpec, type JsonSchema } from "./schema";
import { isBlock, isPrefix, isRecord, type Path } from "./tree";

export interface BlockFormProps {
  schema: unknown;
  block: Block;
  /** Where the block sits in the sequence (problem paths are matched against it). */
  blockPath: Path;
  handlers: string[];
  /** Every problem of the sequence; the form keeps the ones about this block. */
  problems: ValidationProblem[];
  takenIds: () => Set<string>;
  /** `coalesceKey` is null for a discrete edit (save at once, own undo entry). */
  onChange: (next: Block, coalesceKey: string | null) => void;
}

/** Problems about `block` itself (not its children), with paths relative to it. */
export function problemsOfBlock(problems: ValidationProblem[], block: Block, blockPath: Path): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const p of problems) {
    if (p.block_id !== null && p.block_id !== block.id) continue;
    if (isPrefix(blockPath, p.path)) out.push({ rel: p.path.slice(blockPath.length), message: p.message });
    else if (p.block_id === block.id) out.push({ rel: [], message: p.message });
  }
  return out;
}

const LANE_KINDS = new Set(["lanes", "blocks"]);
// Kinds whose control shows its own problems; any other problem goes to the form's top.
const DRAWN_KINDS = new Set(["string", "integer", "number", "boolean", "enum", "object", "primitive-array", "json", "lanes"]);

export function BlockForm(props: BlockFormProps): JSX.Element {
  const { block, blockPath } = props;
  // React's ids contain colons, which are awkward in CSS selectors (and break happy-dom).
  const uid = `orch8${useId().replace(/[^a-zA-Z0-9_-]/g, "")}`;
  const root: JsonSchema = isRecord(props.schema) ? props.schema : {};
  const variant = blockVariant(root, block.type);
  const problems = problemsOfBlock(props.problems, block, blockPath);
  const pathKey = JSON.stringify(blockPath);
  const change = (key: string, value: unknown, discrete: boolean): void => {
    props.onChange(setKey(block, key, value) as Block, discrete ? null : `${pathKey}:${key}`);
  };
  const fields: FieldSpec[] = variant === null ? [] : fieldsOf(root, variant);
  const drawn = new Set(fields.filter((f) => DRAWN_KINDS.has(f.kind)).map((f) => f.key));
  const general = problems.filter((p) => p.rel.length === 0 || !drawn.has(String(p.rel[0])));
  const ctx = { root, handlersListId: `${uid}-handlers`, idPrefix: `${uid}-f` };
  return (
    <form className="orch8-form" data-testid="orch8-form" onSubmit={(e) => e.preventDefault()}>
      <header className="orch8-form-head" title={typeof variant?.description === "string" ? variant.description : ""}>
        <span className="orch8-form-icon" aria-hidden="true">
          {blockIcon(block.type)}
        </span>
        <span className="orch8-form-type">{block.type}</span>
        <span className="orch8-form-id">{block.id}</span>
      </header>
      {general.length > 0 && (
        <ul className="orch8-form-problems" role="alert">
          {general.map((p, i) => (
            <li key={i}>⚠ {p.rel.length > 0 ? `${formatPath(p.rel)}: ${p.message}` : p.message}</li>
          ))}
        </ul>
      )}
      <datalist id={ctx.handlersListId}>
        {props.handlers.map((h) => (
          <option key={h} value={h} />
        ))}
      </datalist>
      {variant === null ? (
        <RawBlock block={block} onChange={props.onChange} />
      ) : (
        fields.map((field) => {
          const own = problems.filter((p) => p.rel[0] === field.key).map((p) => ({ ...p, rel: p.rel.slice(1) }));
          const onChange = (value: unknown, discrete: boolean): void => change(field.key, value, discrete);
          if (LANE_KINDS.has(field.kind)) {
            return (
              <LaneEditor
                key={field.key}
                ctx={ctx}
                field={field}
                block={block}
                takenIds={props.takenIds}
                problems={own}
                onChange={onChange}
              />
            );
          }
          return <FieldEditor key={field.key} ctx={ctx} field={field} value={block[field.key]} problems={own} onChange={onChange} />;
        })
      )}
    </form>
  );
}

/** The whole block as JSON, for when the schema has no variant for its type. */
function RawBlock({ block, onChange }: { block: Block; onChange: BlockFormProps["onChange"] }): JSX.Element {
  return (
    <div className="orch8-form-field">
      <label>Block JSON</label>
      <JsonField
        value={block}
        rows={12}
        onChange={(v) => {
          if (isBlock(v)) onChange(v, "raw");
        }}
      />
    </div>
  );
}
