// The editor's state (undo history of the sequence + selected block) and every action on
// it. State lives in a ref so that handlers called in a row (a drop then a key press, or
// the canvas and the root key handler reacting to one key) see each other's result at
// once; a counter re-renders React after each change.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { Block, BlockType, Sequence, WidgetModel } from "../model/contract";
import type { DragPayload } from "../graph/dnd";
import { initHistory, pushHistory, redo, undo, type History } from "./history";
import { appendTarget, createBlock, findBlock, insertBlock, moveBlock, removeAt, type Found } from "./ops";
import type { SpecSync } from "./sync";
import { getIn, isBlock, isRecord, setIn, type Path } from "./tree";

export interface EditorState {
  history: History<Sequence>;
  selected: string | null;
}

/** The trait value as a sequence the canvas can draw (Python may send `{}` at first). */
export function asSequence(value: unknown): Sequence {
  if (!isRecord(value)) return { name: "untitled", blocks: [] };
  const seq = value as Sequence;
  return Array.isArray(seq.blocks) ? seq : { ...seq, blocks: [] };
}

/**
 * The selected block. The canvas names a block whose id is empty or duplicated
 * `<id>@<dotted path>` (graph/lists.ts uniqueId), so that form is resolved by path.
 */
export function locate(seq: Sequence, selected: string | null): Found | null {
  if (selected === null) return null;
  const at = selected.lastIndexOf("@");
  if (at >= 0) {
    const path: Path = selected.slice(at + 1).split(".").map((k) => (/^\d+$/.test(k) ? Number(k) : k));
    const block = getIn(seq, path);
    if (isBlock(block)) return { block, path };
  }
  return findBlock(seq, selected);
}

export interface EditorActions {
  select: (id: string | null) => void;
  add: (type: BlockType) => void;
  drop: (lanePath: Path, index: number, payload: DragPayload) => void;
  remove: (id: string) => void;
  removeSelected: () => void;
  edit: (next: Block, coalesceKey: string | null) => void;
  undo: () => void;
  redo: () => void;
}

export function useEditor(model: WidgetModel, sync: SpecSync): [EditorState, EditorActions] {
  const ref = useRef<EditorState>({ history: initHistory(asSequence(model.get("spec"))), selected: null });
  const [, rerender] = useState(0);

  const set = useCallback((next: EditorState): void => {
    if (next === ref.current) return;
    ref.current = next;
    rerender((n) => n + 1);
  }, []);

  /** Records `next` as an edit and writes it to `spec` (debounced when typing). */
  const commit = useCallback(
    (next: Sequence, coalesceKey: string | null, selected?: string | null): void => {
      const state = ref.current;
      if (next === state.history.present) return;
      const history = pushHistory(state.history, next, { coalesceKey });
      set({ history, selected: selected === undefined ? state.selected : selected });
      sync.send(next, coalesceKey === null);
    },
    [set, sync],
  );

  const travel = useCallback(
    (step: (h: History<Sequence>) => History<Sequence>): void => {
      const state = ref.current;
      const history = step(state.history);
      if (history === state.history) return;
      const keep = locate(history.present, state.selected) !== null;
      set({ history, selected: keep ? state.selected : null });
      sync.send(history.present, true);
    },
    [set, sync],
  );

  // A sequence from Python replaces ours; the echo of our own write is ignored.
  useEffect(() => {
    const onSpec = (): void => {
      const spec = model.get("spec");
      if (sync.isOurs(spec)) return;
      sync.cancel();
      const seq = asSequence(spec);
      const keep = locate(seq, ref.current.selected) !== null;
      set({ history: initHistory(seq), selected: keep ? ref.current.selected : null });
    };
    model.on("change:spec", onSpec);
    return () => model.off("change:spec", onSpec);
  }, [model, sync, set]);

  const actions = useMemo((): EditorActions => {
    const present = (): Sequence => ref.current.history.present;
    const insertNew = (type: BlockType, listPath: Path, index: number): void => {
      const block = createBlock(present(), type);
      const next = insertBlock(present(), listPath, index, block);
      if (next !== present()) commit(next, null, block.id);
    };
    const remove = (id: string): void => {
      const found = locate(present(), id);
      if (found === null) return;
      // By path, not id: with duplicate ids (mid-edit) the id names more than one block.
      const next = removeAt(present(), found.path);
      commit(next, null, ref.current.selected === id ? null : ref.current.selected);
    };
    return {
      select: (id) => set({ ...ref.current, selected: id }),
      add: (type) => {
        const { listPath, index } = appendTarget(present(), ref.current.selected);
        insertNew(type, listPath, index);
      },
      drop: (lanePath, index, payload) => {
        if (payload.kind === "new") insertNew(payload.blockType, lanePath, index);
        else commit(moveBlock(present(), payload.blockId, lanePath, index), null);
      },
      remove,
      removeSelected: () => {
        if (ref.current.selected !== null) remove(ref.current.selected);
      },
      edit: (next, coalesceKey) => {
        const found = locate(present(), ref.current.selected);
        if (found === null) return;
        const seq = setIn(present(), found.path, next);
        // Renaming the id keeps the block selected.
        commit(seq, coalesceKey, next.id !== found.block.id ? next.id : ref.current.selected);
      },
      undo: () => travel(undo),
      redo: () => travel(redo),
    };
  }, [commit, set, travel]);

  return [ref.current, actions];
}
