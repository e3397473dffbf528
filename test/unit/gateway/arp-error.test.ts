/** ArpHttpError and its helpers always answer with a schema-valid, null-free ARP ErrorEnvelope. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type ArpHttpError,
  badRequest,
  conflict,
  coordinatorUnavailable,
  forbidden,
  internal,
  methodNotAllowed,
  notFound,
  payloadTooLarge,
  routeNotFound,
  runNotFound,
  toArpHttpError,
  toErrorEnvelope,
  toErrorResponse,
  unauthorized,
  unsupportedMediaType,
  validationFailed,
  zodIssuesToDetails,
} from "../../../src/gateway/arp-error.js";
import { ErrorEnvelopeSchema, RunStartRequestSchema } from "../../../src/gateway/schemas/index.js";
import { ERROR_CODES } from "../../../src/protocol/error-codes.js";
import { ArcpError } from "../../../src/protocol/errors.js";
import { nullPaths, validateArp } from "../../support/arp-schema.js";

/** The wire body as a client receives it, checked by our schema and the spec's. */
function wireBody(err: ArpHttpError): unknown {
  const body = JSON.parse(JSON.stringify(err.toEnvelope())) as unknown;
  assert.ok(ErrorEnvelopeSchema.safeParse(body).success, "our ErrorEnvelope schema refused it");
  assert.deepEqual(validateArp("ErrorEnvelope", body), []);
  assert.deepEqual(nullPaths(body), []);
  return body;
}

const HELPERS: Array<[string, ArpHttpError, number, string]> = [
  ["badRequest", badRequest("Bad", { errors: [] }), 400, "invalid_request"],
  ["badRequest without details", badRequest("Bad"), 400, "invalid_request"],
  ["validationFailed", validationFailed([]), 400, "invalid_request"],
  ["unauthorized", unauthorized("Token expired"), 401, "unauthorized"],
  ["forbidden", forbidden(), 403, "forbidden"],
  ["notFound", notFound("thing_not_found", "No thing"), 404, "thing_not_found"],
  ["runNotFound", runNotFound("run_1"), 404, "run_not_found"],
  ["routeNotFound", routeNotFound("GET", "/v1/nope"), 404, "not_found"],
  ["methodNotAllowed", methodNotAllowed("DELETE", "/v1/runs", ["POST"]), 405, "method_not_allowed"],
  ["conflict", conflict("Run 'r' exists with another body"), 409, "run_id_conflict"],
  ["payloadTooLarge", payloadTooLarge(1024), 413, "payload_too_large"],
  ["unsupportedMediaType", unsupportedMediaType(), 415, "unsupported_media_type"],
  ["internal", internal(new Error("boom")), 500, "internal_error"],
  [
    "coordinatorUnavailable",
    coordinatorUnavailable({ run_coordinator_url: "http://c" }),
    502,
    "run_coordinator_unavailable",
  ],
];

describe("[arp-error-envelope] [arp-error-no-nulls] every helper", () => {
  for (const [name, err, status, code] of HELPERS) {
    test(`${name} answers ${status} ${code} with a valid envelope`, () => {
      assert.equal(err.status, status);
      const body = wireBody(err) as { error: { code: string; message: string } };
      assert.equal(body.error.code, code);
      assert.ok(body.error.message.length > 0);
    });
  }
});

test("[arp-runs-unknown-id] runNotFound names the run", () => {
  assert.equal(runNotFound("run_9").message, "Run 'run_9' not found");
});

test("[arp-auth-401-challenge-params] unauthorized carries a Bearer challenge", () => {
  const missing = unauthorized("Missing Authorization header", "invalid_request");
  assert.equal(
    missing.headers?.["WWW-Authenticate"],
    'Bearer error="invalid_request", error_description="Missing Authorization header"',
  );
  assert.equal(
    unauthorized("Token expired").headers?.["WWW-Authenticate"],
    'Bearer error="invalid_token", error_description="Token expired"',
  );
});

test("[arp-auth-401-www-authenticate] a challenge description cannot break the header", () => {
  const header = unauthorized('bad "x"\r\nSet-Cookie: a=b\\ é').headers?.["WWW-Authenticate"] ?? "";
  assert.equal(
    header,
    'Bearer error="invalid_token", error_description="bad \\"x\\"  Set-Cookie: a=b\\\\  "',
  );
  assert.doesNotMatch(header, /[\r\n]/);
});

test("[arp-error-all-paths] 404/405 echo the path without its query string", () => {
  const nf = routeNotFound("GET", "/v1/nope?access_token=s3cret");
  assert.equal(nf.message, "Route GET /v1/nope not found");
  const mna = methodNotAllowed("DELETE", "/v1/runs?x=s3cret", ["POST"]);
  assert.equal(mna.headers?.Allow, "POST");
  assert.doesNotMatch(JSON.stringify(mna.toEnvelope()), /s3cret/);
});

test("[arp-error-all-paths] internal hides the fault but keeps it as the local cause", () => {
  const fault = new Error("password=hunter2");
  const err = internal(fault);
  assert.equal(err.message, "Internal server error");
  assert.equal(err.cause, fault);
  assert.doesNotMatch(JSON.stringify(err.toEnvelope()), /hunter2/);
});

test("[arp-runs-start-400] validation details name each offending field path", () => {
  const parsed = RunStartRequestSchema.safeParse({
    root_node_type_ref: { node_type_id: "echo" },
    input: [],
    constraints: { budgets: { max_cost: -1 } },
    extensions: { bad: 1, "bad key.x y": 2, "com.ok.key": 3 },
    stray: true,
    other: 1,
  });
  assert.equal(parsed.success, false);
  const err = validationFailed(parsed.error?.issues ?? []);
  assert.equal(err.status, 400);
  const body = wireBody(err) as { error: { details: { errors: Array<{ path: string }> } } };
  const paths = body.error.details.errors.map((e) => e.path).sort();
  assert.deepEqual(paths, [
    "$.constraints.budgets.max_cost",
    "$.extensions.bad",
    '$.extensions["bad key.x y"]',
    "$.input",
    "$.other",
    "$.root_node_type_ref.version",
    "$.stray",
  ]);
});

