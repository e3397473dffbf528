/** The product's zod ARP schemas give the expected verdict on every hand-made edge case. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  ARP_SCHEMAS,
  isTerminalRunState,
  RUN_STATES,
  type RunStartRequest,
  RunStartRequestSchema,
} from "../../../../src/gateway/schemas/index.js";
import { FULL_START, SCHEMA_CASES } from "./arp-schema-cases.js";

describe("ARP zod schemas on edge cases", () => {
  for (const c of SCHEMA_CASES) {
    const verdict = c.valid ? "accepts" : "refuses";
    test(`[${c.req}] ${c.schema} ${verdict}: ${c.name}`, () => {
      const parsed = ARP_SCHEMAS[c.schema].safeParse(c.value);
      assert.equal(parsed.success, c.valid, parsed.success ? "accepted" : parsed.error.message);
    });
  }
});

test("[arp-runs-start-optional-fields] parsing a full RunStartRequest keeps every member", () => {
  const parsed: RunStartRequest = RunStartRequestSchema.parse(FULL_START);
  assert.deepEqual(parsed, FULL_START);
});

test("[arp-runs-start-closed] a stray key is reported with its path, not stripped", () => {
  const parsed = RunStartRequestSchema.safeParse({
    ...FULL_START,
    run_context: { ...FULL_START.run_context, trace: { trace_id: "t", baggage: "x" } },
  });
  assert.equal(parsed.success, false);
  const issue = parsed.error?.issues.find((i) => i.code === "unrecognized_keys");
  assert.deepEqual(issue?.path, ["run_context", "trace"]);
});

test("[arp-schema-run] canceled, failed and succeeded are the terminal run states", () => {
  const terminal = RUN_STATES.filter(isTerminalRunState);
  assert.deepEqual(terminal, ["succeeded", "failed", "canceled"]);
});
