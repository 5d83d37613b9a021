// Where a page keeps the widget views it has loaded, shared by every copy of the loader and
// by the JupyterLab extension (a global keyed by a registered symbol, so separately bundled
// code finds the same slot).
import type { WidgetModel } from "../model/contract";

export interface WidgetViews {
  /** Build id of the code (see build-id.cjs). */
  build: string;
  render(ctx: { model: WidgetModel; el: HTMLElement }): () => void;
}

const KEY = Symbol.for("orch8-nb.widgets");

type Slot = Record<string, WidgetViews | Promise<WidgetViews>>;

function slot(): Slot {
  const global = globalThis as unknown as Record<symbol, Slot | undefined>;
  let found = global[KEY];
  if (found === undefined) {
    found = {};
    global[KEY] = found;
  }
  return found;
}

/** The views of build `build` if this page has them (or is loading them), else undefined. */
export function findViews(build: string): WidgetViews | Promise<WidgetViews> | undefined {
  return slot()[build];
}

/** Keep `views` (or the promise of them) for every later widget of the same build. */
export function keepViews(build: string, views: WidgetViews | Promise<WidgetViews>): void {
  slot()[build] = views;
}

/** Forget a build whose loading failed, so the next widget tries again. */
export function forgetViews(build: string): void {
  delete slot()[build];
}
