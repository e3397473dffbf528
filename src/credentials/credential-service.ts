/**
 * Job credentials end to end (§9.8, §14, DESIGN-11): issue with a durable ledger row written
 * first, revoke on every terminal with retries that survive restarts, rotate, and operator views.
 */
import { newCredentialId } from "../protocol/ids.js";
import type { Credential } from "../protocol/messages/index.js";
import type { CredentialLedger, CredentialRecord, CredentialState } from "../store/store.js";
import { toWireConstraints } from "./constraints.js";
import { Issuer, type Mint } from "./issuer.js";
import {
  type CredentialConstraints,
  CredentialError,
  type CredentialProvisioner,
  type IssuedCredential,
} from "./provisioner.js";
import { type CredentialLogger, type RetryPolicy, Revoker } from "./revoker.js";

/** A credential as `job.accepted` carries it (§9.8.1). */
export type WireCredential = Credential;

export interface CredentialServiceOptions {
  ledger: CredentialLedger;
  provisioner: CredentialProvisioner;
  clock: { now(): number };
  logger: CredentialLogger;
  retry: RetryPolicy;
  /** Most ledger rows one resume, retry or stats pass reads; default 100 000. */
  scanLimit?: number;
}

export interface JobCredentialRequest {
  jobId: string;
  principal: string;
  constraints: CredentialConstraints;
  signal?: AbortSignal;
}

/** What a rotation may change: the successor is sized to the job's bounds now (§9.8.3). */
export interface RotationContext {
  principal?: string;
  constraints?: CredentialConstraints;
}

export type CredentialStats = Record<CredentialState, number>;

/**
 * Ledger ids of rotated credentials: the wire id stays stable across rotations (§9.8.1 `id`)
 * while each generation gets its own row, `<id>~<n>`.
 */
export const ROTATION_SEPARATOR = "~";
const STATES: readonly CredentialState[] = ["live", "revoking", "revoked", "failed"];
const PARALLEL = 8;

/** Issues, revokes and rotates job credentials through one provisioner and the ledger. */
export class CredentialService {
  readonly #ledger: CredentialLedger;
  readonly #provisioner: CredentialProvisioner;
  readonly #logger: CredentialLogger;
  readonly #revoker: Revoker;
  readonly #issuer: Issuer;
  readonly #scanLimit: number;
  /** Issue context of jobs with live credentials, for rotation (non-secret). */
  readonly #jobs = new Map<string, { principal: string; constraints: CredentialConstraints }>();
  readonly #rotations = new Map<string, Promise<unknown>>();

  constructor(options: CredentialServiceOptions) {
    this.#ledger = options.ledger;
    this.#provisioner = options.provisioner;
    this.#logger = options.logger;
    this.#scanLimit = options.scanLimit ?? 100_000;
    this.#revoker = new Revoker(options);
    this.#issuer = new Issuer({ ...options, revoker: this.#revoker });
  }

  get provisionerName(): string {
    return this.#provisioner.name;
  }

  /**
   * Mint the job's credentials (§9.8.2). The ledger row exists before the upstream is called
   * and carries the real handle before this resolves, so `job.accepted` can follow at once.
   *
   * @throws CredentialError when the ledger or the upstream fails; nothing is left live.
   */
  async issueForJob(request: JobCredentialRequest): Promise<WireCredential[]> {
    const { jobId, principal, constraints, signal } = request;
    const id = newCredentialId();
    const job = { jobId, principal, constraints };
    const issued = await this.#issuer.mint(id, job, (r) => this.#provisioner.issue(r, signal));
    this.#jobs.set(jobId, { principal, constraints });
    return [toWire(id, issued)];
  }

  /**
   * Revoke every outstanding credential of a job that reached a terminal state (§9.8.2).
   * Resolves after one attempt each; failures retry in the background. Returns how many.
   */
  async revokeForJob(jobId: string): Promise<number> {
    this.#jobs.delete(jobId);
    this.#issuer.jobEnded(jobId);
    const rows = await this.#ledger.listCredentialsForJob(jobId);
    const open = rows.filter((r) => r.state === "live" || r.state === "revoking");
    await forEachLimit(open, PARALLEL, (row) =>
      row.state === "live" ? this.#revoker.begin(row) : this.#revoker.attempt(row),
    );
    return open.length;
  }

