/** Sessions on SQLite (§6): hashed resume tokens rotated by compare-and-set. */
import type { Database, Statement } from "better-sqlite3";
import type { SessionRecord } from "../store.js";
import type { JobHistory } from "./job-history.js";
import { type SessionRow, sessionFromRow, sessionParams } from "./rows.js";

export class SessionStatements {
  readonly #insert: Statement;
  readonly #get: Statement;
  readonly #rotate: Statement;
  readonly #detach: Statement;
  readonly #detachAttached: Statement;
  readonly #ack: Statement;
  readonly #listDetached: Statement;
  readonly #delete: (id: string) => void;

  constructor(db: Database, history: JobHistory) {
    this.#insert = db.prepare(
      `INSERT INTO sessions (id, principal, resume_token_hash, features, resume_window_sec, created_at,
         detached_at, last_seq, acked_seq, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#get = db.prepare("SELECT * FROM sessions WHERE id = ?");
    this.#rotate = db.prepare(
      "UPDATE sessions SET resume_token_hash = ? WHERE id = ? AND resume_token_hash = ?",
    );
    this.#detach = db.prepare("UPDATE sessions SET detached_at = ? WHERE id = ?");
    this.#detachAttached = db.prepare(
      "UPDATE sessions SET detached_at = ? WHERE detached_at IS NULL",
    );
    this.#ack = db.prepare("UPDATE sessions SET acked_seq = ? WHERE id = ? AND acked_seq < ?");
    this.#listDetached = db.prepare(
      `SELECT * FROM sessions WHERE detached_at IS NOT NULL AND detached_at < ?
       ORDER BY detached_at, id LIMIT ?`,
    );
    const deleteRow = db.prepare("DELETE FROM sessions WHERE id = ?");
    this.#delete = db.transaction((id: string) => {
      deleteRow.run(id);
      history.dropSession(id);
    }).immediate;
  }

  /** Insert the session, with `lastSeq` in place of its own when its events come with it. */
  create(session: SessionRecord, lastSeq = session.lastSeq): void {
    const params = sessionParams(session);
    params[7] = lastSeq;
    this.#insert.run(params);
  }

  get(id: string): SessionRecord | undefined {
    const row = this.#get.get(id) as SessionRow | undefined;
    return row === undefined ? undefined : sessionFromRow(row);
  }

  rotateResumeToken(id: string, expectedHash: string, nextHash: string): boolean {
    return this.#rotate.run(nextHash, id, expectedHash).changes === 1;
  }

  setDetached(id: string, detachedAt: number | null): void {
    this.#detach.run(detachedAt, id);
  }

  detachAttached(at: number): number {
    return this.#detachAttached.run(at).changes;
  }

  setAcked(id: string, ackedSeq: number): void {
    this.#ack.run(ackedSeq, id, ackedSeq);
  }

  delete(id: string): void {
    this.#delete(id);
  }

  listDetached(before: number, limit: number): SessionRecord[] {
    if (!(limit > 0)) return [];
    return (this.#listDetached.all(before, limit) as SessionRow[]).map(sessionFromRow);
  }
}
