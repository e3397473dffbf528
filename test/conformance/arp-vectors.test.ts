/** ARP spec artefacts as oracles: golden vectors, spec JSON Schemas, the gateway OpenAPI. */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { describe, test } from "node:test";
import { parse as parseYaml } from "yaml";
import { openApiDocument } from "../../src/gateway/openapi.js";
import { ARP_SCHEMAS, type ArpSchemaName } from "../../src/gateway/schemas/index.js";
import {
  ARP_SPEC_SCHEMA_FILES,
  arpSpecAvailable,
  arpSpecDir,
  arpSpecMissingReason,
  validateArpFile,
} from "../support/arp-schema.js";
import { SCHEMA_CASES } from "../unit/gateway/schemas/arp-schema-cases.js";

/** Vector file (relative to `json_vectors*`) → the product schema it exercises. */
const CHECKED_VECTORS: Record<string, ArpSchemaName> = {
  "common/extensions.json": "Extensions",
  "common/status.json": "Status",
  "common/resource_ref.json": "ResourceRef",
  "common/metadata.json": "Metadata",
  "common/health.json": "Health",
  "common/version_info.json": "VersionInfo",
  "common/error_cause.json": "ErrorCause",
  "common/error_detail.json": "Error",
  "common/error.json": "ErrorEnvelope",
  "core/node_type_ref.json": "NodeTypeRef",
  "core/run_context.json": "RunContext",
  "core/constraint_envelope.json": "ConstraintEnvelope",
  "core/run_state.json": "RunState",
  "core/run.json": "Run",
  "core/run_event_type.json": "RunEventType",
  "core/run_event.json": "RunEvent",
  "run_gateway/runs/run_start_request.json": "RunStartRequest",
};

/** Objects a run gateway neither accepts nor emits (node runs, executors, registry, PDP, selection). */
const OUT_OF_SCOPE_PREFIXES = [
  "atomic_executor/",
  "composite_executor/",
  "node_registry/",
  "pdp/",
  "run_coordinator/",
  "selection/",
  "common/endpoint_locator.json",
  "common/pagination.json",
  "core/approval_ref.json",
  "core/binding_decision.json",
  "core/candidate",
  "core/evaluation_",
  "core/executor_",
  "core/node_kind.json",
  "core/node_run",
  "core/node_type.json",
  "core/policy_decision",
  "core/recovery_action",
  "core/subtask_spec.json",
];

function vectorFiles(folder: string): string[] {
  const root = join(arpSpecDir, folder);
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? walk(join(dir, e.name))
        : e.name.endsWith(".json")
          ? [join(dir, e.name)]
          : [],
    );
  return walk(root)
    .map((f) => relative(root, f).split(sep).join("/"))
    .sort();
}

const readVector = (folder: string, file: string): unknown =>
  JSON.parse(readFileSync(join(arpSpecDir, folder, file), "utf8"));

const zodAccepts = (name: ArpSchemaName, value: unknown): boolean =>
  ARP_SCHEMAS[name].safeParse(value).success;

const specErrors = (name: ArpSchemaName, value: unknown): string[] =>
  validateArpFile(ARP_SPEC_SCHEMA_FILES[name], value);

if (!arpSpecAvailable) {
  test("[arp-schema-vectors] ARP golden vectors and spec schemas", {
    skip: arpSpecMissingReason,
  }, () => {});
} else {
  describe("[arp-schema-vectors] coverage of the spec's vector folders", () => {
    test("every vector is checked here or named out of scope, run_gateway ones all checked", () => {
      for (const folder of ["json_vectors", "json_vectors_invalid"]) {
        for (const file of vectorFiles(folder)) {
          const outOfScope = OUT_OF_SCOPE_PREFIXES.some((p) => file.startsWith(p));
          assert.ok(file in CHECKED_VECTORS || outOfScope, `${folder}/${file} is unclassified`);
          assert.ok(
            !(file in CHECKED_VECTORS && outOfScope),
            `${folder}/${file} is classified twice`,
          );
        }
      }
      assert.ok(vectorFiles("json_vectors").filter((f) => f.startsWith("run_gateway/")).length > 0);
    });

    test("each checked vector's spec schema is the one our validator uses for that name", () => {
      for (const [file, name] of Object.entries(CHECKED_VECTORS)) {
        assert.equal(ARP_SPEC_SCHEMA_FILES[name], file.replace(/\.json$/, ".schema.json"));
      }
    });
  });

  describe("[arp-schema-vectors] golden vectors", () => {
    for (const [file, name] of Object.entries(CHECKED_VECTORS)) {
      test(`valid ${file}: our ${name} schema and the spec's both accept it`, () => {
        const value = readVector("json_vectors", file);
        assert.ok(zodAccepts(name, value), `zod ${name} refused the golden vector`);
        assert.deepEqual(specErrors(name, value), []);
      });
      test(`invalid ${file}: our ${name} schema and the spec's both refuse it`, () => {
        const value = readVector("json_vectors_invalid", file);
        assert.equal(zodAccepts(name, value), false, `zod ${name} accepted the invalid vector`);
        assert.notDeepEqual(specErrors(name, value), []);
      });
    }
  });

  describe("the spec's JSON Schemas agree with ours on the hand-made edge cases", () => {
    for (const c of SCHEMA_CASES) {
      const specValid = c.specValid ?? c.valid;
      const note = c.specValid === undefined ? "" : " (spec laxer, we are stricter)";
      test(`[${c.req}] spec ${specValid ? "accepts" : "refuses"} ${c.schema}: ${c.name}${note}`, () => {
        assert.equal(specErrors(c.schema, c.value).length === 0, specValid);
        assert.equal(zodAccepts(c.schema, c.value), c.valid);
      });
    }
  });

  test("[arp-surface-required-routes] our OpenAPI document has every spec route and operationId", () => {
    const spec = parseYaml(
      readFileSync(join(arpSpecDir, "openapi", "run-gateway.openapi.yaml"), "utf8"),
    ) as { paths: Record<string, Record<string, { operationId: string; security?: unknown }>> };
    const ours = openApiDocument().paths;
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const mine = ours[path]?.[method];
        assert.ok(mine !== undefined, `missing ${method.toUpperCase()} ${path}`);
        assert.equal(mine.operationId, op.operationId);
        assert.deepEqual(mine.security, op.security, `security of ${op.operationId}`);
      }
    }
  });
}
