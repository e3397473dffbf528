/**
 * Cryptographically random bytes drawn from a pooled buffer: ids and trace ids are minted per
 * job and per millisecond, and one randomFillSync per 4 KiB is far cheaper than one per id.
 */
import { randomFillSync } from "node:crypto";

const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

/** `n` random bytes (n ≤ 64), as a view that is valid until the next call. */
export function takeRandom(n: number): Buffer {
  if (offset + n > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const view = pool.subarray(offset, offset + n);
  offset += n;
  return view;
}

/** `n` random bytes as lower-case hex. */
export function randomHex(n: number): string {
  return takeRandom(n).toString("hex");
}
