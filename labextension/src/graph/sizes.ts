// Card and header metrics shared by the layout (which must know sizes before drawing) and
// the node components (which draw into exactly those boxes). Sizes depend only on the
// sequence and on the layout options, never on live states, so patches never re-layout.
import type { Block } from "../model/contract";
import { type Badge, stepBadges } from "./describe";

export const CARD_WIDTH = 220;
export const PAD = 6; // inside cards and headers
export const BORDER = 1; // a card's border, inside its box (box-sizing: border-box)
export const ROW = 18; // one text row
export const TITLE_ROW = 20;
export const BADGE_ROW = 20;
export const LANE_LABEL = 20; // lane label above a lane's blocks
export const LANE_SIDE = 8;
export const LANE_BOTTOM = 12; // room to drop after the last block
export const EMPTY_LANE_HEIGHT = 56; // an empty lane still offers a drop area
export const CONTAINER_SIDE = 8;
export const CONTAINER_BOTTOM = 8;
export const MIN_CONTAINER_WIDTH = CARD_WIDTH + 2 * (CONTAINER_SIDE + LANE_SIDE);

/** What a card or header reserves rows for. */
export interface SizeOptions {
  /** Live/static states are shown: one status row per card and header. */
  live: boolean;
  /** A validation message is shown under the card / in the header. */
  problem: boolean;
}

const CHAR = 6.6; // average width of an 11px UI font character, generous on purpose
const BADGE_CHROME = 18; // border, padding and right margin of a badge

/** The rows `badges` wrap into inside `width` (a badge wider than a row is clipped). */
export function badgeRows(badges: Badge[], width = CARD_WIDTH - 2 * PAD): number {
  let rows = 0;
  let used = width;
  for (const b of badges) {
    const w = Math.min(width, b.text.length * CHAR + BADGE_CHROME);
    if (used + w > width) {
      rows += 1;
      used = 0;
    }
    used += w;
  }
  return rows;
}

export function isComposite(block: Block): boolean {
  return block.type !== "step" && block.type !== "sub_sequence" && isKnownType(block.type);
}

const KNOWN = new Set(["step", "parallel", "race", "loop", "for_each", "router", "try_catch", "sub_sequence", "ab_split", "cancellation_scope", "saga"]);

function isKnownType(type: unknown): boolean {
  return typeof type === "string" && KNOWN.has(type);
}

function extraRows(opts: SizeOptions): number {
  return (opts.live ? ROW : 0) + (opts.problem ? ROW : 0);
}

/** Height of a leaf card (step, sub_sequence, unknown type). */
export function cardHeight(block: Block, opts: SizeOptions): number {
  const badges = block.type === "step" ? stepBadges(block) : [];
  const rows = TITLE_ROW + ROW + badgeRows(badges) * BADGE_ROW + extraRows(opts);
  return 2 * (BORDER + PAD) + rows;
}

/** Height of a composite's header, above its lanes. */
export function headerHeight(opts: SizeOptions): number {
  return BORDER + PAD + TITLE_ROW + ROW + extraRows(opts) + 4;
}
