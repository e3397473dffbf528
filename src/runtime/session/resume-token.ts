/** Resume tokens (§6.3): 32 random bytes, shown once, stored only as a SHA-256 digest. */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export function newResumeToken(): string {
  return `rt_${randomBytes(32).toString("hex")}`;
}

export function hashResumeToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Constant-time comparison of a presented token with a stored digest. */
export function resumeTokenMatches(token: string, storedHash: string): boolean {
  const presented = Buffer.from(hashResumeToken(token), "hex");
  const stored = Buffer.from(storedHash, "hex");
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
