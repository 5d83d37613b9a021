// The data contract with the Python side: see docs/ui-protocol.md. Keep both in step.

/** Bumped on any incompatible change; Python checks the same number. */
export const PROTOCOL = 1;

export const SEQUENCE_MIME = "application/vnd.orch8.sequence+json";
export const INSTANCE_MIME = "application/vnd.orch8.instance+json";
export const GRAPHVIZ_MIME = "text/vnd.graphviz";
/** Marks a widget's output whose static form is its text/html (tables, timelines). */
export const WIDGET_MIME = "application/vnd.orch8.widget+json";

export const NODE_STATES = [
  "pending",
  "running",
  "waiting",
  "completed",
  "failed",
  "cancelled",
  "skipped",
] as const;
export type NodeState = (typeof NODE_STATES)[number];

export const BLOCK_TYPES = [
  "step",
  "parallel",
  "race",
  "loop",
  "for_each",
  "router",
  "try_catch",
  "sub_sequence",
  "ab_split",
  "cancellation_scope",
  "saga",
] as const;
export type BlockType = (typeof BLOCK_TYPES)[number];

/** One block of the Orch8 sequence JSON (fields as in the wire format). */
export interface Block {
  type: BlockType;
  id: string;
  [field: string]: unknown;
}

export interface Sequence {
  name: string;
  blocks: Block[];
  [field: string]: unknown;
}

export interface SequenceView {
  protocol: number;
  sequence: Sequence;
}

export interface NodeView {
  state: NodeState;
  attempt?: number;
  max_attempts?: number;
  duration_ms?: number;
  iteration?: number;
  iterations?: number;
  variant?: string;
  route?: string;
  waiting_for?: string;
  /** Live views of a step sleeping on a timer: ms until it fires, as of the read. */
  wakes_in_ms?: number;
  /** Live views of a running model call: the end of the text streamed so far. */
  stream?: string;
  /** Live views of a running agent step: the turn it is in. */
  turn?: number;
  error?: string;
}

export interface InstanceSummary {
  state: string;
  sequence_name: string;
  version: number;
  error?: string | null;
  id?: string; // live views only
}

export interface InstanceView {
  protocol: number;
  sequence: Sequence;
  instance: InstanceSummary;
  nodes: Record<string, NodeView>;
}

export interface ValidationProblem {
  path: (string | number)[];
  block_id: string | null;
  message: string;
}

export interface PatchMessage {
  type: "patch";
  instance?: Partial<InstanceSummary>;
  nodes: Record<string, NodeView>;
}

export interface AttemptView {
  attempt: number;
  state: string;
  started_at: number | null;
  duration_ms: number | null;
  error: string | null;
}

export interface AuditView {
  event_type: string;
  at: number;
  details: Record<string, unknown>;
}

export interface GateView {
  prompt: string;
  choices: string[];
  allow_comment: boolean;
}

export interface InspectionMessage {
  type: "inspection";
  block_id: string;
  params: unknown;
  output: unknown;
  error: unknown;
  attempts: AttemptView[];
  context: unknown;
  audit: AuditView[];
  gate: GateView | null;
}

export interface ResultMessage {
  type: "result";
  action: string;
  ok: boolean;
  message: string;
}

export type ControlAction = "pause" | "resume" | "cancel" | "retry" | "signal" | "approve";

export interface InstanceRow {
  id: string;
  sequence_name: string;
  version: number;
  state: string;
  created_at: number;
  updated_at: number;
  dlq: boolean;
}

export interface TimelineBar {
  instance: string;
  block_id: string;
  attempt: number;
  start_ms: number;
  end_ms: number;
  outcome: string;
}

/** The narrow anywidget model interface the views use (easy to fake in tests). */
export interface WidgetModel {
  get(name: string): any;
  set(name: string, value: unknown): void;
  save_changes(): void;
  on(event: string, callback: (...args: any[]) => void): void;
  off(event?: string | null, callback?: ((...args: any[]) => void) | null): void;
  send(content: unknown, callbacks?: unknown, buffers?: unknown[]): void;
}
