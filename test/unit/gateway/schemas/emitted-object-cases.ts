/** Edge cases for what the gateway emits: Run, RunEvent, Health, VersionInfo and ErrorEnvelope. */
import { RUN_EVENT_TYPES, RUN_STATES, STATUSES } from "../../../../src/gateway/schemas/index.js";
import {
  FULL_START,
  MINIMAL_EVENT,
  MINIMAL_RUN,
  type SchemaCase,
  T0,
} from "./schema-case-fixtures.js";

function runCases(): SchemaCase[] {
  const c = (
    req: string,
    name: string,
    value: unknown,
    valid: boolean,
    specValid?: boolean,
  ): SchemaCase => ({
    req,
    name,
    schema: "Run",
    value,
    valid,
    ...(specValid === undefined ? {} : { specValid }),
  });
  const at = (started_at: unknown) => ({ ...MINIMAL_RUN, started_at });
  return [
    ...RUN_STATES.map((state) =>
      c("arp-schema-run", `state ${state}`, { ...MINIMAL_RUN, state }, true),
    ),
    c(
      "arp-schema-run",
      "state cancelled (double l)",
      { ...MINIMAL_RUN, state: "cancelled" },
      false,
    ),
    c("arp-schema-run", "state pending (ARCP word)", { ...MINIMAL_RUN, state: "pending" }, false),
    c("arp-schema-run", "an input member", { ...MINIMAL_RUN, input: {} }, false),
    c(
      "arp-schema-run",
      "an error member",
      { ...MINIMAL_RUN, error: { code: "x", message: "y" } },
      false,
    ),
    c("arp-schema-run", "no root_node_run_id", { run_id: "r", state: "queued" }, false),
    c(
      "arp-schema-run",
      "every optional field",
      {
        ...at(T0),
        ended_at: T0,
        run_context: FULL_START.run_context,
        extensions: { "arcp.job_id": "job_1" },
      },
      true,
    ),
    c("arp-error-no-nulls", "ended_at null", { ...MINIMAL_RUN, ended_at: null }, false),
    c("arp-error-no-nulls", "run_context null", { ...MINIMAL_RUN, run_context: null }, false),
    c("arp-schema-datetime", "started_at from toISOString()", at(new Date(0).toISOString()), true),
    c("arp-schema-datetime", "started_at with an offset", at("2025-01-01T01:00:00+01:00"), true),
    c(
      "arp-schema-datetime",
      "started_at with microseconds",
      at("2025-01-01T00:00:00.123456+00:00"),
      true,
    ),
    c("arp-schema-datetime", "started_at date only", at("2025-01-01"), false),
    c("arp-schema-datetime", "started_at without offset", at("2025-01-01T00:00:00"), false),
    c("arp-schema-datetime", "started_at without seconds", at("2025-01-01T00:00Z"), false),
    c("arp-schema-datetime", "started_at month 13", at("2025-13-01T00:00:00Z"), false),
    c("arp-schema-datetime", "started_at 30 February", at("2025-02-30T00:00:00Z"), false),
    c("arp-schema-datetime", "started_at as epoch ms", at(1735689600000), false),
    c("arp-schema-datetime", "started_at prose", at("yesterday"), false),
    c(
      "arp-schema-datetime",
      "lowercase t/z (we emit only the canonical form)",
      at("2025-01-01t00:00:00z"),
      false,
      true,
    ),
  ];
}

function eventCases(): SchemaCase[] {
  const c = (
    req: string,
    name: string,
    value: unknown,
    valid: boolean,
    specValid?: boolean,
  ): SchemaCase => ({
    req,
    name,
    schema: "RunEvent",
    value,
    valid,
    ...(specValid === undefined ? {} : { specValid }),
  });
  const full = {
    ...MINIMAL_EVENT,
    node_run_id: "job_1",
    data: { arcp: { kind: "log" } },
    extensions: { "arcp.seq": 3 },
  };
  return [
    ...RUN_EVENT_TYPES.map((type) =>
      c("arp-events-schema", `type ${type}`, { ...MINIMAL_EVENT, type }, true),
    ),
    c("arp-events-schema", "every optional field", full, true),
    c("arp-events-schema", "seq -1", { ...MINIMAL_EVENT, seq: -1 }, false),
    c("arp-events-schema", "seq 1.5", { ...MINIMAL_EVENT, seq: 1.5 }, false),
    c("arp-events-schema", 'seq "1"', { ...MINIMAL_EVENT, seq: "1" }, false),
    c(
      "arp-events-schema",
      "seq beyond 2^53 (unsafe in JSON numbers)",
      { ...MINIMAL_EVENT, seq: 2 ** 53 },
      false,
      true,
    ),
    c("arp-events-schema", "type job.started", { ...MINIMAL_EVENT, type: "job.started" }, false),
    c("arp-events-schema", "array data", { ...MINIMAL_EVENT, data: [] }, false),
    c("arp-events-schema", "a stray member", { ...MINIMAL_EVENT, kind: "log" }, false),
    c("arp-events-schema", "no time", { run_id: "r", seq: 0, type: "run_started" }, false),
    c(
      "arp-schema-datetime",
      "time without offset",
      { ...MINIMAL_EVENT, time: "2025-01-01T00:00:00" },
      false,
    ),
    c("arp-error-no-nulls", "node_run_id null", { ...MINIMAL_EVENT, node_run_id: null }, false),
    c("arp-error-no-nulls", "data null", { ...MINIMAL_EVENT, data: null }, false),
  ];
}