test("[arp-error-envelope] field errors are capped at 50 and flagged as truncated", () => {
  const body = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`k${i}`, i]));
  const parsed = RunStartRequestSchema.safeParse({
    ...body,
    input: {},
    root_node_type_ref: { node_type_id: "a", version: "1" },
  });
  const details = zodIssuesToDetails(parsed.error?.issues ?? []);
  assert.equal((details.errors as unknown[]).length, 50);
  assert.equal(details.truncated, true);
});

test("[arp-error-no-nulls] nulls inside details and cause are dropped from the envelope", () => {
  const at = new Date(0);
  const err = badRequest("Bad", { a: null, b: [1, null], c: { d: null, e: "x" }, at });
  assert.deepEqual(wireBody(err), {
    error: {
      code: "invalid_request",
      message: "Bad",
      details: { b: [1], c: { e: "x" }, at: at.toISOString() },
    },
  });
});

describe("[arp-error-envelope] toArpHttpError maps what routes may throw", () => {
  test("ARCP JOB_NOT_FOUND becomes run_not_found for the run in context", () => {
    const err = toArpHttpError(new ArcpError("JOB_NOT_FOUND", "job_1 not found"), { runId: "r1" });
    assert.deepEqual(
      [err.status, err.code, err.message],
      [404, "run_not_found", "Run 'r1' not found"],
    );
  });
  test("ARCP INVALID_REQUEST keeps its details; DUPLICATE_KEY is run_id_conflict", () => {
    const bad = toArpHttpError(
      new ArcpError("INVALID_REQUEST", "bad lease", { details: { field: "x" } }),
    );
    assert.deepEqual([bad.status, bad.code, bad.details], [400, "invalid_request", { field: "x" }]);
    const dup = toArpHttpError(new ArcpError("DUPLICATE_KEY", "key reused"));
    assert.deepEqual([dup.status, dup.code], [409, "run_id_conflict"]);
  });
  test("ARCP UNAUTHENTICATED is a challenged 401; INTERNAL_ERROR a generic 500", () => {
    const unauth = toArpHttpError(new ArcpError("UNAUTHENTICATED", "Invalid token"));
    assert.equal(unauth.status, 401);
    assert.match(unauth.headers?.["WWW-Authenticate"] ?? "", /^Bearer error="invalid_token"/);
    const fault = toArpHttpError(new ArcpError("INTERNAL_ERROR", "db at 10.0.0.5 down"));
    assert.deepEqual([fault.status, fault.message], [500, "Internal server error"]);
  });
  test("every ARCP code maps to an error status and a valid envelope", () => {
    for (const code of ERROR_CODES) {
      const err = toArpHttpError(new ArcpError(code, "m"), { runId: "r" });
      assert.ok(err.status >= 400 && err.status < 600, code);
      wireBody(err);
    }
  });
  test("a zod error is a 400 with field errors", () => {
    const zodError = RunStartRequestSchema.safeParse({}).error;
    const err = toArpHttpError(zodError);
    assert.equal(err.status, 400);
    assert.ok(Array.isArray(err.details?.errors));
  });
  test("framework body errors get fixed messages that echo nothing of the body", () => {
    const parseError = Object.assign(new SyntaxError("Unexpected token s in 'secret-body'"), {
      statusCode: 400,
      code: "FST_ERR_CTP_INVALID_JSON_BODY",
    });
    const err = toArpHttpError(parseError);
    assert.deepEqual(
      [err.status, err.code, err.message],
      [400, "invalid_request", "Request body is not valid JSON"],
    );
    assert.equal(
      toArpHttpError({ statusCode: 400, code: "FST_ERR_CTP_EMPTY_JSON_BODY" }).message,
      "Request body is empty",
    );
    assert.equal(
      toArpHttpError({ statusCode: 413, code: "FST_ERR_CTP_BODY_TOO_LARGE" }).status,
      413,
    );
    assert.equal(toArpHttpError({ statusCode: 415 }).code, "unsupported_media_type");
    assert.deepEqual(
      [toArpHttpError({ statusCode: 429 }).code, toArpHttpError({ statusCode: 429 }).message],
      ["http_error", "Too Many Requests"],
    );
  });
  test("5xx framework errors and anything else become a generic 500", () => {
    for (const thrown of [{ statusCode: 503 }, new Error("x"), "text", null, undefined, 42]) {
      const err = toArpHttpError(thrown);
      assert.deepEqual(
        [err.status, err.code, err.message],
        [500, "internal_error", "Internal server error"],
      );
    }
  });
  test("an ArpHttpError passes through unchanged", () => {
    const err = forbidden("nope");
    assert.equal(toArpHttpError(err), err);
  });
});

test("[arp-error-envelope] toErrorEnvelope and toErrorResponse carry status, headers and body", () => {
  assert.deepEqual(toErrorEnvelope(new Error("x")), {
    error: { code: "internal_error", message: "Internal server error" },
  });
  const res = toErrorResponse(methodNotAllowed("PUT", "/v1/runs", ["POST"]));
  assert.equal(res.status, 405);
  assert.deepEqual(res.headers, { Allow: "POST" });
  assert.equal(res.body.error.code, "method_not_allowed");
  assert.deepEqual(toErrorResponse(forbidden()).headers, {});
});
