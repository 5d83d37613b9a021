// The anywidget model every widget test drives: traits, change events, custom messages.
import { act } from "@testing-library/react";
import type { WidgetModel } from "../src/model/contract";

type Listener = (...args: unknown[]) => void;

/** A WidgetModel backed by an event emitter, with what the view sent kept for asserts. */
export class FakeModel implements WidgetModel {
  /** Contents of the js -> py messages, in order. */
  readonly sent: unknown[] = [];
  /** The traits each `save_changes` synced to Python, in order. */
  readonly saved: Record<string, unknown>[] = [];
  private dirty: Record<string, unknown> = {};
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(readonly traits: Record<string, unknown> = {}) {}

  get saves(): number {
    return this.saved.length;
  }

  get(name: string): unknown {
    return this.traits[name];
  }

  /** A change made by the view (synced on `save_changes`); equal values change nothing. */
  set(name: string, value: unknown): void {
    if (Object.is(this.traits[name], value)) return;
    this.traits[name] = value;
    this.dirty[name] = value;
    this.emit(`change:${name}`, value);
  }

  save_changes(): void {
    this.saved.push(this.dirty);
    this.dirty = {};
  }

  on(event: string, callback: Listener): void {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(callback);
  }

  off(event?: string | null, callback?: Listener | null): void {
    if (!event) return this.listeners.clear();
    if (!callback) return void this.listeners.delete(event);
    this.listeners.get(event)?.delete(callback);
  }

  send(content: unknown): void {
    this.sent.push(content);
  }

  /** A trait set by Python (it arrives through the comm: not dirty). */
  fromPython(name: string, value: unknown): void {
    this.traits[name] = value;
    this.emit(`change:${name}`, value);
  }

  /** A custom message from Python. */
  message(content: unknown, buffers?: unknown[]): void {
    this.emit("msg:custom", content, buffers);
  }

  /** Fires `event` inside React's act(), as the comm would between renders. */
  emit(event: string, ...args: unknown[]): void {
    act(() => {
      for (const callback of [...(this.listeners.get(event) ?? [])]) callback(...args);
    });
  }

  listenerCount(event?: string): number {
    if (event !== undefined) return this.listeners.get(event)?.size ?? 0;
    return [...this.listeners.values()].reduce((n, set) => n + set.size, 0);
  }
}
