/** Hand-written WebSocket text frames (RFC 6455 §5.2) decode back to exactly what was sent. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeTextFrames } from "../../../src/transport/ws-frames.js";

/** Parse unmasked server frames back into their texts, checking each header on the way. */
function decode(buffers: readonly Buffer[]): string[] {
  const all = Buffer.concat(buffers);
  const texts: string[] = [];
  let at = 0;
  while (at < all.length) {
    assert.equal(all[at], 0x81, "FIN + text opcode");
    const second = all[at + 1] as number;
    assert.equal(second & 0x80, 0, "server frames are not masked");
    let length = second & 0x7f;
    let header = 2;
    if (length === 126) {
      length = all.readUInt16BE(at + 2);
      header = 4;
      assert.ok(length >= 126, "the shortest length form is used");
    } else if (length === 127) {
      length = all.readUInt32BE(at + 2) * 2 ** 32 + all.readUInt32BE(at + 6);
      header = 10;
      assert.ok(length >= 65536, "the shortest length form is used");
    }
    texts.push(all.subarray(at + header, at + header + length).toString("utf8"));
    at += header + length;
  }
  return texts;
}

test("[arcp-4-websocket-transport] frames of every length form and of multi-byte text round-trip", () => {
  const frames = [
    "",
    "a",
    "x".repeat(125),
    "x".repeat(126),
    "é".repeat(40),
    "€".repeat(30),
    "y".repeat(65_535),
    "z".repeat(65_536),
    "😀".repeat(20_000),
    JSON.stringify({ type: "job.event", payload: { body: "ü".repeat(1000) } }),
  ];
  assert.deepEqual(decode(encodeTextFrames(frames)), frames);
});

test("[arcp-4-websocket-transport] a batch is coalesced into few buffers, and large frames get their own", () => {
  const small = Array.from({ length: 1000 }, (_, i) => `{"n":${i}}`);
  const coalesced = encodeTextFrames(small);
  assert.equal(coalesced.length, 1, "a thousand small frames leave in one buffer");
  assert.deepEqual(decode(coalesced), small);
  const large = "L".repeat(100_000);
  const mixed = encodeTextFrames(["a", large, "b"]);
  assert.equal(mixed.length, 3);
  assert.deepEqual(decode(mixed), ["a", large, "b"]);
});
