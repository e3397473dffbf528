/** A recording ARP Run Coordinator double, a recording logger and a checked fetch, for gateway tests. */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../../../src/runtime/logger.js";
import { validateArp } from "../../support/arp-schema.js";

export interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

/** A coordinator double: records every call, answers per path, streams on demand. */
export class MockCoordinator {
  readonly seen: Seen[] = [];
  readonly server: Server;
  url = "";
  releaseStream: () => void = () => {};
  streamClosed: Promise<void> = Promise.resolve();

  constructor() {
    this.server = createServer((req, res) => void this.#handle(req, res));
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = "";
    for await (const chunk of req) body += String(chunk);
    const url = req.url ?? "";
    this.seen.push({
      method: req.method ?? "",
      url,
      authorization: req.headers.authorization,
      body,
    });
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(typeof value === "string" ? value : JSON.stringify(value));
    };
    const run = (id: string, state = "running") => ({
      run_id: id,
      state,
      root_node_run_id: `node_${id}`,
    });
    if (url === "/v1/health") return json(200, { status: "ok", time: new Date().toISOString() });
    if (req.method === "POST" && url === "/v1/runs") {
      // A JARVIS-style Run: un-namespaced extensions break the spec schema.
      return json(200, { ...run("r1"), extensions: { constraints: { max_depth: 1 } } });
    }
    if (url === "/v1/runs/r1") return json(200, run("r1"));
    if (url === "/v1/runs/r1:cancel") return json(200, run("r1", "canceled"));
    if (url === "/v1/runs/teapot")
      return json(418, {
        error: { code: "teapot", message: "short and stout", details: { a: 1 } },
      });
    if (url === "/v1/runs/gone")
      return json(404, { error: { code: "run_not_found", message: "Run 'gone' not found" } });
    if (url === "/v1/runs/html") return json(500, "<html>oops</html>");
    if (url === "/v1/runs/slow") return void setTimeout(() => json(200, run("slow")), 3000).unref();
    if (url.startsWith("/v1/runs/r1/events")) return this.#stream(req, res);
    return json(404, { detail: "Not Found" });
  }

  #stream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { "content-type": "application/x-ndjson" });
    const line = (seq: number, type: string) =>
      `${JSON.stringify({ run_id: "r1", seq, type, time: new Date().toISOString() })}\n`;
    res.write(line(0, "run_started"));
    this.streamClosed = new Promise((resolve) => res.once("close", () => resolve()));
    this.releaseStream = () => res.end(line(1, "run_completed"));
    req.socket.setNoDelay(true);
  }
}

export function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const noop = (): void => {};
  const logger: Logger & { warnings: string[] } = {
    debug: noop,
    info: noop,
    error: noop,
    warn: (_o, msg) => {
      warnings.push(msg ?? "");
    },
    child: () => logger,
    warnings,
  };
  return logger;
}

/** One HTTP exchange, read in full; bodies checked for nulls and, on errors, against ErrorEnvelope. */
export async function call(
  base: string,
  method: string,
  path: string,
  token?: string,
  body?: string,
) {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  const json = JSON.parse(text) as Record<string, unknown>;
  if (res.status >= 400)
    assert.deepEqual(validateArp("ErrorEnvelope", json), [], `${method} ${path}`);
  return { status: res.status, text, json, headers: res.headers };
}
