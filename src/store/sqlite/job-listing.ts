/**
 * `listJobs` on SQLite (§6.6): keyset pagination over (created_at, id). Each combination of
 * filters is its own statement, prepared on first use and cached, so every index applies.
 */
import type { Database, Statement } from "better-sqlite3";
import { agentPrefixRange, decodeJobCursor, encodeJobCursor, pageSize } from "../job-query.js";
import type { JobPage, JobQuery } from "../store.js";
import { JOB_COLUMNS, type JobRaw, jobFromRaw } from "./rows.js";

interface Plan {
  shape: string;
  where: string[];
  params: unknown[];
}

function principalTerm(plan: Plan, principals: readonly string[]): void {
  if (principals.length === 1) {
    plan.shape += "p";
    plan.where.push("principal = ?");
    plan.params.push(principals[0]);
  } else {
    plan.shape += "P";
    plan.where.push("principal IN (SELECT value FROM json_each(?))");
    plan.params.push(JSON.stringify(principals));
  }
}

function agentTerm(plan: Plan, agent: string): void {
  const range = agentPrefixRange(agent);
  if (range === null) {
    plan.shape += "a";
    plan.where.push("agent = ?");
    plan.params.push(agent);
  } else {
    plan.shape += "A";
    plan.where.push("agent >= ? AND agent < ?");
    plan.params.push(...range);
  }
}

function planFor(query: JobQuery): Plan {
  const plan: Plan = { shape: "", where: [], params: [] };
  if (query.principals !== undefined) principalTerm(plan, query.principals);
  if (query.states !== undefined) {
    plan.shape += "s";
    plan.where.push("state IN (SELECT value FROM json_each(?))");
    plan.params.push(JSON.stringify(query.states));
  }
  if (query.agent !== undefined) agentTerm(plan, query.agent);
  if (query.createdAfter !== undefined) {
    plan.shape += "f";
    plan.where.push("created_at > ?");
    plan.params.push(query.createdAfter);
  }
  if (query.createdBefore !== undefined) {
    plan.shape += "b";
    plan.where.push("created_at < ?");
    plan.params.push(query.createdBefore);
  }
  if (query.cursor !== undefined) {
    const key = decodeJobCursor(query.cursor);
    plan.shape += "c";
    plan.where.push("(created_at, id) > (?, ?)");
    plan.params.push(key.createdAt, key.id);
  }
  return plan;
}

export class JobListing {
  readonly #db: Database;
  readonly #statements = new Map<string, Statement>();

  constructor(db: Database) {
    this.#db = db;
  }

  list(query: JobQuery): JobPage {
    const plan = planFor(query);
    // An empty allow-list is "nobody", never "everybody".
    if (query.principals?.length === 0 || query.states?.length === 0)
      return { jobs: [], nextCursor: null };
    const limit = pageSize(query.limit);
    const rows = this.#statement(plan).all(...plan.params, limit + 1) as JobRaw[];
    const jobs = rows.slice(0, limit).map(jobFromRaw);
    const last = jobs[jobs.length - 1];
    const more = rows.length > limit && last !== undefined;
    return { jobs, nextCursor: more ? encodeJobCursor(last) : null };
  }

  #statement(plan: Plan): Statement {
    let statement = this.#statements.get(plan.shape);
    if (statement === undefined) {
      const where = plan.where.length === 0 ? "" : `WHERE ${plan.where.join(" AND ")}`;
      statement = this.#db
        .prepare(`SELECT ${JOB_COLUMNS} FROM jobs ${where} ORDER BY created_at, id LIMIT ?`)
        .raw(true);
      this.#statements.set(plan.shape, statement);
    }
    return statement;
  }
}
