/**
 * Minting one credential safely (§9.8.2, §14, DESIGN-11): the ledger row is written before the
 * upstream is called, so no outcome (error, timeout, crash, a job ending meanwhile) leaves a
 * live credential the ledger does not know how to revoke.
 */
import type { CredentialLedger, CredentialRecord } from "../store/store.js";
import {
  type CredentialConstraints,
  CredentialError,
  type CredentialProvisioner,
  type IssuedCredential,
  type IssueRequest,
} from "./provisioner.js";
import { type CredentialLogger, describe, type Revoker } from "./revoker.js";

/** Calls the upstream for one prepared request (issue, or a native rotation). */
export type Mint = (request: IssueRequest) => Promise<IssuedCredential>;

export interface IssuerDeps {
  ledger: CredentialLedger;
  provisioner: CredentialProvisioner;
  clock: { now(): number };
  logger: CredentialLogger;
  revoker: Revoker;
}

/** Writes ledger rows around upstream issues and cleans up every failure path. */
export class Issuer {
  readonly #deps: IssuerDeps;
  /** Issues under way per job, and the jobs among them that ended meanwhile. */
  readonly #minting = new Map<string, number>();
  readonly #endedWhileMinting = new Set<string>();

  constructor(deps: IssuerDeps) {
    this.#deps = deps;
  }

  /** Note that a job ended, so an issue still under way for it is revoked when it lands. */
  jobEnded(jobId: string): void {
    if (this.#minting.has(jobId)) this.#endedWhileMinting.add(jobId);
  }

  /**
   * Record row `id` as `live` (handle = `id`), call `mint`, then record the real handle.
   *
   * @throws CredentialError on any failure; by then nothing is live at the upstream, or its
   * revocation is under way.
   */
  async mint(
    id: string,
    job: { jobId: string; principal: string; constraints: CredentialConstraints },
    mint: Mint,
  ): Promise<IssuedCredential> {
    const { jobId, principal, constraints } = job;
    const row = this.#intentRow(id, jobId, constraints);
    this.#minting.set(jobId, (this.#minting.get(jobId) ?? 0) + 1);
    try {
      try {
        await this.#deps.ledger.recordCredential(row);
      } catch (error) {
        throw new CredentialError(
          `could not record a credential for job ${jobId}; none was issued`,
          {
            cause: error,
          },
        );
      }
      const issued = await this.#call(row, () =>
        mint({ credentialId: id, jobId, principal, constraints }),
      );
      await this.#recordHandle(row, issued);
      if (this.#endedWhileMinting.has(jobId)) {
        // The job's revocation may have run before the upstream created the key.
        await this.#deps.revoker.settled(id);
        await this.#deps.revoker.begin({ ...row, handle: issued.handle });
        throw new CredentialError(`job ${jobId} ended while its credential was being issued`);
      }
      const provisioner = this.#deps.provisioner.name;
      this.#deps.logger.info({ credential: id, job: jobId, provisioner }, "credential issued");
      return issued;
    } finally {
      this.#done(jobId);
    }
  }

  // The upstream may have minted a key even when the call failed (a timeout): revoke by the
  // handle the row already carries, which adapters make the credential id.
  async #call(
    row: CredentialRecord,
    call: () => Promise<IssuedCredential>,
  ): Promise<IssuedCredential> {
    try {
      return await call();
    } catch (error) {
      const err = describe(error);
      this.#deps.logger.warn(
        { credential: row.id, job: row.jobId, err },
        "credential issue failed",
      );
      void this.#deps.revoker.begin(row);
      throw new CredentialError(`could not issue a credential for job ${row.jobId}: ${err}`, {
        cause: error,
      });
    }
  }

  async #recordHandle(row: CredentialRecord, issued: IssuedCredential): Promise<void> {
    if (issued.handle === row.handle) return;
    try {
      await this.#deps.ledger.updateCredential(row.id, { handle: issued.handle });
    } catch (error) {
      this.#deps.logger.error(
        { credential: row.id, job: row.jobId, err: describe(error) },
        "could not record an issued credential; revoking it",
      );
      await this.#deps.revoker.begin({ ...row, handle: issued.handle });
      throw new CredentialError(
        `could not record credential ${row.id} of job ${row.jobId}; it was revoked`,
        { cause: error },
      );
    }
  }

  #done(jobId: string): void {
    const left = (this.#minting.get(jobId) ?? 1) - 1;
    if (left > 0) {
      this.#minting.set(jobId, left);
      return;
    }
    this.#minting.delete(jobId);
    this.#endedWhileMinting.delete(jobId);
  }

  #intentRow(id: string, jobId: string, constraints: CredentialConstraints): CredentialRecord {
    return {
      id,
      jobId,
      provisioner: this.#deps.provisioner.name,
      handle: id,
      state: "live",
      issuedAt: this.#deps.clock.now(),
      expiresAt: constraints.expiresAtMs ?? null,
      attempts: 0,
      nextAttemptAt: null,
      lastError: null,
      revokedAt: null,
    };
  }
}
