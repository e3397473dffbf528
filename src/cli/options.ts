/** Flags shared by several commands; every flag has an environment variable (README lists them). */
import { type Command, Option } from "commander";
import type { RuntimeConfig } from "../runtime/config.js";
import { booleanFlag, type IntegerRange, integerFlag, listFlag } from "./flag-values.js";

export interface CommonFlags {
  db?: string;
  agents?: string;
  config?: string;
  logLevel: string;
  auth?: string;
  token?: string[];
  jwtIssuer?: string;
  jwtAudience?: string;
  jwksUrl?: string;
  jwtAlgorithms?: string;
  jwtClockSkew?: string;
  jwtAnyAudience?: boolean;
  jwtAnyIssuer?: boolean;
  resumeWindow?: string;
  heartbeatInterval?: string;
  maxMessageBytes?: string;
  maxSessionsPerPrincipal?: string;
  maxLiveJobsPerSession?: string;
  backPressureEvents?: string;
  maxBacklogEvents?: string;
  consumerStall?: string;
  maxQueueBytes?: string;
  jobRetention?: string;
  requireModelUse?: boolean;
  credentialRotate?: string;
  observer?: string[];
  workspace?: string;
  tools?: string;
  modelEndpoint?: string;
  modelApiKey?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function addAuthOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        "--auth <mode>",
        "none | bearer | jwt (default: bearer with --token, else none)",
      ).env("RUNPLANE_AUTH"),
    )
    .addOption(
      new Option(
        "--token <TOKEN=PRINCIPAL>",
        "static bearer token for a principal (repeatable; RUNPLANE_TOKENS=a=p1,b=p2)",
      ).argParser(collect),
    )
    .addOption(
      new Option("--jwt-issuer <url>", "expected JWT issuer; keys found by OIDC discovery").env(
        "RUNPLANE_JWT_ISSUER",
      ),
    )
    .addOption(
      new Option("--jwt-audience <aud>", "expected JWT audience").env("RUNPLANE_JWT_AUDIENCE"),
    )
    .addOption(
      new Option("--jwks-url <url>", "JWKS URL (instead of discovery)").env("RUNPLANE_JWKS_URL"),
    )
    .addOption(
      new Option("--jwt-algorithms <list>", "allowed JWT algorithms (default RS256)").env(
        "RUNPLANE_JWT_ALGORITHMS",
      ),
    )
    .addOption(
      new Option("--jwt-clock-skew <sec>", "JWT clock tolerance (default 60)").env(
        "RUNPLANE_JWT_CLOCK_SKEW",
      ),
    )
    .addOption(
      new Option(
        "--jwt-any-audience",
        "accept JWTs for any audience instead of requiring --jwt-audience (env: RUNPLANE_JWT_ANY_AUDIENCE)",
      ),
    )
    .addOption(
      new Option(
        "--jwt-any-issuer",
        "with --jwks-url, accept JWTs from any issuer instead of requiring --jwt-issuer (env: RUNPLANE_JWT_ANY_ISSUER)",
      ),
    );
}

export function addCoreOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option("--db <path>", "SQLite database file (:memory: for a throwaway one)").env(
        "RUNPLANE_DB",
      ),
    )
    .addOption(
      new Option("--agents <file>", "ES module exporting agent definitions").env("RUNPLANE_AGENTS"),
    )
    .addOption(
      new Option("--config <file>", "JSON config with command agents and tools").env(
        "RUNPLANE_CONFIG",
      ),
    )
    .addOption(
      new Option("--log-level <level>", "pino log level").env("RUNPLANE_LOG_LEVEL").default("info"),
    )
    .addOption(
      new Option("--resume-window <sec>", "how long a dropped session stays resumable").env(
        "RUNPLANE_RESUME_WINDOW",
      ),
    )
    .addOption(
      new Option("--heartbeat-interval <sec>", "heartbeat interval offered to clients").env(
        "RUNPLANE_HEARTBEAT_INTERVAL",
      ),
    )
    .addOption(
      new Option("--max-message-bytes <n>", "inbound message size limit").env(
        "RUNPLANE_MAX_MESSAGE_BYTES",
      ),
    )
    .addOption(
      new Option("--max-sessions-per-principal <n>", "open sessions allowed per principal").env(
        "RUNPLANE_MAX_SESSIONS_PER_PRINCIPAL",
      ),
    )
    .addOption(
      new Option("--max-live-jobs-per-session <n>", "running jobs allowed per session").env(
        "RUNPLANE_MAX_LIVE_JOBS_PER_SESSION",
      ),
    )
    .addOption(
      new Option(
        "--back-pressure-events <n>",
        "undelivered events that trigger a back_pressure status",
      ).env("RUNPLANE_BACK_PRESSURE_EVENTS"),
    )
    .addOption(
      new Option(
        "--max-backlog-events <n>",
        "undelivered events past which a stalled consumer is closed (resumable)",
      ).env("RUNPLANE_MAX_BACKLOG_EVENTS"),
    )
    .addOption(
      new Option(
        "--consumer-stall <sec>",
        "how long a consumer past --max-backlog-events may make no progress",
      ).env("RUNPLANE_CONSUMER_STALL"),
    )
    .addOption(
      new Option(
        "--max-queue-bytes <n>",
        "bytes of frames held in memory per session before delivery reads from the log",
      ).env("RUNPLANE_MAX_QUEUE_BYTES"),
    )
    .addOption(
      new Option("--job-retention <sec>", "how long finished jobs stay listable").env(
        "RUNPLANE_JOB_RETENTION",
      ),
    )
    .addOption(
      // No .env(): commander would turn the flag on for RUNPLANE_REQUIRE_MODEL_USE=false too.
      new Option(
        "--require-model-use",
        "a lease without model.use forbids every model (env: RUNPLANE_REQUIRE_MODEL_USE)",
      ),
    )
    .addOption(
      new Option(
        "--observer <principal>",
        "principal allowed to list and subscribe to every job (repeatable)",
      ).argParser(collect),
    )
    .addOption(
      new Option(
        "--credential-rotate <sec>",
        "rotate live jobs' provisioned credentials on this period",
      ).env("RUNPLANE_CREDENTIAL_ROTATE"),
    )
    .addOption(
      new Option("--workspace <dir>", "directory agents see as / for fs.read and fs.write").env(
        "RUNPLANE_WORKSPACE",
      ),
    )
    .addOption(
      new Option("--tools <file>", "ES module exporting tool definitions").env("RUNPLANE_TOOLS"),
    )
    .addOption(
      new Option(
        "--model-endpoint <url>",
        "OpenAI-compatible endpoint for models other than mock/*",
      ).env("RUNPLANE_MODEL_ENDPOINT"),
    )
    .addOption(
      new Option("--model-api-key <key>", "API key for --model-endpoint").env(
        "RUNPLANE_MODEL_API_KEY",
      ),
    );
}

