// Writing the edited sequence to the `spec` trait: structural edits go out at once, form
// typing is debounced so Python validates once per pause, not once per keystroke. It also
// remembers what it sent, so the `change:spec` echo of our own write is not mistaken for
// a new sequence from Python (which would reset the undo history).
import type { Sequence, WidgetModel } from "../model/contract";

export const SAVE_DELAY_MS = 150;

export class SpecSync {
  private pending: Sequence | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastSent: Sequence | null = null;
  private lastSentJson = "";

  constructor(
    private readonly model: WidgetModel,
    private readonly delayMs = SAVE_DELAY_MS,
  ) {}

  /** Queues `spec`; `immediate` writes it (and anything queued) now. */
  send(spec: Sequence, immediate: boolean): void {
    this.pending = spec;
    if (immediate) {
      this.flush();
      return;
    }
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.delayMs);
  }

  /** Writes the queued spec, if any. Called before Register/Run and on teardown. */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const spec = this.pending;
    if (spec === null) return;
    this.pending = null;
    // Remember before `set`: Backbone fires change:spec synchronously inside it.
    this.lastSent = spec;
    this.lastSentJson = JSON.stringify(spec);
    this.model.set("spec", spec);
    this.model.save_changes();
  }

  /** Drops a queued write (Python's new sequence replaces our unsent edit). */
  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
  }

  /** Whether `spec` (the trait's current value) is what we last wrote. */
  isOurs(spec: unknown): boolean {
    if (this.lastSent === null) return false;
    return spec === this.lastSent || JSON.stringify(spec) === this.lastSentJson;
  }
}
