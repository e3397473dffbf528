/**
 * `job.subscribe` / `job.unsubscribe` (§7.6, DESIGN-22): `job.subscribed` first, then (with
 * `history: true`) the job's retained events after `from_event_seq`, then live events, all
 * re-sequenced into the subscriber's own session. Subscribing never grants cancel authority;
 * credentials reach only the submitter; every cross-session subscribe is audited. The job's own
 * session, which already receives every event, gets `job.subscribed` and nothing more.
 */
import { encodeEnvelope, type InboundEnvelope } from "../protocol/envelope.js";
import { ArcpError } from "../protocol/errors.js";
import { newMessageId } from "../protocol/ids.js";
import type { EventRecord, JobRecord } from "../store/store.js";
import { credentialsFor } from "./job/credentials-view.js";
import type { JobListener, LiveJob, SecretDelivery } from "./job/live-job.js";
import type { Runtime } from "./runtime.js";
import type { Connection } from "./session/connection.js";
import type { SessionChannel } from "./session/session-channel.js";
import { canObserve } from "./visibility.js";

type SubscribeEnvelope = Extract<InboundEnvelope, { type: "job.subscribe" }>;
type UnsubscribeEnvelope = Extract<InboundEnvelope, { type: "job.unsubscribe" }>;

const TERMINAL_TYPES = new Set(["job.result", "job.error"]);

/** The payload JSON of a stored frame (our encoder always writes `payload` last). */
export function payloadOf(frame: string): string {
  return frame.slice(frame.indexOf(',"payload":') + 11, -1);
}

/** One session's view of one job. Buffers live events while history is being replayed. */
export class Subscription implements JobListener {
  readonly key: string;
  #replaying = true;
  #lastOwnerSeq: number;
  #buffer: [string, string | null, string, number | undefined, string | undefined][] = [];
  #closed = false;

  constructor(
    private readonly rt: Runtime,
    readonly channel: SessionChannel,
    readonly job: Pick<JobRecord, "id" | "traceId">,
    fromSeq: number,
  ) {
    this.key = channel.id;
    this.#lastOwnerSeq = fromSeq;
  }