/** The world-related flags, in the shape the composition root takes. */
export function worldOptions(flags: CommonFlags) {
  return {
    workspace: flags.workspace,
    toolsFile: flags.tools,
    modelEndpoint: flags.modelEndpoint,
    modelApiKey: flags.modelApiKey,
  };
}

/** Seconds any timer may wait (2³¹ − 1 ms), and a year for windows only compared against. */
const TIMER_SEC = 2_147_483;
const YEAR_SEC = 365 * 24 * 3600;

/** Each numeric runtime flag: its setting, the names an error shows, and its range. */
const NUMERIC: readonly {
  key: keyof CommonFlags;
  setting: keyof RuntimeConfig;
  names: string;
  range: IntegerRange;
}[] = [
  {
    key: "resumeWindow",
    setting: "resumeWindowSec",
    names: "--resume-window / RUNPLANE_RESUME_WINDOW",
    range: { min: 1, max: YEAR_SEC },
  },
  {
    key: "heartbeatInterval",
    setting: "heartbeatIntervalSec",
    names: "--heartbeat-interval / RUNPLANE_HEARTBEAT_INTERVAL",
    range: { min: 1, max: 86_400 },
  },
  {
    key: "maxMessageBytes",
    setting: "maxMessageBytes",
    names: "--max-message-bytes / RUNPLANE_MAX_MESSAGE_BYTES",
    range: { min: 1024, max: 256 * 1024 * 1024 },
  },
  {
    key: "maxSessionsPerPrincipal",
    setting: "maxSessionsPerPrincipal",
    names: "--max-sessions-per-principal / RUNPLANE_MAX_SESSIONS_PER_PRINCIPAL",
    range: { min: 1, max: 1_000_000 },
  },
  {
    key: "maxLiveJobsPerSession",
    setting: "maxLiveJobsPerSession",
    names: "--max-live-jobs-per-session / RUNPLANE_MAX_LIVE_JOBS_PER_SESSION",
    range: { min: 1, max: 1_000_000 },
  },
  {
    key: "backPressureEvents",
    setting: "backPressureEvents",
    names: "--back-pressure-events / RUNPLANE_BACK_PRESSURE_EVENTS",
    range: { min: 1, max: 100_000_000 },
  },
  {
    key: "maxBacklogEvents",
    setting: "maxBacklogEvents",
    names: "--max-backlog-events / RUNPLANE_MAX_BACKLOG_EVENTS",
    range: { min: 1, max: 1_000_000_000 },
  },
  {
    key: "consumerStall",
    setting: "consumerStallSec",
    names: "--consumer-stall / RUNPLANE_CONSUMER_STALL",
    range: { min: 1, max: 86_400 },
  },
  {
    key: "maxQueueBytes",
    setting: "maxQueueBytes",
    names: "--max-queue-bytes / RUNPLANE_MAX_QUEUE_BYTES",
    range: { min: 64 * 1024, max: 4 * 1024 * 1024 * 1024 },
  },
  {
    key: "jobRetention",
    setting: "jobRetentionSec",
    names: "--job-retention / RUNPLANE_JOB_RETENTION",
    range: { min: 0, max: YEAR_SEC },
  },
  {
    key: "credentialRotate",
    setting: "credentialRotateSec",
    names: "--credential-rotate / RUNPLANE_CREDENTIAL_ROTATE",
    range: { min: 0, max: TIMER_SEC },
  },
];

/**
 * The runtime settings the flags and variables give.
 * @throws ConfigError naming a flag whose value is not a whole number in its range, or a
 * boolean variable that is not true/false.
 */
export function runtimeSettings(
  flags: CommonFlags,
  env: NodeJS.ProcessEnv = process.env,
): Partial<RuntimeConfig> {
  const out: Record<string, unknown> = {};
  for (const { key, setting, names, range } of NUMERIC) {
    const value = integerFlag(flags[key] as string | undefined, names, range);
    if (value !== undefined) out[setting] = value;
  }
  if (booleanFlag(flags.requireModelUse, "RUNPLANE_REQUIRE_MODEL_USE", env))
    out["requireModelUse"] = true;
  const observers = listFlag(flags.observer, "RUNPLANE_OBSERVERS", env);
  if (observers.length > 0) out["visibility"] = { kind: "observers", principals: observers };
  return out as Partial<RuntimeConfig>;
}
