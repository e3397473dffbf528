/**
 * Copies in and out of the memory store, shaped exactly as a SQLite round trip would shape
 * them (JSON values pass through JSON, extra properties are dropped), so that callers can
 * neither alias stored state nor come to depend on what only the memory store would keep.
 */
import type {
  AuditRecord,
  CredentialRecord,
  EventRecord,
  JobRecord,
  SessionRecord,
} from "../store.js";

/** What a JSON TEXT column gives back; `undefined` becomes null as in the SQLite store. */
export const viaJson = <T>(value: T): T => JSON.parse(JSON.stringify(value) ?? "null") as T;

export function copySession(s: SessionRecord): SessionRecord {
  return {
    id: s.id,
    principal: s.principal,
    resumeTokenHash: s.resumeTokenHash,
    features: viaJson(s.features),
    resumeWindowSec: s.resumeWindowSec,
    createdAt: s.createdAt,
    detachedAt: s.detachedAt,
    lastSeq: s.lastSeq,
    ackedSeq: s.ackedSeq,
    origin: s.origin,
  };
}

export function copyJob(j: JobRecord): JobRecord {
  return {
    id: j.id,
    sessionId: j.sessionId,
    principal: j.principal,
    agent: j.agent,
    state: j.state,
    input: viaJson(j.input),
    lease: viaJson(j.lease),
    leaseConstraints: j.leaseConstraints === null ? null : viaJson(j.leaseConstraints),
    budget: j.budget === null ? null : viaJson(j.budget),
    parentJobId: j.parentJobId,
    delegateId: j.delegateId,
    traceId: j.traceId,
    idempotencyKey: j.idempotencyKey,
    submitDigest: j.submitDigest,
    maxRuntimeSec: j.maxRuntimeSec,
    acceptedPayload: j.acceptedPayload,
    runId: j.runId,
    runContext: j.runContext === null ? null : viaJson(j.runContext),
    createdAt: j.createdAt,
    startedAt: j.startedAt,
    endedAt: j.endedAt,
    lastEventSeq: j.lastEventSeq,
    errorCode: j.errorCode,
  };
}

export function copyEvent(e: EventRecord): EventRecord {
  return {
    sessionId: e.sessionId,
    seq: e.seq,
    jobId: e.jobId,
    type: e.type,
    kind: e.kind,
    ts: e.ts,
    frame: e.frame,
    ownerEvent: e.ownerEvent,
  };
}

export function copyCredential(c: CredentialRecord): CredentialRecord {
  return {
    id: c.id,
    jobId: c.jobId,
    provisioner: c.provisioner,
    handle: c.handle,
    state: c.state,
    issuedAt: c.issuedAt,
    expiresAt: c.expiresAt,
    attempts: c.attempts,
    nextAttemptAt: c.nextAttemptAt,
    lastError: c.lastError,
    revokedAt: c.revokedAt,
  };
}

export function copyAudit(a: AuditRecord): AuditRecord {
  return { ts: a.ts, kind: a.kind, principal: a.principal, details: viaJson(a.details) };
}
