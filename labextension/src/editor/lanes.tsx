// Form controls for a composite's lanes: add or remove a branch, route, variant or saga
// step, edit a lane's own fields (route condition, variant name and weight, saga step id),
// and switch optional lanes (finally, default, compensation) on or off. The blocks inside
// the lanes are edited on the canvas.
import type { Block } from "../model/contract";
import { newBlock, newLaneItem } from "./defaults";
import { FieldEditor, setKey, type FieldChange, type FieldContext, type FieldProblem } from "./fields";
import { fieldsOf, resolve, type FieldSpec } from "./schema";
import { isRecord } from "./tree";

export interface LaneEditorProps {
  ctx: FieldContext;
  field: FieldSpec;
  block: Block;
  /** Ids in use in the whole sequence (a fresh set each call). */
  takenIds: () => Set<string>;
  problems: FieldProblem[];
  onChange: FieldChange;
}

function singular(title: string): string {
  if (title.endsWith("ches")) return title.slice(0, -2);
  return title.endsWith("s") ? title.slice(0, -1) : title;
}

function countBlocks(list: unknown): string {
  const n = Array.isArray(list) ? list.length : 0;
  return `${n} block${n === 1 ? "" : "s"}`;
}

export function LaneEditor(props: LaneEditorProps): JSX.Element | null {
  const { field, block } = props;
  const value = block[field.key];
  if (field.kind === "blocks") {
    if (field.required) return null;
    return (
      <div className="orch8-form-field orch8-form-lane-toggle" data-field={field.key}>
        <label title={field.description}>
          <input
            type="checkbox"
            checked={Array.isArray(value)}
            onChange={(e) => props.onChange(e.target.checked ? [] : undefined, true)}
          />{" "}
          {field.title} {Array.isArray(value) && <small>({countBlocks(value)})</small>}
        </label>
        {field.description !== "" && <small className="orch8-form-help">{field.description}</small>}
      </div>
    );
  }
  if (field.kind !== "lanes") return null;
  const items = Array.isArray(value) ? value : [];
  const itemSchema = resolve(props.ctx.root, field.schema.items);
  const name = singular(field.title);
  const remove = (i: number): void => props.onChange(items.filter((_, j) => j !== i), true);
  const add = (): void => {
    const item = newLaneItem(block, field.key, props.takenIds());
    if (item !== null) props.onChange([...items, item], true);
  };
  const own = props.problems.filter((p) => p.rel.length === 0);
  return (
    <fieldset className="orch8-form-lanes" data-field={field.key} data-invalid={props.problems.length > 0 || undefined}>
      <legend title={field.description}>{field.title}</legend>
      {field.description !== "" && <small className="orch8-form-help">{field.description}</small>}
      {own.map((p, i) => (
        <div key={i} className="orch8-form-problem" role="alert">
          ⚠ {p.message}
        </div>
      ))}
      {items.map((item, i) => (
        <div className="orch8-form-lane" key={i} data-lane={i}>
          <div className="orch8-form-lane-head">
            <span>
              {name} {i + 1}
              {Array.isArray(item) && <small> — {countBlocks(item)}</small>}
            </span>
            <button type="button" title={`Remove ${name.toLowerCase()} ${i + 1} and its blocks`} onClick={() => remove(i)}>
              ×
            </button>
          </div>
          {isRecord(item) && (
            <LaneItemFields
              {...props}
              ctx={{ ...props.ctx, idPrefix: `${props.ctx.idPrefix}-${field.key}-${i}` }}
              itemSchema={itemSchema}
              item={item}
              problems={props.problems.filter((p) => p.rel[0] === i).map((p) => ({ ...p, rel: p.rel.slice(1) }))}
              onItemChange={(next, discrete) => props.onChange(items.map((old, j) => (j === i ? next : old)), discrete)}
            />
          )}
        </div>
      ))}
      <button type="button" className="orch8-form-add" onClick={add}>
        + {name.toLowerCase()}
      </button>
    </fieldset>
  );
}

interface LaneItemProps extends LaneEditorProps {
  itemSchema: Record<string, unknown>;
  item: Record<string, unknown>;
  onItemChange: (item: Record<string, unknown>, discrete: boolean) => void;
}

function LaneItemFields({ ctx, itemSchema, item, takenIds, problems, onItemChange }: LaneItemProps): JSX.Element {
  const fields = fieldsOf(ctx.root, itemSchema);
  return (
    <>
      {fields.map((sub) => {
        const subProblems = problems.filter((p) => p.rel[0] === sub.key).map((p) => ({ ...p, rel: p.rel.slice(1) }));
        if (sub.kind === "single-block") {
          return sub.required ? null : (
            <div className="orch8-form-field orch8-form-lane-toggle" key={sub.key} data-field={sub.key}>
              <label title={sub.description}>
                <input
                  type="checkbox"
                  checked={isRecord(item[sub.key])}
                  onChange={(e) =>
                    onItemChange(setKey(item, sub.key, e.target.checked ? newBlock("step", takenIds()) : undefined), true)
                  }
                />{" "}
                {sub.title}
              </label>
            </div>
          );
        }
        return (
          <FieldEditor
            key={sub.key}
            ctx={ctx}
            field={sub}
            value={item[sub.key]}
            problems={subProblems}
            onChange={(v, discrete) => onItemChange(setKey(item, sub.key, v), discrete)}
          />
        );
      })}
    </>
  );
}
