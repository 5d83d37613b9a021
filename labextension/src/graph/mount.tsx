// Mounting a React view into a widget's element, the same way for every view.
import { StrictMode, type ReactNode } from "react";
import { createRoot } from "react-dom/client";

/** Renders `view` into `el` (in StrictMode); the returned cleanup unmounts it. */
export function mount(el: HTMLElement, view: ReactNode): () => void {
  const root = createRoot(el);
  root.render(<StrictMode>{view}</StrictMode>);
  return () => root.unmount();
}
