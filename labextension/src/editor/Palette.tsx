// The 11 block types: drag one onto a lane of the canvas, or click to add it next to the
// selection (see ops.appendTarget).
import type { DragEvent } from "react";
import { BLOCK_TYPES, type BlockType } from "../model/contract";
import { blockIcon, blockLabel } from "../graph/icons";
import { DRAG_MIME, type DragPayload } from "../graph/dnd";

export interface PaletteProps {
  onAdd: (type: BlockType) => void;
}

function startDrag(e: DragEvent<HTMLButtonElement>, blockType: BlockType): void {
  const payload: DragPayload = { kind: "new", blockType };
  e.dataTransfer.setData(DRAG_MIME, JSON.stringify(payload));
  // Plain text too, so a drop outside the canvas shows something sensible.
  e.dataTransfer.setData("text/plain", blockType);
  e.dataTransfer.effectAllowed = "copy";
}

export function Palette({ onAdd }: PaletteProps): JSX.Element {
  return (
    <nav className="orch8-palette" aria-label="Block types">
      {BLOCK_TYPES.map((type) => (
        <button
          key={type}
          type="button"
          className="orch8-palette-item"
          data-testid={`orch8-palette-${type}`}
          data-block-type={type}
          draggable
          title={`Drag onto the canvas, or click to add a ${blockLabel(type)}`}
          onDragStart={(e) => startDrag(e, type)}
          onClick={() => onAdd(type)}
        >
          <span className="orch8-palette-icon" aria-hidden="true">
            {blockIcon(type)}
          </span>
          <span className="orch8-palette-label">{blockLabel(type)}</span>
        </button>
      ))}
    </nav>
  );
}
