/** The webhook adapter against a fake webhook: signed round trip, handles, enforcement flags, failures. */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, test } from "node:test";
import {
  CredentialService,
  signWebhookBody,
  verifyWebhookSignature,
  WebhookProvisioner,
} from "../../../src/credentials/index.js";
import { type FakeWebhook, startFakeWebhook } from "../../support/fake-webhook-provisioner.js";
import {
  assertNoSecrets,
  CaptureLogger,
  FAST_RETRY,
  LedgerDouble,
  settle,
  systemClock,
} from "./doubles.js";

const SECRET = "whsec-test-shared-secret";
const secrets = new Set<string>([SECRET]);
const logger = new CaptureLogger();
const ledgers: LedgerDouble[] = [];
const fakes: FakeWebhook[] = [];

after(async () => {
  for (const fake of fakes) await fake.close();
});

async function setup(fakeOptions: Parameters<typeof startFakeWebhook>[0], secret?: string) {
  const fake = await startFakeWebhook(fakeOptions);
  fakes.push(fake);
  const provisioner = new WebhookProvisioner(
    secret === undefined ? { url: fake.url } : { url: `${fake.url}/`, secret },
  );
  const ledger = new LedgerDouble();
  ledgers.push(ledger);
  const service = new CredentialService({
    ledger,
    provisioner,
    clock: systemClock,
    logger,
    retry: FAST_RETRY,
  });
  return { fake, ledger, service };
}

