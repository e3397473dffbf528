/** CredentialService revocation over the memory provisioner: on demand, retries, permanent failure, restarts. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  CredentialService,
  MemoryProvisioner,
  type RetryPolicy,
} from "../../../src/credentials/index.js";
import {
  assertNoSecrets,
  CaptureLogger,
  FAST_RETRY,
  LedgerDouble,
  settle,
  systemClock,
} from "./doubles.js";

const secrets = new Set<string>();
const logger = new CaptureLogger();
const ledgers: LedgerDouble[] = [];

function setup(retry: RetryPolicy = FAST_RETRY, provisioner = new MemoryProvisioner()) {
  const ledger = new LedgerDouble();
  ledgers.push(ledger);
  const service = new CredentialService({ ledger, provisioner, clock: systemClock, logger, retry });
  return { ledger, provisioner, service };
}

async function issue(service: CredentialService, jobId = "job_A", expiresAtMs?: number) {
  const constraints = expiresAtMs === undefined ? {} : { expiresAtMs };
  const [cred] = await service.issueForJob({ jobId, principal: "alice", constraints });
  assert.ok(cred !== undefined);
  secrets.add(cred.value);
  return cred;
}

describe("revocation", () => {
  test("[arcp-9.8-revoke-on-terminal] revokeForJob revokes at the upstream and records revoked", async () => {
    const { service, ledger, provisioner } = setup();
    const cred = await issue(service, "job_x");
    assert.equal(provisioner.verify(cred.value), "live");
    assert.equal(await service.revokeForJob("job_x"), 1);
    assert.equal(provisioner.verify(cred.value), "revoked");
    const row = ledger.row(cred.id);
    assert.equal(row.state, "revoked");
    assert.equal(row.attempts, 1);
    assert.equal(typeof row.revokedAt, "number");
    assert.equal(
      await service.revokeForJob("job_x"),
      0,
      "a second terminal finds nothing to revoke",
    );
  });

  test("[arcp-9.8-revocation-durable] three transient failures are retried with backoff until revoked", async () => {
    const { service, ledger, provisioner } = setup();
    const cred = await issue(service, "job_retry");
    provisioner.failNextRevocations(3);
    await service.revokeForJob("job_retry");
    assert.equal(ledger.row(cred.id).state, "revoking");
    await settle(service);
    const row = ledger.row(cred.id);
    assert.equal(row.state, "revoked");
    assert.equal(row.attempts, 4);
    assert.equal(row.lastError, null);
    assert.equal(provisioner.revokeAttempts.filter((h) => h === cred.id).length, 4);
    const warnings = logger.at("warn").filter((l) => l.fields.credential === cred.id);
    assert.equal(warnings.length, 3);
  });

  test("[arcp-9.8-revocation-durable] a permanent failure ends failed, logged at error with the id, shown in stats, and can be retried", async () => {
    const { service, ledger, provisioner } = setup({ baseMs: 1, maxMs: 4, maxAttempts: 3 });
    const cred = await issue(service, "job_dead");
    provisioner.failNextRevocations(1000);
    await service.revokeForJob("job_dead");
    await settle(service);
    const row = ledger.row(cred.id);
    assert.equal(row.state, "failed");
    assert.equal(row.attempts, 3);
    assert.match(row.lastError ?? "", /injected revocation failure/);
    const errors = logger.at("error").filter((l) => l.fields.credential === cred.id);
    assert.equal(errors.length, 1);
    assert.ok(!errors[0]?.text.includes(cred.value));
    assert.deepEqual(await service.stats(), { live: 0, revoking: 0, revoked: 0, failed: 1 });
    assert.deepEqual(
      (await service.list(["failed"])).map((r) => r.id),
      [cred.id],
    );
    provisioner.failNextRevocations(0);
    assert.equal(await service.retryFailed(), 1);
    await settle(service);
    assert.equal(ledger.row(cred.id).state, "revoked");
    assert.equal(ledger.row(cred.id).attempts, 1);
  });

  test("[arcp-9.8-revocation-durable] retryRevoking attempts revoking credentials now, keeping their count, and never a live one", async () => {
    const { service, ledger, provisioner } = setup();
    const running = await issue(service, "job_running");
    const pending = await issue(service, "job_pending");
    await ledger.updateCredential(pending.id, {
      state: "revoking",
      attempts: 2,
      nextAttemptAt: Date.now() + 60_000,
    });
    assert.equal(await service.retryRevoking(), 1);
    await settle(service);
    assert.equal(ledger.row(pending.id).state, "revoked");
    assert.equal(ledger.row(pending.id).attempts, 3);
    assert.equal(provisioner.verify(running.value), "live", "a running job keeps its credential");
    assert.equal(ledger.row(running.id).state, "live");
    assert.equal(provisioner.revokeAttempts.includes(running.id), false);
  });

  test("[arcp-9.8-issue-by-accept] resumeOutstanding revokes what a crashed service left live", async () => {
    const { service: crashed, ledger, provisioner } = setup();
    const a = await issue(crashed, "job_c1");
    const b = await issue(crashed, "job_c2");
    crashed.close();
    const restarted = new CredentialService({
      ledger,
      provisioner,
      clock: systemClock,
      logger,
      retry: FAST_RETRY,
    });
    assert.equal(await restarted.resumeOutstanding(), 2);
    await settle(restarted);
    for (const cred of [a, b]) {
      assert.equal(provisioner.verify(cred.value), "revoked");
      assert.equal(ledger.row(cred.id).state, "revoked");
    }
    assert.equal(await restarted.resumeOutstanding(), 0);
  });

  test("[arcp-9.8-revocation-durable] after a restart, retries continue from the attempt count in the ledger", async () => {
    const retry = { baseMs: 1, maxMs: 4, maxAttempts: 4 };
    const { service: crashed, ledger, provisioner } = setup(retry);
    const cred = await issue(crashed, "job_c3");
    // The previous process had failed twice, scheduled a third attempt, then died.
    await ledger.updateCredential(cred.id, {
      state: "revoking",
      attempts: 2,
      nextAttemptAt: Date.now() + 5,
    });
    crashed.close();
    const restarted = new CredentialService({
      ledger,
      provisioner,
      clock: systemClock,
      logger,
      retry,
    });
    provisioner.failNextRevocations(10);
    await restarted.resumeOutstanding();
    await settle(restarted);
    const row = ledger.row(cred.id);
    assert.equal(row.state, "failed");
    assert.equal(row.attempts, 4, "two attempts before the restart, two after");
    assert.equal(provisioner.revokeAttempts.filter((h) => h === cred.id).length, 2);
  });

  test("close() cancels scheduled retries and leaves the row revoking for the next start", async () => {
    const { service, ledger, provisioner } = setup({
      baseMs: 60_000,
      maxMs: 60_000,
      maxAttempts: 5,
    });
    const cred = await issue(service, "job_close");
    provisioner.failNextRevocations(1);
    await service.revokeForJob("job_close");
    service.close();
    await settle(service);
    const row = ledger.row(cred.id);
    assert.equal(row.state, "revoking");
    assert.equal(row.attempts, 1);
    assert.ok((row.nextAttemptAt ?? 0) > Date.now());
  });
});

test("[arcp-9.8-redact-non-submitter] no credential value or upstream secret appears in any log line or ledger row", () => {
  assert.ok(logger.lines.length > 0, "nothing was logged");
  for (const ledger of ledgers) assertNoSecrets(secrets, logger, ledger);
});
