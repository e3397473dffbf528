/** Test doubles for the credential module: an in-memory ledger with failure injection, a capturing logger. */
import assert from "node:assert/strict";
import type { CredentialLogger, RetryPolicy } from "../../../src/credentials/index.js";
import type {
  CredentialLedger,
  CredentialRecord,
  CredentialState,
} from "../../../src/store/store.js";

/** The CredentialLedger port over a Map, copying rows in and out like a real store. */
export class LedgerDouble implements CredentialLedger {
  readonly rows = new Map<string, CredentialRecord>();
  failRecords = 0;
  failUpdates = 0;

  async recordCredential(credential: CredentialRecord): Promise<void> {
    if (this.failRecords > 0) {
      this.failRecords--;
      throw new Error("ledger unavailable");
    }
    if (this.rows.has(credential.id)) throw new Error(`duplicate credential ${credential.id}`);
    this.rows.set(credential.id, { ...credential });
  }

  async getCredential(id: string): Promise<CredentialRecord | undefined> {
    const row = this.rows.get(id);
    return row === undefined ? undefined : { ...row };
  }

  async listCredentialsForJob(jobId: string): Promise<CredentialRecord[]> {
    return [...this.rows.values()].filter((r) => r.jobId === jobId).map((r) => ({ ...r }));
  }

  async listCredentials(
    states: readonly CredentialState[],
    limit: number,
  ): Promise<CredentialRecord[]> {
    return [...this.rows.values()]
      .filter((r) => states.includes(r.state))
      .slice(0, limit)
      .map((r) => ({ ...r }));
  }

  async updateCredential(
    id: string,
    patch: Partial<Omit<CredentialRecord, "id" | "jobId">>,
  ): Promise<void> {
    if (this.failUpdates > 0) {
      this.failUpdates--;
      throw new Error("ledger unavailable");
    }
    const row = this.rows.get(id);
    if (row === undefined) throw new Error(`no credential ${id}`);
    this.rows.set(id, { ...row, ...patch });
  }

  /** The row, which must exist. */
  row(id: string): CredentialRecord {
    const row = this.rows.get(id);
    assert.ok(row !== undefined, `ledger has no row ${id}`);
    return row;
  }
}

export interface LogLine {
  level: "info" | "warn" | "error";
  msg: string | undefined;
  /** The whole line as pino would serialise it. */
  text: string;
  fields: Record<string, unknown>;
}

/** A pino-shaped logger that keeps every line. */
export class CaptureLogger implements CredentialLogger {
  readonly lines: LogLine[] = [];
  readonly info = (fields: Record<string, unknown>, msg?: string): void =>
    this.#add("info", fields, msg);
  readonly warn = (fields: Record<string, unknown>, msg?: string): void =>
    this.#add("warn", fields, msg);
  readonly error = (fields: Record<string, unknown>, msg?: string): void =>
    this.#add("error", fields, msg);

  #add(level: LogLine["level"], fields: Record<string, unknown>, msg: string | undefined): void {
    const text = JSON.stringify({ level, ...fields, msg }, (_k, v: unknown) =>
      typeof v === "bigint" ? v.toString() : v,
    );
    this.lines.push({ level, msg, text, fields });
  }

  at(level: LogLine["level"]): LogLine[] {
    return this.lines.filter((l) => l.level === level);
  }
}

/** Small delays so retry tests finish quickly; no test asserts on timing. */
export const FAST_RETRY: RetryPolicy = { baseMs: 2, maxMs: 10, maxAttempts: 5 };

export const systemClock = { now: (): number => Date.now() };

/** Assert that no secret appears in any log line or ledger row (§14, DESIGN-11). */
export function assertNoSecrets(
  secrets: Iterable<string>,
  logger: CaptureLogger,
  ledger: LedgerDouble,
): void {
  const logText = logger.lines.map((l) => l.text).join("\n");
  const ledgerText = JSON.stringify([...ledger.rows.values()]);
  let checked = 0;
  for (const secret of secrets) {
    checked++;
    assert.ok(!logText.includes(secret), "a credential value appears in a log line");
    assert.ok(!ledgerText.includes(secret), "a credential value appears in a ledger row");
  }
  assert.ok(checked > 0, "no secrets were collected to check");
}

/**
 * Wait until the service has no revocation running or scheduled. Retry timers are unref'd so
 * they never hold a process open; this keeps the event loop alive while the test waits.
 */
export async function settle(service: { idle(): Promise<void> }): Promise<void> {
  const keepAlive = setInterval(() => {}, 1000);
  try {
    await service.idle();
  } finally {
    clearInterval(keepAlive);
  }
}
