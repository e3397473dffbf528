/** Upstream error bodies (LiteLLM, OpenAI, plain text) mapped to §12 codes without echoing them. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { upstreamError } from "../../../src/models/upstream-errors.js";

const body = (message: string, type?: string) =>
  JSON.stringify({ error: { message, type, code: "x" } });

const CASES: [string, number, string, string][] = [
  [
    "LiteLLM key budget (400)",
    400,
    body("Budget has been exceeded! Current cost: 1, Max budget: 0.5", "budget_exceeded"),
    "BUDGET_EXHAUSTED",
  ],
  [
    "LiteLLM budget with no type",
    400,
    body("litellm.BadRequestError: Budget has been exceeded!"),
    "BUDGET_EXHAUSTED",
  ],
  [
    "LiteLLM user budget (429)",
    429,
    body("ExceededBudget: User=u over budget. Spend=1, Budget=0.1"),
    "BUDGET_EXHAUSTED",
  ],
  [
    "OpenAI quota",
    429,
    body("You exceeded your current quota", "insufficient_quota"),
    "BUDGET_EXHAUSTED",
  ],
  [
    "model refused",
    401,
    body("key not allowed to access model. Tried to access m", "key_model_access_denied"),
    "PERMISSION_DENIED",
  ],
  ["forbidden", 403, body("nope"), "PERMISSION_DENIED"],
  ["bad key", 401, body("Authentication Error", "auth_error"), "PERMISSION_DENIED"],
  ["unknown model", 404, body("model not found"), "INVALID_REQUEST"],
  ["bad request", 422, body("messages: field required"), "INVALID_REQUEST"],
  ["rate limited", 429, body("Rate limit reached", "rate_limit_error"), "INTERNAL_ERROR"],
  ["bad gateway, not JSON", 502, "<html>bad gateway</html>", "INTERNAL_ERROR"],
];

for (const [name, status, text, code] of CASES) {
  const cite = code === "BUDGET_EXHAUSTED" ? "[arcp-9.6-upstream-budget] " : "";
  test(`${cite}${name} (HTTP ${status}) maps to ${code}`, () => {
    const err = upstreamError(status, text, "m");
    assert.equal(err.code, code);
    assert.equal(err.details?.upstream_status, status);
  });
}

test("the upstream's message is never repeated; unsafe error types are left out of details", () => {
  const err = upstreamError(
    400,
    body("Budget has been exceeded! Key=sk-live-SECRET", "budget_exceeded <script>"),
    "m",
  );
  assert.equal(err.code, "BUDGET_EXHAUSTED");
  assert.ok(!err.message.includes("SECRET"));
  assert.deepEqual(err.details, { upstream_status: 400 });
});
