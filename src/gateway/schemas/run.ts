/** ARP v1 `Run` and `RunState` (core/run.schema.json, core/run_state.schema.json). */
import { z } from "zod";
import { DateTimeSchema, ExtensionsSchema } from "./common.js";
import { RunContextSchema } from "./run-context.js";

/** ARP `RunState`; note the spec's single-l `canceled`. */
export const RUN_STATES = ["queued", "running", "succeeded", "failed", "canceled"] as const;
export const RunStateSchema = z.enum(RUN_STATES);
export type RunState = z.infer<typeof RunStateSchema>;

/** The states after which a run never changes again. */
export const TERMINAL_RUN_STATES: ReadonlySet<RunState> = new Set([
  "succeeded",
  "failed",
  "canceled",
]);

/** True when `state` is terminal (`succeeded`, `failed` or `canceled`). */
export function isTerminalRunState(state: RunState): boolean {
  return TERMINAL_RUN_STATES.has(state);
}

/** ARP `Run`: closed; carries no input, error or node type ref. */
export const RunSchema = z.strictObject({
  run_id: z.string(),
  state: RunStateSchema,
  root_node_run_id: z.string(),
  run_context: RunContextSchema.optional(),
  started_at: DateTimeSchema.optional(),
  ended_at: DateTimeSchema.optional(),
  extensions: ExtensionsSchema.optional(),
});
export type Run = z.infer<typeof RunSchema>;
