/** §7 job messages: submit/accepted, cancel/cancelled, result/error, subscription. */
import { z } from "zod";
import { JOB_STATES } from "../job-state.js";
import {
  BudgetSchema,
  CredentialSchema,
  ErrorPayloadSchema,
  LeaseConstraintsSchema,
  LeaseSchema,
  NonEmptyString,
} from "./common.js";

/** §7.5 agent reference grammar. */
export const AGENT_NAME = /^[a-z0-9][a-z0-9._-]*$/;
export const AGENT_VERSION = /^[a-zA-Z0-9.+_-]+$/;

export const AgentRefSchema = z.string().refine(
  (ref) => {
    const at = ref.indexOf("@");
    if (at === -1) return AGENT_NAME.test(ref);
    return AGENT_NAME.test(ref.slice(0, at)) && AGENT_VERSION.test(ref.slice(at + 1));
  },
  { message: "must be name or name@version (name [a-z0-9][a-z0-9._-]*, version [a-zA-Z0-9.+_-]+)" },
);

export const JobSubmitPayloadSchema = z.object({
  agent: AgentRefSchema,
  input: z.unknown().optional(),
  lease_request: LeaseSchema.optional(),
  lease_constraints: LeaseConstraintsSchema.optional(),
  idempotency_key: NonEmptyString.optional(),
  /** Capped at 24 days: Node timers cannot express longer delays. */
  max_runtime_sec: z.number().int().positive().max(2_073_600).optional(),
});
export type JobSubmitPayload = z.infer<typeof JobSubmitPayloadSchema>;

export const JobAcceptedPayloadSchema = z.object({
  job_id: NonEmptyString,
  agent: NonEmptyString,
  lease: LeaseSchema,
  lease_constraints: LeaseConstraintsSchema.optional(),
  budget: BudgetSchema.optional(),
  credentials: z.array(CredentialSchema).optional(),
  accepted_at: NonEmptyString,
  parent_job_id: NonEmptyString.optional(),
  delegate_id: NonEmptyString.optional(),
  trace_id: NonEmptyString.optional(),
});
export type JobAcceptedPayload = z.infer<typeof JobAcceptedPayloadSchema>;

export const JobCancelPayloadSchema = z.object({
  reason: z.string().optional(),
  /** Spec examples put the target on the envelope; accept it in the payload too. */
  job_id: NonEmptyString.optional(),
});
export const JobCancelledPayloadSchema = z.object({ reason: z.string().optional() });

export const JobResultPayloadSchema = z
  .object({
    final_status: z.literal("success"),
    result: z.unknown().optional(),
    result_id: NonEmptyString.optional(),
    result_size: z.number().int().nonnegative().optional(),
    summary: z.string().optional(),
  })
  .refine((p) => p.result === undefined || p.result_id === undefined, {
    message: "job.result carries either result or result_id, never both (§8.4)",
  });
export type JobResultPayload = z.infer<typeof JobResultPayloadSchema>;

export const FINAL_ERROR_STATUSES = ["error", "cancelled", "timed_out"] as const;
export const JobErrorPayloadSchema = ErrorPayloadSchema.extend({
  final_status: z.enum(FINAL_ERROR_STATUSES),
});
export type JobErrorPayload = z.infer<typeof JobErrorPayloadSchema>;

export const JobSubscribePayloadSchema = z.object({
  job_id: NonEmptyString,
  from_event_seq: z.number().int().nonnegative().optional(),
  history: z.boolean().optional(),
});
export type JobSubscribePayload = z.infer<typeof JobSubscribePayloadSchema>;

export const JobSubscribedPayloadSchema = z.object({
  job_id: NonEmptyString,
  current_status: z.enum(JOB_STATES),
  agent: NonEmptyString,
  lease: LeaseSchema,
  lease_constraints: LeaseConstraintsSchema.optional(),
  budget: BudgetSchema.optional(),
  credentials: z.array(CredentialSchema).optional(),
  parent_job_id: z.string().nullable(),
  trace_id: z.string().optional(),
  subscribed_from: z.number().int().nonnegative(),
  replayed: z.boolean(),
});
export type JobSubscribedPayload = z.infer<typeof JobSubscribedPayloadSchema>;

export const JobUnsubscribePayloadSchema = z.object({ job_id: NonEmptyString });
