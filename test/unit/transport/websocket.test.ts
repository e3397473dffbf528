/** WebSocket-specific behaviour: the upgrade path, frame kinds and sizes, peers, close codes, shutdown. */
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { after, describe, test } from "node:test";
import { WebSocket, WebSocketServer } from "ws";
import { decodeFrame } from "../../../src/protocol/envelope.js";
import { createBrowserGuard } from "../../../src/transport/browser-guard.js";
import type { Transport, TransportCloseInfo } from "../../../src/transport/transport.js";
import {
  attachWebSocketServer,
  isLoopbackAddress,
  type WebSocketServerHandle,
  type WebSocketServerOptions,
} from "../../../src/transport/websocket.js";

interface Rig {
  http: Server;
  handle: WebSocketServerHandle;
  url: (path?: string) => string;
  /** Transports in connection order. */
  accepted: Transport[];
  next(): Promise<Transport>;
}

const rigs: Rig[] = [];
after(async () => {
  for (const r of rigs) {
    await r.handle.close(50);
    r.http.close();
  }
});

async function rig(
  options: Partial<WebSocketServerOptions> = {},
  http = createServer(),
): Promise<Rig> {
  const accepted: Transport[] = [];
  let waiting: ((t: Transport) => void) | undefined;
  const handle = attachWebSocketServer(http, {
    ...options,
    onConnection: (t) => {
      accepted.push(t);
      waiting?.(t);
      waiting = undefined;
    },
  });
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  const { port } = http.address() as AddressInfo;
  const r: Rig = {
    http,
    handle,
    accepted,
    url: (path = "/arcp") => `ws://127.0.0.1:${port}${path}`,
    next: () => new Promise((resolve) => (waiting = resolve)),
  };
  rigs.push(r);
  return r;
}

async function connect(r: Rig, options: { headers?: Record<string, string> } = {}) {
  const serverSide = r.next();
  const ws = new WebSocket(r.url(), options);
  await once(ws, "open");
  return { ws, server: await serverSide };
}

function closeOf(t: Transport): Promise<TransportCloseInfo> {
  return new Promise((resolve) => t.onClose(resolve));
}

function frames(t: Transport): string[] {
  const got: string[] = [];
  t.onFrame((text) => got.push(text));
  return got;
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
}

/** Status of a refused upgrade, as the ws client reports it. */
async function refusal(url: string, headers: Record<string, string> = {}): Promise<number> {
  const ws = new WebSocket(url, { headers });
  ws.on("error", () => {});
  const [, res] = (await once(ws, "unexpected-response")) as [unknown, IncomingMessage];
  ws.terminate();
  return res.statusCode ?? 0;
}

