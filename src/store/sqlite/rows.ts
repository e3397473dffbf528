/** Row ⇄ record mapping for the SQLite store: snake_case columns, JSON as TEXT, booleans as 0/1. */
import type { JobState } from "../../protocol/job-state.js";
import type {
  AuditRecord,
  CredentialRecord,
  CredentialState,
  JobRecord,
  SessionRecord,
} from "../store.js";

export interface SessionRow {
  id: string;
  principal: string;
  resume_token_hash: string;
  features: string;
  resume_window_sec: number;
  created_at: number;
  detached_at: number | null;
  last_seq: number;
  acked_seq: number;
  origin: "arcp" | "arp";
}

export interface JobRow {
  id: string;
  session_id: string;
  principal: string;
  agent: string;
  state: JobState;
  input: string;
  lease: string;
  lease_constraints: string | null;
  budget: string | null;
  parent_job_id: string | null;
  delegate_id: string | null;
  trace_id: string;
  idempotency_key: string | null;
  submit_digest: string | null;
  max_runtime_sec: number | null;
  accepted_payload: string;
  run_id: string | null;
  run_context: string | null;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  last_event_seq: number;
  error_code: string | null;
}

export interface CredentialRow {
  id: string;
  job_id: string;
  provisioner: string;
  handle: string;
  state: CredentialState;
  issued_at: number;
  expires_at: number | null;
  attempts: number;
  next_attempt_at: number | null;
  last_error: string | null;
  revoked_at: number | null;
}

export interface AuditRow {
  ts: number;
  kind: string;
  principal: string | null;
  details: string;
}

/** JSON text for a value; `undefined` (which JSON cannot hold) is stored as null. */
export const toJson = (value: unknown): string => JSON.stringify(value) ?? "null";
const fromJsonOrNull = <T>(text: string | null): T | null =>
  text === null ? null : (JSON.parse(text) as T);

export function sessionParams(s: SessionRecord): unknown[] {
  return [
    s.id,
    s.principal,
    s.resumeTokenHash,
    JSON.stringify(s.features),
    s.resumeWindowSec,
    s.createdAt,
    s.detachedAt,
    s.lastSeq,
    s.ackedSeq,
    s.origin,
  ];
}

export function sessionFromRow(r: SessionRow): SessionRecord {
  return {
    id: r.id,
    principal: r.principal,
    resumeTokenHash: r.resume_token_hash,
    features: JSON.parse(r.features) as string[],
    resumeWindowSec: r.resume_window_sec,
    createdAt: r.created_at,
    detachedAt: r.detached_at,
    lastSeq: r.last_seq,
    ackedSeq: r.acked_seq,
    origin: r.origin,
  };
}

export function jobParams(j: JobRecord): unknown[] {
  return [
    j.id,
    j.sessionId,
    j.principal,
    j.agent,
    j.state,
    toJson(j.input),
    toJson(j.lease),
    j.leaseConstraints === null ? null : toJson(j.leaseConstraints),
    j.budget === null ? null : toJson(j.budget),
    j.parentJobId,
    j.delegateId,
    j.traceId,
    j.idempotencyKey,
    j.submitDigest,
    j.maxRuntimeSec,
    j.acceptedPayload,
    j.runId,
    j.runContext === null ? null : toJson(j.runContext),
    j.createdAt,
    j.startedAt,
    j.endedAt,
    j.lastEventSeq,
    j.errorCode,
  ];
}

export function jobFromRow(r: JobRow): JobRecord {
  return {
    id: r.id,
    sessionId: r.session_id,
    principal: r.principal,
    agent: r.agent,
    state: r.state,
    input: JSON.parse(r.input) as unknown,
    lease: JSON.parse(r.lease) as Record<string, string[]>,
    leaseConstraints: fromJsonOrNull<{ expires_at?: string }>(r.lease_constraints),
    budget: fromJsonOrNull<Record<string, string>>(r.budget),
    parentJobId: r.parent_job_id,
    delegateId: r.delegate_id,
    traceId: r.trace_id,
    idempotencyKey: r.idempotency_key,
    submitDigest: r.submit_digest,
    maxRuntimeSec: r.max_runtime_sec,
    acceptedPayload: r.accepted_payload,
    runId: r.run_id,
    runContext: fromJsonOrNull<Record<string, unknown>>(r.run_context),
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    lastEventSeq: r.last_event_seq,
    errorCode: r.error_code,
  };
}

export function credentialParams(c: CredentialRecord): unknown[] {
  return [
    c.id,
    c.jobId,
    c.provisioner,
    c.handle,
    c.state,
    c.issuedAt,
    c.expiresAt,
    c.attempts,
    c.nextAttemptAt,
    c.lastError,
    c.revokedAt,
  ];
}

export function credentialFromRow(r: CredentialRow): CredentialRecord {
  return {
    id: r.id,
    jobId: r.job_id,
    provisioner: r.provisioner,
    handle: r.handle,
    state: r.state,
    issuedAt: r.issued_at,
    expiresAt: r.expires_at,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    revokedAt: r.revoked_at,
  };
}

export function auditFromRow(r: AuditRow): AuditRecord {
  return {
    ts: r.ts,
    kind: r.kind,
    principal: r.principal,
    details: JSON.parse(r.details) as Record<string, unknown>,
  };
}
