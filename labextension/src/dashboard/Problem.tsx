// A failed read, said once above the list it concerns (the list keeps its last rows).
import type { ApiError } from "./api";

export function Problem({ error, what }: { error: ApiError | null; what: string }) {
  if (error === null) return null;
  return (
    <p className="orch8-error-text orch8-dash-problem" role="alert">
      Could not read {what}: {error.message}
    </p>
  );
}
