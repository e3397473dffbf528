/** An in-process credential provisioner (§9.8) for tests and single-binary demos. */
import { randomBytes } from "node:crypto";
import {
  CredentialError,
  type CredentialProvisioner,
  type IssuedCredential,
  type IssueRequest,
} from "./provisioner.js";

/** What `verify` says about a value. */
export type MemoryCredentialStatus = "live" | "revoked" | "expired" | "unknown";

/** One issue as recorded for assertions; the value is deliberately not kept here. */
export interface MemoryIssueRecord {
  handle: string;
  credentialId: string;
  jobId: string;
  principal: string;
}

export interface MemoryProvisionerOptions {
  endpoint?: string;
  profile?: string;
  now?: () => number;
}

interface Entry {
  handle: string;
  expiresAtMs: number | undefined;
}

/**
 * Mints `sk-mem-…` values. Its "upstream" is `verify`, which honours revocation and
 * `expires_at` only, so `enforces` claims expiry and nothing else (§9.8.3). Handles are the
 * credential ids. Failure injection: `failNextIssues(n)` and `failNextRevocations(n)`.
 */
export class MemoryProvisioner implements CredentialProvisioner {
  readonly name = "memory";
  /** Every issue, in order. */
  readonly issued: MemoryIssueRecord[] = [];
  /** Every successful revocation, by handle, in order (repeats included). */
  readonly revoked: string[] = [];
  /** Every revocation attempt, by handle, failed ones included. */
  readonly revokeAttempts: string[] = [];
  readonly #byValue = new Map<string, Entry>();
  readonly #live = new Set<string>();
  readonly #endpoint: string;
  readonly #profile: string | undefined;
  readonly #now: () => number;
  #failIssues = 0;
  #failRevocations = 0;

  constructor(options: MemoryProvisionerOptions = {}) {
    this.#endpoint = options.endpoint ?? "memory://credentials";
    this.#profile = options.profile;
    this.#now = options.now ?? Date.now;
  }

  /** Make the next `n` issues reject. */
  failNextIssues(n: number): void {
    this.#failIssues = n;
  }

  /** Make the next `n` revocations reject (a transient upstream outage). */
  failNextRevocations(n: number): void {
    this.#failRevocations = n;
  }

  async issue(request: IssueRequest, signal?: AbortSignal): Promise<IssuedCredential> {
    signal?.throwIfAborted();
    if (this.#failIssues > 0) {
      this.#failIssues--;
      throw new CredentialError("memory provisioner: injected issue failure");
    }
    const handle = request.credentialId;
    const value = `sk-mem-${randomBytes(24).toString("base64url")}`;
    const expiresAtMs = request.constraints.expiresAtMs;
    this.#byValue.set(value, { handle, expiresAtMs });
    this.#live.add(handle);
    this.issued.push({
      handle,
      credentialId: request.credentialId,
      jobId: request.jobId,
      principal: request.principal,
    });
    const credential: IssuedCredential = {
      handle,
      value,
      endpoint: this.#endpoint,
      scheme: "bearer",
      enforces: expiresAtMs === undefined ? { budget: [] } : { budget: [], expiresAtMs },
    };
    if (this.#profile !== undefined) credential.profile = this.#profile;
    return credential;
  }

  async revoke(handle: string): Promise<void> {
    this.revokeAttempts.push(handle);
    if (this.#failRevocations > 0) {
      this.#failRevocations--;
      throw new CredentialError("memory provisioner: injected revocation failure", {
        status: 503,
      });
    }
    this.#live.delete(handle);
    this.revoked.push(handle);
  }

  /** How the upstream would treat `value` now. */
  verify(value: string): MemoryCredentialStatus {
    const entry = this.#byValue.get(value);
    if (entry === undefined) return "unknown";
    if (!this.#live.has(entry.handle)) return "revoked";
    if (entry.expiresAtMs !== undefined && this.#now() >= entry.expiresAtMs) return "expired";
    return "live";
  }

  /** Handles issued and not yet revoked. */
  liveHandles(): string[] {
    return [...this.#live];
  }
}
