/** Edge cases for accepted bodies: RunStartRequest closure, constraint bounds, extension keys. */
import {
  FULL_START,
  MINIMAL_RUN,
  MINIMAL_START,
  type SchemaCase,
  withMember,
} from "./schema-case-fixtures.js";

const CLOSED_START_LEVELS = [
  "",
  "root_node_type_ref",
  "run_context",
  "run_context.actor",
  "run_context.trace",
  "constraints",
  "constraints.structural",
  "constraints.candidates",
  "constraints.budgets",
  "constraints.gates",
  "metadata",
];
const FREE_START_LEVELS = [
  "input",
  "run_context.identity",
  "run_context.policy",
  "run_context.budgets",
];

function startCases(): SchemaCase[] {
  const c = (req: string, name: string, value: unknown, valid: boolean): SchemaCase => ({
    req,
    name,
    schema: "RunStartRequest",
    value,
    valid,
  });
  return [
    c("arp-runs-start-optional-fields", "accepts every optional field", FULL_START, true),
    c(
      "arp-runs-start-required-fields",
      "accepts the two required fields alone",
      MINIMAL_START,
      true,
    ),
    ...CLOSED_START_LEVELS.map((p) =>
      c(
        "arp-runs-start-closed",
        `refuses a stray key at ${p || "top level"}`,
        withMember(FULL_START, p, "stray", 1),
        false,
      ),
    ),
    ...FREE_START_LEVELS.map((p) =>
      c(
        "arp-runs-start-closed",
        `keeps free-form ${p} open`,
        withMember(FULL_START, p, "stray", 1),
        true,
      ),
    ),
    c(
      "arp-runs-start-required-fields",
      "refuses a body without input",
      { root_node_type_ref: MINIMAL_START.root_node_type_ref },
      false,
    ),
    c(
      "arp-runs-start-required-fields",
      "refuses a body without root_node_type_ref",
      { input: {} },
      false,
    ),
    c(
      "arp-runs-start-required-fields",
      "refuses an array input",
      { ...MINIMAL_START, input: [] },
      false,
    ),
    c(
      "arp-runs-start-required-fields",
      "refuses a string input",
      { ...MINIMAL_START, input: "x" },
      false,
    ),
    c(
      "arp-runs-start-required-fields",
      "refuses a ref without version",
      { ...MINIMAL_START, root_node_type_ref: { node_type_id: "echo" } },
      false,
    ),
    c(
      "arp-runs-start-required-fields",
      "refuses a numeric node_type_id",
      { ...MINIMAL_START, root_node_type_ref: { node_type_id: 1, version: "1" } },
      false,
    ),
    c("arp-runs-start-body-required", "refuses {}", {}, false),
    c("arp-runs-start-body-required", "refuses an array body", [], false),
    c("arp-runs-start-body-required", "refuses a null body", null, false),
    c("arp-error-no-nulls", "refuses run_id null", { ...MINIMAL_START, run_id: null }, false),
    c("arp-error-no-nulls", "refuses input null", { ...MINIMAL_START, input: null }, false),
    c(
      "arp-error-no-nulls",
      "refuses constraints null",
      { ...MINIMAL_START, constraints: null },
      false,
    ),
    c(
      "arp-error-no-nulls",
      "refuses run_context null",
      { ...MINIMAL_START, run_context: null },
      false,
    ),
  ];
}

function constraintCases(): SchemaCase[] {
  const c = (group: string, member: string, value: unknown, valid: boolean): SchemaCase => ({
    req: "arp-runs-start-closed",
    name: `constraints.${group}.${member} = ${JSON.stringify(value)}`,
    schema: "ConstraintEnvelope",
    value: { [group]: { [member]: value } },
    valid,
  });
  return [
    c("structural", "max_depth", 0, true),
    c("structural", "max_depth", -1, false),
    c("structural", "max_depth", 1.5, false),
    c("structural", "max_depth", "3", false),
    c("structural", "max_total_nodes_per_run", -5, false),
    c("candidates", "max_candidates_per_subtask", 1, true),
    c("candidates", "max_candidates_per_subtask", 0, false),
    c("candidates", "allowed_node_type_ids", [1], false),
    c("candidates", "denied_node_type_ids", "echo", false),
    c("budgets", "max_wall_time_ms", 0, true),
    c("budgets", "max_wall_time_ms", 2.5, false),
    c("budgets", "max_cost", 0, true),
    c("budgets", "max_cost", 0.5, true),
    c("budgets", "max_cost", -0.01, false),
    c("budgets", "max_steps", null, false),
    c("gates", "side_effect_class", "read", true),
    c("gates", "side_effect_class", "irreversible", true),
    c("gates", "side_effect_class", "delete", false),
    c("gates", "require_approval", "yes", false),
  ];
}

function extensionCases(): SchemaCase[] {
  const c = (key: string, valid: boolean): SchemaCase => ({
    req: "arp-schema-extensions",
    name: `extension key ${JSON.stringify(key)}`,
    schema: "Run",
    value: { ...MINIMAL_RUN, extensions: { [key]: { any: "value" } } },
    valid,
  });
  return [
    ...["com.acme.x", "arcp.lease", "a.b", "a..b", "A1.b-c_d", "org.key.", "0.x"].map((k) =>
      c(k, true),
    ),
    ...["constraints", "x", "a.", ".a", "-a.b", "a b.c", "", "com.acme/x", "_a.b"].map((k) =>
      c(k, false),
    ),
    {
      req: "arp-schema-extensions",
      name: "extensions as an array",
      schema: "Extensions",
      value: [],
      valid: false,
    },
    {
      req: "arp-schema-extensions",
      name: "empty extensions",
      schema: "Extensions",
      value: {},
      valid: true,
    },
  ];
}

/** Cases for `POST /v1/runs` bodies and the objects inside them. */
export const START_REQUEST_CASES: readonly SchemaCase[] = [
  ...startCases(),
  ...constraintCases(),
  ...extensionCases(),
];
