/** The credential ledger (§9.8) and audit log (§14) in memory, ordered as the SQLite ones. */
import type { AuditRecord, CredentialRecord, CredentialState } from "../store.js";
import { copyAudit, copyCredential } from "./records.js";

type CredentialPatch = Partial<Omit<CredentialRecord, "id" | "jobId">>;

const byId = (a: CredentialRecord, b: CredentialRecord): number =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** Unscheduled (null) first, then by next attempt, then id: SQLite's ascending NULLS FIRST. */
function byNextAttempt(a: CredentialRecord, b: CredentialRecord): number {
  const x = a.nextAttemptAt ?? Number.NEGATIVE_INFINITY;
  const y = b.nextAttemptAt ?? Number.NEGATIVE_INFINITY;
  return x === y ? byId(a, b) : x < y ? -1 : 1;
}

export class MemoryLedger {
  readonly #credentials = new Map<string, CredentialRecord>();
  readonly #audit: AuditRecord[] = [];

  record(credential: CredentialRecord): void {
    if (this.#credentials.has(credential.id))
      throw new Error(`credential ${credential.id} already exists`);
    this.#credentials.set(credential.id, copyCredential(credential));
  }

  get(id: string): CredentialRecord | undefined {
    const row = this.#credentials.get(id);
    return row === undefined ? undefined : copyCredential(row);
  }

  listForJob(jobId: string): CredentialRecord[] {
    return [...this.#credentials.values()]
      .filter((c) => c.jobId === jobId)
      .sort((a, b) => a.issuedAt - b.issuedAt || byId(a, b))
      .map(copyCredential);
  }

  list(states: readonly CredentialState[], limit: number): CredentialRecord[] {
    if (!(limit > 0)) return [];
    return [...this.#credentials.values()]
      .filter((c) => states.includes(c.state))
      .sort(byNextAttempt)
      .slice(0, limit)
      .map(copyCredential);
  }

  update(id: string, patch: CredentialPatch): void {
    const row = this.#credentials.get(id);
    if (row === undefined) return;
    if (patch.provisioner !== undefined) row.provisioner = patch.provisioner;
    if (patch.handle !== undefined) row.handle = patch.handle;
    if (patch.state !== undefined) row.state = patch.state;
    if (patch.issuedAt !== undefined) row.issuedAt = patch.issuedAt;
    if (patch.expiresAt !== undefined) row.expiresAt = patch.expiresAt;
    if (patch.attempts !== undefined) row.attempts = patch.attempts;
    if (patch.nextAttemptAt !== undefined) row.nextAttemptAt = patch.nextAttemptAt;
    if (patch.lastError !== undefined) row.lastError = patch.lastError;
    if (patch.revokedAt !== undefined) row.revokedAt = patch.revokedAt;
  }

  /** Revoked rows leave with their pruned job; the others stay for the revoker and operators. */
  dropRevoked(jobId: string): void {
    for (const row of this.#credentials.values()) {
      if (row.jobId === jobId && row.state === "revoked") this.#credentials.delete(row.id);
    }
  }

  appendAudit(record: AuditRecord): void {
    this.#audit.push(copyAudit(record));
  }

  /** Newest first. */
  listAudit(kind: string | undefined, limit: number): AuditRecord[] {
    const out: AuditRecord[] = [];
    for (let i = this.#audit.length - 1; i >= 0 && out.length < limit; i--) {
      const record = this.#audit[i] as AuditRecord;
      if (kind === undefined || record.kind === kind) out.push(copyAudit(record));
    }
    return out;
  }
}
