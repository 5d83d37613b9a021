// React bindings for the narrow anywidget model: a trait as state, custom messages as a
// callback. Both unsubscribe on unmount so a re-rendered output leaks no listeners.
import { useCallback, useEffect, useRef, useSyncExternalStore } from "react";
import type { WidgetModel } from "../model/contract";

/** The current value of trait `name`, re-rendering on `change:<name>`. */
export function useTrait<T>(model: WidgetModel, name: string): T {
  const subscribe = useCallback(
    (notify: () => void) => {
      const event = `change:${name}`;
      model.on(event, notify);
      return () => model.off(event, notify);
    },
    [model, name],
  );
  const read = useCallback(() => model.get(name) as T, [model, name]);
  return useSyncExternalStore(subscribe, read);
}

/** Calls `onMessage` for each custom message from Python (the latest callback wins). */
export function useCustomMessages(
  model: WidgetModel,
  onMessage: (content: unknown) => void,
): void {
  const latest = useRef(onMessage);
  latest.current = onMessage;
  useEffect(() => {
    const listener = (content: unknown) => latest.current(content);
    model.on("msg:custom", listener);
    return () => model.off("msg:custom", listener);
  }, [model]);
}

/** Sets trait `name` and syncs it to Python at once. */
export function writeTrait(model: WidgetModel, name: string, value: unknown): void {
  model.set(name, value);
  model.save_changes();
}
