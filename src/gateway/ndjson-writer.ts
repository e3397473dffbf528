/** NDJSON onto a raw HTTP response with back-pressure: a slow reader holds at most one high-water mark of bytes. */
import type { ServerResponse } from "node:http";

/** Media type of the ARP events route (openapi `stream_run_events`). */
export const NDJSON_TYPE = "application/x-ndjson";

/**
 * Writes a 200 `application/x-ndjson` body chunk by chunk. Writes issued in one tick are
 * corked into one socket write; when the response buffer passes its high-water mark,
 * {@link write} waits for `drain`, so whoever feeds it is paused instead of buffered
 * (requirement arp-events-live). `closed` settles when the client goes away.
 */
export class NdjsonWriter {
  readonly #raw: ServerResponse;
  readonly closed: Promise<void>;
  #gone = false;
  #corked = false;

  constructor(raw: ServerResponse) {
    this.#raw = raw;
    this.closed = new Promise((resolve) => {
      const gone = (): void => {
        this.#gone = true;
        resolve();
      };
      raw.once("close", gone);
      raw.once("error", gone);
    });
    raw.writeHead(200, {
      "content-type": NDJSON_TYPE,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      // Proxies such as nginx must not hold lines back.
      "x-accel-buffering": "no",
    });
    raw.flushHeaders();
  }

  /** True once the client has disconnected (or the stream was ended or destroyed). */
  get isClosed(): boolean {
    return this.#gone || this.#raw.destroyed || this.#raw.writableEnded;
  }

  /** Bytes waiting in the response buffer (not yet handed to the socket). */
  get bufferedBytes(): number {
    return this.#raw.writableLength;
  }

  /** Write one chunk; resolves false when the client has gone, after `drain` when the buffer is full. */
  async write(chunk: string | Uint8Array): Promise<boolean> {
    if (this.isClosed) return false;
    if (!this.#corked) {
      this.#corked = true;
      this.#raw.cork();
      setImmediate(() => this.#uncork());
    }
    if (this.#raw.write(chunk)) return true;
    this.#uncork();
    if (this.isClosed) return false;
    const raw = this.#raw;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        raw.off("drain", done);
        raw.off("close", done);
        resolve();
      };
      raw.once("drain", done);
      raw.once("close", done);
    });
    return !this.isClosed;
  }

  /** A clean end of stream (the terminating chunk). */
  end(): void {
    this.#uncork();
    if (!this.isClosed) this.#raw.end();
  }

  /** An abrupt end: the client sees a truncated body, never a clean end, after a fault. */
  destroy(): void {
    this.#raw.destroy();
  }

  #uncork(): void {
    if (!this.#corked) return;
    this.#corked = false;
    this.#raw.uncork();
  }
}
