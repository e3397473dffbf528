/** The credential ledger (§9.8) and the audit log (§14) on SQLite. */
import type { Database, Statement } from "better-sqlite3";
import type { AuditRecord, CredentialRecord, CredentialState } from "../store.js";
import {
  type AuditRow,
  auditFromRow,
  type CredentialRow,
  credentialFromRow,
  credentialParams,
  toJson,
} from "./rows.js";

type CredentialPatch = Partial<Omit<CredentialRecord, "id" | "jobId">>;

/** Patchable ledger fields and their columns; one (flag, value) pair each in the UPDATE. */
const PATCHABLE = [
  ["provisioner", "provisioner"],
  ["handle", "handle"],
  ["state", "state"],
  ["issuedAt", "issued_at"],
  ["expiresAt", "expires_at"],
  ["attempts", "attempts"],
  ["nextAttemptAt", "next_attempt_at"],
  ["lastError", "last_error"],
  ["revokedAt", "revoked_at"],
] as const satisfies readonly (readonly [keyof CredentialPatch, string])[];

const STATE_SLOTS = 4;

export class LedgerStatements {
  readonly #insert: Statement;
  readonly #get: Statement;
  readonly #forJob: Statement;
  readonly #byState: Statement;
  readonly #update: Statement;
  readonly #appendAudit: Statement;
  readonly #listAudit: Statement;
  readonly #listAuditKind: Statement;

  constructor(db: Database) {
    this.#insert = db.prepare(
      `INSERT INTO credentials (id, job_id, provisioner, handle, state, issued_at, expires_at, attempts,
         next_attempt_at, last_error, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#get = db.prepare("SELECT * FROM credentials WHERE id = ?");
    this.#forJob = db.prepare("SELECT * FROM credentials WHERE job_id = ? ORDER BY issued_at, id");
    this.#byState = db.prepare(
      `SELECT * FROM credentials WHERE state IN (?, ?, ?, ?) ORDER BY next_attempt_at, id LIMIT ?`,
    );
    const set = PATCHABLE.map(
      ([key, column]) => `${column} = CASE WHEN @has_${key} THEN @${key} ELSE ${column} END`,
    );
    this.#update = db.prepare(`UPDATE credentials SET ${set.join(", ")} WHERE id = @id`);
    this.#appendAudit = db.prepare(
      "INSERT INTO audit (ts, kind, principal, details) VALUES (?, ?, ?, ?)",
    );
    this.#listAudit = db.prepare(
      "SELECT ts, kind, principal, details FROM audit ORDER BY id DESC LIMIT ?",
    );
    this.#listAuditKind = db.prepare(
      "SELECT ts, kind, principal, details FROM audit WHERE kind = ? ORDER BY id DESC LIMIT ?",
    );
  }

  record(credential: CredentialRecord): void {
    this.#insert.run(credentialParams(credential));
  }

  get(id: string): CredentialRecord | undefined {
    const row = this.#get.get(id) as CredentialRow | undefined;
    return row === undefined ? undefined : credentialFromRow(row);
  }

  listForJob(jobId: string): CredentialRecord[] {
    return (this.#forJob.all(jobId) as CredentialRow[]).map(credentialFromRow);
  }

  list(states: readonly CredentialState[], limit: number): CredentialRecord[] {
    if (!(limit > 0) || states.length === 0) return [];
    // Unused IN-list slots are null, which equals nothing.
    const slots: (string | null)[] = [...new Set(states)].slice(0, STATE_SLOTS);
    while (slots.length < STATE_SLOTS) slots.push(null);
    return (this.#byState.all(...slots, limit) as CredentialRow[]).map(credentialFromRow);
  }

  update(id: string, patch: CredentialPatch): void {
    const params: Record<string, unknown> = { id };
    for (const [key] of PATCHABLE) {
      const value = patch[key];
      params[`has_${key}`] = value === undefined ? 0 : 1;
      params[key] = value ?? null;
    }
    this.#update.run(params);
  }

  appendAudit(record: AuditRecord): void {
    this.#appendAudit.run(record.ts, record.kind, record.principal, toJson(record.details));
  }

  listAudit(kind: string | undefined, limit: number): AuditRecord[] {
    if (!(limit > 0)) return [];
    const rows =
      kind === undefined ? this.#listAudit.all(limit) : this.#listAuditKind.all(kind, limit);
    return (rows as AuditRow[]).map(auditFromRow);
  }
}
