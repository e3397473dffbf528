/** Runs the transport contract against every adapter: memory, stdio (streams and real pipes), WebSocket. */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createInterface } from "node:readline";
import { PassThrough, type Readable, type Writable } from "node:stream";
import { WebSocket } from "ws";
import { createMemoryTransportPair } from "../../src/transport/memory.js";
import { createStdioTransport } from "../../src/transport/stdio.js";
import type { Transport } from "../../src/transport/transport.js";
import { attachWebSocketServer } from "../../src/transport/websocket.js";
import {
  type ContractClient,
  type ContractPair,
  runTransportContract,
} from "./transport.contract.js";

runTransportContract("memory", async () => {
  const { server, client: peer } = createMemoryTransportPair();
  const closed = new Promise<void>((resolve) => peer.onClose(() => resolve()));
  const client: ContractClient = {
    send: (text) => peer.send(text),
    onFrame: (handler) => peer.onFrame(handler),
    pause: () => peer.pause(),
    resume: () => peer.resume(),
    close: () => peer.close(),
    closed,
  };
  return { server, client, dispose: async () => server.close() };
});

/** A client speaking NDJSON by hand (readline), independent of the adapter's own line splitter. */
function ndjsonClient(toServer: Writable, fromServer: Readable): ContractClient {
  const lines = createInterface({ input: fromServer, crlfDelay: Number.POSITIVE_INFINITY });
  const closed = once(fromServer, "end").then(() => undefined);
  return {
    send: (text) => void toServer.write(`${text}\n`),
    onFrame: (handler) => void lines.on("line", handler),
    pause: () => void lines.pause(),
    resume: () => void lines.resume(),
    close: () => void toServer.end(),
    closed,
  };
}

runTransportContract("stdio over in-process streams", async () => {
  const clientToServer = new PassThrough();
  const serverToClient = new PassThrough();
  const server = createStdioTransport(clientToServer, serverToClient);
  const client = ndjsonClient(clientToServer, serverToClient);
  return { server, client, dispose: async () => server.close() };
});

// The child relays its fd 3 to its stdout and its stdin to its fd 4, so the server transport
// reads and writes a spawned process's real stdio while the test client sits on fds 3 and 4.
// pipe() never ends process.stdout, so the relay passes EOF on by hand.
const RELAY = `
const net = require("node:net");
const fromClient = new net.Socket({ fd: 3, readable: true, writable: false });
fromClient.pipe(process.stdout, { end: false });
fromClient.on("end", () => process.stdout.end());
process.stdin.pipe(new net.Socket({ fd: 4, readable: false, writable: true }));
`;

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill();
  await exited;
}

runTransportContract("stdio over a child process's pipes", async () => {
  const child = spawn(process.execPath, ["-e", RELAY], {
    stdio: ["pipe", "pipe", "inherit", "pipe", "pipe"],
  });
  const [, , , toRelay, fromRelay] = child.stdio;
  if (child.stdin === null || child.stdout === null) throw new Error("child stdio missing");
  const server = createStdioTransport(child.stdout, child.stdin);
  const client = ndjsonClient(toRelay as Socket, fromRelay as Socket);
  const dispose = async () => {
    server.close();
    await stopChild(child);
  };
  return { server, client, dispose };
});

runTransportContract("websocket", async (): Promise<ContractPair> => {
  const http = createServer();
  let accept!: (t: Transport) => void;
  const accepted = new Promise<Transport>((resolve) => (accept = resolve));
  const handle = attachWebSocketServer(http, { onConnection: (t) => accept(t) });
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  const { port } = http.address() as AddressInfo;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/arcp`);
  const closed = once(ws, "close").then(() => undefined);
  await once(ws, "open");
  const server = await accepted;
  const client: ContractClient = {
    send: (text) => ws.send(text),
    onFrame: (handler) => void ws.on("message", (data) => handler(String(data))),
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    close: () => ws.close(1000),
    closed,
  };
  const dispose = async () => {
    await handle.close(100);
    ws.terminate();
    http.close();
    await once(http, "close");
  };
  return { server, client, dispose };
});
