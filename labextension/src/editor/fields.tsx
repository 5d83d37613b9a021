// One form control per schema property, chosen by its kind (see schema.ts). Child-block
// fields draw nothing here: the canvas edits blocks, BlockForm's lane controls edit lanes.
import type { JsonSchema, FieldSpec } from "./schema";
import { defaultFor, fieldsOf } from "./schema";
import { formatMs, formatPath, isMsField } from "./format";
import { JsonField, NumberField, PrimitiveList } from "./inputs";
import { isRecord, type Path } from "./tree";

export interface FieldContext {
  root: JsonSchema;
  /** id of the <datalist> of registered handlers. */
  handlersListId: string;
  /** Prefix that makes element ids unique per form. */
  idPrefix: string;
}

/** A validation problem, its path relative to the value being edited. */
export interface FieldProblem {
  rel: Path;
  message: string;
}

/** `discrete` edits (a checkbox, a select) are saved at once; typing is debounced. */
export type FieldChange = (value: unknown, discrete: boolean) => void;

export interface FieldEditorProps {
  ctx: FieldContext;
  field: FieldSpec;
  value: unknown;
  problems: FieldProblem[];
  onChange: FieldChange;
}

const HIDDEN = new Set(["const", "blocks", "single-block", "lanes"]);

/** Fields whose value names a handler get the handler picker. */
function isHandlerKey(key: string): boolean {
  return key === "handler" || key.endsWith("_handler");
}

export function FieldEditor(props: FieldEditorProps): JSX.Element | null {
  const { field } = props;
  if (HIDDEN.has(field.kind)) return null;
  if (field.kind === "object") return <ObjectFieldset {...props} />;
  const id = `${props.ctx.idPrefix}-${field.key}`;
  const own = props.problems.filter((p) => p.rel.length === 0).map((p) => p.message);
  const deeper = props.problems.filter((p) => p.rel.length > 0).map((p) => `${formatPath(p.rel)}: ${p.message}`);
  const checkbox = field.kind === "boolean";
  return (
    <div className="orch8-form-field" data-field={field.key} data-invalid={props.problems.length > 0 || undefined}>
      {checkbox ? (
        <label title={field.description}>
          <input
            id={id}
            type="checkbox"
            checked={props.value === undefined ? field.schema.default === true : props.value === true}
            onChange={(e) => props.onChange(e.target.checked, true)}
          />{" "}
          {field.title}
        </label>
      ) : (
        <label htmlFor={id} title={field.description}>
          {field.title}
          {field.required && <span aria-label="required"> *</span>}
        </label>
      )}
      {!checkbox && <Control {...props} id={id} />}
      {field.description !== "" && <small className="orch8-form-help">{field.description}</small>}
      {[...own, ...deeper].map((message, i) => (
        <div key={i} className="orch8-form-problem" role="alert">
          ⚠ {message}
        </div>
      ))}
    </div>
  );
}

function Control({ ctx, field, value, onChange, id }: FieldEditorProps & { id: string }): JSX.Element {
  const clearable = !field.required;
  switch (field.kind) {
    case "string":
      return (
        <input
          id={id}
          type="text"
          value={typeof value === "string" ? value : ""}
          list={isHandlerKey(field.key) ? ctx.handlersListId : undefined}
          onChange={(e) => onChange(e.target.value === "" && clearable ? undefined : e.target.value, false)}
        />
      );
    case "integer":
    case "number": {
      const hint = field.kind === "integer" && isMsField(field.description) && typeof value === "number";
      return (
        <>
          <NumberField id={id} value={value} integer={field.kind === "integer"} onChange={(n) => onChange(n, false)} />
          {hint && <small className="orch8-form-hint">= {formatMs(value as number)}</small>}
        </>
      );
    }
    case "enum":
      return <EnumSelect id={id} field={field} value={value} onChange={onChange} />;
    case "primitive-array": {
      const items = isRecord(field.schema.items) ? field.schema.items : {};
      return (
        <PrimitiveList
          id={id}
          value={value}
          itemType={String(items.type ?? "string")}
          onChange={(list) => onChange(list, true)}
        />
      );
    }
    default:
      return <JsonField id={id} value={value} onChange={(v) => onChange(v, false)} />;
  }
}

function EnumSelect(props: { id: string; field: FieldSpec; value: unknown; onChange: FieldChange }): JSX.Element {
  const { field } = props;
  const options = (field.schema.enum as unknown[]).map(String);
  const fallback = field.schema.default;
  return (
    <select
      id={props.id}
      value={typeof props.value === "string" ? props.value : ""}
      onChange={(e) => props.onChange(e.target.value === "" ? undefined : e.target.value, true)}
    >
      {!field.required && <option value="">{fallback != null ? `(default: ${String(fallback)})` : "(none)"}</option>}
      {options.map((o) => (
        <option key={o} value={o}>
          {o}
        </option>
      ))}
    </select>
  );
}

/** A nested model (retry policy, delay...): a fieldset that an optional field can toggle. */
function ObjectFieldset({ ctx, field, value, problems, onChange }: FieldEditorProps): JSX.Element {
  const present = isRecord(value);
  const obj = present ? value : {};
  const own = problems.filter((p) => p.rel.length === 0);
  const toggle = (on: boolean): void => onChange(on ? defaultFor(ctx.root, field.schema) : undefined, true);
  const inner = { ...ctx, idPrefix: `${ctx.idPrefix}-${field.key}` };
  return (
    <fieldset className="orch8-form-object" data-field={field.key} data-invalid={problems.length > 0 || undefined}>
      <legend title={field.description}>
        {field.required ? (
          field.title
        ) : (
          <label>
            <input type="checkbox" checked={present} onChange={(e) => toggle(e.target.checked)} /> {field.title}
          </label>
        )}
      </legend>
      {field.description !== "" && <small className="orch8-form-help">{field.description}</small>}
      {own.map((p, i) => (
        <div key={i} className="orch8-form-problem" role="alert">
          ⚠ {p.message}
        </div>
      ))}
      {(present || field.required) &&
        fieldsOf(ctx.root, field.schema).map((sub) => (
          <FieldEditor
            key={sub.key}
            ctx={inner}
            field={sub}
            value={obj[sub.key]}
            problems={problems.filter((p) => p.rel[0] === sub.key).map((p) => ({ ...p, rel: p.rel.slice(1) }))}
            onChange={(v, discrete) => onChange(setKey(obj, sub.key, v), discrete)}
          />
        ))}
    </fieldset>
  );
}

/** Copy of `obj` with `key` set, or removed when `value` is undefined. */
export function setKey(obj: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const copy = { ...obj };
  if (value === undefined) delete copy[key];
  else copy[key] = value;
  return copy;
}
