/**
 * A session's delivery state (§6.3, §6.5, §8.3): its event_seq counter and the cursor that
 * moves its durable log onto whichever transport is attached. While the consumer keeps up,
 * committed frames go straight to the socket; when it lags, the in-memory backlog is dropped
 * and delivery continues from the store, so memory stays bounded whatever the client does.
 */
import { encodeJobFrame } from "../../protocol/envelope.js";
import { newMessageId } from "../../protocol/ids.js";
import type { EventRecord } from "../../store/store.js";
import type { Transport } from "../../transport/transport.js";
import type { CommitTarget, WriterEntry } from "../event-writer.js";
import type { ChannelEnv, ChannelInit } from "./channel-env.js";
import type { Connection } from "./connection.js";
import { PendingSubmits } from "./pending-submits.js";

export type { ChannelEnv, ChannelHooks, ChannelInit, ChannelLimits } from "./channel-env.js";

/**
 * The empty queue every idle channel shares instead of arrays of its own; frozen, so a push
 * that forgot to give the channel its own array fails loudly instead of touching the others.
 */
const NO_ENTRIES = Object.freeze([]) as unknown as WriterEntry[];

const CATCHING_UP = 1;
const PUMPING = 2;
const PUMP_AGAIN = 4;
const PUMP_SCHEDULED = 8;

export class SessionChannel implements CommitTarget {
  readonly id: string;
  readonly principal: string;
  readonly origin: "arcp" | "arp";
  features: ReadonlySet<string>;
  lastSeq: number;
  committedSeq: number;
  deliveredSeq: number;
  ackedSeq: number;
  pendingInWriter = 0;
  lastOutboundAt = 0;
  /** When delivery last moved forward (a stalled consumer is one whose backlog does not shrink). */
  lastProgressAt = 0;
  /** A back_pressure status was sent and the backlog has not yet halved (§6.5). */
  backPressureSignalled = false;
  /** The store refused some of this session's events: its log has a hole and cannot be resumed. */
  logIncomplete = false;
  /** The connection serving this session, if any; kept by the runtime (Runtime.connectionOf). */
  boundConnection: Connection | undefined = undefined;

  readonly #env: ChannelEnv;
  #transport: Transport | null = null;
  /** The transport whose drain this channel listens for (see #congested). */
  #drainFor: Transport | null = null;
  #queue: WriterEntry[] = NO_ENTRIES;
  #queueBytes = 0;
  #controls: WriterEntry[] = NO_ENTRIES;
  /**
   * Live frames of seqs whose stored copy is redacted (a rotated credential, DESIGN-23), kept
   * while delivery reads from the store so the attached submitter still gets the value once.
   * Never written anywhere; dropped with the transport.
   */
  #secrets: Map<number, string> | undefined;
  /** Made on first use: most sessions never subscribe. */
  #subscriptions: Map<string, { close(): void }> | undefined;
  /** The pump's state bits (CATCHING_UP…), one field instead of four. */
  #state = 0;
  /** Made on first use: sessions that never submit have nothing to count. */
  #submits: PendingSubmits | undefined;

  constructor(init: ChannelInit, env: ChannelEnv) {
    this.id = init.id;
    this.principal = init.principal;
    this.origin = init.origin;
    this.features = init.features;
    this.lastSeq = init.lastSeq;
    this.committedSeq = init.lastSeq;
    this.deliveredSeq = init.lastSeq;
    this.ackedSeq = init.ackedSeq;
    this.#env = env;
  }

  /** This session's subscriptions by job id (§7.6). */
  get subscriptions(): Map<string, { close(): void }> {
    this.#subscriptions ??= new Map();
    return this.#subscriptions;
  }

