/**
 * A fast monotonic ULID generator (Crockford base32, 48-bit time + 80-bit random). Within one
 * millisecond the random part is incremented, so ids sort in creation order; the random part is
 * re-drawn from crypto each new millisecond. Cheap enough to stamp every envelope.
 */
import { takeRandom } from "./random.js";

const B32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const LOW_SPAN = 2 ** 40;

function encode(value: number, length: number): string {
  let out = "";
  let v = value;
  for (let i = 0; i < length; i++) {
    out = B32.charAt(v % 32) + out;
    v = Math.floor(v / 32);
  }
  return out;
}

function draw40(buf: Buffer, offset: number): number {
  return buf.readUIntBE(offset, 5);
}

/** Returns a function producing strictly increasing ULIDs. */
export function monotonicUlid(now: () => number = Date.now): () => string {
  let lastTime = -1;
  let timePart = "";
  let high = 0;
  let highPart = "";
  let low = 0;
  return () => {
    const t = now();
    if (t > lastTime) {
      lastTime = t;
      timePart = encode(t, 10);
      const r = takeRandom(10);
      high = draw40(r, 0);
      // Leave headroom so a burst within one millisecond rarely carries into `high`.
      low = draw40(r, 5) % (LOW_SPAN / 2);
      highPart = encode(high, 8);
    } else {
      low++;
      if (low >= LOW_SPAN) {
        low = 0;
        high = (high + 1) % LOW_SPAN;
        highPart = encode(high, 8);
      }
    }
    return timePart + highPart + encode(low, 8);
  };
}
