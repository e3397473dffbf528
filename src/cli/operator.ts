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
} from "./credentials-options.js";
import { defaultDbPath } from "./data-dir.js";
import { createLogger } from "./logger.js";

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
      const page = await withStore(flags.db, (store) =>
        store.listJobs({
          ...(flags.principal === undefined ? {} : { principals: [flags.principal] }),
          ...(states === undefined ? {} : { states }),
          ...(flags.agent === undefined ? {} : { agent: flags.agent }),
          ...(flags.createdAfter === undefined
            ? {}
            : { createdAfter: Date.parse(flags.createdAfter) }),
          ...(flags.cursor === undefined ? {} : { cursor: flags.cursor }),
          limit: Number(flags.limit),
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
      await withStore(flags.db, async (store) => {
        let after = Number(flags.afterSeq);
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
    .description("retry revocation of every failed (and outstanding) credential now")
    .addOption(dbOption());
  addCredentialOptions(retry);
  retry.action(async (own: CredentialFlags & { db?: string }) => {
    // `--db` may be taken by the parent command (`credentials --db X retry` or after retry).
    const flags = { ...own, db: own.db ?? (creds.opts() as { db?: string }).db };
    const provisioner = buildProvisioner(flags);
    if (provisioner === undefined)
      throw new ConfigError("credentials retry needs --provisioner (and its settings)");
    const logger = createLogger("info");
    await withStore(flags.db, async (store) => {
      const service = buildCredentialService(provisioner, store, logger, 3);
      if (service === undefined) return;
      // Revocation retries run on unref'd timers; hold the process open until they are done.
      const keepAlive = setInterval(() => {}, 1000);
      const retried = await service.retryFailed();
      const resumed = await service.resumeOutstanding();
      await service.idle();
      clearInterval(keepAlive);
      const stats = await service.stats();
      service.close();
      process.stdout.write(
        `retried ${retried} failed, resumed ${resumed} outstanding; now ${JSON.stringify(stats)}\n`,
      );
    });
  });
}
