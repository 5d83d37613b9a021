// Inputs that keep the user's text while it does not parse yet (a half-typed number or
// JSON object): only parsed values reach the sequence; the text and its error stay local.
import { useEffect, useRef, useState, type ChangeEvent } from "react";

/** Local draft text that follows the value when it changes from outside (undo, Python). */
function useDraft<T>(value: T, format: (v: T) => string, same: (text: string, v: T) => boolean) {
  const [draft, setDraft] = useState(() => format(value));
  const [error, setError] = useState<string | null>(null);
  const draftRef = useRef(draft);
  draftRef.current = draft;
  useEffect(() => {
    if (!same(draftRef.current, value)) {
      setDraft(format(value));
      setError(null);
    }
    // format/same are pure helpers; only a new value matters.
  }, [value]);
  return { draft, setDraft, error, setError };
}

function tryJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (text.trim() === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

const formatJson = (v: unknown): string => (v === undefined ? "" : JSON.stringify(v, null, 2));
const sameJson = (text: string, v: unknown): boolean => {
  const parsed = tryJson(text);
  return parsed.ok && JSON.stringify(parsed.value) === JSON.stringify(v);
};

export interface JsonFieldProps {
  id?: string;
  value: unknown;
  /** `undefined` when the text is empty (the field is removed). */
  onChange: (value: unknown) => void;
  rows?: number;
  testId?: string;
}

export function JsonField({ id, value, onChange, rows = 3, testId }: JsonFieldProps): JSX.Element {
  const { draft, setDraft, error, setError } = useDraft(value, formatJson, sameJson);
  const change = (e: ChangeEvent<HTMLTextAreaElement>): void => {
    setDraft(e.target.value);
    const parsed = tryJson(e.target.value);
    if (parsed.ok) {
      setError(null);
      onChange(parsed.value);
    } else {
      setError(parsed.message);
    }
  };
  return (
    <>
      <textarea
        id={id}
        className="orch8-form-json"
        spellCheck={false}
        rows={rows}
        value={draft}
        aria-invalid={error !== null}
        data-testid={testId}
        onChange={change}
      />
      {error !== null && (
        <div className="orch8-form-error" role="alert">
          invalid JSON: {error}
        </div>
      )}
    </>
  );
}

export interface NumberFieldProps {
  id?: string;
  value: unknown;
  integer: boolean;
  onChange: (value: number | undefined) => void;
}

const formatNumber = (v: unknown): string => (typeof v === "number" ? String(v) : "");

export function NumberField({ id, value, integer, onChange }: NumberFieldProps): JSX.Element {
  const same = (text: string, v: unknown): boolean => text.trim() === formatNumber(v) || Number(text) === v;
  const { draft, setDraft, error, setError } = useDraft(value, formatNumber, same);
  const change = (e: ChangeEvent<HTMLInputElement>): void => {
    const text = e.target.value;
    setDraft(text);
    if (text.trim() === "") {
      setError(null);
      onChange(undefined);
      return;
    }
    const n = Number(text);
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
      setError(integer ? "a whole number is expected" : "a number is expected");
      return;
    }
    setError(null);
    onChange(n);
  };
  return (
    <>
      <input
        id={id}
        type="text"
        inputMode={integer ? "numeric" : "decimal"}
        value={draft}
        aria-invalid={error !== null}
        onChange={change}
      />
      {error !== null && (
        <div className="orch8-form-error" role="alert">
          {error}
        </div>
      )}
    </>
  );
}

export interface PrimitiveListProps {
  id?: string;
  value: unknown;
  itemType: string;
  onChange: (value: unknown[]) => void;
}

/** An array of strings or numbers: one input per item, with add and remove buttons. */
export function PrimitiveList({ id, value, itemType, onChange }: PrimitiveListProps): JSX.Element {
  const items = Array.isArray(value) ? value : [];
  const numeric = itemType === "integer" || itemType === "number";
  const blank = numeric ? 0 : itemType === "boolean" ? false : "";
  const setItem = (i: number, text: string): void => {
    const parsed = numeric ? Number(text) : text;
    if (numeric && !Number.isFinite(parsed)) return;
    onChange(items.map((old, j) => (j === i ? parsed : old)));
  };
  return (
    <div className="orch8-form-list" id={id}>
      {items.map((item, i) => (
        <div className="orch8-form-list-item" key={i}>
          <input
            type={numeric ? "number" : "text"}
            value={String(item)}
            aria-label={`item ${i + 1}`}
            onChange={(e) => setItem(i, e.target.value)}
          />
          <button type="button" title="Remove this item" onClick={() => onChange(items.filter((_, j) => j !== i))}>
            ×
          </button>
        </div>
      ))}
      <button type="button" className="orch8-form-add" onClick={() => onChange([...items, blank])}>
        + add
      </button>
    </div>
  );
}
