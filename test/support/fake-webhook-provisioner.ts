/**
 * A fake credential webhook on loopback (`POST /issue`, `POST /revoke`) that checks the
 * HMAC-SHA256 request signature itself, records every request and can fail revocations.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface WebhookRequest {
  path: string;
  body: Record<string, unknown>;
  /** Whether the signature headers were present and matched the shared secret. */
  signatureValid: boolean;
  status: number;
}

export interface FakeWebhook {
  readonly url: string;
  readonly requests: WebhookRequest[];
  /** Answer the next `n` revocations with HTTP 503. */
  failNextRevocations(n: number): void;
  /** `live` when `value` was issued and its handle not revoked. */
  status(value: string): "live" | "revoked" | "unknown";
  close(): Promise<void>;
}

export interface FakeWebhookOptions {
  /** When set, unsigned or wrongly signed requests get 401. */
  secret?: string;
  /** Return webhook-chosen handles (`h_…`) instead of letting the credential id be one. */
  ownHandles?: boolean;
  /** The `enforces` object to answer issues with. */
  enforces?: { budget?: boolean; models?: boolean; expiry?: boolean };
  endpoint?: string;
}

/** Start the fake on 127.0.0.1 with an ephemeral port. */
export async function startFakeWebhook(options: FakeWebhookOptions = {}): Promise<FakeWebhook> {
  const requests: WebhookRequest[] = [];
  const byValue = new Map<string, { handle: string; credentialId: string }>();
  const live = new Set<string>();
  let failRevocations = 0;

  const issue = (body: Record<string, unknown>): { status: number; body: unknown } => {
    const credentialId = String(body.credential_id ?? "");
    if (credentialId === "") return { status: 400, body: { error: "credential_id required" } };
    const handle =
      options.ownHandles === true ? `h_${randomBytes(6).toString("hex")}` : credentialId;
    const value = `whk-${randomBytes(18).toString("base64url")}`;
    byValue.set(value, { handle, credentialId });
    live.add(handle);
    const answer: Record<string, unknown> = {
      value,
      endpoint: options.endpoint ?? "https://upstream.example/v1",
      profile: "generic",
    };
    if (options.ownHandles === true) answer.handle = handle;
    if (options.enforces !== undefined) answer.enforces = options.enforces;
    return { status: 200, body: answer };
  };

  const revoke = (body: Record<string, unknown>): { status: number; body: unknown } => {
    if (failRevocations > 0) {
      failRevocations--;
      return { status: 503, body: { error: "temporarily unavailable" } };
    }
    const handle = String(body.handle ?? "");
    // Accept the credential id as a handle too, as the provisioner contract asks.
    const entry = [...byValue.values()].find(
      (e) => e.handle === handle || e.credentialId === handle,
    );
    if (entry === undefined || !live.has(entry.handle))
      return { status: 404, body: { error: "no such credential" } };
    live.delete(entry.handle);
    return { status: 204, body: undefined };
  };

  const server = createServer((req, res) => {
    void (async () => {
      const text = await readBody(req);
      const signatureValid = checkSignature(req, text, options.secret);
      let reply: { status: number; body: unknown };
      const body = parse(text);
      if (options.secret !== undefined && !signatureValid)
        reply = { status: 401, body: { error: "bad signature" } };
      else if (req.method === "POST" && req.url === "/issue") reply = issue(body);
      else if (req.method === "POST" && req.url === "/revoke") reply = revoke(body);
      else reply = { status: 404, body: { error: "not found" } };
      requests.push({ path: req.url ?? "", body, signatureValid, status: reply.status });
      res.writeHead(reply.status, { "content-type": "application/json" });
      res.end(reply.body === undefined ? "" : JSON.stringify(reply.body));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNextRevocations: (n) => {
      failRevocations = n;
    },
    status: (value) => {
      const entry = byValue.get(value);
      if (entry === undefined) return "unknown";
      return live.has(entry.handle) ? "live" : "revoked";
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

// Checked independently of src/credentials/webhook-signature.ts, so a bug there cannot hide.
function checkSignature(req: IncomingMessage, body: string, secret: string | undefined): boolean {
  const timestamp = req.headers["x-runplane-timestamp"];
  const signature = req.headers["x-runplane-signature"];
  if (secret === undefined || typeof timestamp !== "string" || typeof signature !== "string")
    return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const expected = Buffer.from(
    `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`,
  );
  const actual = Buffer.from(signature);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function parse(text: string): Record<string, unknown> {
  try {
    return text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    return {};
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