describe("websocket transport: the upgrade", () => {
  test("[arcp-4-ws-path] serves /arcp on the same listener as ordinary HTTP routes", async () => {
    const http = createServer((_req, res) => res.end('{"status":"ok"}'));
    const r = await rig({}, http);
    const { ws, server } = await connect(r);
    assert.equal(server.kind, "websocket");
    const health = await fetch(r.url("/v1/health").replace("ws:", "http:"));
    assert.equal(await health.text(), '{"status":"ok"}');
    ws.terminate();
  });

  test("a query string on /arcp is still /arcp", async () => {
    const r = await rig();
    const serverSide = r.next();
    const ws = new WebSocket(r.url("/arcp?client=test"));
    await once(ws, "open");
    assert.ok(await serverSide);
    ws.terminate();
  });

  test("another path gets 404 and no connection", async () => {
    const r = await rig();
    assert.equal(await refusal(r.url("/other")), 404);
    assert.equal(await refusal(r.url("/arcp/extra")), 404);
    assert.equal(r.accepted.length, 0);
  });

  test("another path is left alone when some other upgrade listener serves it", async () => {
    const http = createServer();
    const other = new WebSocketServer({ noServer: true });
    http.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (req.url === "/other") other.handleUpgrade(req, socket, head, (ws) => ws.send("other"));
    });
    const r = await rig({}, http);
    const ws = new WebSocket(r.url("/other"));
    const [message] = await once(ws, "message");
    assert.equal(String(message), "other");
    assert.equal(r.accepted.length, 0);
    ws.terminate();
    other.close();
  });

  test("verifyUpgrade can refuse with an HTTP status before any connection exists", async () => {
    const r = await rig({
      verifyUpgrade: (req) => (req.headers["x-tenant"] === "blocked" ? 401 : undefined),
    });
    const ws = new WebSocket(r.url(), { headers: { "x-tenant": "blocked" } });
    ws.on("error", () => {});
    const [, res] = (await once(ws, "unexpected-response")) as [unknown, IncomingMessage];
    assert.equal(res.statusCode, 401);
    assert.equal(r.accepted.length, 0);
    ws.terminate();
  });

  test("by default an upgrade carrying Origin (a browser page) is refused with 403; a browserGuard may allow it", async () => {
    const r = await rig();
    assert.equal(await refusal(r.url(), { origin: "http://evil" }), 403);
    assert.equal(r.accepted.length, 0);
    const allowing = await rig({
      browserGuard: createBrowserGuard({ allowedOrigins: ["http://app.example"] }),
    });
    assert.equal(await refusal(allowing.url(), { origin: "http://evil" }), 403);
    const ws = new WebSocket(allowing.url(), { headers: { origin: "http://app.example" } });
    await once(ws, "open");
    ws.terminate();
  });

  test("a verifyUpgrade is not consulted for an upgrade the browser guard refused", async () => {
    let calls = 0;
    const r = await rig({
      verifyUpgrade: () => {
        calls++;
        return undefined;
      },
    });
    const ws = new WebSocket(r.url(), { headers: { origin: "http://evil" } });
    ws.on("error", () => {});
    const [, res] = (await once(ws, "unexpected-response")) as [unknown, IncomingMessage];
    assert.equal(res.statusCode, 403);
    assert.equal(calls, 0);
    ws.terminate();
  });

  test("a verifyUpgrade that throws refuses with 500 and the server keeps serving", async () => {
    let calls = 0;
    const r = await rig({
      verifyUpgrade: () => {
        if (++calls === 1) throw new Error("bad header");
        return undefined;
      },
    });
    assert.equal(await refusal(r.url()), 500);
    const { ws } = await connect(r);
    ws.terminate();
  });
});

describe("websocket transport: frames", () => {
  test("binary frames are dropped and reported; text frames around them arrive", async () => {
    const binaries: number[] = [];
    const r = await rig({ onBinaryFrame: (n) => binaries.push(n) });
    const { ws, server } = await connect(r);
    const got = frames(server);
    ws.send("before");
    ws.send(Buffer.from([1, 2, 3]));
    ws.send("after");
    await until(() => got.length === 2);
    assert.deepEqual(got, ["before", "after"]);
    assert.deepEqual(binaries, [3]);
    ws.terminate();
  });

  test("a frame over the protocol's message limit but under maxPayload reaches the session layer", async () => {
    const protocolLimit = 1024 * 1024;
    const r = await rig({ maxPayload: 4 * protocolLimit });
    const { ws, server } = await connect(r);
    const got = frames(server);
    const big = JSON.stringify({ pad: "x".repeat(2 * protocolLimit) });
    ws.send(big);
    await until(() => got.length === 1);
    assert.equal(got[0], big);
    const decoded = decodeFrame(got[0] ?? "", protocolLimit);
    assert.equal(decoded.kind === "error" && decoded.error.code, "INVALID_REQUEST");
    assert.equal(server.closed, false);
    ws.terminate();
  });

  test("a frame over maxPayload closes only that connection, with 1009", async () => {
    const r = await rig({ maxPayload: 1024 });
    const a = await connect(r);
    const b = await connect(r);
    const closed = closeOf(a.server);
    a.ws.send("y".repeat(2048));
    const info = await closed;
    assert.deepEqual([info.local, info.code], [false, 1009]);
    const got = frames(b.server);
    b.ws.send("still here");
    await until(() => got.length === 1);
    assert.deepEqual(got, ["still here"]);
    b.ws.terminate();
  });

  test("invalid UTF-8 in a text frame closes that connection with 1007 and nothing crashes", async () => {
    const r = await rig();
    const { ws, server } = await connect(r);
    const closed = closeOf(server);
    ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    assert.equal((await closed).code, 1007);
  });

  test("frames at every header-size boundary and batches spanning several buffers arrive intact", async () => {
    const r = await rig();
    const { ws, server } = await connect(r);
    const got: string[] = [];
    ws.on("message", (d) => got.push(String(d)));
    const sizes = [0, 1, 125, 126, 127, 65535, 65536, 65537];
    const boundary = sizes.map((n) => "b".repeat(n));
    const many = Array.from({ length: 600 }, (_, i) => `${i}:${"m".repeat(1000)}`);
    server.send(boundary);
    server.send(many);
    server.send("é".repeat(63)); // 126 bytes from 63 UTF-16 units
    await until(() => got.length === boundary.length + many.length + 1);
    assert.deepEqual(got, [...boundary, ...many, "é".repeat(63)]);
    ws.terminate();
  });
});