  offer(
    type: string,
    kind: string | null,
    payloadJson: string,
    ownerSeq: number | undefined,
    secret?: SecretDelivery,
  ): void {
    if (this.#closed) return;
    const live = secret?.mayReveal(this.channel) === true ? secret.liveJson : undefined;
    if (this.#replaying) this.#buffer.push([type, kind, payloadJson, ownerSeq, live]);
    else this.#deliver(type, kind, payloadJson, ownerSeq, live);
  }

  /** Replay stored history, then the live events that arrived meanwhile, then go live. */
  replay(history: readonly EventRecord[]): void {
    for (const ev of history) this.#deliver(ev.type, ev.kind, payloadOf(ev.frame), ev.seq);
  }

  goLive(): void {
    const buffered = this.#buffer;
    this.#buffer = [];
    this.#replaying = false;
    for (const [type, kind, payloadJson, ownerSeq, live] of buffered) {
      if (ownerSeq === undefined || ownerSeq > this.#lastOwnerSeq)
        this.#deliver(type, kind, payloadJson, ownerSeq, live);
    }
  }

  close(): void {
    this.#closed = true;
    this.#buffer = [];
    this.channel.subscriptions.delete(this.job.id);
    this.rt.jobs.get(this.job.id)?.listeners.delete(this.key);
  }

  #deliver(
    type: string,
    kind: string | null,
    payloadJson: string,
    ownerSeq: number | undefined,
    live: string = payloadJson,
  ): void {
    if (this.#closed) return;
    if (ownerSeq !== undefined) {
      if (ownerSeq <= this.#lastOwnerSeq) return;
      this.#lastOwnerSeq = ownerSeq;
    }
    const channel = this.channel;
    if (channel.accepts(kind)) {
      channel.pushJobFrame(
        this.job.id,
        this.job.traceId,
        type,
        kind,
        this.rt.clock.now(),
        false,
        payloadJson,
        live,
      );
    }
    if (TERMINAL_TYPES.has(type)) this.close();
  }
}

async function audit(
  rt: Runtime,
  channel: SessionChannel,
  jobId: string,
  owner: JobRecord | undefined,
  decision: string,
) {
  if (owner !== undefined && owner.sessionId === channel.id) return;
  await rt.store.appendAudit({
    ts: rt.clock.now(),
    kind: "job_subscribe",
    principal: channel.principal,
    details: {
      subscriber_session: channel.id,
      target_job: jobId,
      owner_principal: owner?.principal ?? null,
      decision,
    },
  });
}

function subscribedPayload(
  channel: SessionChannel,
  record: JobRecord,
  live: LiveJob | undefined,
  history: boolean,
) {
  const payload: Record<string, unknown> = {
    job_id: record.id,
    current_status: record.state,
    agent: record.agent,
    lease: record.lease,
  };
  if (record.leaseConstraints !== null) payload["lease_constraints"] = record.leaseConstraints;
  if (record.lease["cost.budget"] !== undefined) {
    payload["budget"] = live?.authority.budget?.snapshot() ?? storedBudget(record);
  }
  const credentials = live === undefined ? undefined : credentialsFor(live, channel);
  if (credentials !== undefined) payload["credentials"] = credentials;
  payload["parent_job_id"] = record.parentJobId;
  payload["trace_id"] = record.traceId;
  payload["subscribed_from"] = channel.lastSeq;
  payload["replayed"] = history;
  return payload;
}

function storedBudget(record: JobRecord): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [currency, micros] of Object.entries(record.budget ?? {}))
    out[currency] = Number(micros) / 1e6;
  return out;
}

export async function handleSubscribe(
  rt: Runtime,
  conn: Connection,
  env: SubscribeEnvelope,
): Promise<void> {
  const channel = conn.channel as SessionChannel;
  const { job_id: jobId, from_event_seq: fromSeq = 0, history = false } = env.payload;
  const live = rt.jobs.get(jobId);
  const record = live?.record ?? (await rt.store.getJob(jobId));
  if (record === undefined || !canObserve(rt, channel.principal, record)) {
    await audit(rt, channel, jobId, record, "not_found");
    throw new ArcpError("JOB_NOT_FOUND", `job ${jobId} not found`, { details: { job_id: jobId } });
  }
  if (record.sessionId === channel.id) {
    // §7.6 allows subscribing to a job "earlier in the same session": its events already
    // flow here, in this very seq space, so a listener would send each one (and the
    // terminal) twice, and a replay would repeat what the session already has.
    conn.send(subscribedFrame(channel, record, live, false));
    return;
  }
  if (channel.subscriptions.has(jobId))
    throw new ArcpError("INVALID_REQUEST", `already subscribed to ${jobId}`);
  // Registered before any await, so an event (or the terminal) produced meanwhile is buffered
  // for this subscriber rather than lost with the job.
  const sub = new Subscription(rt, channel, record, history ? fromSeq : 0);
  channel.subscriptions.set(jobId, sub);
  live?.listeners.set(sub.key, sub);
  try {
    await audit(rt, channel, jobId, record, "allowed");
  } catch (error) {
    sub.close();
    throw error;
  }
  conn.send(subscribedFrame(channel, record, live, history));
  if (history) await replayHistory(rt, sub, jobId, fromSeq);
  sub.goLive();
  // A job that was over before the subscription existed has nothing more to send.
  if (live === undefined) sub.close();
}

function subscribedFrame(
  channel: SessionChannel,
  record: JobRecord,
  live: LiveJob | undefined,
  history: boolean,
): string {
  return encodeEnvelope(
    "job.subscribed",
    { id: newMessageId(), session_id: channel.id, trace_id: record.traceId, job_id: record.id },
    subscribedPayload(channel, record, live, history),
  );
}

async function replayHistory(
  rt: Runtime,
  sub: Subscription,
  jobId: string,
  fromSeq: number,
): Promise<void> {
  // Events emitted before the listener was registered may still be on their way to the
  // store; once the writer is idle they are all readable, and later ones are buffered.
  await rt.writer.idle();
  let after = fromSeq;
  for (;;) {
    const page = await rt.store.readJobEvents(jobId, after, rt.config.replayPageSize);
    if (page.length === 0) return;
    sub.replay(page);
    after = (page.at(-1) as EventRecord).seq;
    await rt.writer.room();
  }
}

export function handleUnsubscribe(conn: Connection, env: UnsubscribeEnvelope): void {
  (conn.channel as SessionChannel).subscriptions.get(env.payload.job_id)?.close();
}
