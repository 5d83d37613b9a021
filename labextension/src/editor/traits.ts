// Reading widget traits in React: the current value, re-rendered on `change:<name>`.
import { useEffect, useState } from "react";
import type { ValidationProblem, WidgetModel } from "../model/contract";
import { isRecord } from "./tree";

export function useTrait(model: WidgetModel, name: string): unknown {
  const [value, setValue] = useState<unknown>(() => model.get(name));
  useEffect(() => {
    const update = (): void => setValue(model.get(name));
    model.on(`change:${name}`, update);
    update(); // a change between the first render and this subscription
    return () => model.off(`change:${name}`, update);
  }, [model, name]);
  return value;
}

/** The `errors` trait, dropping entries that do not have the documented shape. */
export function asProblems(value: unknown): ValidationProblem[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((p) =>
    isRecord(p) && Array.isArray(p.path) && typeof p.message === "string"
      ? [{ path: p.path as (string | number)[], block_id: typeof p.block_id === "string" ? p.block_id : null, message: p.message }]
      : [],
  );
}

export function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

export interface Status {
  action: string;
  ok: boolean;
  message: string;
}

/** The `status` trait, or null before the first Register/Run. */
export function asStatus(value: unknown): Status | null {
  if (!isRecord(value) || typeof value.message !== "string") return null;
  return { action: String(value.action ?? ""), ok: value.ok === true, message: value.message };
}