function healthVersionCases(): SchemaCase[] {
  const h = (
    name: string,
    value: unknown,
    valid: boolean,
    req = "arp-health-schema",
  ): SchemaCase => ({
    req,
    name,
    schema: "Health",
    value,
    valid,
  });
  const v = (
    name: string,
    value: unknown,
    valid: boolean,
    req = "arp-version-schema",
  ): SchemaCase => ({
    req,
    name,
    schema: "VersionInfo",
    value,
    valid,
  });
  const check = { name: "store", status: "ok", message: "fine", details: { latency_ms: 1 } };
  const version = {
    service_name: "runplane",
    service_version: "0.1.0",
    supported_api_versions: ["v1"],
  };
  return [
    ...STATUSES.map((status) => h(`status ${status}`, { status, time: T0 }, true)),
    h(
      "every optional field",
      { status: "degraded", time: T0, checks: [check], extensions: { "com.x.y": 1 } },
      true,
    ),
    h("status fine", { status: "fine", time: T0 }, false),
    h(
      "a stray member in a check",
      { status: "ok", time: T0, checks: [{ ...check, latency: 1 }] },
      false,
    ),
    h("a check without status", { status: "ok", time: T0, checks: [{ name: "store" }] }, false),
    h(
      "array check details",
      { status: "ok", time: T0, checks: [{ ...check, details: [] }] },
      false,
    ),
    h(
      "time without offset",
      { status: "ok", time: "2025-01-01T00:00:00" },
      false,
      "arp-schema-datetime",
    ),
    h("checks null", { status: "ok", time: T0, checks: null }, false, "arp-error-no-nulls"),
    v(
      "every optional field",
      {
        ...version,
        build: { commit: "abc", built_at: T0, dirty: false },
        extensions: { "com.x.y": 1 },
      },
      true,
    ),
    v("no supported versions", { ...version, supported_api_versions: [] }, false),
    v("a numeric version", { ...version, supported_api_versions: [1] }, false),
    v("a stray member in build", { ...version, build: { commit: "abc", branch: "main" } }, false),
    v('build.dirty "no"', { ...version, build: { dirty: "no" } }, false),
    v(
      "build.built_at date only",
      { ...version, build: { built_at: "2025-01-01" } },
      false,
      "arp-schema-datetime",
    ),
    v("build null", { ...version, build: null }, false, "arp-error-no-nulls"),
  ];
}

function errorCases(): SchemaCase[] {
  const e = (
    name: string,
    value: unknown,
    valid: boolean,
    req = "arp-error-envelope",
  ): SchemaCase => ({
    req,
    name,
    schema: "ErrorEnvelope",
    value,
    valid,
  });
  const error = { code: "invalid_request", message: "Request validation failed" };
  const cause = {
    code: "upstream",
    message: "boom",
    details: { a: 1 },
    extensions: { "com.x.y": 1 },
  };
  return [
    e(
      "every optional field",
      {
        error: {
          ...error,
          details: { errors: [] },
          retryable: false,
          cause,
          extensions: { "com.x.y": 1 },
        },
        extensions: { "com.x.z": 2 },
      },
      true,
    ),
    e("no message", { error: { code: "x" } }, false),
    e("a stray member in error", { error: { ...error, status: 400 } }, false),
    e("a stray member in the envelope", { error, status: 400 }, false),
    e("a cause without message", { error: { ...error, cause: { code: "x" } } }, false),
    e(
      "a stray member in cause",
      { error: { ...error, cause: { message: "m", stack: "…" } } },
      false,
    ),
    e("array details", { error: { ...error, details: [] } }, false),
    e('retryable "yes"', { error: { ...error, retryable: "yes" } }, false),
    e("details null", { error: { ...error, details: null } }, false, "arp-error-no-nulls"),
    e("cause null", { error: { ...error, cause: null } }, false, "arp-error-no-nulls"),
    e("retryable null", { error: { ...error, retryable: null } }, false, "arp-error-no-nulls"),
    e(
      "un-namespaced envelope extension",
      { error, extensions: { trace: "x" } },
      false,
      "arp-schema-extensions",
    ),
    {
      req: "arp-runs-start-closed",
      name: "actor uri that is no URI",
      schema: "ResourceRef",
      value: { type: "user", id: "u", uri: "not a uri" },
      valid: false,
    },
    {
      req: "arp-runs-start-closed",
      name: "metadata label that is no string",
      schema: "Metadata",
      value: { labels: { a: 1 } },
      valid: false,
    },
  ];
}

/** Cases for response bodies. */
export const EMITTED_OBJECT_CASES: readonly SchemaCase[] = [
  ...runCases(),
  ...eventCases(),
  ...healthVersionCases(),
  ...errorCases(),
];
