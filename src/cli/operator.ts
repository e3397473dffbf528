/**
 * Operator commands that read the same database as `runplane serve` (SQLite in WAL mode lets
 * them run beside a live server): `jobs`, `replay`, `credentials`.
 */
import { type Command, Option } from "commander";
import { ConfigError } from "../protocol/errors.js";
import type { JobState } from "../protocol/job-state.js";
import { JOB_STATES } from "../protocol/job-state.js";
import type { CredentialState, Store } from "../store/store.js";
import { openStore } from "./compose.js";
import {
  addCredentialOptions,
  buildCredentialService,
  buildProvisioner,
  type CredentialFlags,
  revokeMaxAttemptsOf,
} from "./credentials-options.js";
import { defaultDbPath } from "./data-dir.js";
import { databaseInUse } from "./db-in-use.js";
import { integerFlag } from "./flag-values.js";
import { createLogger } from "./logger.js";

const CREDENTIAL_STATES: readonly CredentialState[] = ["live", "revoking", "revoked", "failed"];

const dbOption = () => new Option("--db <path>", "SQLite database file").env("RUNPLANE_DB");

async function withStore<T>(db: string | undefined, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = openStore(db ?? defaultDbPath());
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function iso(ms: number | null): string {
  return ms === null ? "-" : new Date(ms).toISOString();
}

export function registerOperatorCommands(program: Command): void {
  program
    .command("jobs")
    .description("list jobs in the database (all principals unless --principal)")
    .addOption(dbOption())
    .option("--principal <id>", "only this principal's jobs")
    .option("--status <list>", `comma-separated states (${JOB_STATES.join(", ")})`)
    .option("--agent <name[@version]>", "only this agent")
    .option("--created-after <time>", "ISO 8601 lower bound")
    .option("--limit <n>", "page size", "100")
    .option("--cursor <cursor>", "continue from a previous page")
    .option("--json", "print JSON")
    .action(async (flags) => {
      const states =
        flags.status === undefined ? undefined : (String(flags.status).split(",") as JobState[]);
      for (const s of states ?? [])
        if (!JOB_STATES.includes(s)) throw new ConfigError(`unknown status "${s}"`);
      const limit = integerFlag(String(flags.limit), "--limit", { min: 1, max: 10_000 }) ?? 100;
      const createdAfter =
        flags.createdAfter === undefined ? undefined : Date.parse(String(flags.createdAfter));
      if (createdAfter !== undefined && Number.isNaN(createdAfter))
        throw new ConfigError("--created-after must be an ISO 8601 time");
      const page = await withStore(flags.db, (store) =>
        store.listJobs({
          ...(flags.principal === undefined ? {} : { principals: [flags.principal] }),
          ...(states === undefined ? {} : { states }),
          ...(flags.agent === undefined ? {} : { agent: flags.agent }),
          ...(createdAfter === undefined ? {} : { createdAfter }),
          ...(flags.cursor === undefined ? {} : { cursor: flags.cursor }),
          limit,
        }),
      );
      if (flags.json === true) {
        process.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
        return;
      }
      for (const j of page.jobs) {
        process.stdout.write(
          `${j.id}  ${j.state.padEnd(9)}  ${j.agent.padEnd(24)}  ${j.principal.padEnd(12)}  ${iso(j.createdAt)}\n`,
        );
      }
      if (page.nextCursor !== null)
        process.stdout.write(`next page: --cursor ${page.nextCursor}\n`);
    });

  program
    .command("replay")
    .description("print a session's stored events as JSON lines")
    .addOption(dbOption())
    .requiredOption("--session <id>", "session id")
    .option("--after-seq <n>", "only events after this seq", "0")
    .action(async (flags) => {
      const afterSeq = integerFlag(String(flags.afterSeq), "--after-seq", {
        min: 0,
        max: Number.MAX_SAFE_INTEGER,
      });
      await withStore(flags.db, async (store) => {
        let after = afterSeq ?? 0;
        for (;;) {
          const page = await store.readEvents(flags.session, after, 1000);
          for (const ev of page) process.stdout.write(`${ev.frame}\n`);
          if (page.length < 1000) return;
          after = page.at(-1)?.seq ?? after;
        }
      });
    });

  const creds = program
    .command("credentials")
    .description("provisioned credentials in the ledger: outstanding and unrevocable ones")
    .addOption(dbOption())
    .option(
      "--state <list>",
      "comma-separated states (live, revoking, revoked, failed)",
      "live,revoking,failed",
    )
    .option("--json", "print JSON")
    .action(async (flags) => {
      const states = String(flags.state).split(",") as CredentialState[];
      for (const s of states)
        if (!CREDENTIAL_STATES.includes(s)) throw new ConfigError(`unknown state "${s}"`);
      const rows = await withStore(flags.db, (store) => store.listCredentials(states, 10_000));
      if (flags.json === true) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      for (const r of rows) {
        process.stdout.write(
          `${r.id}  ${r.state.padEnd(8)}  job ${r.jobId}  ${r.provisioner}  attempts ${r.attempts}${r.lastError === null ? "" : `  last error: ${r.lastError}`}\n`,
        );
      }
      if (rows.length === 0) process.stdout.write("no credentials in those states\n");
    });
  const retry = creds
    .command("retry")
    .description(
      "retry revocation of failed credentials now, and of revoking ones when no server has the database open",
    )
    .addOption(dbOption());
  addCredentialOptions(retry);
  retry.action(async (own: CredentialFlags & { db?: string }) => {
    // `--db` may be taken by the parent command (`credentials --db X retry` or after retry).
    const flags = { ...own, db: own.db ?? (creds.opts() as { db?: string }).db };
    const provisioner = buildProvisioner(flags);
    if (provisioner === undefined)
      throw new ConfigError("credentials retry needs --provisioner (and its settings)");
    const maxAttempts = revokeMaxAttemptsOf(flags) ?? 3;
    const db = flags.db ?? defaultDbPath();
    // Checked before we open it ourselves: our own connection would count as a holder.
    const serverRunning = databaseInUse(db);
    const logger = createLogger("info");
    await withStore(db, async (store) => {
      const service = buildCredentialService(provisioner, store, logger, maxAttempts);
      if (service === undefined) return;
      // Revocation retries run on unref'd timers; hold the process open until they are done.
      const keepAlive = setInterval(() => {}, 1000);
      const retried = await service.retryFailed();
      // A running server owns its revoking rows (it retries them on its own schedule); live
      // rows belong to running jobs, or to a crashed server that revokes them when restarted.
      const resumed = serverRunning ? 0 : await service.retryRevoking();
      await service.idle();
      clearInterval(keepAlive);
      const stats = await service.stats();
      service.close();
      if (serverRunning) {
        process.stderr.write(
          "a server has this database open: revoking credentials are left to it; only failed ones were retried\n",
        );
      }
      process.stdout.write(
        `retried ${retried} failed, ${resumed} revoking; now ${JSON.stringify(stats)}\n`,
      );
    });
  });
}
