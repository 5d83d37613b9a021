// What a renderer shows when it cannot draw: the reason, then the bundle's own static
// rendering (sanitised HTML) or its plain text, so a saved notebook never shows nothing.
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { textOf } from "./views";

export function showProblem(host: HTMLElement, message: string): void {
  const note = document.createElement("div");
  note.className = "orch8-mime-error";
  note.setAttribute("role", "alert");
  note.textContent = `orch8-nb: ${message}`;
  host.append(note);
}

export function renderFallback(
  host: HTMLElement,
  message: string,
  data: IRenderMime.IMimeModel["data"],
  sanitizer: IRenderMime.ISanitizer | null,
): void {
  showProblem(host, message);
  renderStatic(host, data, sanitizer);
}

/**
 * The bundle's own static rendering: its text/html (sanitised unless `trusted`, as
 * JupyterLab does for text/html outputs), else its plain text.
 */
export function renderStatic(
  host: HTMLElement,
  data: IRenderMime.IMimeModel["data"],
  sanitizer: IRenderMime.ISanitizer | null,
  trusted = false,
): void {
  const html = textOf(data["text/html"]);
  if (html !== null && (trusted || sanitizer !== null)) {
    const box = document.createElement("div");
    box.className = "orch8-mime-static";
    box.innerHTML = trusted || sanitizer === null ? html : sanitizer.sanitize(html);
    host.append(box);
    return;
  }
  const text = textOf(data["text/plain"]);
  if (text !== null) {
    const pre = document.createElement("pre");
    pre.textContent = text;
    host.append(pre);
  }
}
