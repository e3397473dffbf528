/** Frames/s from one server WebSocket to one `ws` client on loopback, by batch size and write strategy. */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { Worker } from "node:worker_threads";
import { type WebSocket, WebSocketServer } from "ws";
import type { Transport } from "../src/transport/transport.js";
import { attachWebSocketServer } from "../src/transport/websocket.js";

const N = Number(process.env.FRAMES ?? 200_000);
const RUNS = Number(process.env.RUNS ?? 3);
const HIGH_WATER = 1024 * 1024;
const BATCHES = [1, 64, 512];

/** What the pump needs from a sender: a batch write, its buffered bytes, and a drain signal. */
interface Sink {
  send(batch: readonly string[]): void;
  buffered(): number;
  waitDrain(): Promise<void>;
}

// The client runs on its own thread so that it does not share the server's event loop.
const CLIENT = `
const WebSocket = require("ws");
const { parentPort, workerData } = require("node:worker_threads");
const ws = new WebSocket(workerData.url);
let n = 0;
ws.on("open", () => parentPort.postMessage("open"));
ws.on("message", () => { if (++n === workerData.frames) { parentPort.postMessage("done"); ws.close(); } });
`;

function makeFrames(count: number): string[] {
  const frames: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const seq = String(i + 1).padStart(7, "0");
    frames[i] =
      `{"arcp":"1.1","id":"msg_01J0000000000000000${seq}","type":"job.event","session_id":"sess_01J00000000000000000000000",` +
      `"job_id":"job_01J00000000000000000000000","event_seq":${i + 1},"payload":{"kind":"log","body":{"level":"info","message":"step ${seq}"}}}`;
  }
  return frames;
}

async function pump(sink: Sink, frames: readonly string[], batch: number): Promise<void> {
  let sent = 0;
  while (sent < frames.length) {
    while (sent < frames.length && sink.buffered() < HIGH_WATER) {
      const end = Math.min(sent + batch, frames.length);
      sink.send(batch === 1 ? [frames[sent] as string] : frames.slice(sent, end));
      sent = end;
    }
    if (sent < frames.length) await sink.waitDrain();
  }
}

function transportSink(t: Transport): Sink {
  let wake: (() => void) | undefined;
  t.onDrain(() => wake?.());
  return {
    send: (b) => t.send(b.length === 1 ? (b[0] as string) : b),
    buffered: () => t.bufferedBytes,
    waitDrain: () => new Promise<void>((r) => (wake = r)),
  };
}

function rawSink(ws: WebSocket, socket: Duplex, cork: boolean): Sink {
  return {
    send(b) {
      if (cork) socket.cork();
      for (const f of b) ws.send(f);
      if (cork) socket.uncork();
    },
    buffered: () => ws.bufferedAmount,
    waitDrain: () => once(socket, "drain").then(() => undefined),
  };
}

type Accept = (
  server: Server,
) => Promise<{ url: string; sink: Promise<Sink>; stop(): Promise<void> }>;

const viaTransport: Accept = async (server) => {
  let resolve!: (s: Sink) => void;
  const sink = new Promise<Sink>((r) => (resolve = r));
  const handle = attachWebSocketServer(server, { onConnection: (t) => resolve(transportSink(t)) });
  const { port } = server.address() as AddressInfo;
  return { url: `ws://127.0.0.1:${port}/arcp`, sink, stop: () => handle.close(100) };
};

const viaRawWs =
  (cork: boolean): Accept =>
  async (server) => {
    const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
    let resolve!: (s: Sink) => void;
    const sink = new Promise<Sink>((r) => (resolve = r));
    const onUpgrade = (
      req: Parameters<typeof wss.handleUpgrade>[0],
      socket: Duplex,
      head: Buffer,
    ) => wss.handleUpgrade(req, socket, head, (ws) => resolve(rawSink(ws, socket, cork)));
    server.on("upgrade", onUpgrade);
    const { port } = server.address() as AddressInfo;
    const stop = async () => {
      server.off("upgrade", onUpgrade);
      for (const c of wss.clients) c.terminate();
      wss.close();
    };
    return { url: `ws://127.0.0.1:${port}/arcp`, sink, stop };
  };

interface Sample {
  rate: number;
  /** Server event-loop busy time per frame: the sender's own cost, whatever the client does. */
  busyUs: number;
}

async function runOnce(accept: Accept, frames: readonly string[], batch: number): Promise<Sample> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { url, sink, stop } = await accept(server);
  const worker = new Worker(CLIENT, { eval: true, workerData: { url, frames: frames.length } });
  const messages = (async function* () {
    for (;;) yield (await once(worker, "message"))[0] as string;
  })();
  await messages.next();
  const s = await sink;
  const elu0 = performance.eventLoopUtilization();
  const t0 = process.hrtime.bigint();
  await pump(s, frames, batch);
  await messages.next();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const busyMs = performance.eventLoopUtilization(elu0).active;
  await stop();
  await worker.terminate();
  server.close();
  return { rate: frames.length / seconds, busyUs: (busyMs * 1000) / frames.length };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function main(): Promise<void> {
  const frames = makeFrames(N);
  const bytes = Buffer.byteLength(frames[0] as string);
  console.log(
    `${N} frames of ${bytes} B to one ws client on a worker thread; median of ${RUNS} runs`,
  );
  const strategies: [string, Accept][] = [
    ["Transport.send (one buffer per batch)", viaTransport],
    ["raw ws.send per frame, cork per batch", viaRawWs(true)],
    ["raw ws.send per frame, no cork", viaRawWs(false)],
  ];
  for (const batch of BATCHES) {
    const samples = strategies.map((): Sample[] => []);
    // Interleave the strategies so drift (GC, thermal, neighbours) hits them alike.
    for (let r = 0; r < RUNS; r++) {
      for (const [i, [, accept]] of strategies.entries()) {
        samples[i]?.push(await runOnce(accept, frames, batch));
      }
    }
    for (const [i, [name]] of strategies.entries()) {
      const rate = Math.round(median(samples[i]?.map((x) => x.rate) ?? [])).toLocaleString("en-US");
      const busy = median(samples[i]?.map((x) => x.busyUs) ?? []).toFixed(2);
      console.log(
        `${name.padEnd(40)} batch ${String(batch).padStart(3)}: ${rate.padStart(9)} frames/s, sender busy ${busy} µs/frame`,
      );
    }
  }
}

await main();