describe("WebhookProvisioner", () => {
  test("[arcp-9.8-revoke-on-terminal] issue and revoke round trip with signatures the webhook verifies", async () => {
    const { fake, ledger, service } = await setup({ secret: SECRET }, SECRET);
    const expiresAtMs = Date.UTC(2040, 0, 1);
    const [cred] = await service.issueForJob({
      jobId: "job_w",
      principal: "alice",
      constraints: {
        budget: [{ currency: "USD", micros: 1_500_000n }],
        models: ["m-*"],
        expiresAtMs,
      },
    });
    assert.ok(cred !== undefined);
    secrets.add(cred.value);
    assert.equal(fake.status(cred.value), "live");
    assert.equal(cred.endpoint, "https://upstream.example/v1");
    assert.equal(cred.profile, "generic");
    assert.equal(cred.constraints, undefined, "the webhook claimed to enforce nothing");
    const issueReq = fake.requests[0];
    assert.equal(issueReq?.path, "/issue");
    assert.equal(issueReq?.signatureValid, true);
    assert.deepEqual(issueReq?.body, {
      credential_id: cred.id,
      job_id: "job_w",
      principal: "alice",
      constraints: {
        "cost.budget": ["USD:1.50"],
        "model.use": ["m-*"],
        expires_at: "2040-01-01T00:00:00.000Z",
      },
    });
    await service.revokeForJob("job_w");
    assert.equal(fake.status(cred.value), "revoked");
    assert.equal(ledger.row(cred.id).state, "revoked");
    assert.deepEqual(fake.requests[1]?.body, { handle: cred.id });
    assert.equal(fake.requests[1]?.signatureValid, true);
  });

  test("a wrong shared secret is refused by the webhook and nothing is left live", async () => {
    const { fake, ledger, service } = await setup({ secret: SECRET }, "some-other-secret");
    await assert.rejects(
      service.issueForJob({ jobId: "job_bad", principal: "alice", constraints: {} }),
      /webhook issue returned HTTP 401/,
    );
    await settle(service);
    assert.equal(fake.requests[0]?.signatureValid, false);
    const [row] = await ledger.listCredentialsForJob("job_bad");
    assert.notEqual(row?.state, "live");
  });

  test("[arcp-9.8-constraints-truthful] enforcement flags echo exactly the constraints the webhook claims", async () => {
    const { service } = await setup({ enforces: { budget: true, expiry: true } });
    const [cred] = await service.issueForJob({
      jobId: "job_flags",
      principal: "alice",
      constraints: {
        budget: [{ currency: "credits", micros: 1000_000_000n }],
        models: ["m-1"],
        expiresAtMs: Date.UTC(2041, 5, 1),
      },
    });
    assert.ok(cred !== undefined);
    secrets.add(cred.value);
    assert.deepEqual(cred.constraints, {
      "cost.budget": ["credits:1000.00"],
      expires_at: "2041-06-01T00:00:00.000Z",
    });
  });

  test("a webhook-chosen handle is recorded in the ledger and used to revoke", async () => {
    const { fake, ledger, service } = await setup({ ownHandles: true });
    const [cred] = await service.issueForJob({
      jobId: "job_oh",
      principal: "alice",
      constraints: {},
    });
    assert.ok(cred !== undefined);
    secrets.add(cred.value);
    const handle = ledger.row(cred.id).handle;
    assert.match(handle, /^h_/);
    await service.revokeForJob("job_oh");
    assert.deepEqual(fake.requests.at(-1)?.body, { handle });
    assert.equal(fake.status(cred.value), "revoked");
  });

  test("[arcp-9.8-revocation-durable] revocation retries through webhook outages", async () => {
    const { fake, ledger, service } = await setup({});
    const [cred] = await service.issueForJob({
      jobId: "job_out",
      principal: "alice",
      constraints: {},
    });
    assert.ok(cred !== undefined);
    secrets.add(cred.value);
    fake.failNextRevocations(2);
    await service.revokeForJob("job_out");
    await settle(service);
    assert.equal(ledger.row(cred.id).state, "revoked");
    assert.equal(ledger.row(cred.id).attempts, 3);
    assert.equal(fake.status(cred.value), "revoked");
  });

  test("a webhook that does not answer in time fails the issue with a timeout", async () => {
    const hung = createServer(() => {});
    await new Promise<void>((resolve) => hung.listen(0, "127.0.0.1", resolve));
    const { port } = hung.address() as AddressInfo;
    try {
      const provisioner = new WebhookProvisioner({
        url: `http://127.0.0.1:${port}`,
        timeoutMs: 50,
      });
      await assert.rejects(
        provisioner.issue({
          credentialId: "cred_t",
          jobId: "job_t",
          principal: "alice",
          constraints: {},
        }),
        /webhook issue timed out after 50 ms/,
      );
    } finally {
      hung.closeAllConnections();
      await new Promise((resolve) => hung.close(resolve));
    }
  });

  test("a malformed answer is rejected by field name, without quoting the answer", async () => {
    const bad = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ value: "whk-leaky-value-123456", scheme: "basic" }));
    });
    await new Promise<void>((resolve) => bad.listen(0, "127.0.0.1", resolve));
    const { port } = bad.address() as AddressInfo;
    try {
      const provisioner = new WebhookProvisioner({ url: `http://127.0.0.1:${port}` });
      const err = await provisioner
        .issue({ credentialId: "cred_m", jobId: "job_m", principal: "alice", constraints: {} })
        .then(
          () => undefined,
          (e: unknown) => e as Error,
        );
      assert.ok(err instanceof Error);
      assert.match(err.message, /malformed \(endpoint, scheme\)/);
      assert.ok(!err.message.includes("whk-leaky-value"));
    } finally {
      await new Promise((resolve) => bad.close(resolve));
    }
  });
});

describe("webhook signatures", () => {
  test("verifyWebhookSignature accepts a fresh signature and rejects tampering, other secrets and stale timestamps", () => {
    const body = JSON.stringify({ handle: "cred_1" });
    const nowSec = 1_900_000_000;
    const ts = String(nowSec);
    const signature = signWebhookBody(SECRET, ts, body);
    const base = { secret: SECRET, body, timestamp: ts, signature, nowSec };
    assert.equal(verifyWebhookSignature(base), true);
    assert.equal(verifyWebhookSignature({ ...base, body: `${body} ` }), false);
    assert.equal(verifyWebhookSignature({ ...base, secret: "other" }), false);
    assert.equal(verifyWebhookSignature({ ...base, nowSec: nowSec + 301 }), false);
    assert.equal(verifyWebhookSignature({ ...base, signature: undefined }), false);
  });
});

test("[arcp-9.8-redact-non-submitter] no credential value or upstream secret appears in any log line or ledger row", () => {
  assert.ok(logger.lines.length > 0, "nothing was logged");
  for (const ledger of ledgers) assertNoSecrets(secrets, logger, ledger);
});