  /** Delivery reads from the store until the backlog is caught up. */
  get #catchingUp(): boolean {
    return (this.#state & CATCHING_UP) !== 0;
  }
  set #catchingUp(on: boolean) {
    this.#setState(CATCHING_UP, on);
  }
  /** A pump pass is running. */
  get #pumping(): boolean {
    return (this.#state & PUMPING) !== 0;
  }
  set #pumping(on: boolean) {
    this.#setState(PUMPING, on);
  }
  /** The running pass is to run once more. */
  get #pumpAgain(): boolean {
    return (this.#state & PUMP_AGAIN) !== 0;
  }
  set #pumpAgain(on: boolean) {
    this.#setState(PUMP_AGAIN, on);
  }
  /** A pump is scheduled for the next turn. */
  get #pumpScheduled(): boolean {
    return (this.#state & PUMP_SCHEDULED) !== 0;
  }
  set #pumpScheduled(on: boolean) {
    this.#setState(PUMP_SCHEDULED, on);
  }

  #setState(bit: number, on: boolean): void {
    this.#state = on ? this.#state | bit : this.#state & ~bit;
  }

  get transport(): Transport | null {
    return this.#transport;
  }

  get attached(): boolean {
    return this.#transport !== null && !this.#transport.closed;
  }

  /** Whether events of `kind` may be sent here: progress and result_chunk need their flags (§6.2). */
  accepts(kind: string | null): boolean {
    if (kind === "progress" || kind === "result_chunk") return this.features.has(kind);
    return true;
  }

  /** Bytes of frames held in memory for this session (bounded by maxQueueBytes). */
  get queuedBytes(): number {
    let held = 0;
    for (const e of this.#controls) held += e.frame.length;
    if (this.#secrets !== undefined)
      for (const frame of this.#secrets.values()) held += frame.length;
    return this.#queueBytes + held;
  }

  /** Events assigned a seq but not yet handed to the transport. */
  get backlog(): number {
    return this.lastSeq - this.deliveredSeq;
  }

  /**
   * Append a seq-bearing job envelope (§8.3): the next seq of this session is stamped on it and
   * the frame is encoded around `payloadJson`, which was serialised once for every recipient.
   */
  pushJobFrame(
    jobId: string,
    traceId: string | undefined,
    type: string,
    kind: string | null,
    ts: number,
    ownerEvent: boolean,
    payloadJson: string,
    livePayloadJson: string = payloadJson,
  ): number {
    const seq = ++this.lastSeq;
    const id = newMessageId();
    const frame = encodeJobFrame(type, id, this.id, traceId, jobId, seq, payloadJson);
    const record: EventRecord = {
      sessionId: this.id,
      seq,
      jobId,
      type,
      kind,
      ts,
      frame,
      ownerEvent,
    };
    // A secret may ride the live frame only; what is stored (and replayed) is `payloadJson`.
    const live =
      livePayloadJson === payloadJson
        ? frame
        : encodeJobFrame(type, id, this.id, traceId, jobId, seq, livePayloadJson);
    this.#env.writer.enqueue(this, { record, frame: live, afterSeq: seq - 1 });
    return seq;
  }

  /** Send a frame without a seq, ordered after everything pushed before it. */
  pushControl(frame: string): void {
    if (this.#transport === null) return;
    const entry: WriterEntry = { record: null, frame, afterSeq: this.lastSeq };
    if (this.pendingInWriter === 0) this.deliverCommitted([entry]);
    else this.#env.writer.enqueue(this, entry);
  }

  /**
   * Send a frame without a seq once the writer's next batch is committed (job.accepted after
   * its job row is durable), in order with everything pushed before it.
   */
  pushControlAfterCommit(frame: string): void {
    if (this.#transport === null) return;
    this.#env.writer.enqueue(this, { record: null, frame, afterSeq: this.lastSeq });
  }

  /** The job.submit envelopes received for this session and not yet answered (DESIGN-6). */
  get submits(): PendingSubmits {
    if (this.#submits === undefined) this.#submits = new PendingSubmits();
    return this.#submits;
  }

  /** Attach a transport and deliver everything after `fromSeq`, first from the store. */
  attach(transport: Transport, fromSeq: number): void {
    this.#transport = transport;
    this.#queue = NO_ENTRIES;
    this.#queueBytes = 0;
    this.#controls = NO_ENTRIES;
    this.#secrets = undefined;
    this.deliveredSeq = fromSeq;
    this.lastProgressAt = this.#env.hooks.now();
    this.#catchingUp = fromSeq < this.committedSeq;
    this.#drainFor = null;
    if (this.#catchingUp) void this.#pump();
  }

  /** The transport went away: what it did not receive is read from the store on resume. */
  detach(): void {
    this.#transport = null;
    this.#drainFor = null;
    this.#queue = NO_ENTRIES;
    this.#queueBytes = 0;
    this.#controls = NO_ENTRIES;
    // A secret not yet handed over is lost with the transport (the store holds it redacted);
    // the submitter reads the job's current credentials back with session.list_jobs.
    this.#secrets = undefined;
    this.#catchingUp = false;
  }

  deliverCommitted(entries: readonly WriterEntry[]): void {
    for (const e of entries)
      if (e.record !== null && e.record.seq > this.committedSeq) this.committedSeq = e.record.seq;
    const t = this.#transport;
    if (t === null || t.closed) return;
    if (this.#catchingUp) {
      for (const e of entries) {
        if (e.record === null) this.#holdControl(e);
        else this.#keepSecret(e);
      }
    } else if (this.#queue.length > 0 || t.bufferedBytes > this.#env.limits.socketHighWaterBytes) {
      this.#enqueue(entries);
    } else {
      const sent = this.#sendFitting(t, entries);
      if (sent < entries.length) this.#enqueue(entries.slice(sent));
    }
    // A transport below its high-water mark may never report a drain (the OS took the whole
    // write), so whatever waits for one is pumped on the next turn instead.
    if ((this.#queue.length > 0 || this.#catchingUp) && !this.#congested(t)) this.#schedulePump();
    this.#env.hooks.onBacklog(this, this.backlog);
  }

  #keepSecret(e: WriterEntry): void {
    // A catch-up read may already have sent the stored (redacted) copy; then it is too late.
    if (e.record !== null && e.frame !== e.record.frame && e.record.seq > this.deliveredSeq) {
      this.#secrets ??= new Map();
      this.#secrets.set(e.record.seq, e.frame);
    }
  }

  /**
   * Hand entries to the transport, only as many as fit under the socket's high-water mark
   * (always at least one). Returns how many were sent.
   */
  #sendFitting(t: Transport, entries: readonly WriterEntry[]): number {
    let room = this.#env.limits.socketHighWaterBytes - t.bufferedBytes;
    const frames: string[] = [];
    for (const e of entries) {
      if (frames.length > 0 && room <= 0) break;
      frames.push(e.frame);
      room -= e.frame.length;
      if (e.record !== null) this.deliveredSeq = e.record.seq;
    }
    t.send(frames);
    this.lastOutboundAt = this.#env.hooks.now();
    this.lastProgressAt = this.lastOutboundAt;
    return frames.length;
  }

  #holdControl(e: WriterEntry): void {
    if (this.#controls === NO_ENTRIES) this.#controls = [];
    this.#controls.push(e);
  }

  #enqueue(entries: readonly WriterEntry[]): void {
    if (this.#queue === NO_ENTRIES) this.#queue = [];
    for (const e of entries) {
      this.#queue.push(e);
      this.#queueBytes += e.frame.length;
    }
    if (this.#queueBytes > this.#env.limits.maxQueueBytes) this.#spill();
  }

  /** Drop the in-memory backlog: every seq frame in it is durable, controls are kept. */
  #spill(): void {
    for (const e of this.#queue) {
      if (e.record === null) this.#holdControl(e);
      else this.#keepSecret(e);
    }
    this.#queue = NO_ENTRIES;
    this.#queueBytes = 0;
    this.#catchingUp = true;
  }

  #congested(t: Transport): boolean {
    if (t.closed) return true;
    if (t.bufferedBytes <= this.#env.limits.socketHighWaterBytes) return false;
    // Delivery now waits for the transport to drain. The handler is installed the first time
    // that happens, so a session that never fills its socket (an idle one) holds no closure.
    if (this.#drainFor !== t) {
      this.#drainFor = t;
      t.onDrain(() => {
        if (this.#transport === t) void this.#pump();
      });
    }
    return true;
  }

  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      void this.#pump();
    });
  }

  /**
   * Move the backlog onto the transport. A call that finds a pass in progress (perhaps awaiting
   * a store read for a transport that has since been replaced) makes that pass run once more,
   * so a resumed transport's catch-up always starts.
   */
  async #pump(): Promise<void> {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        await this.#pumpPass();
      } while (this.#pumpAgain);
    } finally {
      this.#pumping = false;
    }
  }

  async #pumpPass(): Promise<void> {
    const t = this.#transport;
    if (t === null) return;
    try {
      this.#drainQueue(t);
      while (this.#catchingUp && this.#transport === t && !this.#congested(t)) {
        if (this.deliveredSeq >= this.committedSeq) {
          this.#finishCatchUp(t);
          break;
        }
        const page = await this.#env.store.readEvents(
          this.id,
          this.deliveredSeq,
          this.#env.limits.replayPageSize,
        );
        if (this.#transport !== t) break;
        // Only a gap-free run is sent: a hole (events the store refused) ends the replay there
        // rather than skipping what the client would then never see (§6.3).
        const from = this.deliveredSeq + 1;
        const gap = page.findIndex((e, i) => e.seq !== from + i);
        if (gap !== 0 && page.length > 0) this.#sendPage(t, gap === -1 ? page : page.slice(0, gap));
        if (gap !== -1 || page.length === 0) {
          throw new Error(`session ${this.id} log has no event after seq ${this.deliveredSeq}`);
        }
      }
    } catch (error) {
      // A failed read for a transport since replaced concerns nobody; the next pass reads again.
      if (this.#transport === t) this.#env.hooks.onStoreError(this, error);
    }
  }

  #drainQueue(t: Transport): void {
    while (this.#queue.length > 0 && !this.#congested(t)) {
      const sent = this.#sendFitting(t, this.#queue.slice(0, 512));
      for (const e of this.#queue.splice(0, sent)) this.#queueBytes -= e.frame.length;
    }
    if (this.#queue.length === 0) this.#queue = NO_ENTRIES;
  }

  #sendPage(t: Transport, page: readonly EventRecord[]): void {
    const frames: string[] = [];
    for (const ev of page) {
      while (this.#controls.length > 0 && (this.#controls[0] as WriterEntry).afterSeq < ev.seq) {
        frames.push((this.#controls.shift() as WriterEntry).frame);
      }
      const secret = this.#secrets?.get(ev.seq);
      if (secret !== undefined) this.#secrets?.delete(ev.seq);
      frames.push(secret ?? ev.frame);
      this.deliveredSeq = ev.seq;
    }
    t.send(frames);
    this.lastOutboundAt = this.#env.hooks.now();
    this.lastProgressAt = this.lastOutboundAt;
    this.#env.hooks.onBacklog(this, this.backlog);
  }

  #finishCatchUp(t: Transport): void {
    this.#catchingUp = false;
    if (this.#controls.length > 0) {
      t.send(this.#controls.map((e) => e.frame));
      this.#controls = NO_ENTRIES;
      this.lastOutboundAt = this.#env.hooks.now();
    }
  }
}
