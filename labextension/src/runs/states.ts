// Icons and labels for instance states and attempt outcomes in the run views. They mirror
// orch8_nb/render/states.py (one palette everywhere, see UI.md): state is never colour
// alone, so every use pairs the icon with the label.

export interface StateLook {
  icon: string;
  label: string;
  /** CSS modifier: the colour comes from runs.css, keyed by this name. */
  tone: string;
}

const LOOKS: Record<string, StateLook> = {
  pending: { icon: "○", label: "pending", tone: "pending" },
  scheduled: { icon: "◌", label: "scheduled", tone: "pending" },
  running: { icon: "▶", label: "running", tone: "running" },
  waiting: { icon: "◷", label: "waiting", tone: "waiting" },
  paused: { icon: "‖", label: "paused", tone: "paused" },
  completed: { icon: "✓", label: "completed", tone: "completed" },
  failed: { icon: "✗", label: "failed", tone: "failed" },
  cancelled: { icon: "⊘", label: "cancelled", tone: "cancelled" },
  skipped: { icon: "↷", label: "skipped", tone: "skipped" },
  // attempt outcomes that are not states (audit log wording)
  retried: { icon: "↻", label: "retried", tone: "waiting" },
  timed_out: { icon: "⌛", label: "timed out", tone: "failed" },
  // worker-task states that are not instance states (the dashboard's task list)
  claimed: { icon: "▶", label: "claimed", tone: "running" },
};

/** The look of a state or outcome; unknown names keep their own text with a neutral tone. */
export function stateLook(state: string): StateLook {
  return LOOKS[state] ?? { icon: "?", label: state, tone: "unknown" };
}

/** Instance states offered by the table's state filter (InstanceState in Python). */
export const INSTANCE_STATES = [
  "scheduled",
  "running",
  "waiting",
  "paused",
  "completed",
  "failed",
  "cancelled",
] as const;
