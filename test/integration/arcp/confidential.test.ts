/**
 * Credentials travel only over confidential channels (§14, DESIGN-23): loopback, stdio, TLS, or
 * TLS ended at a trusted proxy. A proxied (forwarded) plain connection is not offered the feature.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import WebSocket from "ws";
import { MemoryProvisioner } from "../../../src/credentials/memory-provisioner.js";
import { makeTempDir, removeTempDir } from "../../support/temp-dir.js";
import { startTestServer, TOKENS } from "../../support/test-server.js";

/** A throwaway certificate for 127.0.0.1 in `dir`, or undefined when openssl cannot make one. */
function selfSigned(dir: string): { cert: string; key: string } | undefined {
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
      ],
      { stdio: "ignore" },
    );
    return { cert, key };
  } catch {
    return undefined;
  }
}

async function offeredFeatures(url: string, headers: Record<string, string>): Promise<string[]> {
  const ws = new WebSocket(url, { headers, rejectUnauthorized: false, perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const welcome = new Promise<{ payload: { capabilities: { features: string[] } } }>((resolve) =>
    ws.once("message", (data) => resolve(JSON.parse(data.toString()))),
  );
  ws.send(
    JSON.stringify({
      arcp: "1.1",
      id: "msg_1",
      type: "session.hello",
      payload: {
        client: { name: "t", version: "1" },
        auth: { scheme: "bearer", token: TOKENS.alice },
        capabilities: { encodings: ["json"], features: ["provisioned_credentials", "ack"] },
      },
    }),
  );
  const features = (await welcome).payload.capabilities.features;
  ws.close();
  return features;
}

const tlsDir = makeTempDir("tls");
after(() => removeTempDir(tlsDir));
const tls = selfSigned(tlsDir);

describe("confidential transports", {
  skip: tls === undefined ? "openssl is not available to make a test certificate" : false,
}, () => {
  test("[arcp-9.8-authenticated-only] [arcp-9.8-advertise-if-revocable] a forwarded plain connection is not offered provisioned_credentials; over TLS, or behind a trusted TLS proxy, it is", async () => {
    const forwarded = { "x-forwarded-for": "203.0.113.7" };
    const plain = await startTestServer({ provisioner: new MemoryProvisioner() });
    const secure = await startTestServer({
      provisioner: new MemoryProvisioner(),
      tlsCert: tls?.cert,
      tlsKey: tls?.key,
    });
    const proxied = await startTestServer({
      provisioner: new MemoryProvisioner(),
      trustedProxyTls: true,
    });
    try {
      assert.deepEqual(await offeredFeatures(plain.wsUrl, forwarded), ["ack"]);
      assert.ok(
        (await offeredFeatures(plain.wsUrl, {})).includes("provisioned_credentials"),
        "direct loopback is confidential",
      );
      assert.ok(secure.wsUrl.startsWith("wss://"));
      assert.ok(
        (await offeredFeatures(secure.wsUrl, forwarded)).includes("provisioned_credentials"),
      );
      assert.ok(
        (await offeredFeatures(proxied.wsUrl, forwarded)).includes("provisioned_credentials"),
      );
    } finally {
      await plain.close();
      await secure.close();
      await proxied.close();
    }
  });
});
