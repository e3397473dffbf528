/**
 * A raw ARCP client for tests: records every frame it receives so tests can assert on exact
 * wire content, and speaks over a real WebSocket or over any line-based duplex (stdio).
 */
import { randomUUID } from "node:crypto";
import WebSocket from "ws";

export interface Frame {
  arcp: string;
  id: string;
  type: string;
  session_id?: string;
  job_id?: string;
  trace_id?: string;
  event_seq?: number;
  payload: Record<string, unknown>;
  [key: string]: unknown;
}

export const ALL_FEATURES = [
  "heartbeat",
  "ack",
  "list_jobs",
  "subscribe",
  "lease_expires_at",
  "cost.budget",
  "model.use",
  "provisioned_credentials",
  "progress",
  "result_chunk",
  "agent_versions",
];

export interface HelloOptions {
  token?: string;
  features?: string[];
  resume?: { session_id: string; resume_token: string; last_event_seq: number };
}

type Sender = (text: string) => void;

export class TestClient {
  readonly frames: Frame[] = [];
  sessionId: string | undefined;
  resumeToken: string | undefined;
  closed = false;
  closeCode: number | undefined;
  autoPong = true;
  #send: Sender;
  #waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  #closeWaiters: (() => void)[] = [];
  #cursor = 0;

  constructor(send: Sender) {
    this.#send = send;
  }

  /** Feed one received text frame. */
  receive(text: string): void {
    const frame = JSON.parse(text) as Frame;
    this.frames.push(frame);
    if (frame.type === "session.ping" && this.autoPong) {
      this.send("session.pong", {
        ping_nonce: frame.payload["nonce"],
        received_at: new Date().toISOString(),
      });
    }
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.match(frame)) return true;
      w.resolve(frame);
      return false;
    });
  }

  markClosed(code?: number): void {
    this.closed = true;
    this.closeCode = code;
    for (const w of this.#closeWaiters.splice(0)) w();
  }

  /** Send an envelope; returns its id. `session_id` is added once known. */
  send(type: string, payload: unknown, extra: Record<string, unknown> = {}): string {
    const id = (extra["id"] as string | undefined) ?? `msg_${randomUUID()}`;
    const env: Record<string, unknown> = { arcp: "1.1", id, type };
    if (this.sessionId !== undefined) env["session_id"] = this.sessionId;
    Object.assign(env, extra, { payload });
    this.#send(JSON.stringify(env));
    return id;
  }

  sendRaw(text: string): void {
    this.#send(text);
  }

  /** Wait for a frame (already received or future) matching `match`, after the read cursor. */
  waitFor(match: (f: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    const seen = this.frames.slice(this.#cursor).find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.resolve !== done);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for a frame; ${this.frames.length} received, last: ${this.frames
              .slice(-6)
              .map((f) => `${f.type}#${f.event_seq ?? ""}`)
              .join(", ")}`,
          ),
        );
      }, timeoutMs);
      const done = (f: Frame): void => {
        clearTimeout(timer);
        resolve(f);
      };
      this.#waiters.push({ match, resolve: done });
    });
  }

  waitForType(type: string, timeoutMs?: number): Promise<Frame> {
    return this.waitFor((f) => f.type === type, timeoutMs);
  }

  /** Frames received from now on are what later waitFor calls consider. */
  mark(): void {
    this.#cursor = this.frames.length;
  }

  waitClosed(timeoutMs = 5000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("timed out waiting for close")), timeoutMs);
      this.#closeWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Handshake; resolves with the welcome (or rejects with the session.error payload). */
  async hello(options: HelloOptions = {}): Promise<Frame> {
    const payload: Record<string, unknown> = {
      client: { name: "runplane-tests", version: "1.0.0" },
      auth: { scheme: "bearer", token: options.token ?? "" },
      capabilities: { encodings: ["json"], features: options.features ?? ALL_FEATURES },
    };
    if (options.resume !== undefined) payload["resume"] = options.resume;
    this.send("session.hello", payload);
    const reply = await this.waitFor(
      (f) => f.type === "session.welcome" || f.type === "session.error",
    );
    if (reply.type === "session.error")
      throw Object.assign(new Error(String(reply.payload["code"])), { frame: reply });
    this.sessionId = reply.session_id;
    this.resumeToken = reply.payload["resume_token"] as string;
    return reply;
  }

  /** Submit and wait for job.accepted (or the refusal). */
  async submit(
    payload: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ): Promise<Frame> {
    const before = this.frames.length;
    this.send("job.submit", payload, extra);
    return this.waitFor(
      (f) =>
        this.frames.indexOf(f) >= before &&
        (f.type === "job.accepted" || f.type === "job.error" || f.type === "session.error"),
    );
  }

  /** The terminal job.result / job.error of `jobId`. */
  terminal(jobId: string, timeoutMs?: number): Promise<Frame> {
    return this.waitFor(
      (f) => f.job_id === jobId && (f.type === "job.result" || f.type === "job.error"),
      timeoutMs,
    );
  }

  eventsOf(jobId: string, kind?: string): Frame[] {
    return this.frames.filter(
      (f) =>
        f.job_id === jobId &&
        f.type === "job.event" &&
        (kind === undefined || f.payload["kind"] === kind),
    );
  }

  /** Every event_seq received, in order. */
  seqs(): number[] {
    return this.frames.filter((f) => f.event_seq !== undefined).map((f) => f.event_seq as number);
  }

  lastSeq(): number {
    return this.seqs().at(-1) ?? 0;
  }
}

export interface WsTestClient extends TestClient {
  ws: WebSocket;
  close(): void;
}

export async function connectWs(url: string): Promise<WsTestClient> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const client = new TestClient((text) => ws.send(text)) as WsTestClient;
  client.ws = ws;
  client.close = () => ws.close();
  ws.on("message", (data, isBinary) => {
    if (!isBinary) client.receive(data.toString());
  });
  ws.on("close", (code) => client.markClosed(code));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return client;
}

/** Assert a strictly +1 sequence starting after `from`. */
export function assertGapFree(seqs: readonly number[], from = 0): void {
  let expected = from + 1;
  for (const s of seqs) {
    if (s !== expected)
      throw new Error(`event_seq gap: expected ${expected}, got ${s} in [${seqs.join(",")}]`);
    expected++;
  }
}
