/** The shared ARP surface through app.inject: routing, the literal :cancel, auth, and an envelope on every failure. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import type { ArpInboundAuth } from "../../../src/auth/arp-auth-config.js";
import { BearerAuthenticator } from "../../../src/auth/bearer.js";
import { RunSchema } from "../../../src/gateway/schemas/index.js";
import { type ArpHandlers, jsonAnswer, registerArpSurface } from "../../../src/gateway/surface.js";
import { silentLogger } from "../../../src/runtime/logger.js";
import { nullPaths, validateArp } from "../../support/arp-schema.js";

const auth: ArpInboundAuth = {
  mode: "required",
  exemptPaths: new Set(["/v1/health", "/v1/version", "/v1/openapi.json"]),
  authenticator: new BearerAuthenticator([{ token: "tok-a", principalId: "alice" }]),
  anonymousPrincipal: { id: "anonymous" },
};

const calls: string[] = [];
const run = (id: string) => ({ run_id: id, state: "running" as const, root_node_run_id: id });

const handlers: ArpHandlers = {
  health: async () => ({
    status: 200,
    body: JSON.stringify({ status: "ok", time: new Date().toISOString() }),
  }),
  version: () => ({
    status: 200,
    body: JSON.stringify({
      service_name: "t",
      service_version: "1",
      supported_api_versions: ["v1"],
    }),
  }),
  async startRun(caller, body) {
    calls.push(`start ${caller.principal.id} ${body.root_node_type_ref.node_type_id}`);
    if (body.root_node_type_ref.node_type_id === "boom") throw new Error("secret internals");
    if (body.root_node_type_ref.node_type_id === "bad-emit") {
      return jsonAnswer(RunSchema, { ...run("x"), state: "pending" } as never);
    }
    return jsonAnswer(RunSchema, run("r1"));
  },
  async getRun(caller, runId) {
    calls.push(`get ${caller.principal.id} ${runId}`);
    return jsonAnswer(RunSchema, run(runId));
  },
  async cancelRun(caller, runId) {
    calls.push(`cancel ${caller.principal.id} ${runId}`);
    return jsonAnswer(RunSchema, { ...run(runId), state: "canceled" });
  },
  async streamEvents(_caller, runId, query) {
    calls.push(`events ${runId} ${query.includeAll} ${query.rawQuery}`);
    return jsonAnswer(RunSchema, run(runId));
  },
};

const AUTH = { authorization: "Bearer tok-a" };
const START = JSON.stringify({
  root_node_type_ref: { node_type_id: "echo", version: "1" },
  input: {},
});

describe("ARP surface", () => {
  let app: FastifyInstance;
  before(async () => {
    app = Fastify({ logger: false }) as unknown as FastifyInstance;
    await registerArpSurface(app, { auth, handlers, logger: silentLogger, bodyLimit: 2048 });
    await app.ready();
  });
  after(() => app.close());

  async function call(
    method: string,
    url: string,
    headers: Record<string, string> = {},
    payload?: string,
  ) {
    const res = await app.inject({
      method: method as "GET",
      url,
      headers,
      ...(payload === undefined ? {} : { payload }),
    });
    const type = String(res.headers["content-type"] ?? "");
    assert.match(type, /^application\/json(;|$)/, `${method} ${url} content type`);
    const body = JSON.parse(res.body) as Record<string, unknown>;
    assert.deepEqual(nullPaths(body), [], `${method} ${url} has nulls`);
    if (res.statusCode >= 400)
      assert.deepEqual(validateArp("ErrorEnvelope", body), [], `${method} ${url} envelope`);
    return {
      status: res.statusCode,
      headers: res.headers,
      body,
      error: body.error as Record<string, unknown>,
    };
  }

  test("[arp-surface-required-routes] [arp-runs-cancel-route] [arp-surface-json-type] each route reaches its handler; :cancel is literal", async () => {
    calls.length = 0;
    assert.equal(
      (await call("POST", "/v1/runs", { ...AUTH, "content-type": "application/json" }, START))
        .status,
      200,
    );
    assert.equal((await call("GET", "/v1/runs/abc", AUTH)).status, 200);
    assert.equal((await call("POST", "/v1/runs/abc:cancel", AUTH)).status, 200);
    assert.equal((await call("POST", "/v1/runs/a:b:cancel", AUTH)).status, 200);
    assert.equal((await call("GET", "/v1/runs/abc/events?include=all", AUTH)).status, 200);
    assert.deepEqual(calls, [
      "start alice echo",
      "get alice abc",
      "cancel alice abc",
      "cancel alice a:b",
      "events abc true ?include=all",
    ]);
  });

  test("[arp-runs-cancel-route] cancel needs no body or Content-Type, and ignores a JSON body", async () => {
    calls.length = 0;
    const cases: Array<[Record<string, string>, string | undefined]> = [
      [{}, undefined],
      [{ "content-type": "application/json" }, "{not json"],
      [{ "content-type": "application/json; charset=utf-8" }, "{}"],
    ];
    for (const [headers, payload] of cases) {
      assert.equal(
        (await call("POST", "/v1/runs/r:cancel", { ...AUTH, ...headers }, payload)).status,
        200,
      );
    }
    assert.equal(calls.length, cases.length);
    const big = await call(
      "POST",
      "/v1/runs/r:cancel",
      { ...AUTH, "content-type": "application/json" },
      "x".repeat(5000),
    );
    assert.equal(big.status, 413);
  });

  test("cancel refuses any other body with 415, so a cross-site form cannot cancel", async () => {
    calls.length = 0;
    const cases: Array<[Record<string, string>, string]> = [
      [{ "content-type": "text/plain" }, "x"],
      [{ "content-type": "application/x-www-form-urlencoded" }, "a=1"],
      [{ "content-type": "multipart/form-data; boundary=x" }, "--x--"],
      [{ "content-type": "application/xml" }, "<x/>"],
      [{}, "stray bytes"],
    ];
    for (const [headers, payload] of cases) {
      const res = await call("POST", "/v1/runs/r:cancel", { ...AUTH, ...headers }, payload);
      assert.equal(res.status, 415, JSON.stringify(headers));
      assert.equal(res.error.code, "unsupported_media_type");
    }
    assert.equal(calls.length, 0, "no handler ran");
  });

  test("a request with an Origin (a browser page) is 403 forbidden on every route before auth", async () => {
    calls.length = 0;
    for (const [method, url] of [
      ["GET", "/v1/health"],
      ["POST", "/v1/runs/r:cancel"],
      ["GET", "/v1/runs/r"],
    ] as const) {
      const res = await call(method, url, { ...AUTH, origin: "https://evil.example" });
      assert.equal(res.status, 403, url);
      assert.equal(res.error.code, "forbidden");
    }
    assert.equal(calls.length, 0);
  });

  test("[arp-surface-json-type] JSON bodies go out as exactly application/json", async () => {
    for (const url of ["/v1/health", "/v1/version", "/v1/openapi.json", "/v1/nope"]) {
      const res = await app.inject({ method: "GET", url, headers: AUTH });
      assert.equal(res.headers["content-type"], "application/json", url);
    }
  });

  test("[arp-error-all-paths] unknown paths 404, known paths with another method 405 with Allow", async () => {
    const missing = await call("GET", "/v1/nope", AUTH);
    assert.equal(missing.status, 404);
    assert.equal(missing.error.code, "not_found");
    const cases: Array<[string, string, string]> = [
      ["DELETE", "/v1/runs", "POST"],
      ["GET", "/v1/runs", "POST"],
      ["POST", "/v1/runs/abc", "GET"],
      ["PUT", "/v1/runs/abc:cancel", "GET, POST"],
      ["POST", "/v1/health", "GET"],
      ["HEAD", "/v1/version", "GET"],
    ];
    for (const [method, url, allow] of cases) {
      const res = await app.inject({ method: method as "GET", url, headers: AUTH });
      assert.equal(res.statusCode, 405, `${method} ${url}`);
      assert.equal(res.headers.allow, allow);
      if (method !== "HEAD")
        assert.deepEqual(validateArp("ErrorEnvelope", JSON.parse(res.body)), []);
    }
  });

  test("[arp-runs-start-body-required] [arp-runs-start-400] a missing, non-JSON, {} or closed-object-breaking body is a 400 envelope", async () => {
    const json = { ...AUTH, "content-type": "application/json" };
    const bodies: Array<[Record<string, string>, string | undefined, string]> = [
      [AUTH, undefined, "Request validation failed"],
      [json, "", "Request body is empty"],
      [json, "{bad", "Request body is not valid JSON"],
      [json, "{}", "Request validation failed"],
      [json, "[]", "Request validation failed"],
      [json, JSON.stringify({ ...JSON.parse(START), extra: 1 }), "Request validation failed"],
    ];
    for (const [headers, payload, message] of bodies) {
      const res = await call("POST", "/v1/runs", headers, payload);
      assert.equal(res.status, 400, String(payload));
      assert.equal(res.error.code, "invalid_request");
      assert.equal(res.error.message, message);
    }
    const empty = await call("POST", "/v1/runs", json, "{}");
    const paths = (empty.error.details as { errors: Array<{ path: string }> }).errors
      .map((e) => e.path)
      .sort();
    assert.deepEqual(paths, ["$.input", "$.root_node_type_ref"]);
  });

  test("a non-JSON content type is 415 and an oversize body 413, both as envelopes", async () => {
    const text = await call("POST", "/v1/runs", { ...AUTH, "content-type": "text/plain" }, START);
    assert.equal(text.status, 415);
    assert.equal(text.error.code, "unsupported_media_type");
    const big = JSON.stringify({ ...JSON.parse(START), input: { pad: "x".repeat(4096) } });
    const tooLarge = await call(
      "POST",
      "/v1/runs",
      { ...AUTH, "content-type": "application/json" },
      big,
    );
    assert.equal(tooLarge.status, 413);
    assert.equal(tooLarge.error.code, "payload_too_large");
  });

  test("[arp-auth-401-www-authenticate] [arp-auth-401-challenge-params] 401s carry the Bearer challenge; health, version, openapi are open", async () => {
    const cases: Array<[Record<string, string>, string, string]> = [
      [{}, "invalid_request", "Missing Authorization header"],
      [{ authorization: "Token abc" }, "invalid_request", "Invalid Authorization header"],
      [{ authorization: "Bearer" }, "invalid_request", "Invalid Authorization header"],
      [{ authorization: "Bearer nope" }, "invalid_token", "Unknown bearer token"],
    ];
    for (const [headers, challenge, message] of cases) {
      const res = await call("GET", "/v1/runs/abc", headers);
      assert.equal(res.status, 401);
      assert.equal(res.error.code, "unauthorized");
      assert.equal(res.error.message, message);
      assert.match(
        String(res.headers["www-authenticate"]),
        new RegExp(`^Bearer error="${challenge}", error_description="`),
      );
    }
    for (const url of ["/v1/health", "/v1/version", "/v1/openapi.json"]) {
      assert.equal((await call("GET", url)).status, 200, url);
    }
    assert.equal((await call("GET", "/v1/openapi.json")).body.openapi, "3.0.3");
  });

  test("[arp-error-all-paths] an unexpected fault is a 500 envelope that says nothing about the fault", async () => {
    const res = await call(
      "POST",
      "/v1/runs",
      { ...AUTH, "content-type": "application/json" },
      START.replace("echo", "boom"),
    );
    assert.equal(res.status, 500);
    assert.deepEqual(res.body, {
      error: { code: "internal_error", message: "Internal server error" },
    });
  });

  test("[arp-schema-all-emitted-valid] a body of ours that breaks its schema becomes a 500, never a 400 or a bad 200", async () => {
    const res = await call(
      "POST",
      "/v1/runs",
      { ...AUTH, "content-type": "application/json" },
      START.replace("echo", "bad-emit"),
    );
    assert.equal(res.status, 500);
    assert.equal(res.error.code, "internal_error");
  });

  test("include takes only 'all'", async () => {
    const res = await call("GET", "/v1/runs/abc/events?include=everything", AUTH);
    assert.equal(res.status, 400);
    assert.equal(
      (res.error.details as { errors: Array<{ path: string }> }).errors[0]?.path,
      "$.query.include",
    );
  });
});
