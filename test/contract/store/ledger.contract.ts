/** Store contract: the credential ledger (§9.8) and the audit log (§14). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { auditRecord, credentialRecord, type WithStore } from "./fixtures.js";

export function ledgerContract(withStore: WithStore): void {
  test("[arcp-9.8-revocation-durable] a recorded credential reads back equal; duplicates are rejected", () =>
    withStore(async (store) => {
      const row = credentialRecord("cred_1", {
        expiresAt: 99,
        attempts: 2,
        nextAttemptAt: 50,
        lastError: "503",
      });
      await store.recordCredential(row);
      assert.deepEqual(await store.getCredential("cred_1"), row);
      assert.equal(await store.getCredential("cred_missing"), undefined);
      await assert.rejects(store.recordCredential(credentialRecord("cred_1", { handle: "other" })));
      assert.deepEqual(await store.getCredential("cred_1"), row);
    }));

  test("[arcp-9.8-revocation-durable] a job's credentials are listed in issue order", () =>
    withStore(async (store) => {
      await store.recordCredential(credentialRecord("cred_b", { issuedAt: 2 }));
      await store.recordCredential(credentialRecord("cred_a", { issuedAt: 2 }));
      await store.recordCredential(credentialRecord("cred_c", { issuedAt: 1 }));
      await store.recordCredential(credentialRecord("cred_x", { jobId: "job_2" }));
      const ids = (await store.listCredentialsForJob("job_1")).map((c) => c.id);
      assert.deepEqual(ids, ["cred_c", "cred_a", "cred_b"]);
      assert.deepEqual(await store.listCredentialsForJob("job_none"), []);
    }));

  test("[arcp-9.8-revocation-durable] listing by state returns only those states, unscheduled and due first", () =>
    withStore(async (store) => {
      await store.recordCredential(
        credentialRecord("cred_1", { state: "revoking", nextAttemptAt: 300 }),
      );
      await store.recordCredential(
        credentialRecord("cred_2", { state: "revoking", nextAttemptAt: 100 }),
      );
      await store.recordCredential(credentialRecord("cred_3", { state: "live" }));
      await store.recordCredential(
        credentialRecord("cred_4", { state: "failed", lastError: "gone" }),
      );
      await store.recordCredential(credentialRecord("cred_5", { state: "revoked", revokedAt: 5 }));
      const ids = async (states: Parameters<typeof store.listCredentials>[0], limit = 10) =>
        (await store.listCredentials(states, limit)).map((c) => c.id);
      assert.deepEqual(await ids(["live", "revoking"]), ["cred_3", "cred_2", "cred_1"]);
      assert.deepEqual(await ids(["live", "revoking"], 2), ["cred_3", "cred_2"]);
      assert.deepEqual(await ids(["failed"]), ["cred_4"]);
      assert.deepEqual(await ids(["revoked", "failed", "live", "revoking"]), [
        "cred_3",
        "cred_4",
        "cred_5",
        "cred_2",
        "cred_1",
      ]);
      assert.deepEqual(await ids([]), []);
    }));

  test("[arcp-9.8-revocation-durable] updateCredential changes only the fields given, nulls included", () =>
    withStore(async (store) => {
      const row = credentialRecord("cred_1", {
        state: "revoking",
        attempts: 3,
        nextAttemptAt: 10,
        lastError: "x",
      });
      await store.recordCredential(row);
      await store.updateCredential("cred_1", {
        state: "revoked",
        revokedAt: 20,
        nextAttemptAt: null,
        lastError: null,
      });
      assert.deepEqual(await store.getCredential("cred_1"), {
        ...row,
        state: "revoked",
        revokedAt: 20,
        nextAttemptAt: null,
        lastError: null,
      });
      await store.updateCredential("cred_1", { handle: "rotated", attempts: 4 });
      assert.equal((await store.getCredential("cred_1"))?.handle, "rotated");
      assert.equal((await store.getCredential("cred_1"))?.state, "revoked");
      await store.updateCredential("cred_missing", { state: "failed" });
      assert.equal(await store.getCredential("cred_missing"), undefined);
    }));

  test("[arcp-14-audit-log] audit records list newest first, by kind, within limit", () =>
    withStore(async (store) => {
      await store.appendAudit(auditRecord("auth.failure", 1, { principal: null }));
      await store.appendAudit(
        auditRecord("job.subscribe", 2, {
          details: { subscriber: "bob", job: "job_1", owner: "alice", ok: false },
        }),
      );
      await store.appendAudit(auditRecord("auth.failure", 3));
      assert.deepEqual(
        (await store.listAudit(undefined, 10)).map((r) => r.ts - 1_700_000_000_000),
        [3, 2, 1],
      );
      assert.deepEqual(await store.listAudit("auth.failure", 1), [auditRecord("auth.failure", 3)]);
      assert.deepEqual(await store.listAudit("job.subscribe", 10), [
        auditRecord("job.subscribe", 2, {
          details: { subscriber: "bob", job: "job_1", owner: "alice", ok: false },
        }),
      ]);
      assert.deepEqual(await store.listAudit("nothing", 10), []);
      assert.deepEqual(await store.listAudit(undefined, 0), []);
    }));
}
