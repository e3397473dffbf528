/**
 * ARP over real HTTP for tests: every JSON body is checked (no nulls; errors against
 * ErrorEnvelope; Runs against Run) and every NDJSON line against RunEvent.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import type { ArpSchemaName } from "../../../src/gateway/schemas/index.js";
import { nullPaths, validateArp } from "../../support/arp-schema.js";

/** The test agents module (`example@example`, `tick`). */
export const ARP_AGENTS_FILE = fileURLToPath(new URL("./fixtures/arp-agents.mjs", import.meta.url));

export interface ArpResponse {
  status: number;
  contentType: string;
  headers: Headers;
  json: Record<string, unknown>;
}

export interface CallOptions {
  token?: string;
  body?: string;
  headers?: Record<string, string>;
  /** The schema a 2xx body must satisfy (errors are always checked against ErrorEnvelope). */
  expect?: ArpSchemaName;
}

/** Asserts `body` is a valid ARP `schema` object with no `null` anywhere. */
export function assertArp(schema: ArpSchemaName, body: unknown, label: string): void {
  assert.deepEqual(validateArp(schema, body), [], `${label}: not a valid ${schema}`);
  assert.deepEqual(nullPaths(body), [], `${label}: carries null`);
}

/** One JSON exchange (requirement arp-surface-json-type: `application/json` either way). */
export async function arpCall(
  base: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<ArpResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined && headers["content-type"] === undefined)
    headers["content-type"] = "application/json";
  const res = await fetch(base + path, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  const contentType = res.headers.get("content-type") ?? "";
  const label = `${method} ${path} → ${res.status}`;
  assert.match(contentType, /^application\/json(;|$)/, `${label}: content type ${contentType}`);
  const json = JSON.parse(await res.text()) as Record<string, unknown>;
  if (res.status >= 400) assertArp("ErrorEnvelope", json, label);
  else if (options.expect !== undefined) assertArp(options.expect, json, label);
  return { status: res.status, contentType, headers: res.headers, json };
}

/** `error.code` of an error answer. */
export const codeOf = (res: ArpResponse): unknown =>
  (res.json.error as { code?: unknown } | undefined)?.code;

/** A `RunStartRequest` body. */
export function startBody(
  agent: string,
  input: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    root_node_type_ref: { node_type_id: agent, version: "latest" },
    input,
    ...extra,
  });
}

/** Polls `GET /v1/runs/{id}` until `done(state)`, returning the last Run. */
export async function pollRun(
  base: string,
  runId: string,
  token: string | undefined,
  done: (state: string) => boolean,
  timeoutMs = 10_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await arpCall(base, "GET", `/v1/runs/${encodeURIComponent(runId)}`, {
      ...(token === undefined ? {} : { token }),
      expect: "Run",
    });
    assert.equal(res.status, 200);
    if (done(String(res.json.state))) return res.json;
    if (Date.now() > deadline) assert.fail(`run ${runId} still ${String(res.json.state)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** NDJSON lines parsed, each checked as a `RunEvent`, `seq` strictly increasing (arp-events-ordered). */
export function parseEvents(text: string, label: string): Record<string, unknown>[] {
  assert.ok(text.endsWith("\n"), `${label}: stream must end with a newline`);
  const events = text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  events.forEach((event, i) => {
    assertArp("RunEvent", event, `${label} line ${i}`);
    assert.equal(event.seq, i, `${label}: seq counts lines from 0`);
  });
  return events;
}

/** Reads a whole events stream (it ends once the run has ended). */
export async function readEvents(
  base: string,
  runId: string,
  token?: string,
  query = "",
): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${base}/v1/runs/${encodeURIComponent(runId)}/events${query}`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/x-ndjson");
  return parseEvents(await res.text(), `events of ${runId}`);
}

/** The `data` object of a RunEvent (empty when it has none). */
export const dataOf = (event: Record<string, unknown> | undefined): Record<string, unknown> =>
  (event?.data as Record<string, unknown> | undefined) ?? {};
