/**
 * Error payloads always carry a message (§12): an agent that fails with an empty one still
 * sends a non-empty `message`, which the TS SDK client requires before it settles the job.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ERROR_CODES } from "../../../src/protocol/error-codes.js";
import { ArcpError } from "../../../src/protocol/errors.js";
import { connectWs } from "../../support/arcp-test-client.js";
import { tempDirFor } from "../../support/temp-dir.js";
import { startTestServer, TOKENS } from "../../support/test-server.js";

const AGENTS = `
const fail = (message, code) => Object.assign(new Error(message), { code });
export default [
  { name: "quiet-fail", version: "1.0.0", async run() { throw fail("", "INVALID_REQUEST"); } },
  { name: "blank-fail", version: "1.0.0", async run() { throw fail("   ", "PERMISSION_DENIED"); } },
];
`;

describe("error messages", () => {
  test("[arcp-12-error-payload] a job that fails with an empty or blank message gets a job.error whose message names its code", async (t) => {
    const dir = tempDirFor(t, "messages");
    writeFileSync(join(dir, "agents.mjs"), AGENTS);
    const server = await startTestServer({ agentsFile: join(dir, "agents.mjs") });
    try {
      const c = await connectWs(server.wsUrl);
      await c.hello({ token: TOKENS.alice });
      const expected = { "quiet-fail": "invalid request", "blank-fail": "permission denied" };
      for (const [agent, message] of Object.entries(expected)) {
        const accepted = await c.submit({ agent });
        const end = await c.terminal(accepted.job_id as string);
        assert.equal(end.type, "job.error");
        assert.equal(end.payload["message"], message, agent);
      }
      c.close();
    } finally {
      await server.close();
    }
  });

  test("[arcp-12-error-payload] no ArcpError of any code carries an empty message", () => {
    for (const code of ERROR_CODES) {
      for (const given of ["", " \t"]) {
        const payload = new ArcpError(code, given).toPayload();
        assert.ok(payload.message.trim().length > 0, `${code} with ${JSON.stringify(given)}`);
      }
      assert.equal(ArcpError.from(Object.assign(new Error(""), { code })).message.length > 0, true);
    }
    assert.equal(new ArcpError("TIMEOUT", "took too long").message, "took too long");
  });
});
