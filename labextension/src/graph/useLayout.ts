// The layout of a sequence as React state: recomputed when the sequence (or what the cards
// reserve room for) changes, never for live state patches. A late answer for an older
// sequence is dropped so fast edits cannot show a stale picture.
import { useEffect, useRef, useState } from "react";
import type { Sequence, ValidationProblem } from "../model/contract";
import { type Layout, layoutSequence } from "./layout";

export interface LayoutState {
  layout: Layout | null;
  error: string | null;
}

export function problemIdsOf(problems: ValidationProblem[] | undefined): string[] {
  const ids = new Set<string>();
  for (const p of problems ?? []) if (p.block_id !== null && p.block_id !== undefined) ids.add(p.block_id);
  return [...ids].sort();
}

export function useLayout(sequence: Sequence, live: boolean, problemIds: string[]): LayoutState {
  const [state, setState] = useState<LayoutState>({ layout: null, error: null });
  const generation = useRef(0);
  const idsKey = problemIds.join("\u0000");
  useEffect(() => {
    const mine = ++generation.current;
    layoutSequence(sequence, { live, problemIds: idsKey === "" ? [] : idsKey.split("\u0000") }).then(
      (layout) => {
        if (mine === generation.current) setState({ layout, error: null });
      },
      (err: unknown) => {
        if (mine === generation.current) setState((s) => ({ layout: s.layout, error: String(err) }));
      },
    );
  }, [sequence, live, idsKey]);
  return state;
}
