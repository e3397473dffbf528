/** The LiteLLM adapter against a fake proxy: constraint mapping, upstream enforcement, revocation, rotation. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  type CredentialConstraints,
  CredentialService,
  LITELLM_NO_MODEL,
  LiteLlmProvisioner,
  type RetryPolicy,
} from "../../../src/credentials/index.js";
import { type FakeLiteLlm, startFakeLiteLlm } from "../../support/fake-litellm.js";
import {
  assertNoSecrets,
  CaptureLogger,
  FAST_RETRY,
  LedgerDouble,
  settle,
  systemClock,
} from "./doubles.js";

const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);
const secrets = new Set<string>();
const logger = new CaptureLogger();
const ledgers: LedgerDouble[] = [];
let fake: FakeLiteLlm;

before(async () => {
  fake = await startFakeLiteLlm({ now: () => NOW });
  secrets.add(fake.masterKey);
});

after(async () => {
  await fake.close();
});

function setup(retry: RetryPolicy = FAST_RETRY) {
  const provisioner = new LiteLlmProvisioner({
    baseUrl: `${fake.url}/`,
    masterKey: fake.masterKey,
    publicUrl: "https://llm.example.com/",
    now: () => NOW,
  });
  const ledger = new LedgerDouble();
  ledgers.push(ledger);
  const service = new CredentialService({ ledger, provisioner, clock: systemClock, logger, retry });
  return { service, ledger };
}

async function issue(
  service: CredentialService,
  jobId: string,
  constraints: CredentialConstraints = {},
) {
  const [cred] = await service.issueForJob({ jobId, principal: "alice", constraints });
  assert.ok(cred !== undefined);
  secrets.add(cred.value);
  return cred;
}

async function chat(value: string, model: string) {
  const res = await fetch(`${fake.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${value}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });
  return {
    status: res.status,
    cost: res.headers.get("x-litellm-response-cost"),
    text: await res.text(),
  };
}

function generateBody(alias: string): Record<string, unknown> {
  const req = fake.requests.find(
    (r) => r.path === "/key/generate" && (r.body as { key_alias?: string }).key_alias === alias,
  );
  assert.ok(req !== undefined, `no /key/generate for ${alias}`);
  return req.body as Record<string, unknown>;
}

describe("issue", () => {
  test("[arcp-9.8-constraint-mapping] a USD budget, exact models and an expiry all reach the key and are echoed", async () => {
    const { service } = setup();
    const cred = await issue(service, "job_map", {
      budget: [{ currency: "USD", micros: 5_000_000n }],
      models: ["gpt-4o", "claude-3-haiku"],
      expiresAtMs: NOW + 3_600_000,
    });
    const body = generateBody(cred.id);
    assert.equal(body.max_budget, 5);
    assert.deepEqual(body.models, ["gpt-4o", "claude-3-haiku"]);
    assert.equal(body.duration, "3600s");
    assert.deepEqual(body.metadata, {
      job_id: "job_map",
      credential_id: cred.id,
      issued_by: "runplane",
    });
    assert.deepEqual(cred.constraints, {
      "cost.budget": ["USD:5.00"],
      "model.use": ["gpt-4o", "claude-3-haiku"],
      expires_at: "2030-01-01T13:00:00.000Z",
    });
    assert.equal(cred.endpoint, "https://llm.example.com");
    assert.equal(cred.profile, "openai");
    const req = fake.requests.find((r) => r.path === "/key/generate");
    assert.equal(req?.authorization, `Bearer ${fake.masterKey}`);
  });

  test("[arcp-9.8-constraints-truthful] a non-USD budget and wildcard models are not claimed as enforced", async () => {
    const { service } = setup();
    const cred = await issue(service, "job_eur", {
      budget: [{ currency: "EUR", micros: 2_000_000n }],
      models: ["tier-fast/*"],
    });
    const body = generateBody(cred.id);
    assert.equal("max_budget" in body, false);
    assert.deepEqual(body.models, ["tier-fast/*"], "the upstream still gets the coarse fence");
    assert.equal(cred.constraints, undefined);
  });

  test("[arcp-9.8-constraints-truthful] an empty model.use is sent as a name no model has, never as LiteLLM's empty list", async () => {
    const { service } = setup();
    const cred = await issue(service, "job_nomodel", { models: [] });
    assert.deepEqual(generateBody(cred.id).models, [LITELLM_NO_MODEL]);
    assert.deepEqual(cred.constraints, { "model.use": [] });
    assert.equal((await chat(cred.value, "gpt-4o")).status, 401);
  });

  test("[arcp-14-strong-budget] the upstream caps spend with no agent metrics at all", async () => {
    const { service } = setup();
    fake.setCost(0.01);
    const cred = await issue(service, "job_cap", {
      budget: [{ currency: "USD", micros: 30_000n }],
    });
    const allowed: Array<string | null> = [];
    for (let i = 0; i < 3; i++) {
      const res = await chat(cred.value, "gpt-4o");
      assert.equal(res.status, 200);
      allowed.push(res.cost);
    }
    assert.deepEqual(allowed, ["0.01", "0.01", "0.01"]);
    const refused = await chat(cred.value, "gpt-4o");
    assert.equal(refused.status, 400);
    assert.match(refused.text, /budget_exceeded/);
  });

  test("[arcp-9.8-constraints-truthful] the key refuses a model outside model.use", async () => {
    const { service } = setup();
    const cred = await issue(service, "job_model", { models: ["gpt-4o"] });
    assert.equal((await chat(cred.value, "gpt-4o")).status, 200);
    const refused = await chat(cred.value, "gpt-4-turbo");
    assert.equal(refused.status, 401);
    assert.match(refused.text, /key_model_access_denied/);
  });

  test("an upstream failure is reported without the master key and leaves nothing live", async () => {
    const { service, ledger } = setup();
    fake.failNextGenerates(1);
    const err = await service
      .issueForJob({ jobId: "job_500", principal: "alice", constraints: {} })
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    assert.ok(err instanceof Error);
    assert.match(err.message, /litellm key\/generate returned HTTP 500/);
    assert.ok(!err.message.includes(fake.masterKey));
    await settle(service);
    const [row] = await ledger.listCredentialsForJob("job_500");
    assert.equal(row?.state, "revoked", "the alias was deleted in case the key had been made");
  });
});

describe("revocation", () => {
  test("[arcp-9.8-revoke-on-terminal] revoking deletes the key by alias; the value stops working", async () => {
    const { service, ledger } = setup();
    const cred = await issue(service, "job_del");
    assert.equal((await chat(cred.value, "gpt-4o")).status, 200);
    await service.revokeForJob("job_del");
    assert.equal(ledger.row(cred.id).state, "revoked");
    assert.equal(fake.key(cred.id), undefined);
    assert.equal((await chat(cred.value, "gpt-4o")).status, 401);
    const del = fake.requests.filter((r) => r.path === "/key/delete").at(-1);
    assert.deepEqual(del?.body, { key_aliases: [cred.id] });
  });

  test("revoking an alias that is already gone succeeds", async () => {
    const provisioner = new LiteLlmProvisioner({ baseUrl: fake.url, masterKey: fake.masterKey });
    await provisioner.revoke("cred_never_issued");
  });

  test("[arcp-9.8-revocation-durable] the first three deletes fail with 500, the fourth succeeds", async () => {
    const { service, ledger } = setup();
    const cred = await issue(service, "job_flaky");
    fake.failNextDeletes(3);
    const before = fake.requests.filter((r) => r.path === "/key/delete").length;
    await service.revokeForJob("job_flaky");
    await settle(service);
    const deletes = fake.requests.filter((r) => r.path === "/key/delete").slice(before);
    assert.deepEqual(
      deletes.map((r) => r.status),
      [500, 500, 500, 200],
    );
    const row = ledger.row(cred.id);
    assert.equal(row.state, "revoked");
    assert.equal(row.attempts, 4);
    assert.equal((await chat(cred.value, "gpt-4o")).status, 401);
  });

  test("[arcp-9.8-issue-by-accept] a restarted service deletes the keys a crashed one left live", async () => {
    const { service: crashed, ledger } = setup();
    const cred = await issue(crashed, "job_crash");
    crashed.close();
    const provisioner = new LiteLlmProvisioner({ baseUrl: fake.url, masterKey: fake.masterKey });
    const restarted = new CredentialService({
      ledger,
      provisioner,
      clock: systemClock,
      logger,
      retry: FAST_RETRY,
    });
    await restarted.resumeOutstanding();
    await settle(restarted);
    assert.equal(ledger.row(cred.id).state, "revoked");
    assert.equal((await chat(cred.value, "gpt-4o")).status, 401);
  });
});

describe("rotation", () => {
  test("[arcp-9.8-rotation] the new value works at the proxy and the old one no longer does", async () => {
    const { service, ledger } = setup();
    const old = await issue(service, "job_rot", { models: ["gpt-4o"] });
    const next = await service.rotate("job_rot", old.id);
    secrets.add(next.value);
    assert.equal(next.id, old.id);
    assert.deepEqual(next.constraints, { "model.use": ["gpt-4o"] });
    assert.equal((await chat(next.value, "gpt-4o")).status, 200);
    assert.equal((await chat(old.value, "gpt-4o")).status, 401);
    assert.equal(ledger.row(old.id).state, "revoked");
    assert.equal(ledger.row(`${old.id}~1`).handle, `${old.id}~1`);
    assert.ok(fake.key(`${old.id}~1`) !== undefined);
  });
});

test("[arcp-9.8-redact-non-submitter] no credential value or upstream secret appears in any log line or ledger row", () => {
  assert.ok(logger.lines.length > 0, "nothing was logged");
  for (const ledger of ledgers) assertNoSecrets(secrets, logger, ledger);
});