describe("websocket transport: peers", () => {
  test("loopback addresses are 127.0.0.0/8, ::1 and IPv4-mapped 127.x", () => {
    for (const a of [
      "127.0.0.1",
      "127.1.2.3",
      "::1",
      "::ffff:127.0.0.1",
      "::FFFF:127.9.9.9",
      "0:0:0:0:0:0:0:1",
    ]) {
      assert.equal(isLoopbackAddress(a), true, a);
    }
    for (const a of [
      "10.0.0.1",
      "128.0.0.1",
      "::2",
      "::ffff:10.0.0.1",
      "1127.0.0.1",
      "fe80::1",
      "",
      undefined,
    ]) {
      assert.equal(isLoopbackAddress(a), false, String(a));
    }
  });

  test("a direct loopback client is loopback and confidential", async () => {
    const r = await rig();
    const { ws, server } = await connect(r);
    assert.deepEqual(server.peer, { loopback: true, confidential: true, address: "127.0.0.1" });
    ws.terminate();
  });

  test("a client forwarded by a proxy is not loopback, and is confidential only if TLS ends at a trusted proxy", async () => {
    const plain = await rig();
    const a = await connect(plain, { headers: { "x-forwarded-for": "203.0.113.7" } });
    assert.deepEqual(a.server.peer, { loopback: false, confidential: false, address: "127.0.0.1" });
    a.ws.terminate();
    const proxied = await rig({ trustedProxyTls: true });
    const b = await connect(proxied, { headers: { forwarded: "for=203.0.113.7;proto=https" } });
    assert.deepEqual(b.server.peer, { loopback: false, confidential: true, address: "127.0.0.1" });
    b.ws.terminate();
  });
});

describe("websocket transport: closing", () => {
  test("the client's close code and reason pass through", async () => {
    const r = await rig();
    const { ws, server } = await connect(r);
    const closed = closeOf(server);
    ws.close(4001, "bye");
    assert.deepEqual(await closed, { local: false, code: 4001, reason: "bye" });
  });

  test("the server's close code and reason reach the client", async () => {
    const r = await rig();
    const { ws, server } = await connect(r);
    const closed = closeOf(server);
    const atClient = once(ws, "close");
    server.close(4002, "done");
    const [code, reason] = await atClient;
    assert.deepEqual([code, String(reason)], [4002, "done"]);
    assert.deepEqual(await closed, { local: true, code: 4002, reason: "done" });
  });

  test("a code that may not be sent becomes 1000 and an overlong reason is cut to 123 bytes", async () => {
    const r = await rig();
    const cases: [number, string, number, string][] = [
      [1006, "é".repeat(100), 1000, "é".repeat(61)],
      [999, "🎉".repeat(40), 1000, "🎉".repeat(30)],
      [4999, "ok", 4999, "ok"],
    ];
    for (const [sentCode, sentReason, code, reason] of cases) {
      const { ws, server } = await connect(r);
      const atClient = once(ws, "close");
      server.close(sentCode, sentReason);
      const [gotCode, gotReason] = await atClient;
      assert.deepEqual([gotCode, String(gotReason)], [code, reason]);
    }
  });

  test("a client that vanishes closes the transport with 1006", async () => {
    const r = await rig();
    const { ws, server } = await connect(r);
    const closed = closeOf(server);
    ws.terminate();
    assert.deepEqual(await closed, { local: false, code: 1006, reason: "" });
  });

  test("close() sends 1001 to everyone, terminates who does not answer, and stops serving /arcp", async () => {
    // With our upgrade listener gone, node hands an upgrade to the ordinary request handler.
    const r = await rig(
      {},
      createServer((_req, res) => res.writeHead(404).end()),
    );
    const polite = await connect(r);
    const deaf = await connect(r);
    deaf.ws.pause(); // never reads the close frame, so never answers it
    const politeClosed = once(polite.ws, "close");
    const infos = [closeOf(polite.server), closeOf(deaf.server)];
    await r.handle.close(100);
    assert.equal(r.handle.connections, 0);
    const [code] = await politeClosed;
    assert.equal(code, 1001);
    for (const info of await Promise.all(infos)) assert.deepEqual(info.local, true);
    assert.equal(await refusal(r.url()), 404);
    assert.equal(r.accepted.length, 2);
    deaf.ws.terminate();
  });
});
