/** Test oracle: the ARP spec's own JSON Schemas (2020-12, ajv + formats) from the data copy. */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import ajvFormats from "ajv-formats";
import {
  ARP_SCHEMAS,
  type ArpSchemaName,
  formatIssuePath,
} from "../../src/gateway/schemas/index.js";

/**
 * The spec data copy (`openapi/`, `schemas/`, `json_vectors*`): `$ARP_SPEC_DIR`, else
 * `../shared/arp-spec-v1` next to the project root.
 */
export const arpSpecDir: string =
  process.env.ARP_SPEC_DIR !== undefined && process.env.ARP_SPEC_DIR !== ""
    ? resolve(process.env.ARP_SPEC_DIR)
    : fileURLToPath(new URL("../../../shared/arp-spec-v1", import.meta.url));

/** True when the spec's schemas can be read, so spec-backed checks can run. */
export const arpSpecAvailable: boolean = existsSync(join(arpSpecDir, "schemas"));

/** The line a spec-backed test shows when it skips. */
export const arpSpecMissingReason = `ARP spec data not found at ${arpSpecDir} (set ARP_SPEC_DIR to a copy of ARP_Standard spec/v1)`;

/** `test(name, { skip: arpSpecSkip }, fn)`: false when the data is there, else the reason. */
export const arpSpecSkip: string | false = arpSpecAvailable ? false : arpSpecMissingReason;

/** Which spec file holds each named ARP schema (names as in the product's `ARP_SCHEMAS`). */
export const ARP_SPEC_SCHEMA_FILES = {
  Extensions: "common/extensions.schema.json",
  Status: "common/status.schema.json",
  ResourceRef: "common/resource_ref.schema.json",
  Metadata: "common/metadata.schema.json",
  NodeTypeRef: "core/node_type_ref.schema.json",
  RunContext: "core/run_context.schema.json",
  ConstraintEnvelope: "core/constraint_envelope.schema.json",
  RunStartRequest: "run_gateway/runs/run_start_request.schema.json",
  RunState: "core/run_state.schema.json",
  Run: "core/run.schema.json",
  RunEventType: "core/run_event_type.schema.json",
  RunEvent: "core/run_event.schema.json",
  Health: "common/health.schema.json",
  VersionInfo: "common/version_info.schema.json",
  ErrorCause: "common/error_cause.schema.json",
  Error: "common/error_detail.schema.json",
  ErrorEnvelope: "common/error.schema.json",
} as const satisfies Record<ArpSchemaName, string>;

/** Where {@link validateArp} gets its verdicts: the spec's JSON Schemas, or our zod ones without them. */
export const arpValidatorSource: "spec" | "product-zod" = arpSpecAvailable ? "spec" : "product-zod";

// The spec's schemas carry no `$id`; giving each one its path as id resolves their relative `$ref`s.
const SCHEMA_BASE = "https://arp-spec.invalid/v1/schemas/";

function listSchemaFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) listSchemaFiles(full, out);
    else if (entry.name.endsWith(".schema.json")) out.push(full);
  }
  return out;
}

let ajv: Ajv2020 | undefined;

function specAjv(): Ajv2020 {
  if (ajv !== undefined) return ajv;
  if (!arpSpecAvailable) throw new Error(arpSpecMissingReason);
  const instance = new Ajv2020({ allErrors: true, strict: true });
  // ajv-formats is CommonJS: under NodeNext its default import is the module, the plugin is `.default`.
  ajvFormats.default(instance);
  const root = join(arpSpecDir, "schemas");
  for (const file of listSchemaFiles(root)) {
    const id = SCHEMA_BASE + relative(root, file).split(sep).join("/");
    instance.addSchema({ ...JSON.parse(readFileSync(file, "utf8")), $id: id });
  }
  ajv = instance;
  return instance;
}

function formatAjvError(e: ErrorObject): string {
  const where = e.instancePath === "" ? "/" : e.instancePath;
  const extra = (e.params as { additionalProperty?: unknown }).additionalProperty;
  return extra === undefined ? `${where} ${e.message}` : `${where} ${e.message} (${String(extra)})`;
}

/**
 * Validate `value` against a spec schema file given relative to `schemas/`
 * (e.g. `core/run.schema.json`). Needs the spec data; returns the error list, empty when valid.
 */
export function validateArpFile(schemaFile: string, value: unknown): string[] {
  const validate = specAjv().getSchema(SCHEMA_BASE + schemaFile);
  if (validate === undefined) throw new Error(`no ARP spec schema ${schemaFile} in ${arpSpecDir}`);
  if (validate(value)) return [];
  return (validate.errors ?? []).map(formatAjvError);
}

/**
 * Errors of `value` against the named ARP schema, empty when valid. With the spec data present
 * the verdict is the spec's own JSON Schema; without it, the product's zod schema stands in, so
 * callers keep a real check on a bare clone.
 */
export function validateArp(schemaName: ArpSchemaName, value: unknown): string[] {
  if (arpSpecAvailable) return validateArpFile(ARP_SPEC_SCHEMA_FILES[schemaName], value);
  const parsed = ARP_SCHEMAS[schemaName].safeParse(value);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => `${formatIssuePath(issue.path)} ${issue.message}`);
}

/** Assert that `value` matches the named ARP schema, listing every error when it does not. */
export function assertArpValid(schemaName: ArpSchemaName, value: unknown, label = "body"): void {
  const errors = validateArp(schemaName, value);
  assert.deepEqual(errors, [], `${label} is not a valid ARP ${schemaName} (${arpValidatorSource})`);
}

/** JSONPaths of every `null` inside `value` (arp-error-no-nulls scans whole bodies with this). */
export function nullPaths(value: unknown, path = "$"): string[] {
  if (value === null) return [path];
  if (Array.isArray(value)) return value.flatMap((item, i) => nullPaths(item, `${path}[${i}]`));
  if (typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, member]) =>
    nullPaths(member, `${path}[${JSON.stringify(key)}]`),
  );
}
