// One icon per block type and per state, the same on every surface. They mirror
// orch8_nb/render/icons.py and states.py: plain Unicode symbols with broad font coverage
// (no emoji, whose width and colour vary by platform).
import type { BlockType, NodeState } from "../model/contract";

const BLOCK_ICONS: Record<BlockType, string> = {
  step: "⚙", // a handler call
  parallel: "⇉", // fan out
  race: "⚑", // first to the flag
  loop: "↻", // repeat
  for_each: "∀", // for all items
  router: "◇", // flowchart decision
  try_catch: "⚠", // error handling
  sub_sequence: "⊞", // another sequence inside
  ab_split: "⚖", // weighted choice
  cancellation_scope: "▣", // a shielded box
  saga: "↶", // undo by compensation
};

const BLOCK_LABELS: Record<BlockType, string> = {
  step: "step",
  parallel: "parallel",
  race: "race",
  loop: "loop",
  for_each: "for each",
  router: "router",
  try_catch: "try / catch",
  sub_sequence: "sub-sequence",
  ab_split: "A/B split",
  cancellation_scope: "cancellation scope",
  saga: "saga",
};

const STATE_ICONS: Record<NodeState, string> = {
  pending: "○",
  running: "▶",
  waiting: "◷",
  completed: "✓",
  failed: "✗",
  cancelled: "⊘",
  skipped: "↷",
};

// Instance-only states share the palette with node states (render/states.py).
const INSTANCE_ICONS: Record<string, string> = { scheduled: "◌", paused: "‖" };

/** The icon of a block type (`?` for a type this version does not know). */
export function blockIcon(type: BlockType): string {
  return BLOCK_ICONS[type] ?? "?";
}

/** The human name of a block type ("for each", "A/B split"...). */
export function blockLabel(type: BlockType): string {
  return BLOCK_LABELS[type] ?? String(type);
}

/** The icon of a node state (`?` for a state this version does not know). */
export function stateIcon(state: NodeState): string {
  return STATE_ICONS[state] ?? INSTANCE_ICONS[state] ?? "?";
}
