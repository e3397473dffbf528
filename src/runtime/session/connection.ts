/**
 * One transport's conversation with the runtime: frames are decoded once at the edge and
 * handled strictly in arrival order; before the handshake only hello/resume are accepted.
 */
import {
  type DecodeResult,
  decodeFrame,
  encodeEnvelope,
  type InboundEnvelope,
} from "../../protocol/envelope.js";
import { ArcpError } from "../../protocol/errors.js";
import { newMessageId, newSessionId } from "../../protocol/ids.js";
import type { Transport } from "../../transport/transport.js";
import type { SessionChannel } from "./session-channel.js";

/** Handles one validated envelope on an open session. */
export type MessageHandler = (conn: Connection, env: InboundEnvelope) => Promise<void> | void;

export interface ConnectionHost {
  readonly maxMessageBytes: number;
  now(): number;
  handshake(conn: Connection, env: InboundEnvelope): Promise<void>;
  dispatch(conn: Connection, env: InboundEnvelope): Promise<void> | void;
  onClosed(conn: Connection): void;
  /** Handling a frame failed outside the error replies (a bug); the chain carries on. */
  onFault(conn: Connection, error: unknown): void;
}

const SETTLED: Promise<void> = Promise.resolve();

/** A received job.submit, counted against its session's pending submits until answered. */
interface SubmitTicket {
  channel: SessionChannel | null;
}

export class Connection {
  readonly transport: Transport;
  readonly #host: ConnectionHost;
  channel: SessionChannel | null = null;
  lastInboundAt: number;
  /** Minted on first use, for pre-welcome errors: every session.error has a session_id (DESIGN-2). */
  #provisionalSessionId: string | undefined;
  /** The tail of the frames being handled, in order; the shared settled one when there are none. */
  #chain: Promise<void> = SETTLED;
  /** Frames received and not yet handled. */
  #inFlight = 0;
  /** job.submit frames received before a session was bound, not yet answered. */
  #unboundSubmits: SubmitTicket[] | undefined;
  #closed = false;

  constructor(transport: Transport, host: ConnectionHost) {
    this.transport = transport;
    this.#host = host;
    this.lastInboundAt = host.now();
    transport.onFrame((text) => this.#receive(text));
    transport.onClose(() => this.#onTransportClosed());
  }

  /** The authenticated principal, once the session is open (the session's own). */
  get principal(): string | null {
    return this.channel?.principal ?? null;
  }

  get open(): boolean {
    return this.channel !== null && !this.#closed;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get provisionalSessionId(): string {
    this.#provisionalSessionId ??= newSessionId();
    return this.#provisionalSessionId;
  }

  get sessionId(): string {
    return this.channel?.id ?? this.provisionalSessionId;
  }

  /** Feed a frame that arrived outside onFrame (e.g. a stdio line judged oversize). */
  receiveDecoded(result: DecodeResult): void {
    this.lastInboundAt = this.#host.now();
    // A submit counts as pending from its arrival, not from its turn in the chain; one that
    // arrives before the session is bound (right behind its hello) counts from the binding.
    let submit: SubmitTicket | null = null;
    if (result.kind === "ok" && result.envelope.type === "job.submit") {
      submit = { channel: this.channel };
      if (submit.channel !== null) submit.channel.submits.received();
      else if (this.#unboundSubmits === undefined) this.#unboundSubmits = [submit];
      else this.#unboundSubmits.push(submit);
    }
    this.#inFlight++;
    this.#chain = this.#chain.then(() => this.#handleInTurn(result, submit));
  }

  /** The session is now bound: submits received before it count as its pending ones. */
  adoptPendingSubmits(channel: SessionChannel): void {
    const waiting = this.#unboundSubmits;
    if (waiting === undefined) return;
    this.#unboundSubmits = undefined;
    for (const ticket of waiting) {
      ticket.channel = channel;
      channel.submits.received();
    }
  }

  async #handleInTurn(result: DecodeResult, submit: SubmitTicket | null): Promise<void> {
    try {
      await this.#handle(result);
    } catch (error) {
      // A rejected link would skip every later frame (and its submit bookkeeping) for good.
      this.#host.onFault(this, error);
    } finally {
      if (submit !== null) {
        if (submit.channel !== null) submit.channel.submits.answered();
        else this.#unboundSubmits = this.#unboundSubmits?.filter((t) => t !== submit);
      }
      // Nothing queued behind this frame: an idle connection keeps no promise of its own.
      if (--this.#inFlight === 0) this.#chain = SETTLED;
    }
  }

  #receive(text: string): void {
    this.receiveDecoded(decodeFrame(text, this.#host.maxMessageBytes));
  }

  async #handle(result: DecodeResult): Promise<void> {
    if (this.#closed) return;
    if (result.kind === "ignored") return;
    if (result.kind === "error") {
      this.sendError(result.error, result.id);
      return;
    }
    const env = result.envelope;
    try {
      if (this.channel === null) {
        if (env.type !== "session.hello" && env.type !== "session.resume") {
          throw new ArcpError("INVALID_REQUEST", `expected session.hello, got ${env.type}`);
        }
        await this.#host.handshake(this, env);
      } else {
        await this.#host.dispatch(this, env);
      }
    } catch (error) {
      this.sendError(ArcpError.from(error), env.id);
    }
  }

  /** Send a frame now, bypassing the session's ordered queue (handshake replies). */
  sendDirect(frame: string): void {
    this.transport.send(frame);
  }

  /** Send a frame in order with the session's events. */
  send(frame: string): void {
    if (this.channel !== null && this.channel.transport === this.transport)
      this.channel.pushControl(frame);
    else this.transport.send(frame);
  }

  /** `session.error`, always with a session_id; `requestId` names the message it answers. */
  sendError(error: ArcpError, requestId?: string): void {
    const payload = error.toPayload();
    if (requestId !== undefined) payload.details = { ...payload.details, request_id: requestId };
    this.send(
      encodeEnvelope("session.error", { id: newMessageId(), session_id: this.sessionId }, payload),
    );
  }

  /** Close the transport; the session itself (and its jobs) live on for the resume window. */
  close(code?: number, reason?: string): void {
    this.transport.close(code, reason);
  }

  #onTransportClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#host.onClosed(this);
  }
}
