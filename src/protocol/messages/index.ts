/** The inbound (client → runtime) message table: one payload schema per `type`. */
import type { z } from "zod";
import {
  JobCancelPayloadSchema,
  JobSubmitPayloadSchema,
  JobSubscribePayloadSchema,
  JobUnsubscribePayloadSchema,
} from "./jobs.js";
import {
  SessionAckPayloadSchema,
  SessionByePayloadSchema,
  SessionClosePayloadSchema,
  SessionHelloPayloadSchema,
  SessionListJobsPayloadSchema,
  SessionPingPayloadSchema,
  SessionPongPayloadSchema,
  SessionResumePayloadSchema,
} from "./session.js";

export const INBOUND_PAYLOADS = {
  "session.hello": SessionHelloPayloadSchema,
  "session.resume": SessionResumePayloadSchema,
  "session.ping": SessionPingPayloadSchema,
  "session.pong": SessionPongPayloadSchema,
  "session.ack": SessionAckPayloadSchema,
  "session.list_jobs": SessionListJobsPayloadSchema,
  "session.bye": SessionByePayloadSchema,
  "session.close": SessionClosePayloadSchema,
  "job.submit": JobSubmitPayloadSchema,
  "job.cancel": JobCancelPayloadSchema,
  "job.subscribe": JobSubscribePayloadSchema,
  "job.unsubscribe": JobUnsubscribePayloadSchema,
} as const;

export type InboundType = keyof typeof INBOUND_PAYLOADS;
export type InboundPayload<T extends InboundType> = z.infer<(typeof INBOUND_PAYLOADS)[T]>;

/** Outbound (runtime → client) message types. */
export const OUTBOUND_TYPES = [
  "session.welcome",
  "session.error",
  "session.ping",
  "session.pong",
  "session.jobs",
  "session.closed",
  "job.accepted",
  "job.cancelled",
  "job.event",
  "job.result",
  "job.error",
  "job.subscribed",
] as const;
export type OutboundType = (typeof OUTBOUND_TYPES)[number];

/** Envelope types that carry `event_seq` (§8.3, DESIGN-3). */
export const SEQ_TYPES: ReadonlySet<string> = new Set(["job.event", "job.result", "job.error"]);

export * from "./common.js";
export * from "./events.js";
export * from "./jobs.js";
export * from "./session.js";
