/** Record builders for the store contract: valid defaults, overridden per test. */
import type {
  AuditRecord,
  CredentialRecord,
  EventRecord,
  JobRecord,
  SessionRecord,
  Store,
} from "../../../src/store/store.js";

/** Run `body` against a fresh store, and always close it. */
export type WithStore = (body: (store: Store) => Promise<void>) => Promise<void>;

export function sessionRecord(id: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id,
    principal: "alice",
    resumeTokenHash: "a".repeat(64),
    features: ["list_jobs", "subscribe"],
    resumeWindowSec: 600,
    createdAt: 1_700_000_000_000,
    detachedAt: null,
    lastSeq: 0,
    ackedSeq: 0,
    origin: "arcp",
    ...overrides,
  };
}

export function jobRecord(id: string, overrides: Partial<JobRecord> = {}): JobRecord {
  return {
    id,
    sessionId: "sess_1",
    principal: "alice",
    agent: "echo@1.0.0",
    state: "pending",
    input: { text: "hello", nested: { list: [1, 2, 3], flag: true, nothing: null } },
    lease: { "tool.call": ["search.*"], "net.fetch": ["https://example.com/**"] },
    leaseConstraints: { expires_at: "2030-01-01T00:00:00Z" },
    budget: { USD: "12500000", EUR: "123456789012345678901234567890" },
    parentJobId: null,
    delegateId: null,
    traceId: "0af7651916cd43dd8448eb211c80319c",
    idempotencyKey: null,
    submitDigest: null,
    maxRuntimeSec: 60,
    acceptedPayload: '{"job_id":"x","lease":{}}',
    runId: null,
    runContext: null,
    createdAt: 1_700_000_000_000,
    startedAt: null,
    endedAt: null,
    lastEventSeq: 0,
    errorCode: null,
    ...overrides,
  };
}

export function eventRecord(
  sessionId: string,
  seq: number,
  overrides: Partial<EventRecord> = {},
): EventRecord {
  return {
    sessionId,
    seq,
    jobId: "job_1",
    type: "job.event",
    kind: "log",
    ts: 1_700_000_000_000 + seq,
    frame: `{"type":"job.event","session_id":"${sessionId}","event_seq":${seq},"payload":{"kind":"log","body":{"message":"é ${seq}"}}}`,
    ownerEvent: true,
    ...overrides,
  };
}

/** Events `from..to` of one session, all owned by `jobId`. */
export function eventRange(
  sessionId: string,
  from: number,
  to: number,
  jobId = "job_1",
): EventRecord[] {
  const out: EventRecord[] = [];
  for (let seq = from; seq <= to; seq++) out.push(eventRecord(sessionId, seq, { jobId }));
  return out;
}

export function credentialRecord(
  id: string,
  overrides: Partial<CredentialRecord> = {},
): CredentialRecord {
  return {
    id,
    jobId: "job_1",
    provisioner: "memory",
    handle: `handle-${id}`,
    state: "live",
    issuedAt: 1_700_000_000_000,
    expiresAt: null,
    attempts: 0,
    nextAttemptAt: null,
    lastError: null,
    revokedAt: null,
    ...overrides,
  };
}

export function auditRecord(
  kind: string,
  n: number,
  overrides: Partial<AuditRecord> = {},
): AuditRecord {
  return {
    ts: 1_700_000_000_000 + n,
    kind,
    principal: "alice",
    details: { n, decision: "allow" },
    ...overrides,
  };
}