  /**
   * On start: revoke every credential still `live` (its job died with the previous process)
   * and resume `revoking` ones when due, keeping their attempt counts (§14). Call before any
   * job is accepted. Returns how many credentials are outstanding.
   */
  async resumeOutstanding(): Promise<number> {
    const rows = await this.#ledger.listCredentials(["live", "revoking"], this.#scanLimit);
    if (rows.length >= this.#scanLimit) {
      this.#logger.warn({ limit: this.#scanLimit }, "more outstanding credentials than one scan");
    }
    const live = rows.filter((r) => r.state === "live");
    for (const row of rows) if (row.state === "revoking") this.#revoker.resume(row);
    await forEachLimit(live, PARALLEL, (row) => this.#revoker.begin(row));
    if (rows.length > 0) {
      this.#logger.info({ outstanding: rows.length }, "resuming credential revocation");
    }
    return rows.length;
  }

  /**
   * Replace a live credential (§9.8.2): the successor keeps the wire `id` and gets a new value;
   * the old value is revoked before this resolves (first attempt; retries continue).
   *
   * @throws CredentialError when the credential is not live or the issue fails (the old one
   * then stays live).
   */
  rotate(
    jobId: string,
    credentialId: string,
    context: RotationContext = {},
  ): Promise<WireCredential> {
    // One rotation per credential at a time, so two cannot mint the same successor row.
    const previous = this.#rotations.get(credentialId) ?? Promise.resolve();
    const run = previous.then(
      () => this.#rotate(jobId, credentialId, context),
      () => this.#rotate(jobId, credentialId, context),
    );
    const tail = run.catch(() => undefined);
    this.#rotations.set(credentialId, tail);
    void tail.then(() => {
      if (this.#rotations.get(credentialId) === tail) this.#rotations.delete(credentialId);
    });
    return run;
  }

  async #rotate(
    jobId: string,
    credentialId: string,
    context: RotationContext,
  ): Promise<WireCredential> {
    const rows = await this.#ledger.listCredentialsForJob(jobId);
    const lineage = rows.filter(
      (r) => r.id === credentialId || r.id.startsWith(`${credentialId}${ROTATION_SEPARATOR}`),
    );
    const current = lineage.find((r) => r.state === "live");
    if (current === undefined) {
      throw new CredentialError(`credential ${credentialId} of job ${jobId} is not live`);
    }
    const known = this.#jobs.get(jobId);
    const principal = context.principal ?? known?.principal;
    const constraints = context.constraints ?? known?.constraints;
    if (principal === undefined || constraints === undefined) {
      throw new CredentialError(
        `job ${jobId} has no issue context; pass principal and constraints`,
      );
    }
    const nextId = `${credentialId}${ROTATION_SEPARATOR}${lineage.length}`;
    const provisioner = this.#provisioner;
    const mint: Mint = (r) =>
      provisioner.rotate === undefined
        ? provisioner.issue(r)
        : provisioner.rotate(current.handle, r);
    const issued = await this.#issuer.mint(nextId, { jobId, principal, constraints }, mint);
    this.#jobs.set(jobId, { principal, constraints });
    await this.#revoker.begin(current);
    this.#logger.info({ credential: credentialId, job: jobId, row: nextId }, "credential rotated");
    return toWire(credentialId, issued);
  }

  /** Operator action: put `failed` credentials back to `revoking` and retry them afresh. */
  async retryFailed(): Promise<number> {
    const rows = await this.#ledger.listCredentials(["failed"], this.#scanLimit);
    await forEachLimit(rows, PARALLEL, (row) => this.#revoker.begin({ ...row, attempts: 0 }));
    return rows.length;
  }

  /**
   * Operator action: attempt every `revoking` credential now instead of at its due time,
   * keeping its attempt count. `live` rows are never touched: they belong to running jobs
   * (a crashed server's are revoked by {@link resumeOutstanding} when it next starts).
   */
  async retryRevoking(): Promise<number> {
    const rows = await this.#ledger.listCredentials(["revoking"], this.#scanLimit);
    await forEachLimit(rows, PARALLEL, (row) => this.#revoker.attempt(row));
    return rows.length;
  }

  /** Ledger rows per state, for metrics and the CLI (§14: surface unrevocable credentials). */
  async stats(): Promise<CredentialStats> {
    const counts = await Promise.all(
      STATES.map((s) => this.#ledger.listCredentials([s], this.#scanLimit).then((r) => r.length)),
    );
    return {
      live: counts[0] ?? 0,
      revoking: counts[1] ?? 0,
      revoked: counts[2] ?? 0,
      failed: counts[3] ?? 0,
    };
  }

  /** Ledger rows in `states` (no values: the ledger never holds them). */
  list(states: readonly CredentialState[], limit = 1000): Promise<CredentialRecord[]> {
    return this.#ledger.listCredentials(states, limit);
  }

  /** Resolves once no revocation is running or scheduled (tests, graceful shutdown). */
  idle(): Promise<void> {
    return this.#revoker.idle();
  }

  /** Stop scheduling retries; outstanding rows stay in the ledger for the next start. */
  close(): void {
    this.#revoker.close();
  }
}

function toWire(id: string, issued: IssuedCredential): WireCredential {
  const wire: WireCredential = {
    id,
    scheme: issued.scheme,
    value: issued.value,
    endpoint: issued.endpoint,
  };
  if (issued.profile !== undefined) wire.profile = issued.profile;
  const constraints = toWireConstraints(issued.enforces);
  if (constraints !== undefined) wire.constraints = constraints;
  return wire;
}

async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
