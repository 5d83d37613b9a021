// Micro-benchmark: a 300-block sequence with nested composites must lay out (timings are
// printed, not asserted: CI machines vary).
import { expect, it } from "vitest";
import { layoutSequence } from "../src/graph/layout";
import { clearLevelCache } from "../src/graph/level";
import type { Block } from "../src/model/contract";

function bigSequence(total: number): Block[] {
  let n = 0;
  const step = (): Block => ({ type: "step", id: `s${n++}`, handler: n % 3 ? "noop" : "send_email", ...(n % 5 ? {} : { retry: { max_attempts: 3 } }) });
  const blocks: Block[] = [];
  while (n < total) {
    switch (n % 7) {
      case 0:
        blocks.push({ type: "parallel", id: `p${n++}`, branches: [[step(), step()], [step(), { type: "loop", id: `l${n++}`, condition: "x", body: [step(), step()] }]] });
        break;
      case 3:
        blocks.push({ type: "try_catch", id: `t${n++}`, try_block: [step()], catch_block: [step(), step()], finally_block: [] });
        break;
      default:
        blocks.push(step());
    }
  }
  return blocks;
}

it("lays out a 300-block sequence", { timeout: 60_000 }, async () => {
  const seq = { name: "big", blocks: bigSequence(300) };
  clearLevelCache();
  const cold = performance.now();
  const layout = await layoutSequence(seq);
  const coldMs = performance.now() - cold;
  const warm = performance.now();
  await layoutSequence(seq);
  const warmMs = performance.now() - warm;
  console.log(`300 blocks: ${layout.nodes.length} nodes, cold ${coldMs.toFixed(0)} ms, memoised ${warmMs.toFixed(0)} ms`);
  expect(layout.nodes.filter((node) => node.kind === "block").length).toBeGreaterThanOrEqual(300);
  expect(layout.height).toBeGreaterThan(0);
});
