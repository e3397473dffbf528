/** §6 session messages: hello/welcome, resume, heartbeats, ack, listing, close, errors. */
import { z } from "zod";
import { JOB_STATES } from "../job-state.js";
import { ErrorPayloadSchema, LeaseSchema, NonEmptyString } from "./common.js";

/** §6.2 feature flags this runtime knows. */
export const FEATURES = [
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
] as const;
export type Feature = (typeof FEATURES)[number];

export const ClientIdentitySchema = z.object({
  name: NonEmptyString,
  version: NonEmptyString,
  fingerprint: z.string().optional(),
  principal: z.string().optional(),
});

export const AuthBlockSchema = z.object({
  scheme: z.literal("bearer"),
  token: z.string().optional(),
});

export const CapabilitiesSchema = z.object({
  encodings: z.array(z.string()).optional(),
  features: z.array(z.string()).optional(),
  agents: z.unknown().optional(),
});

/** The resume block inside session.hello (TS SDK form of §6.3). */
export const ResumeBlockSchema = z.object({
  session_id: NonEmptyString,
  resume_token: NonEmptyString,
  last_event_seq: z.number().int().nonnegative(),
});

export const SessionHelloPayloadSchema = z.object({
  client: ClientIdentitySchema,
  auth: AuthBlockSchema,
  capabilities: CapabilitiesSchema.optional(),
  resume: ResumeBlockSchema.optional(),
});
export type SessionHelloPayload = z.infer<typeof SessionHelloPayloadSchema>;

/** §6.3 spec form: `session.resume` sent instead of a hello. */
export const SessionResumePayloadSchema = z.object({
  resume_token: NonEmptyString,
  last_event_seq: z.number().int().nonnegative(),
  session_id: NonEmptyString.optional(),
  auth: AuthBlockSchema.optional(),
  client: ClientIdentitySchema.optional(),
  capabilities: CapabilitiesSchema.optional(),
});
export type SessionResumePayload = z.infer<typeof SessionResumePayloadSchema>;

export const AgentInventoryEntrySchema = z.object({
  name: NonEmptyString,
  versions: z.array(NonEmptyString),
  default: NonEmptyString.optional(),
});
export type AgentInventoryEntry = z.infer<typeof AgentInventoryEntrySchema>;

export const SessionWelcomePayloadSchema = z.object({
  runtime: z.object({ name: NonEmptyString, version: NonEmptyString }),
  resume_token: NonEmptyString,
  resume_window_sec: z.number().int().positive(),
  heartbeat_interval_sec: z.number().int().positive().optional(),
  capabilities: z.object({
    encodings: z.array(z.string()),
    features: z.array(z.string()).optional(),
    agents: z.array(AgentInventoryEntrySchema),
  }),
});
export type SessionWelcomePayload = z.infer<typeof SessionWelcomePayloadSchema>;

export const SessionPingPayloadSchema = z.object({
  nonce: NonEmptyString,
  sent_at: NonEmptyString,
});
export const SessionPongPayloadSchema = z.object({
  ping_nonce: NonEmptyString,
  received_at: NonEmptyString,
});
export const SessionAckPayloadSchema = z.object({
  last_processed_seq: z.number().int().nonnegative(),
});

export const SessionListJobsPayloadSchema = z.object({
  filter: z
    .object({
      status: z.array(z.enum(JOB_STATES)).optional(),
      agent: NonEmptyString.optional(),
      created_after: NonEmptyString.optional(),
      created_before: NonEmptyString.optional(),
    })
    .optional(),
  limit: z.number().int().positive().optional(),
  cursor: z.string().nullable().optional(),
});
export type SessionListJobsPayload = z.infer<typeof SessionListJobsPayloadSchema>;

export const JobListEntrySchema = z.object({
  job_id: NonEmptyString,
  agent: NonEmptyString,
  status: z.enum(JOB_STATES),
  lease: LeaseSchema,
  parent_job_id: z.string().nullable(),
  created_at: NonEmptyString,
  trace_id: z.string().optional(),
  last_event_seq: z.number().int().nonnegative(),
});
export type JobListEntry = z.infer<typeof JobListEntrySchema>;

export const SessionJobsPayloadSchema = z.object({
  request_id: NonEmptyString,
  jobs: z.array(JobListEntrySchema),
  next_cursor: z.string().nullable(),
});

export const SessionByePayloadSchema = z.object({ reason: z.string().optional() });
export const SessionClosePayloadSchema = z.object({ reason: z.string().optional() });
export const SessionClosedPayloadSchema = z.object({ reason: z.string().optional() });
export const SessionErrorPayloadSchema = ErrorPayloadSchema;
