// The `_esm` of every orch8-nb widget: a few hundred bytes instead of the 2 MB of views, so
// a notebook that saves its widget state (nbclient does by default) stays small.
//
// The views come from the page when it has this exact build (the JupyterLab extension
// registers its copy), else from the kernel: one `bundle` message per page and build,
// answered with widgets.js and widgets.css as binary buffers (docs/ui-protocol.md).
import { BUILD } from "../model/build";
import type { WidgetModel } from "../model/contract";
import { findViews, forgetViews, keepViews } from "./registry";
import type { WidgetViews } from "./registry";

/** How long to wait for the kernel's answer before saying so in the output. */
export const BUNDLE_TIMEOUT_MS = 60_000;

function text(buffer: unknown): string {
  if (buffer instanceof ArrayBuffer || ArrayBuffer.isView(buffer)) {
    return new TextDecoder().decode(buffer as ArrayBuffer | ArrayBufferView);
  }
  throw new Error("the kernel's bundle message has no binary buffers");
}

function askKernel(model: WidgetModel): Promise<[string, string]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      model.off("msg:custom", onMessage);
      reject(new Error(`the kernel sent no widget bundle within ${BUNDLE_TIMEOUT_MS / 1000} s`));
    }, BUNDLE_TIMEOUT_MS);
    function onMessage(content: { type?: unknown; error?: unknown }, buffers?: unknown[]): void {
      if (content?.type !== "bundle") return;
      clearTimeout(timer);
      model.off("msg:custom", onMessage);
      try {
        if (typeof content.error === "string") throw new Error(content.error);
        resolve([text(buffers?.[0]), text(buffers?.[1])]);
      } catch (error) {
        reject(error);
      }
    }
    model.on("msg:custom", onMessage);
    model.send({ type: "bundle" });
  });
}

async function fromKernel(model: WidgetModel): Promise<WidgetViews> {
  const [js, css] = await askKernel(model);
  const style = document.createElement("style");
  style.setAttribute("data-orch8-nb", BUILD);
  style.textContent = css;
  document.head.append(style);
  const url = URL.createObjectURL(new Blob([js], { type: "text/javascript" }));
  try {
    const module = (await import(/* @vite-ignore */ url)) as { default: WidgetViews };
    return module.default;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** The views of this build: the page's copy, or the kernel's (fetched once per page). */
export function loadViews(model: WidgetModel): Promise<WidgetViews> {
  const known = findViews(BUILD);
  if (known !== undefined) return Promise.resolve(known);
  const loading = fromKernel(model);
  keepViews(BUILD, loading);
  loading.then(
    (views) => keepViews(BUILD, views),
    () => forgetViews(BUILD),
  );
  return loading;
}

export default {
  async render({ model, el }: { model: WidgetModel; el: HTMLElement }): Promise<() => void> {
    let views: WidgetViews;
    try {
      views = await loadViews(model);
    } catch (error) {
      el.textContent = `orch8-nb: could not load the widget front end: ${String(error)}`;
      return () => undefined;
    }
    return views.render({ model, el });
  },
};
