/** CredentialService over the memory provisioner: ledger-first issue and rotation. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type CredentialProvisioner,
  CredentialService,
  type IssueRequest,
  MemoryProvisioner,
  type RetryPolicy,
} from "../../../src/credentials/index.js";
import { CredentialSchema } from "../../../src/protocol/messages/index.js";
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

describe("issueForJob", () => {
  test("[arcp-9.8-issue-by-accept] the ledger row is written before the upstream is called and is live when issue resolves", async () => {
    const ledger = new LedgerDouble();
    ledgers.push(ledger);
    const memory = new MemoryProvisioner();
    const seenAtIssue: unknown[] = [];
    const spy: CredentialProvisioner = {
      name: "spy",
      issue: async (req: IssueRequest) => {
        seenAtIssue.push(await ledger.getCredential(req.credentialId));
        return memory.issue(req);
      },
      revoke: (handle) => memory.revoke(handle),
    };
    const service = new CredentialService({
      ledger,
      provisioner: spy,
      clock: systemClock,
      logger,
      retry: FAST_RETRY,
    });
    const expiresAtMs = Date.now() + 60_000;
    const cred = await issue(service, "job_1", expiresAtMs);
    assert.equal(seenAtIssue.length, 1);
    assert.ok(seenAtIssue[0] !== undefined, "no ledger row when the upstream was called");
    const row = ledger.row(cred.id);
    assert.equal(row.state, "live");
    assert.equal(row.jobId, "job_1");
    assert.equal(row.provisioner, "spy");
    assert.equal(row.handle, cred.id);
    assert.equal(row.expiresAt, expiresAtMs);
  });

  test("[arcp-9.8-credential-shape] the wire credential has id, bearer scheme, value and endpoint", async () => {
    const { service } = setup();
    const cred = await issue(service);
    assert.match(cred.id, /^cred_[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.equal(cred.scheme, "bearer");
    assert.match(cred.value, /^sk-mem-/);
    assert.equal(cred.endpoint, "memory://credentials");
    assert.ok(CredentialSchema.safeParse(cred).success);
  });

  test("[arcp-9.8-one-job] 100 jobs get 100 distinct values, each recorded against its own job", async () => {
    const { service, ledger } = setup();
    const values = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const cred = await issue(service, `job_${i}`);
      values.add(cred.value);
      assert.equal(ledger.row(cred.id).jobId, `job_${i}`);
    }
    assert.equal(values.size, 100);
  });

  test("[arcp-9.8-constraints-truthful] the memory adapter lists no cost or model constraint, only its expiry", async () => {
    const { service } = setup();
    const expiresAtMs = Date.UTC(2040, 0, 1);
    const [cred] = await service.issueForJob({
      jobId: "job_t",
      principal: "alice",
      constraints: {
        budget: [{ currency: "USD", micros: 5_000_000n }],
        models: ["gpt-4o"],
        expiresAtMs,
      },
    });
    assert.ok(cred !== undefined);
    secrets.add(cred.value);
    assert.deepEqual(cred.constraints, { expires_at: "2040-01-01T00:00:00.000Z" });
    const [bare] = await service.issueForJob({
      jobId: "job_u",
      principal: "alice",
      constraints: {},
    });
    assert.ok(bare !== undefined);
    secrets.add(bare.value);
    assert.equal(bare.constraints, undefined);
  });

  test("a failed upstream issue throws, and whatever it may have minted is revoked by credential id", async () => {
    const { service, ledger, provisioner } = setup();
    provisioner.failNextIssues(1);
    await assert.rejects(
      service.issueForJob({ jobId: "job_f", principal: "alice", constraints: {} }),
      /could not issue a credential for job job_f/,
    );
    await settle(service);
    const [row] = await ledger.listCredentialsForJob("job_f");
    assert.equal(row?.state, "revoked");
    assert.deepEqual(provisioner.revoked, [row?.id]);
  });

  test("a failed ledger write throws before the upstream is called", async () => {
    const { service, ledger, provisioner } = setup();
    ledger.failRecords = 1;
    await assert.rejects(
      service.issueForJob({ jobId: "job_l", principal: "alice", constraints: {} }),
      /none was issued/,
    );
    assert.equal(provisioner.issued.length, 0);
    assert.equal(ledger.rows.size, 0);
  });

  test("when the ledger cannot record the upstream's own handle, the credential is revoked at once", async () => {
    const ledger = new LedgerDouble();
    ledgers.push(ledger);
    const memory = new MemoryProvisioner();
    const ownHandles: CredentialProvisioner = {
      name: "own-handles",
      issue: async (req) => ({ ...(await memory.issue(req)), handle: `h-${req.credentialId}` }),
      revoke: (handle) => memory.revoke(handle),
    };
    const service = new CredentialService({
      ledger,
      provisioner: ownHandles,
      clock: systemClock,
      logger,
      retry: FAST_RETRY,
    });
    ledger.failUpdates = 1;
    await assert.rejects(
      service.issueForJob({ jobId: "job_h", principal: "alice", constraints: {} }),
      /it was revoked/,
    );
    assert.equal(memory.revoked.length, 1);
    assert.match(memory.revoked[0] ?? "", /^h-cred_/);
    await settle(service);
  });

  test("a job that ends while its credential is being issued leaves nothing live", async () => {
    const ledger = new LedgerDouble();
    ledgers.push(ledger);
    const memory = new MemoryProvisioner();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow: CredentialProvisioner = {
      name: "slow",
      issue: async (req) => {
        await gate;
        return memory.issue(req);
      },
      revoke: (handle) => memory.revoke(handle),
    };
    const service = new CredentialService({
      ledger,
      provisioner: slow,
      clock: systemClock,
      logger,
      retry: FAST_RETRY,
    });
    const pending = service.issueForJob({ jobId: "job_r", principal: "alice", constraints: {} });
    await new Promise((resolve) => setImmediate(resolve));
    await service.revokeForJob("job_r");
    release();
    await assert.rejects(pending, /ended while its credential was being issued/);
    await settle(service);
    assert.deepEqual(memory.liveHandles(), []);
    const [row] = await ledger.listCredentialsForJob("job_r");
    assert.equal(row?.state, "revoked");
  });
});

describe("rotation", () => {
  test("[arcp-9.8-rotation] rotate keeps the wire id, issues a new value and revokes the old one", async () => {
    const { service, ledger, provisioner } = setup();
    const first = await issue(service, "job_rot");
    const second = await service.rotate("job_rot", first.id);
    secrets.add(second.value);
    assert.equal(second.id, first.id);
    assert.notEqual(second.value, first.value);
    assert.equal(provisioner.verify(first.value), "revoked");
    assert.equal(provisioner.verify(second.value), "live");
    assert.equal(ledger.row(first.id).state, "revoked");
    assert.equal(ledger.row(`${first.id}~1`).state, "live");
    const third = await service.rotate("job_rot", first.id);
    secrets.add(third.value);
    assert.equal(ledger.row(`${first.id}~1`).state, "revoked");
    assert.equal(ledger.row(`${first.id}~2`).state, "live");
    await service.revokeForJob("job_rot");
    assert.equal(provisioner.verify(third.value), "revoked");
  });

  test("rotating a credential that is not live is refused", async () => {
    const { service } = setup();
    const cred = await issue(service, "job_gone");
    await service.revokeForJob("job_gone");
    await assert.rejects(service.rotate("job_gone", cred.id), /is not live/);
  });
});

test("[arcp-9.8-redact-non-submitter] no credential value or upstream secret appears in any log line or ledger row", () => {
  assert.ok(logger.lines.length > 0, "nothing was logged");
  for (const ledger of ledgers) assertNoSecrets(secrets, logger, ledger);
});
