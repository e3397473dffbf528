/** The `runplane gateway` command as a process: fail-fast configuration, then forwarding to serve (DESIGN-18). */
import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { once } from "node:events";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { startTestServer, type TestServer } from "../../support/test-server.js";
import { arpCall, pollRun, startBody } from "./arp-http.js";

const MAIN = fileURLToPath(new URL("../../../src/cli/main.ts", import.meta.url));
const ENTRY = `const { main } = await import(${JSON.stringify(MAIN)}); await main(["node", "runplane", ...process.argv.slice(1)]);`;

/** `runplane <args>` from the sources, with only `env` as its environment (plus PATH). */
function runplane(args: string[], env: Record<string, string>): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", ENTRY, ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
  });
}

async function output(
  child: ChildProcessWithoutNullStreams,
): Promise<{ code: number | null; stderr: string }> {
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stderr };
}

async function listening(child: ChildProcessWithoutNullStreams): Promise<string> {
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let stdout = "";
  for await (const chunk of child.stdout) {
    stdout += String(chunk);
    const match = /listening on (http:\/\/\S+)/.exec(stdout);
    if (match?.[1] !== undefined) return match[1];
  }
  throw new Error(`gateway exited before listening: ${stdout} ${stderr}`);
}

describe("runplane gateway (command)", () => {
  let serve: TestServer;
  before(async () => {
    serve = await startTestServer({ auth: { auth: "none" }, arpEnv: {} });
  });
  after(() => serve.close());

  test("[arp-fwd-env] without a coordinator URL it exits 2, naming the flag and the variable", async () => {
    const { code, stderr } = await output(
      runplane(["gateway", "--port", "0"], { ARP_AUTH_PROFILE: "dev-insecure" }),
    );
    assert.equal(code, 2);
    assert.match(stderr, /--coordinator-url URL or set JARVIS_RUN_COORDINATOR_URL/);
  });

  test("[arp-fwd-env] with inbound auth on and no STS client it exits 2, naming ARP_AUTH_CLIENT_ID", async () => {
    const env = {
      JARVIS_RUN_COORDINATOR_URL: serve.httpUrl,
      ARP_AUTH_JWKS_URI: "http://127.0.0.1:9/jwks",
    };
    const { code, stderr } = await output(runplane(["gateway", "--port", "0"], env));
    assert.equal(code, 2);
    assert.match(stderr, /ARP_AUTH_CLIENT_ID is required/);
  });

  test("[arp-fwd-routes] it forwards to serve and answers version itself", async () => {
    const child = runplane(["gateway", "--port", "0"], {
      JARVIS_RUN_COORDINATOR_URL: `${serve.httpUrl}/v1`,
      ARP_AUTH_PROFILE: "dev-insecure",
      RUNPLANE_LOG_LEVEL: "error",
    });
    try {
      const url = await listening(child);
      const version = await arpCall(url, "GET", "/v1/version", { expect: "VersionInfo" });
      assert.equal(version.json.service_name, "runplane-gateway");
      const started = await arpCall(url, "POST", "/v1/runs", {
        body: startBody("echo", { cli: true }),
        expect: "Run",
      });
      const done = await pollRun(
        url,
        String(started.json.run_id),
        undefined,
        (s) => s === "succeeded",
      );
      assert.equal(done.root_node_run_id, started.json.root_node_run_id);
      const job = await serve.runtime.store.getJob(String(started.json.root_node_run_id));
      assert.equal(job?.principal, "anonymous");
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  });
});
