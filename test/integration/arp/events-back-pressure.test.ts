/**
 * Back-pressure of the events route over a real socket: a reader that stops reading stops the
 * server from reading the run's log, so nothing piles up in memory (requirement arp-events-live).
 * The observable is how many stored events the stream has pulled from `RunService.events`.
 */
import assert from "node:assert/strict";
import { type IncomingMessage, request } from "node:http";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import Fastify, { type FastifyInstance } from "fastify";
import { NoneAuthenticator } from "../../../src/auth/none.js";
import { buildRuntime } from "../../../src/cli/compose.js";
import { EmbeddedCoordinator } from "../../../src/gateway/coordinator.js";
import { registerArpSurface } from "../../../src/gateway/surface.js";
import { silentLogger } from "../../../src/runtime/logger.js";
import { RunService } from "../../../src/runtime/runs.js";
import type { Runtime } from "../../../src/runtime/runtime.js";
import type { EventRecord, JobRecord } from "../../../src/store/store.js";
import { arpCall, parseEvents, pollRun, startBody } from "./arp-http.js";

/** RunService that counts what its event streams have pulled from the log. */
class CountingRuns extends RunService {
  pulled = 0;

  override async *events(record: JobRecord, signal: AbortSignal): AsyncGenerator<EventRecord> {
    for await (const event of super.events(record, signal)) {
      this.pulled++;
      yield event;
    }
  }
}

/** Waits until `read()` has not changed for `quietMs`, and returns it. */
async function settled(read: () => number, quietMs = 400): Promise<number> {
  let value = read();
  for (;;) {
    await sleep(quietMs);
    const next = read();
    if (next === value) return value;
    value = next;
  }
}

const EVENTS = 6000;
const BYTES = 4000;

describe("ARP events back-pressure", () => {
  let runtime: Runtime;
  let runs: CountingRuns;
  let app: FastifyInstance;
  let base: string;
  before(async () => {
    runtime = await buildRuntime({ db: ":memory:" }, new NoneAuthenticator(), silentLogger);
    runs = new CountingRuns(runtime);
    app = Fastify({ logger: false }) as unknown as FastifyInstance;
    const handlers = new EmbeddedCoordinator({
      runtime,
      runs,
      logger: silentLogger,
      currency: "USD",
      env: {},
    });
    const auth = {
      mode: "disabled" as const,
      exemptPaths: new Set<string>(),
      authenticator: new NoneAuthenticator(),
      anonymousPrincipal: { id: "anonymous" },
    };
    await registerArpSurface(app, { auth, handlers, logger: silentLogger });
    await app.listen({ host: "127.0.0.1", port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  after(async () => {
    await runtime.shutdown();
    await app.close();
    await runtime.store.close();
  });

  test("[arp-events-live] a paused reader of a chatty run holds the server back; resumed, it gets every line", async () => {
    const started = await arpCall(base, "POST", "/v1/runs", {
      body: startBody("chatty", { events: EVENTS, bytes: BYTES }),
      expect: "Run",
    });
    const runId = String(started.json.run_id);
    const url = new URL(`${base}/v1/runs/${runId}/events?include=all`);
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      request(url, resolve).on("error", reject).end();
    });
    assert.equal(response.statusCode, 200);
    const chunks: Buffer[] = [];
    const firstChunk = new Promise<void>((resolve) => {
      response.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        if (chunks.length === 1) {
          // Paused from inside the first 'data', so no later chunk is read until resume().
          response.pause();
          resolve();
        }
      });
    });
    await firstChunk;

    await pollRun(base, runId, undefined, (s) => s === "succeeded", 60_000);
    const pulledWhilePaused = await settled(() => runs.pulled);
    // Socket buffers hold a few MB at most; the whole log is EVENTS × BYTES ≈ 24 MB.
    assert.ok(
      pulledWhilePaused < EVENTS / 2,
      `the stream pulled ${pulledWhilePaused} of ${EVENTS + 1} stored events for a paused reader`,
    );

    response.resume();
    await new Promise((resolve) => response.once("end", resolve));
    const events = parseEvents(Buffer.concat(chunks).toString("utf8"), "chatty events");
    assert.equal(
      events.length,
      EVENTS + 3,
      "run_started, node_run_assigned, every log, run_completed",
    );
    assert.equal(events.at(-1)?.type, "run_completed");
    assert.equal(
      runs.pulled,
      EVENTS + 1,
      "every stored event pulled exactly once, the terminal last",
    );
  });
});
