/** `GET /v1/version` and `GET /v1/health` bodies: our version, build facts, dependency checks. */
import { readFileSync } from "node:fs";
import type { Env } from "../auth/arp-auth-config.js";
import type { Health, HealthCheck, Status, VersionBuild, VersionInfo } from "./schemas/index.js";
import { DateTimeSchema } from "./schemas/index.js";

/** API versions this gateway speaks (the conformance checker requires `"v1"`). */
export const SUPPORTED_API_VERSIONS = ["v1"] as const;

let packageVersion: string | undefined;

/** Runplane's version from its package.json (the same file in `src/` and `dist/` layouts). */
export function runplaneVersion(): string {
  if (packageVersion !== undefined) return packageVersion;
  try {
    const pkg = JSON.parse(
      readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
    ) as { version?: unknown };
    packageVersion = typeof pkg.version === "string" ? pkg.version : "0.0.0";
  } catch {
    packageVersion = "0.0.0";
  }
  return packageVersion;
}

/**
 * Build facts when a packager stamped them: `RUNPLANE_BUILD_COMMIT`, `RUNPLANE_BUILD_TIME`
 * (RFC 3339) and `RUNPLANE_BUILD_DIRTY` (`true`/`false`); anything malformed is left out.
 */
export function buildInfo(env: Env): VersionBuild | undefined {
  const build: VersionBuild = {};
  const commit = env.RUNPLANE_BUILD_COMMIT?.trim();
  if (commit) build.commit = commit;
  const builtAt = env.RUNPLANE_BUILD_TIME?.trim();
  if (builtAt && DateTimeSchema.safeParse(builtAt).success) build.built_at = builtAt;
  const dirty = env.RUNPLANE_BUILD_DIRTY?.trim();
  if (dirty === "true" || dirty === "false") build.dirty = dirty === "true";
  return Object.keys(build).length > 0 ? build : undefined;
}

/** The `VersionInfo` body (requirement arp-version-schema). */
export function versionInfo(serviceName: string, env: Env): VersionInfo {
  const info: VersionInfo = {
    service_name: serviceName,
    service_version: runplaneVersion(),
    supported_api_versions: [...SUPPORTED_API_VERSIONS],
  };
  const build = buildInfo(env);
  if (build !== undefined) info.build = build;
  return info;
}

const RANK: Record<Status, number> = { ok: 0, degraded: 1, down: 2 };

/** A `Health` body whose status is the worst of its checks (requirement arp-health-schema). */
export function healthOf(checks: HealthCheck[], now = Date.now()): Health {
  const status = checks.reduce<Status>(
    (worst, c) => (RANK[c.status] > RANK[worst] ? c.status : worst),
    "ok",
  );
  return { status, time: new Date(now).toISOString(), checks };
}

/** Resolves `probe()`, or rejects after `ms` so a hung dependency cannot hang health. */
export async function withTimeout<T>(
  probe: () => Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([probe(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
