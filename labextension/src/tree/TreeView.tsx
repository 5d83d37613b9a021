// The live execution tree: a header with the instance state and controls, the sequence
// canvas with each node's state, and the inspector beside it when a node is clicked.
import { useMemo, useSyncExternalStore } from "react";
import type { Block, NodeState } from "../model/contract";
import { SequenceCanvas } from "../graph/SequenceCanvas";
import { shortId } from "../graph/format";
import { stateIcon } from "../graph/icons";
import { asBlocks, childSlots } from "../graph/lists";
import { Controls } from "./Controls";
import { Inspector } from "./Inspector";
import type { TreeStore } from "./store";

/** Every block of a sequence by id (for the inspector's icon). */
function blocksById(blocks: Block[]): Map<string, Block> {
  const out = new Map<string, Block>();
  const stack = [...blocks];
  while (stack.length > 0) {
    const block = stack.pop() as Block;
    if (!out.has(String(block.id))) out.set(String(block.id), block);
    for (const slot of childSlots(block)) stack.push(...slot.blocks);
  }
  return out;
}

export function TreeView({ store }: { store: TreeStore }): JSX.Element {
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const { view, inspecting, inspection, results, pending } = state;
  const sequence = view?.sequence;
  const byId = useMemo(() => blocksById(asBlocks(sequence?.blocks)), [sequence]);
  if (view === null) {
    return (
      <div className="orch8-tree" data-testid="orch8-tree">
        <p className="orch8-muted">waiting for the kernel…</p>
      </div>
    );
  }
  const inst = view.instance;
  return (
    <div className="orch8-tree" data-testid="orch8-tree">
      <header className="orch8-tree-head">
        <span className={`orch8-pill orch8-fg-${inst.state}`} data-testid="orch8-instance-state" data-state={inst.state}>
          <span aria-hidden="true">{stateIcon(inst.state as NodeState)}</span> {inst.state}
        </span>
        <strong className="orch8-tree-name">{inst.sequence_name || view.sequence.name}</strong>
        <span className="orch8-muted">v{inst.version}</span>
        {inst.id !== undefined && (
          <code className="orch8-muted orch8-tree-id" title={inst.id}>
            {shortId(inst.id)}
          </code>
        )}
        {inst.error ? (
          <span className="orch8-error-text orch8-tree-error" title={inst.error}>
            {inst.error}
          </span>
        ) : null}
      </header>
      <Controls state={inst.state} onControl={(action, extra) => store.control(action, extra)} results={results} pending={pending} />
      <div className="orch8-tree-body">
        <div className="orch8-tree-canvas">
          <SequenceCanvas
            sequence={view.sequence}
            nodes={view.nodes}
            selected={inspecting}
            onSelect={(id) => store.inspect(id)}
          />
        </div>
        {inspecting !== null && (
          <Inspector
            blockId={inspecting}
            block={byId.get(inspecting)}
            node={view.nodes[inspecting]}
            inspection={inspection}
            onClose={() => store.inspect(null)}
            onAnswer={(value, comment) => store.control("approve", { block_id: inspecting, value, comment })}
            approveResult={results.approve}
            approvePending={pending.approve === true}
          />
        )}
      </div>
    </div>
  );
}
