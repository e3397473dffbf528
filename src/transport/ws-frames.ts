/**
 * Server-side WebSocket text frames (RFC 6455 §5.2), written by hand so a batch of envelopes
 * leaves in one socket write instead of one (or two) per frame.
 */

/** Coalesced frames are written in buffers of about this size so one batch never doubles memory. */
const WRITE_CHUNK_BYTES = 256 * 1024;
/** Frames longer than this (UTF-16 units) are measured exactly rather than over-allocated. */
const LARGE_FRAME_UNITS = 16 * 1024;

function writeFrameHeader(buf: Buffer, offset: number, payloadBytes: number): void {
  buf[offset] = 0x81; // FIN + text opcode; server frames are never masked (RFC 6455 §5.1)
  if (payloadBytes < 126) {
    buf[offset + 1] = payloadBytes;
  } else if (payloadBytes < 65536) {
    buf[offset + 1] = 126;
    buf.writeUInt16BE(payloadBytes, offset + 2);
  } else {
    buf[offset + 1] = 127;
    buf.writeUInt32BE(Math.floor(payloadBytes / 2 ** 32), offset + 2);
    buf.writeUInt32BE(payloadBytes >>> 0, offset + 6);
  }
}

const headerSize = (payloadBytes: number): number =>
  payloadBytes < 126 ? 2 : payloadBytes < 65536 ? 4 : 10;

/** Frame `text` at `offset`, which has room for its worst case (3 bytes a UTF-16 unit + 10). */
function writeTextFrame(buf: Buffer, offset: number, text: string): number {
  const units = text.length;
  // The byte length lies between units and 3 × units, which usually settles the header size
  // without a separate pass over the string to measure it.
  const header =
    units * 3 < 126
      ? 2
      : units >= 126 && units * 3 < 65536
        ? 4
        : units >= 65536
          ? 10
          : headerSize(Buffer.byteLength(text));
  const n = buf.write(text, offset + header, "utf8");
  writeFrameHeader(buf, offset, n);
  return offset + header + n;
}

/**
 * Encode text frames back to back into as few buffers as possible, so a batch costs one
 * socket write (one writev when it spans several chunks) instead of two per frame. Large
 * frames get an exactly sized buffer of their own.
 */
export function encodeTextFrames(frames: readonly string[]): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  while (i < frames.length) {
    const first = frames[i] as string;
    if (first.length > LARGE_FRAME_UNITS) {
      const n = Buffer.byteLength(first);
      const buf = Buffer.allocUnsafe(headerSize(n) + n);
      writeTextFrame(buf, 0, first);
      out.push(buf);
      i++;
      continue;
    }
    let end = i;
    let room = 0;
    for (; end < frames.length && room < WRITE_CHUNK_BYTES; end++) {
      const units = (frames[end] as string).length;
      if (units > LARGE_FRAME_UNITS) break;
      room += units * 3 + 10;
    }
    const buf = Buffer.allocUnsafe(room);
    let offset = 0;
    for (; i < end; i++) offset = writeTextFrame(buf, offset, frames[i] as string);
    out.push(buf.subarray(0, offset));
  }
  return out;
}
