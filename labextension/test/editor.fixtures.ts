// Shared data for the editor tests: a sequence holding all 11 block types (made with
// orch8_nb.dsl, dumped as JSON) and the JSON Schema Python sends in `block_schema`.
import type { Sequence } from "../src/model/contract";
import schemaJson from "./fixtures/sequence-schema.json";

export const SCHEMA: Record<string, unknown> = schemaJson as Record<string, unknown>;

const step = (id: string): Record<string, unknown> => ({ type: "step", id, handler: "noop", cancellable: true });

export function allTypes(): Sequence {
  return {
    name: "all",
    blocks: [
      { ...step("a"), retry: { max_attempts: 3, initial_backoff: 1000, max_backoff: 60000 } },
      { type: "parallel", id: "par", branches: [[step("p1")], [step("p2")]] },
      { type: "race", id: "rc", branches: [[step("r1")], [step("r2")]], semantics: "first_to_resolve" },
      { type: "loop", id: "lp", condition: "context.data.n < 3", body: [step("l1")], max_iterations: 1000 },
      { type: "for_each", id: "fe", collection: "context.data.items", item_var: "item", body: [step("f1")] },
      { type: "router", id: "rt", routes: [{ condition: "context.data.x == 1", blocks: [step("ro1")] }], default: [step("rd")] },
      { type: "try_catch", id: "tc", try_block: [step("t1")], catch_block: [step("c1")], finally_block: [step("fi1")] },
      { type: "sub_sequence", id: "sub", sequence_name: "child" },
      {
        type: "ab_split",
        id: "ab",
        variants: [
          { name: "A", weight: 50, blocks: [step("va")] },
          { name: "B", weight: 50, blocks: [step("vb")] },
        ],
      },
      { type: "cancellation_scope", id: "cs", blocks: [step("cs1")] },
      { type: "saga", id: "sg", steps: [{ id: "ss1", action: step("act1"), compensation: step("comp1") }] },
    ],
  } as Sequence;
}
