// A JSON value in the inspector: collapsible, with a copy button, and truncated past a
// limit with "show all" so a huge output cannot freeze the notebook.
import { useState } from "react";

export const TRUNCATE_AT = 2000; // characters shown before "show all"

export function toJson(value: unknown): string {
  if (value === undefined) return "undefined";
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value); // cycles cannot come from JSON, but be safe
  }
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

export function JsonView({ label, value, open = true }: { label: string; value: unknown; open?: boolean }): JSX.Element {
  const text = toJson(value);
  const [all, setAll] = useState(false);
  const [copied, setCopied] = useState<"" | "copied" | "copy failed">("");
  const long = text.length > TRUNCATE_AT;
  const shown = long && !all ? `${text.slice(0, TRUNCATE_AT)}…` : text;
  return (
    <details className="orch8-json" open={open}>
      <summary>
        <span className="orch8-json-label">{label}</span>
        <button
          type="button"
          className="orch8-button orch8-json-copy"
          onClick={(e) => {
            e.preventDefault(); // a click in <summary> would toggle the section
            void copyText(text).then((ok) => setCopied(ok ? "copied" : "copy failed"));
          }}
          aria-label={`copy ${label} as JSON`}
        >
          {copied === "" ? "copy" : copied}
        </button>
      </summary>
      <pre className="orch8-json-body">{shown}</pre>
      {long && (
        <button type="button" className="orch8-button" onClick={() => setAll(!all)}>
          {all ? "show less" : `show all (${text.length.toLocaleString("en")} characters)`}
        </button>
      )}
    </details>
  );
}
