/**
 * Request signing for the webhook provisioner: HMAC-SHA256 over `<timestamp>.<body>` with a
 * shared secret, so a webhook can check origin and integrity and refuse stale replays.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "x-runplane-signature";
export const TIMESTAMP_HEADER = "x-runplane-timestamp";
const SCHEME = "sha256=";

/** The `x-runplane-signature` value for `body` sent at `timestamp` (epoch seconds, as text). */
export function signWebhookBody(secret: string, timestamp: string, body: string): string {
  const mac = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
  return `${SCHEME}${mac}`;
}

/**
 * Check a signed webhook request, for webhook implementers and tests: the signature must match
 * and the timestamp must be within `toleranceSec` of `nowSec`. Constant-time comparison.
 */
export function verifyWebhookSignature(options: {
  secret: string;
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
  nowSec: number;
  toleranceSec?: number;
}): boolean {
  const { secret, body, timestamp, signature, nowSec } = options;
  if (timestamp === undefined || signature === undefined || !/^\d{1,12}$/.test(timestamp)) {
    return false;
  }
  if (Math.abs(nowSec - Number(timestamp)) > (options.toleranceSec ?? 300)) return false;
  const expected = Buffer.from(signWebhookBody(secret, timestamp, body));
  const actual = Buffer.from(signature);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
