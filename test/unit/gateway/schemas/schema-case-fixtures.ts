/** Inputs shared by the ARP schema edge cases: case shape, minimal objects, a full start. */
import type { ArpSchemaName } from "../../../../src/gateway/schemas/index.js";

/** One value, the schema it is checked against, and whether it must be accepted. */
export interface SchemaCase {
  req: string;
  name: string;
  schema: ArpSchemaName;
  value: unknown;
  valid: boolean;
  /** The spec's verdict where we are deliberately stricter (documented divergence). */
  specValid?: boolean;
}

export const T0 = "2025-01-01T00:00:00Z";
export const MINIMAL_START = {
  root_node_type_ref: { node_type_id: "echo", version: "1.0.0" },
  input: {},
};
export const MINIMAL_RUN = { run_id: "run_1", state: "running", root_node_run_id: "job_1" };
export const MINIMAL_EVENT = { run_id: "run_1", seq: 0, type: "run_started", time: T0 };

/** A RunStartRequest using every optional field (arp-runs-start-optional-fields). */
export const FULL_START = {
  run_id: "run_client_1",
  root_node_type_ref: {
    node_type_id: "echo",
    version: "1.0.0",
    extensions: { "com.example.t": 1 },
  },
  input: { text: "hi", nested: { list: [1, "x", true] } },
  run_context: {
    tenant_id: "tenant-1",
    actor: {
      type: "user",
      id: "u1",
      uri: "https://example.com/u1",
      extensions: { "com.example.a": 1 },
    },
    identity: { sub: "u1" },
    trace: {
      trace_id: "0af7651916cd43dd8448eb211c80319c",
      span_id: "b7ad6b7169203331",
      request_id: "r1",
    },
    policy: { profile: "dev" },
    budgets: { anything: 1 },
    extensions: { "com.example.ctx": true },
  },
  constraints: {
    structural: {
      max_depth: 3,
      max_children_per_composite: 0,
      max_total_nodes_per_run: 10,
      max_decomposition_rounds_per_node: 2,
    },
    candidates: {
      max_candidates_per_subtask: 1,
      allowed_node_type_ids: ["echo"],
      denied_node_type_ids: [],
    },
    budgets: { max_wall_time_ms: 1500, max_steps: 0, max_external_calls: 5, max_cost: 0.25 },
    gates: { side_effect_class: "write", require_approval: false },
    extensions: { "arcp.lease_constraints": { expires_at: "2030-01-01T00:00:00Z" } },
  },
  metadata: {
    labels: { team: "a" },
    annotations: { note: "b" },
    extensions: { "com.example.m": 1 },
  },
  extensions: { "arcp.lease": { "tool.call": ["*"] } },
};

/** A deep copy of `base` with `key: value` set at the dotted `path` ("" = top level). */
export function withMember(base: object, path: string, key: string, value: unknown): unknown {
  const copy = structuredClone(base) as Record<string, unknown>;
  let target = copy;
  for (const segment of path === "" ? [] : path.split(".")) {
    target = target[segment] as Record<string, unknown>;
  }
  target[key] = value;
  return copy;
}
