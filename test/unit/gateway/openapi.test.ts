/** The OpenAPI document lists every ARP route; its schemas judge like the zod ones. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import ajvFormats from "ajv-formats";
import { ARP_ROUTES, buildOpenApiDocument, openApiDocument } from "../../../src/gateway/openapi.js";
import { ARP_SCHEMAS } from "../../../src/gateway/schemas/index.js";
import { SCHEMA_CASES } from "./schemas/arp-schema-cases.js";

const doc = openApiDocument();
type Operation = { operationId?: string; security?: unknown; requestBody?: unknown } & Record<
  string,
  unknown
>;
const op = (path: string, method: string): Operation => doc.paths[path]?.[method] as Operation;

function refsIn(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(refsIn);
  if (typeof node !== "object" || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === "$ref" && typeof value === "string" ? [value] : refsIn(value),
  );
}

function resolvePointer(pointer: string): unknown {
  assert.ok(pointer.startsWith("#/"), `external $ref ${pointer}`);
  return pointer
    .slice(2)
    .split("/")
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
}

test("[arp-surface-required-routes] the document lists exactly our routes, each once", () => {
  assert.equal(doc.openapi, "3.0.3");
  const listed = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
  );
  const expected = ARP_ROUTES.map((r) => `${r.method} ${r.path}`);
  assert.deepEqual([...listed].sort(), [...expected].sort());
  for (const required of [
    "GET /v1/health",
    "GET /v1/version",
    "POST /v1/runs",
    "GET /v1/runs/{run_id}",
    "POST /v1/runs/{run_id}:cancel",
    "GET /v1/runs/{run_id}/events",
    "GET /v1/openapi.json",
  ]) {
    assert.ok(listed.includes(required), required);
  }
  const ids = ARP_ROUTES.map((r) => op(r.path, r.method.toLowerCase()).operationId);
  assert.deepEqual(
    ids,
    ARP_ROUTES.map((r) => r.operationId),
  );
});

test("the document survives a JSON round trip unchanged", () => {
  const text = JSON.stringify(doc);
  assert.deepEqual(JSON.parse(text), doc);
  assert.deepEqual(buildOpenApiDocument(), doc);
});

test("[arp-runs-cancel-route] cancel is the literal :cancel path and takes no body", () => {
  assert.ok(Object.keys(doc.paths).includes("/v1/runs/{run_id}:cancel"));
  assert.equal(op("/v1/runs/{run_id}:cancel", "post").requestBody, undefined);
  assert.deepEqual(op("/v1/runs", "post").requestBody, {
    required: true,
    content: { "application/json": { schema: { $ref: "#/components/schemas/RunStartRequest" } } },
  });
});

test("[arp-events-ndjson] events answer application/x-ndjson and take include=all", () => {
  const events = op("/v1/runs/{run_id}/events", "get");
  const ok = (events.responses as Record<string, { content: Record<string, unknown> }>)["200"];
  assert.deepEqual(Object.keys(ok?.content ?? {}), ["application/x-ndjson"]);
  const params = (events.parameters as Array<{ $ref: string }>).map((p) => resolvePointer(p.$ref));
  assert.ok(params.some((p) => (p as { name: string; in: string }).name === "run_id"));
  const include = params.find((p) => (p as { name: string }).name === "include");
  const { in: where, required, schema } = include as Record<string, unknown>;
  assert.deepEqual([where, required, schema], ["query", false, { type: "string", enum: ["all"] }]);
});

test("[arp-health-version-no-auth] bearer JWT is global; health, version and openapi are exempt", () => {
  assert.deepEqual(doc.security, [{ ArpBearerJWT: [] }]);
  assert.deepEqual(doc.components.securitySchemes.ArpBearerJWT, {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
  });
  for (const route of ARP_ROUTES) {
    const operation = op(route.path, route.method.toLowerCase());
    const responses = operation.responses as Record<string, unknown>;
    if (route.auth) {
      assert.equal(operation.security, undefined, route.operationId);
      assert.deepEqual(responses["401"], { $ref: "#/components/responses/UnauthorizedError" });
    } else {
      assert.deepEqual(operation.security, [], route.operationId);
    }
    assert.ok("default" in responses && "200" in responses, route.operationId);
  }
  const unauthorized = doc.components.responses.UnauthorizedError as { headers: object };
  assert.ok("WWW-Authenticate" in unauthorized.headers);
});

test("every $ref in the document resolves inside it", () => {
  const refs = refsIn(doc);
  assert.ok(refs.length > 20);
  for (const ref of refs) assert.notEqual(resolvePointer(ref), undefined, ref);
});

test("components hold every ARP schema, without $id, and Extensions states its key rule", () => {
  assert.deepEqual(Object.keys(doc.components.schemas).sort(), Object.keys(ARP_SCHEMAS).sort());
  assert.doesNotMatch(JSON.stringify(doc.components.schemas), /"\$id"/);
  assert.equal(
    doc.components.schemas.Extensions?.["x-key-pattern"],
    "^[A-Za-z0-9][A-Za-z0-9_.-]*\\.[A-Za-z0-9_.-]+$",
  );
});

describe("component schemas judge the edge cases as the zod schemas do", () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  ajvFormats.default(ajv);
  ajv.addSchema({ ...doc, $id: "urn:runplane:openapi" });
  // OpenAPI 3.0 cannot constrain map keys, and documented divergences make no claim here.
  const comparable = SCHEMA_CASES.filter(
    (c) => c.req !== "arp-schema-extensions" && c.specValid === undefined,
  );
  for (const c of comparable) {
    test(`[${c.req}] components/${c.schema} ${c.valid ? "accepts" : "refuses"}: ${c.name}`, () => {
      const validate = ajv.getSchema(`urn:runplane:openapi#/components/schemas/${c.schema}`);
      assert.ok(validate !== undefined);
      assert.equal(validate(c.value), c.valid);
    });
  }
});
