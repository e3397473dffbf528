/** A small ARCP client over WebSocket for the CLI's `submit`, `agents` and friends. */
import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import { FEATURES } from "../protocol/messages/session.js";

export interface Envelope {
  arcp: string;
  id: string;
  type: string;
  session_id?: string;
  job_id?: string;
  trace_id?: string;
  event_seq?: number;
  payload: Record<string, unknown>;
}

/** The CLI asks for every feature; the runtime answers with what it offers here. */
export const CLIENT_FEATURES: readonly string[] = FEATURES;

export class ArcpClient {
  readonly #ws: WebSocket;
  readonly #listeners = new Set<(env: Envelope) => void>();
  readonly #closed: Promise<void>;
  sessionId: string | undefined;
  welcome: Record<string, unknown> | undefined;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    this.#closed = new Promise((resolve) => ws.once("close", () => resolve()));
    ws.on("message", (data, isBinary) => {
      if (isBinary) return;
      const env = JSON.parse(data.toString()) as Envelope;
      if (env.type === "session.ping") {
        this.send("session.pong", {
          ping_nonce: env.payload["nonce"],
          received_at: new Date().toISOString(),
        });
      }
      for (const listener of this.#listeners) listener(env);
    });
  }

  /** Connect and complete the hello/welcome handshake. */
  static async connect(
    url: string,
    token: string | undefined,
    features = CLIENT_FEATURES,
  ): Promise<ArcpClient> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    const client = new ArcpClient(ws);
    const reply = client.next((e) => e.type === "session.welcome" || e.type === "session.error");
    client.send("session.hello", {
      client: { name: "runplane-cli", version: "0.1.0" },
      auth: { scheme: "bearer", token: token ?? "" },
      capabilities: { encodings: ["json"], features },
    });
    const env = await reply;
    if (env.type === "session.error") {
      ws.close();
      throw new Error(`${String(env.payload["code"])}: ${String(env.payload["message"])}`);
    }
    client.sessionId = env.session_id;
    client.welcome = env.payload;
    return client;
  }

  send(type: string, payload: unknown, extra: Record<string, unknown> = {}): string {
    const id = `msg_${randomUUID()}`;
    const env: Record<string, unknown> = { arcp: "1.1", id, type, ...extra, payload };
    if (this.sessionId !== undefined) env["session_id"] = this.sessionId;
    this.#ws.send(JSON.stringify(env));
    return id;
  }

  onEnvelope(listener: (env: Envelope) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  next(match: (env: Envelope) => boolean): Promise<Envelope> {
    return new Promise((resolve, reject) => {
      const off = this.onEnvelope((env) => {
        if (!match(env)) return;
        off();
        resolve(env);
      });
      void this.#closed.then(() => {
        off();
        reject(new Error("connection closed"));
      });
    });
  }

  get closed(): Promise<void> {
    return this.#closed;
  }

  close(): void {
    this.#ws.close();
  }
}
